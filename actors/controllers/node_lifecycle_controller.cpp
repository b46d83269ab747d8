#include "actors/controllers/node_lifecycle_controller.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/event_recorder.hpp"
#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::ApiRequest;
using messages::Node;
using messages::Pod;

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::string_view unreachable_taint = "node.kubernetes.io/unreachable";
enum : uint64_t { nodes_tag = 1, leases_tag = 2, pods_tag = 3 };

int64_t ms_of(const messages::Time& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

const messages::NodeCondition* ready_of(const Node& node) {
  for (const auto& c : node.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}

bool has_taint(const Node& node, std::string_view key, std::string_view effect) {
  return std::any_of(node.spec().taints().begin(), node.spec().taints().end(),
                     [&](const auto& t) { return t.key() == key && t.effect() == effect; });
}

// Whether `toleration` tolerates `taint` (Kubernetes' ToleratesTaint).
bool tolerates(const messages::Toleration& toleration, const messages::Taint& taint) {
  if (!toleration.effect().empty() && toleration.effect() != taint.effect()) return false;
  if (toleration.key().empty()) return toleration.operator_() == "Exists";
  if (toleration.key() != taint.key()) return false;
  if (toleration.operator_() == "Exists") return true;
  return toleration.value() == taint.value();
}

// When a pod on a node with these taints must go: nullopt when it may stay, else the time in
// Unix ms (the latest of the taints' deadlines; now or earlier for an untolerated taint).
std::optional<int64_t> eviction_time(const Pod& pod, const Node& node) {
  std::optional<int64_t> at;
  for (const auto& taint : node.spec().taints()) {
    if (taint.effect() != "NoExecute") continue;
    const messages::Toleration* match = nullptr;
    for (const auto& t : pod.spec().tolerations())
      if (tolerates(t, taint)) match = &t;
    int64_t deadline = ms_of(taint.time_added());
    if (match) {
      if (!match->has_toleration_seconds()) continue;  // tolerated forever
      deadline += std::max<int64_t>(0, match->toleration_seconds()) * 1000;
    }
    at = std::max(at.value_or(deadline), deadline);
  }
  return at;
}

struct lifecycle_state {
  static inline const char* name = "node-lifecycle-controller";

  caf::stateful_actor<lifecycle_state>* self = nullptr;
  controller_context context;
  node_lifecycle_options options;
  std::unique_ptr<informer> nodes;
  std::unique_ptr<informer> leases;
  std::unique_ptr<informer> pods;
  std::unique_ptr<event_recorder> events;
  int64_t started_ms = 0;
  std::set<std::string> evicting;  // pod cache keys with a DELETE in flight

  void start() {
    started_ms = context.now_ms();
    events = context.recorder(self, "node-controller");
    auto ignore = [](const object_ptr&, const object_ptr&) {};
    nodes = std::make_unique<informer>(self, context.informers(),
                                       *messages::find_kind(Node::descriptor()), nodes_tag, ignore);
    leases = std::make_unique<informer>(self, context.informers(),
                                        *messages::find_kind(messages::Lease::descriptor()),
                                        leases_tag, ignore);
    pods = std::make_unique<informer>(self, context.informers(),
                                      *messages::find_kind(Pod::descriptor()), pods_tag, ignore);
    nodes->start();
    leases->start();
    pods->start();
    self->delayed_send(self, options.monitor_period, atoms::tick_atom_v);
  }

  void monitor() {
    if (!nodes->synced() || !leases->synced() || !pods->synced()) return;
    const int64_t now = context.now_ms();
    const int64_t grace = options.grace_period.count();
    std::vector<std::shared_ptr<const Node>> all;
    for (const auto& key : nodes->keys()) {
      auto held = nodes->get<Node>(key);
      if (!held) continue;
      const auto& node = *all.emplace_back(std::move(held));
      auto lease = leases->get<messages::Lease>("kube-node-lease/" + node.metadata().name());
      int64_t renewed = lease ? ms_of(lease->spec().renew_time()) : 0;
      if (const auto* ready = ready_of(node))
        renewed = std::max(renewed, ms_of(ready->last_heartbeat_time()));
      const bool lost = now - std::max(renewed, started_ms) > grace;
      const auto* ready = ready_of(node);
      const bool tainted = has_taint(node, unreachable_taint, "NoExecute");
      if (lost && (!tainted || !ready || ready->status() != "Unknown")) mark_lost(node, now);
      if (!lost && tainted && ready && ready->status() == "True") mark_back(node);
    }
    evict(all, now);
  }

  void mark_lost(const Node& node, int64_t now) {
    Node updated = node;
    auto* taints = updated.mutable_spec()->mutable_taints();
    for (const char* effect : {"NoSchedule", "NoExecute"}) {
      if (has_taint(node, unreachable_taint, effect)) continue;
      auto* t = taints->Add();
      t->set_key(std::string(unreachable_taint));
      t->set_effect(effect);
      t->mutable_time_added()->set_seconds(now / 1000);
    }
    write(ApiRequest::UPDATE, updated, [this, updated, now]() mutable {
      auto* conditions = updated.mutable_status()->mutable_conditions();
      for (auto& c : *conditions) {
        if (c.type() != "Ready" || c.status() == "Unknown") continue;
        c.set_status("Unknown");
        c.set_reason("NodeStatusUnknown");
        c.set_message("Kubelet stopped posting node status.");
        c.mutable_last_transition_time()->set_seconds(now / 1000);
      }
      updated.mutable_metadata()->clear_resource_version();
      write(ApiRequest::UPDATE_STATUS, updated, [] {});
      events->normal(updated, "NodeNotReady",
                     "Node " + updated.metadata().name() + " status is now: NodeNotReady");
    });
  }

  void mark_back(const Node& node) {
    Node updated = node;
    auto* taints = updated.mutable_spec()->mutable_taints();
    taints->erase(std::remove_if(taints->begin(), taints->end(),
                                 [](const auto& t) { return t.key() == unreachable_taint; }),
                  taints->end());
    write(ApiRequest::UPDATE, updated, [] {});
  }

  // The pods of nodes with a NoExecute taint that do not tolerate it (long enough) go.
  void evict(const std::vector<std::shared_ptr<const Node>>& all, int64_t now) {
    for (const auto& node : all) {
      if (!has_no_execute_taint(*node)) continue;
      for (const auto& object : pods->indexed(by::node, node->metadata().name()))
        evict_if_due(static_cast<const Pod&>(*object), *node, now);
    }
  }

  static bool has_no_execute_taint(const Node& node) {
    return std::any_of(node.spec().taints().begin(), node.spec().taints().end(),
                       [](const auto& t) { return t.effect() == "NoExecute"; });
  }

  void evict_if_due(const Pod& pod, const Node& node, int64_t now) {
    const std::string key = cache_key(pod);
    if (pod.metadata().has_deletion_timestamp() || evicting.count(key)) return;
    auto at = eviction_time(pod, node);
    if (!at || *at > now) return;
    evicting.insert(key);
    events->normal(
        pod, "TaintManagerEviction",
        "Marking for deletion Pod " + pod.metadata().namespace_() + "/" + pod.metadata().name());
    ApiRequest request;
    request.set_verb(ApiRequest::DELETE);
    request.set_resource("pods");
    request.set_namespace_(pod.metadata().namespace_());
    request.set_name(pod.metadata().name());
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([this, key](messages::ApiResponse&) { evicting.erase(key); },
              [this, key](caf::error&) { evicting.erase(key); });
  }

  template <class Then>
  void write(ApiRequest::Verb verb, const Node& node, Then then) {
    ApiRequest request;
    request.set_verb(verb);
    request.set_resource("nodes");
    request.set_name(node.metadata().name());
    request.set_object(node.SerializeAsString());
    // A conflict (the agent wrote meanwhile) is retried by the next monitor pass.
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([then](messages::ApiResponse&) mutable { then(); }, [](caf::error&) {});
  }
};

caf::behavior node_lifecycle_controller(caf::stateful_actor<lifecycle_state>* self,
                                        controller_context context,
                                        node_lifecycle_options options) {
  auto& st = self->state;
  st.self = self;
  st.context = std::move(context);
  st.options = options;
  st.start();
  caf::message_handler own{
      [self](atoms::tick_atom) {
        self->state.monitor();
        self->delayed_send(self, self->state.options.monitor_period, atoms::tick_atom_v);
      },
  };
  return own.or_else(informer_messages([self] {
    auto& st = self->state;
    return std::vector<informer*>{st.nodes.get(), st.leases.get(), st.pods.get()};
  }));
}

}  // namespace

caf::actor spawn_node_lifecycle_controller(caf::actor_system& system, controller_context context,
                                           node_lifecycle_options options) {
  return system.spawn(node_lifecycle_controller, std::move(context), options);
}

}  // namespace troupe::actors::controllers
