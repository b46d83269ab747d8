#include "actors/scheduler/scheduler_actor.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/event_recorder.hpp"
#include "actors/controllers/informer.hpp"
#include "actors/scheduler/scheduling_logic.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::actors::scheduler {
namespace {

using controllers::cache_key;
using controllers::informer;
using controllers::informer_messages;
using controllers::object_ptr;
using messages::ApiRequest;
using messages::Pod;

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::string_view scheduler_name = "default-scheduler";
enum : uint64_t { nodes_tag = 1, pods_tag = 2 };
// Decisions per pass of the loop: other messages (watch events, binding replies) are served
// between passes.
constexpr std::size_t cycles_per_pass = 2048;
// At most this many pods per BIND request, and this many requests in flight: while they are
// committed, new decisions gather into the next batch (group commit).
constexpr int max_batch = 4096;
constexpr int max_batches_in_flight = 2;
// kube-scheduler's pod backoff: 1 s doubling to 10 s; an unschedulable pod is tried again
// once the cluster changed and its backoff passed, or after max_unschedulable_ms anyway.
constexpr int64_t initial_backoff_ms = 1000;
constexpr int64_t max_backoff_ms = 10000;
constexpr int64_t max_unschedulable_ms = 60000;
constexpr auto retry_tick = std::chrono::milliseconds(500);
constexpr auto bind_retry_delay = std::chrono::milliseconds(500);

// A pod that fit nowhere, waiting for the cluster to change.
struct parked_pod {
  int64_t retry_after_ms = 0;
  int64_t parked_at_ms = 0;
  uint64_t cluster_generation = 0;  // the cluster as it was when the pod failed
  int64_t backoff_ms = initial_backoff_ms;
};

bool is_ours(const Pod& pod) {
  return pod.spec().scheduler_name().empty() || pod.spec().scheduler_name() == scheduler_name;
}

bool wants_node(const Pod& pod) {
  const auto& phase = pod.status().phase();
  return pod.spec().node_name().empty() && !pod.metadata().has_deletion_timestamp() &&
         phase != "Succeeded" && phase != "Failed" && is_ours(pod);
}

struct scheduler_state {
  static inline const char* name = "scheduler";

  caf::stateful_actor<scheduler_state>* self = nullptr;
  controllers::controller_context context;
  scheduling_logic logic;
  std::unique_ptr<informer> nodes;
  std::unique_ptr<informer> pods;
  std::unique_ptr<controllers::event_recorder> events;

  std::deque<std::string> active;              // pod cache keys to schedule, in arrival order
  std::set<std::string> queued;                // the same keys, for membership
  std::map<std::string, parked_pod> parked;    // unschedulable, by pod cache key
  std::map<std::string, std::string> binding;  // assumed and being bound: key -> logic key
  uint64_t cluster_generation = 0;             // bumped by every node change and every freed pod
  bool pass_pending = false;
  bool synced = false;

  // Decisions waiting for a BIND request.
  std::vector<Pod> batch;
  int batches_in_flight = 0;
  // Pods whose binding failed, by cache key, with their pod_key: still assumed until
  // bind_retry_delay has passed, then forgotten (unless the watch showed them bound) and queued
  // again.
  std::map<std::string, std::string> bind_retry;
  bool bind_retry_scheduled = false;

  void start() {
    events = context.recorder(self, std::string(scheduler_name));
    nodes = std::make_unique<informer>(
        self, context.informers(), *messages::find_kind(messages::Node::descriptor()), nodes_tag,
        [this](const object_ptr& before, const object_ptr& after) {
          if (after)
            logic.upsert_node(static_cast<const messages::Node&>(*after));
          else
            logic.remove_node(messages::metadata_of(*before)->name());
          ++cluster_generation;
        });
    pods = std::make_unique<informer>(
        self, context.informers(), *messages::find_kind(Pod::descriptor()), pods_tag,
        [this](const object_ptr& before, const object_ptr& after) { on_pod(before, after); });
    nodes->start([this] {
      pods->start([this] {
        synced = true;
        schedule_pass();
      });
    });
    self->delayed_send(self, retry_tick, atoms::tick_atom_v);
  }

  void on_pod(const object_ptr& before, const object_ptr& after) {
    const auto& any = static_cast<const Pod&>(after ? *after : *before);
    const std::string key = cache_key(any);
    if (!after) {
      logic.remove_pod(pod_key(any));
      forget(key);
      ++cluster_generation;
      return;
    }
    const auto& pod = static_cast<const Pod&>(*after);
    if (!pod.spec().node_name().empty()) {
      // Bound (by us or anyone): the cache counts it; a finished pod frees its node.
      logic.add_pod(pod);
      forget(key);
      const auto& phase = pod.status().phase();
      if (phase == "Succeeded" || phase == "Failed" || pod.metadata().has_deletion_timestamp())
        ++cluster_generation;
      return;
    }
    if (!wants_node(pod)) {
      forget(key);
      return;
    }
    // A pending pod: queue it unless it waits for the cluster to change or is being bound.
    if (parked.count(key) || binding.count(key)) return;
    enqueue(key);
  }

  void forget(const std::string& key) {
    parked.erase(key);
    queued.erase(key);  // a stale entry left in `active` is skipped
  }

  void enqueue(const std::string& key) {
    if (!queued.insert(key).second) return;
    active.push_back(key);
    if (!pass_pending && synced) {
      pass_pending = true;
      self->send(self, atoms::flush_atom_v);
    }
  }

  // Runs scheduling cycles for queued pods, then sends what was decided.
  void schedule_pass() {
    pass_pending = false;
    const int64_t now = context.now_ms();
    std::size_t cycles = 0;
    while (!active.empty() && cycles < cycles_per_pass) {
      std::string key = std::move(active.front());
      active.pop_front();
      if (!queued.erase(key)) continue;  // forgotten since it was queued
      auto object = pods->find(key);
      if (!object) continue;
      const auto& pod = static_cast<const Pod&>(*object);
      if (!wants_node(pod)) continue;
      ++cycles;
      auto result = logic.schedule(pod);
      if (!result.scheduled()) {
        park(key, pod, result.failure, now);
        continue;
      }
      logic.assume(pod, result.node);
      binding[key] = pod_key(pod);
      Pod& bound = batch.emplace_back(pod);
      bound.mutable_spec()->set_node_name(result.node);
    }
    send_batches();
    if (!active.empty() && !pass_pending) {
      pass_pending = true;
      self->send(self, atoms::flush_atom_v);
    }
  }

  void send_batches() {
    while (!batch.empty() && batches_in_flight < max_batches_in_flight) {
      std::vector<Pod> sent;
      if (static_cast<int>(batch.size()) <= max_batch) {
        sent.swap(batch);
      } else {
        sent.assign(std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.begin() + max_batch));
        batch.erase(batch.begin(), batch.begin() + max_batch);
      }
      ApiRequest request;
      request.set_verb(ApiRequest::BIND);
      request.set_resource("pods");
      for (const auto& pod : sent)
        request.add_objects(pod.SerializeAsString());
      ++batches_in_flight;
      auto shared = std::make_shared<std::vector<Pod>>(std::move(sent));
      self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
          .then(
              [this, shared](messages::ApiResponse& response) {
                --batches_in_flight;
                for (std::size_t i = 0; i < shared->size(); ++i) {
                  const bool ok = static_cast<int>(i) >= response.failures_size() ||
                                  response.failures(static_cast<int>(i)).empty();
                  bound((*shared)[i], ok);
                }
                send_batches();
              },
              [this, shared](caf::error&) {
                // The request failed as a whole (no leader, deposed, a timeout). Tried again at
                // once, a deposed leader's scheduler spun in a hot loop of doomed bindings.
                --batches_in_flight;
                for (const auto& pod : *shared)
                  bound(pod, false);
                send_batches();
              });
    }
  }

  // A binding's outcome. A failed one keeps its assumption for bind_retry_delay: its failure may
  // be a lost answer to a binding that was committed, and forgetting it at once would show the
  // node's capacity free until the watch brings the bound pod (the simulation caught a node
  // overcommitted so). The watch's add_pod confirms a committed one meanwhile; then
  // retry_bindings forgets what is still only assumed and queues the pod again.
  void bound(const Pod& pod, bool ok) {
    const std::string key = cache_key(pod);
    if (ok) {
      binding.erase(key);
      logic.confirm_pod(pod_key(pod));
      events->normal(pod, "Scheduled",
                     "Successfully assigned " + pod.metadata().namespace_() + "/" +
                         pod.metadata().name() + " to " + pod.spec().node_name());
      return;
    }
    bind_retry[key] = pod_key(pod);
    if (!bind_retry_scheduled) {
      bind_retry_scheduled = true;
      self->delayed_send(self, bind_retry_delay, atoms::retry_atom_v);
    }
  }

  void enqueue_if_pending(const std::string& key) {
    if (auto current = pods->find(key); current && wants_node(static_cast<const Pod&>(*current)))
      enqueue(key);
  }

  void retry_bindings() {
    bind_retry_scheduled = false;
    auto failed = std::move(bind_retry);
    bind_retry.clear();
    for (const auto& [key, assumed] : failed) {
      binding.erase(key);
      logic.forget_pod(assumed);
      enqueue_if_pending(key);
    }
  }

  // kube-scheduler's handling of an unschedulable pod: the PodScheduled=False condition, a
  // FailedScheduling event, and a place among the pods waiting for the cluster to change.
  void park(const std::string& key, const Pod& pod, const std::string& why, int64_t now) {
    auto& p = parked[key];
    p.backoff_ms =
        p.parked_at_ms == 0 ? initial_backoff_ms : std::min(max_backoff_ms, p.backoff_ms * 2);
    p.parked_at_ms = now;
    p.retry_after_ms = now + p.backoff_ms;
    p.cluster_generation = cluster_generation;
    events->warning(pod, "FailedScheduling", why);
    for (const auto& c : pod.status().conditions())
      if (c.type() == "PodScheduled" && c.status() == "False" && c.message() == why) return;
    Pod updated = pod;
    auto* conditions = updated.mutable_status()->mutable_conditions();
    auto it = std::find_if(conditions->begin(), conditions->end(),
                           [](const auto& c) { return c.type() == "PodScheduled"; });
    auto* condition = it != conditions->end() ? &*it : conditions->Add();
    condition->set_type("PodScheduled");
    condition->set_status("False");
    condition->set_reason("Unschedulable");
    condition->set_message(why);
    condition->mutable_last_transition_time()->set_seconds(now / 1000);
    ApiRequest request;
    request.set_verb(ApiRequest::UPDATE_STATUS);
    request.set_resource("pods");
    request.set_namespace_(pod.metadata().namespace_());
    request.set_name(pod.metadata().name());
    request.set_object(updated.SerializeAsString());
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([](messages::ApiResponse&) {}, [](caf::error&) {});
  }

  // Moves parked pods whose backoff passed back to the queue, if the cluster changed since
  // they failed (or they waited long enough regardless).
  void retry_parked() {
    const int64_t now = context.now_ms();
    std::vector<std::string> ready;
    for (const auto& [key, p] : parked) {
      const bool changed = p.cluster_generation != cluster_generation;
      if (now >= p.retry_after_ms && (changed || now - p.parked_at_ms >= max_unschedulable_ms))
        ready.push_back(key);
    }
    for (const auto& key : ready) {
      // Keep the backoff: the entry stays until the pod is scheduled or gone.
      queued.insert(key);
      active.push_back(key);
      parked[key].retry_after_ms = INT64_MAX;
    }
    if (!ready.empty() && !pass_pending && synced) {
      pass_pending = true;
      self->send(self, atoms::flush_atom_v);
    }
  }
};

caf::behavior scheduler(caf::stateful_actor<scheduler_state>* self,
                        controllers::controller_context context) {
  auto& st = self->state;
  st.self = self;
  st.context = std::move(context);
  st.start();
  caf::message_handler own{
      [self](atoms::flush_atom) { self->state.schedule_pass(); },
      [self](atoms::retry_atom) { self->state.retry_bindings(); },
      [self](atoms::tick_atom) {
        self->state.retry_parked();
        self->delayed_send(self, retry_tick, atoms::tick_atom_v);
      },
  };
  return own.or_else(informer_messages([self] {
    auto& st = self->state;
    return std::vector<informer*>{st.nodes.get(), st.pods.get()};
  }));
}

}  // namespace

caf::actor spawn_scheduler(caf::actor_system& system, controllers::controller_context context) {
  return system.spawn(scheduler, std::move(context));
}

}  // namespace troupe::actors::scheduler
