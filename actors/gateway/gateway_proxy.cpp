#include "actors/gateway/gateway_proxy.hpp"

#include <deque>
#include <functional>
#include <map>

#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/raft_actor.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::actors {
namespace {

using proxy_impl = gateway_actor::extend<caf::reacts_to<atoms::retry_atom>>;

struct proxy_state {
  static inline const char* name = "gateway-proxy";

  proxy_impl::stateful_pointer<proxy_state> self = nullptr;
  gateway_proxy_options options;
  std::size_t index = 0;  // the server in use or being tried
  gateway_actor gateway;  // null while not connected
  bool connecting = false;
  // Calls waiting for a connection, each with its deadline.
  std::deque<std::pair<caf::timestamp, std::function<void()>>> waiting;
  struct watch_entry {
    uint64_t remote_id = 0;
    caf::actor subscriber;
    uint64_t tag = 0;
  };
  std::map<uint64_t, watch_entry> watches;  // by the id this proxy gave out
  uint64_t next_watch = 1;

  // Runs `call` once a gateway is connected.
  void with_gateway(std::function<void()> call) {
    if (gateway) return call();
    waiting.emplace_back(caf::make_timestamp() + options.call_timeout, std::move(call));
    connect();
  }

  void connect() {
    if (connecting || gateway || options.servers.empty()) return;
    auto host_port = split_host_port(options.servers[index]);
    if (!host_port) return next_server();
    connecting = true;
    auto mm = self->home_system().middleman().actor_handle();
    self->request(mm, options.connect_timeout, caf::connect_atom_v, host_port->first,
                  host_port->second)
        .then(
            [this](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
              connecting = false;
              if (!ptr) return next_server();
              gateway = caf::actor_cast<gateway_actor>(std::move(ptr));
              self->monitor(gateway);
              auto calls = std::move(waiting);
              waiting.clear();
              for (auto& [_, call] : calls)
                call();
            },
            [this](caf::error&) {
              connecting = false;
              next_server();
            });
  }

  // Tries the next server after a short pause; calls past their deadline fail meanwhile.
  void next_server() {
    index = (index + 1) % options.servers.size();
    const auto now = caf::make_timestamp();
    while (!waiting.empty() && waiting.front().first < now) {
      waiting.pop_front();  // its promise, destroyed undelivered, tells the caller
    }
    if (!waiting.empty())
      self->delayed_send(self, std::chrono::milliseconds(100), atoms::retry_atom_v);
  }

  // The gateway went: its watches end (their subscribers list again), later calls go on.
  void on_down(const caf::down_msg& down) {
    if (!gateway || down.source != gateway.address()) return;
    gateway = nullptr;
    auto ended = std::move(watches);
    watches.clear();
    for (auto& [_, w] : ended)
      caf::anon_send(w.subscriber, atoms::watch_end_atom_v, w.tag,
                     caf::make_error(messages::errc::unavailable, "the API server went away"));
    index = (index + 1) % options.servers.size();
    if (!waiting.empty()) connect();
  }
};

proxy_impl::behavior_type gateway_proxy(proxy_impl::stateful_pointer<proxy_state> self,
                                        gateway_proxy_options options) {
  self->state.self = self;
  self->state.options = std::move(options);
  self->set_down_handler([self](caf::down_msg& down) { self->state.on_down(down); });
  return {
      [self](atoms::api_atom, messages::ApiRequest& request) {
        auto rp = self->make_response_promise<messages::ApiResponse>();
        self->state.with_gateway([self, rp, request]() mutable {
          self->request(self->state.gateway, self->state.options.call_timeout, atoms::api_atom_v,
                        request)
              .then([rp](messages::ApiResponse& r) mutable { rp.deliver(std::move(r)); },
                    [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
        });
        return rp;
      },
      [self](atoms::watch_atom, messages::ApiRequest& request, caf::actor& subscriber,
             uint64_t tag) {
        auto rp = self->make_response_promise<uint64_t>();
        self->state.with_gateway([self, rp, request, subscriber, tag]() mutable {
          auto gateway = self->state.gateway;
          self->request(gateway, self->state.options.call_timeout, atoms::watch_atom_v, request,
                        subscriber, tag)
              .then(
                  [self, rp, subscriber, tag, gateway](uint64_t remote_id) mutable {
                    auto& st = self->state;
                    if (st.gateway != gateway) {
                      // The server went while the watch started: it ended already.
                      rp.deliver(
                          caf::make_error(messages::errc::unavailable, "the API server went away"));
                      return;
                    }
                    const uint64_t id = st.next_watch++;
                    st.watches[id] = {remote_id, subscriber, tag};
                    rp.deliver(id);
                  },
                  [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
        });
        return rp;
      },
      [self](atoms::unwatch_atom, uint64_t id) {
        auto& st = self->state;
        auto it = st.watches.find(id);
        if (it == st.watches.end()) return;
        if (st.gateway) caf::anon_send(st.gateway, atoms::unwatch_atom_v, it->second.remote_id);
        st.watches.erase(it);
      },
      [self](atoms::retry_atom) { self->state.connect(); },
  };
}

}  // namespace

gateway_actor spawn_gateway_proxy(caf::actor_system& system, gateway_proxy_options options) {
  return caf::actor_cast<gateway_actor>(system.spawn(gateway_proxy, std::move(options)));
}

}  // namespace troupe::actors
