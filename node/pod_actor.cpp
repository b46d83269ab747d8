#include "node/pod_actor.hpp"

#include <chrono>
#include <map>
#include <memory>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/event_recorder.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "node/kubelet_events.hpp"
#include "node/pod_lifecycle.hpp"

namespace troupe::node {
namespace {

using messages::ApiRequest;
constexpr auto request_timeout = std::chrono::seconds(30);

struct pod_state {
  static inline const char* name = "pod";

  caf::stateful_actor<pod_state>* self = nullptr;
  pod_actor_options options;
  std::unique_ptr<pod_lifecycle> lifecycle;
  std::unique_ptr<sim_runtime> runtime;
  std::unique_ptr<actors::controllers::event_recorder> recorder;
  std::unique_ptr<kubelet_events> events;
  messages::Pod pod;  // the newest version seen
  // Runtime timers: the runtime hands us callbacks, we run them from (tick_atom, id).
  std::map<uint64_t, std::function<void()>> timers;
  uint64_t next_timer = 1;
  uint64_t wake_timer = 0;  // the pending due() wake-up, 0 when none
  uint64_t written = 0;     // the status revision last written (or being written)
  bool writing = false;
  bool deleting = false;

  int64_t now() const { return options.unix_ms(); }

  void start(const messages::Pod& initial) {
    pod = initial;
    lifecycle = std::make_unique<pod_lifecycle>(pod, now());
    lifecycle->set_ips(options.host_ip, options.pod_ip);
    recorder = std::make_unique<actors::controllers::event_recorder>(
        self, options.gateway, "kubelet", options.unix_ms, options.node_name, options.event_sink);
    events = std::make_unique<kubelet_events>(lifecycle->pod());
    // The runtime calls back from our own timers, so its events arrive on this actor's thread.
    runtime = std::make_unique<sim_runtime>(
        options.runtime,
        [this](runtime_event e) {
          record(events->on_runtime_event(e, now()));
          lifecycle->on_event(e, now());
        },
        [this](int64_t delay_ms, std::function<void()> callback) {
          const uint64_t id = next_timer++;
          timers.emplace(id, std::move(callback));
          self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(0, delay_ms)),
                             atoms::tick_atom_v, id);
        },
        [this] { return now(); });
    step();
  }

  // Carries out what the lifecycle decided, with the kubelet's events about it.
  void act(const lifecycle_step& next) {
    record(events->on_actions(next, now()));
    carry_out(*lifecycle, next, *runtime);
    record(events->on_status(lifecycle->status()));
  }

  void record(const std::vector<kubelet_event>& happened) {
    for (const auto& e : happened)
      recorder->record(pod, e.type, e.reason, e.message);
  }

  void step() {
    auto next = lifecycle->due(now());
    act(next);
    if (next.wake_at_ms) {
      const uint64_t id = next_timer++;
      timers.emplace(id, [] {});
      wake_timer = id;
      self->delayed_send(self,
                         std::chrono::milliseconds(std::max<int64_t>(0, *next.wake_at_ms - now())),
                         atoms::tick_atom_v, id);
    }
    write_status();
    if (next.done) finish();
  }

  void write_status() {
    if (writing || deleting || lifecycle->status_revision() == written) return;
    writing = true;
    written = lifecycle->status_revision();
    messages::Pod updated = pod;
    *updated.mutable_status() = lifecycle->status();
    updated.mutable_metadata()->clear_resource_version();  // the agent owns the status
    ApiRequest request;
    request.set_verb(ApiRequest::UPDATE_STATUS);
    request.set_resource("pods");
    request.set_namespace_(pod.metadata().namespace_());
    request.set_name(pod.metadata().name());
    request.set_object(updated.SerializeAsString());
    self->request(options.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then(
            [this](messages::ApiResponse&) {
              writing = false;
              write_status();
            },
            [this](caf::error& e) {
              writing = false;
              if (messages::is_error(e, messages::errc::not_found)) return self->quit();
              --written;  // try again with the next change or tick
              self->delayed_send(self, std::chrono::milliseconds(500), atoms::tick_atom_v,
                                 uint64_t{0});
            });
  }

  // The containers stopped: the deletion can complete.
  void finish() {
    deleting = true;
    ApiRequest request;
    request.set_verb(ApiRequest::DELETE);
    request.set_resource("pods");
    request.set_namespace_(pod.metadata().namespace_());
    request.set_name(pod.metadata().name());
    request.set_grace_period_seconds(0);
    self->request(options.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([this](messages::ApiResponse&) { self->quit(); },
              [this](caf::error& e) {
                if (messages::is_error(e, messages::errc::not_found)) return self->quit();
                self->delayed_send(self, std::chrono::seconds(1), atoms::pod_gone_atom_v);
              });
  }
};

caf::behavior pod_actor(caf::stateful_actor<pod_state>* self, messages::Pod pod,
                        pod_actor_options options) {
  self->state.self = self;
  self->state.options = std::move(options);
  self->state.start(pod);
  return {
      [self](atoms::pod_update_atom, messages::Pod& pod) {
        auto& st = self->state;
        st.pod = pod;
        st.lifecycle->on_pod_update(pod, st.now());
        st.step();
      },
      [self](atoms::pod_gone_atom) {
        auto& st = self->state;
        if (st.deleting) return st.finish();  // a retry of the final DELETE
        st.deleting = true;                   // nothing left to write status to
        st.lifecycle->on_pod_deleted(st.now());
        auto next = st.lifecycle->due(st.now());
        st.act(next);
        if (next.done || st.lifecycle->finished()) self->quit();
      },
      [self](atoms::tick_atom, uint64_t id) {
        auto& st = self->state;
        if (auto it = st.timers.find(id); it != st.timers.end()) {
          auto callback = std::move(it->second);
          st.timers.erase(it);
          callback();
        }
        if (st.deleting && !st.lifecycle->finished()) {
          auto next = st.lifecycle->due(st.now());
          st.act(next);
          if (next.done) self->quit();
          return;
        }
        if (!st.deleting) st.step();
      },
  };
}

}  // namespace

caf::actor spawn_pod_actor(caf::actor_system& system, const messages::Pod& pod,
                           pod_actor_options options) {
  return system.spawn(pod_actor, pod, std::move(options));
}

}  // namespace troupe::node
