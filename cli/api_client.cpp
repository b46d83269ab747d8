#include "cli/api_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "actors/raft_actor.hpp"
#include "actors/system_config.hpp"
#include "messages/errc.hpp"

namespace troupe::cli {

struct api_client::impl {
  actors::system_config cfg;
  caf::actor_system system{cfg};
  actors::gateway_actor gateway;
};

api_client::api_client(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

api_client::~api_client() = default;

namespace {

api_client::failure failure_of(caf::actor_system& system, const caf::error& e) {
  api_client::failure f;
  if (e.category() == caf::atom("troupe")) {
    f.reason = messages::kubernetes_reason(static_cast<messages::errc>(e.code()));
    f.message = e.context().match_elements<std::string>() ? e.context().get_as<std::string>(0)
                                                          : system.render(e);
  } else {
    f.reason = "ServiceUnavailable";
    f.message = system.render(e);
  }
  return f;
}

}  // namespace

std::unique_ptr<api_client> api_client::connect(const std::vector<std::string>& servers,
                                                std::string& error) {
  auto state = std::make_unique<impl>();
  for (const auto& server : servers) {
    auto host_port = actors::split_host_port(server);
    if (!host_port) {
      error = "invalid server \"" + server + "\": want host:port";
      continue;
    }
    auto gateway = state->system.middleman().remote_actor<actors::gateway_actor>(host_port->first,
                                                                                 host_port->second);
    if (gateway) {
      state->gateway = *gateway;
      return std::unique_ptr<api_client>(new api_client(std::move(state)));
    }
    error = "The connection to the server " + server +
            " was refused - did you specify the right host or port?";
  }
  if (servers.empty()) error = "no server to connect to";
  return nullptr;
}

api_client::outcome api_client::call(const messages::ApiRequest& request,
                                     std::chrono::milliseconds timeout) {
  caf::scoped_actor self{impl_->system};
  outcome out = failure{"InternalError", "no answer"};
  self->request(impl_->gateway, timeout, atoms::api_atom_v, request)
      .receive([&](messages::ApiResponse& response) { out = std::move(response); },
               [&](caf::error& e) { out = failure_of(impl_->system, e); });
  return out;
}

std::optional<api_client::failure> api_client::watch(
    const messages::ApiRequest& request,
    const std::function<bool(const messages::WatchEvent&)>& on_event,
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  caf::scoped_actor self{impl_->system};
  std::optional<failure> out;
  self->request(impl_->gateway, std::chrono::seconds(30), atoms::watch_atom_v, request,
                caf::actor_cast<caf::actor>(self), uint64_t{1})
      .receive([](uint64_t) {}, [&](caf::error& e) { out = failure_of(impl_->system, e); });
  bool going = !out;
  auto on_events = [&](atoms::watch_events_atom, uint64_t,
                       std::vector<messages::WatchEvent>& events) {
    for (const auto& e : events)
      if (going && !on_event(e)) going = false;
  };
  auto on_end = [&](atoms::watch_end_atom, uint64_t, caf::error& e) {
    if (e) out = failure_of(impl_->system, e);
    going = false;
  };
  while (going) {
    if (!deadline) {
      self->receive(on_events, on_end);
      continue;
    }
    const auto left = *deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      out = failure{"Timeout", "timed out waiting for the condition"};
      break;
    }
    self->receive(
        on_events, on_end,
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(left) +
                   std::chrono::milliseconds(1)) >>
            [] {});
  }
  return out;
}

std::string api_client::failure::to_string() const {
  if (reason == "Invalid") return message;
  return "Error from server (" + reason + "): " + message;
}

}  // namespace troupe::cli
