#include "tests/support/control_plane_checks.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>

#include <google/protobuf/util/message_differencer.h>

#include "messages/proto/meta.pb.h"

namespace troupe::test_support {
namespace {

using messages::ObjectMeta;
using messages::Pod;

constexpr const char* template_hash_label = "pod-template-hash";
constexpr int32_t default_revision_history_limit = 10;

template <class T>
void read_all(const store::object_store& objects, const std::string& prefix, std::vector<T>& out) {
  auto page = objects.list(prefix);
  if (!page.ok()) {
    std::cerr << "control-plane checks: cannot list " << prefix << ": " << page.error().to_string()
              << "\n";
    std::abort();
  }
  for (const auto& listed : page->objects) {
    T object;
    if (!object.ParseFromString(listed.object.value())) {
      std::cerr << "control-plane checks: " << listed.key << " does not parse\n";
      std::abort();
    }
    object.mutable_metadata()->set_resource_version(std::to_string(listed.object.mod_revision()));
    out.push_back(std::move(object));
  }
}

std::string name_of(const ObjectMeta& meta) {
  return meta.namespace_().empty() ? meta.name() : meta.namespace_() + "/" + meta.name();
}

bool terminal(const Pod& pod) {
  return pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed";
}

// A pod that holds its node's resources: bound and not finished (terminating ones count, as
// their containers may still run).
bool occupies_node(const Pod& pod) {
  return !pod.spec().node_name().empty() && !terminal(pod);
}

bool active(const Pod& pod) {
  return !terminal(pod) && !pod.metadata().has_deletion_timestamp();
}

const messages::OwnerReference* controller_of(const ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references())
    if (ref.controller()) return &ref;
  return nullptr;
}

bool node_ready(const messages::Node& node) {
  for (const auto& c : node.status().conditions())
    if (c.type() == "Ready") return c.status() == "True";
  return false;
}

int64_t request_of(const Pod& pod, const std::string& resource) {
  int64_t sum = 0;
  for (const auto& c : pod.spec().containers()) {
    auto it = c.resources().requests().find(resource);
    if (it != c.resources().requests().end()) sum += it->second.milli();
  }
  return sum;
}

int64_t allocatable_of(const messages::Node& node, const std::string& resource) {
  auto it = node.status().allocatable().find(resource);
  return it == node.status().allocatable().end() ? 0 : it->second.milli();
}

std::string finalizers_of(const ObjectMeta& meta) {
  std::string out;
  for (const auto& f : meta.finalizers())
    out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "none" : out;
}

std::string str(int64_t v) {
  return std::to_string(v);
}

bool owned_by(const ObjectMeta& meta, const std::string& uid) {
  return std::any_of(meta.owner_references().begin(), meta.owner_references().end(),
                     [&](const auto& ref) { return ref.uid() == uid; });
}

// Whether a foreground deletion of the owner `uid` may rightly hang: every dependent left is
// itself being deleted and held up by a node that is down (a pod there is Terminating until
// its node comes back, as in Kubernetes).
bool held_by_down_node(const cluster_view& view, const std::string& uid,
                       const std::map<std::string, const messages::Node*>& nodes) {
  bool any = false;
  for (const auto& pod : view.pods) {
    if (!owned_by(pod.metadata(), uid)) continue;
    auto node = nodes.find(pod.spec().node_name());
    if (!pod.metadata().has_deletion_timestamp() || node == nodes.end() ||
        node_ready(*node->second))
      return false;
    any = true;
  }
  for (const auto& rs : view.replica_sets) {
    if (!owned_by(rs.metadata(), uid)) continue;
    if (!rs.metadata().has_deletion_timestamp() ||
        !held_by_down_node(view, rs.metadata().uid(), nodes))
      return false;
    any = true;
  }
  return any;
}

// The pods that a ReplicaSet or ReplicationController with this uid must count.
struct owned_pods {
  std::vector<const Pod*> live;
  int running_on_ready = 0;
  std::vector<std::string> misplaced;  // why a live pod does not count as placed and running
};

owned_pods pods_owned_by(const cluster_view& view, const std::string& uid,
                         const std::map<std::string, const messages::Node*>& nodes) {
  owned_pods out;
  for (const auto& pod : view.pods) {
    const auto* owner = controller_of(pod.metadata());
    if (owner == nullptr || owner->uid() != uid || !active(pod)) continue;
    out.live.push_back(&pod);
    auto node = nodes.find(pod.spec().node_name());
    if (pod.spec().node_name().empty()) {
      out.misplaced.push_back(name_of(pod.metadata()) + " is not bound");
    } else if (node == nodes.end() || !node_ready(*node->second)) {
      out.misplaced.push_back(name_of(pod.metadata()) + " is on " + pod.spec().node_name() +
                              ", which is gone or not Ready");
    } else if (pod.status().phase() != "Running") {
      out.misplaced.push_back(
          name_of(pod.metadata()) + " is " +
          (pod.status().phase().empty() ? "without phase" : pod.status().phase()));
    } else {
      ++out.running_on_ready;
    }
  }
  return out;
}

// A ReplicaSet's or ReplicationController's replicas against its pods.
template <class Controller>
void check_replicas(const char* kind, const Controller& c, const cluster_view& view,
                    const std::map<std::string, const messages::Node*>& nodes,
                    std::vector<std::string>& gaps) {
  const auto& meta = c.metadata();
  const std::string who = std::string(kind) + " " + name_of(meta);
  if (meta.has_deletion_timestamp()) {
    if (!held_by_down_node(view, meta.uid(), nodes))
      gaps.push_back(who + " is still being deleted (finalizers: " + finalizers_of(meta) + ")");
    return;
  }
  const int32_t want = c.spec().has_replicas() ? c.spec().replicas() : 1;
  auto owned = pods_owned_by(view, meta.uid(), nodes);
  if (static_cast<int32_t>(owned.live.size()) != want)
    gaps.push_back(who + " owns " + str(static_cast<int64_t>(owned.live.size())) +
                   " live pods, wants " + str(want));
  for (const auto& why : owned.misplaced)
    gaps.push_back(who + ": " + why);
  if (c.status().replicas() != want || c.status().ready_replicas() != want)
    gaps.push_back(who + " reports " + str(c.status().replicas()) + " replicas, " +
                   str(c.status().ready_replicas()) + " ready; wants " + str(want));
  if (c.status().observed_generation() != meta.generation())
    gaps.push_back(who + " observed generation " + str(c.status().observed_generation()) + " of " +
                   str(meta.generation()));
}

bool same_template(const messages::PodTemplateSpec& rs, const messages::PodTemplateSpec& d) {
  messages::PodTemplateSpec copy = rs;
  copy.mutable_metadata()->mutable_labels()->erase(template_hash_label);
  messages::PodTemplateSpec want = d;
  want.mutable_metadata()->mutable_labels()->erase(template_hash_label);
  return google::protobuf::util::MessageDifferencer::Equals(copy, want);
}

void check_deployment(const messages::Deployment& d, const cluster_view& view,
                      const std::map<std::string, const messages::Node*>& nodes,
                      std::vector<std::string>& gaps) {
  const auto& meta = d.metadata();
  const std::string who = "Deployment " + name_of(meta);
  if (meta.has_deletion_timestamp()) {
    if (!held_by_down_node(view, meta.uid(), nodes))
      gaps.push_back(who + " is still being deleted (finalizers: " + finalizers_of(meta) + ")");
    return;
  }
  const int32_t want = d.spec().has_replicas() ? d.spec().replicas() : 1;
  std::vector<const messages::ReplicaSet*> current, old;
  for (const auto& rs : view.replica_sets) {
    const auto* owner = controller_of(rs.metadata());
    if (owner == nullptr || owner->uid() != meta.uid()) continue;
    (same_template(rs.spec().template_(), d.spec().template_()) ? current : old).push_back(&rs);
  }
  if (current.size() != 1) {
    gaps.push_back(who + " has " + str(static_cast<int64_t>(current.size())) +
                   " ReplicaSets with its current template, wants 1");
  } else if (current[0]->spec().replicas() != want) {
    gaps.push_back(who + ": new ReplicaSet " + current[0]->metadata().name() + " has " +
                   str(current[0]->spec().replicas()) + " replicas, wants " + str(want));
  }
  for (const auto* rs : old)
    if (rs->spec().replicas() != 0)
      gaps.push_back(who + ": old ReplicaSet " + rs->metadata().name() + " still has " +
                     str(rs->spec().replicas()) + " replicas");
  const int32_t history = d.spec().has_revision_history_limit() ? d.spec().revision_history_limit()
                                                                : default_revision_history_limit;
  if (static_cast<int32_t>(old.size()) > history)
    gaps.push_back(who + " keeps " + str(static_cast<int64_t>(old.size())) +
                   " old ReplicaSets, more than revisionHistoryLimit " + str(history));
  const auto& s = d.status();
  if (s.replicas() != want || s.updated_replicas() != want || s.available_replicas() != want)
    gaps.push_back(who + " status: replicas " + str(s.replicas()) + ", updated " +
                   str(s.updated_replicas()) + ", available " + str(s.available_replicas()) +
                   "; wants " + str(want));
  if (s.observed_generation() != meta.generation())
    gaps.push_back(who + " observed generation " + str(s.observed_generation()) + " of " +
                   str(meta.generation()));
}

// Every owner reference names an object that exists with that uid.
template <class T>
void check_owners(const char* kind, const std::vector<T>& objects,
                  const std::set<std::string>& owner_uids, std::vector<std::string>& gaps) {
  for (const auto& o : objects)
    for (const auto& ref : o.metadata().owner_references())
      // One being deleted goes with its references (the deletion checks cover it).
      if (!o.metadata().has_deletion_timestamp() && !owner_uids.count(ref.uid()))
        gaps.push_back(std::string(kind) + " " + name_of(o.metadata()) +
                       " still refers to its deleted owner " + ref.kind() + " " + ref.name());
}

}  // namespace

cluster_view cluster_view::read(const store::object_store& objects) {
  cluster_view view;
  read_all(objects, "/core/pods/", view.pods);
  read_all(objects, "/core/nodes/", view.nodes);
  read_all(objects, "/apps/replicasets/", view.replica_sets);
  read_all(objects, "/core/replicationcontrollers/", view.replication_controllers);
  read_all(objects, "/apps/deployments/", view.deployments);
  return view;
}

std::vector<std::string> safety_violations(const cluster_view& view,
                                           const sim_store_shared& store) {
  std::vector<std::string> out;
  for (const auto& node : view.nodes) {
    const std::string& name = node.metadata().name();
    int64_t cpu = 0, memory = 0, pods = 0;
    std::map<int32_t, std::string> host_ports;
    for (const auto& pod : view.pods) {
      if (pod.spec().node_name() != name || !occupies_node(pod)) continue;
      cpu += request_of(pod, "cpu");
      memory += request_of(pod, "memory");
      ++pods;
      for (const auto& c : pod.spec().containers())
        for (const auto& port : c.ports()) {
          if (port.host_port() == 0) continue;
          auto [it, added] = host_ports.emplace(port.host_port(), name_of(pod.metadata()));
          if (!added && it->second != name_of(pod.metadata()))
            out.push_back("node " + name + ": pods " + it->second + " and " +
                          name_of(pod.metadata()) + " both use hostPort " + str(port.host_port()));
        }
    }
    if (cpu > allocatable_of(node, "cpu"))
      out.push_back("node " + name + ": its pods request " + str(cpu) + "m cpu of " +
                    str(allocatable_of(node, "cpu")) + "m");
    if (memory > allocatable_of(node, "memory"))
      out.push_back("node " + name + ": its pods request " + str(memory / 1000) +
                    " bytes of memory, more than allocatable");
    if (pods * 1000 > allocatable_of(node, "pods"))
      out.push_back("node " + name + ": " + str(pods) + " pods, more than allocatable");
  }
  for (const auto& w : store.writes)
    if (w.epoch != 0 && w.epoch != w.current_epoch)
      out.push_back("revision " + str(static_cast<int64_t>(w.revision)) +
                    " was written by deposed leader epoch " + str(static_cast<int64_t>(w.epoch)));
  return out;
}

std::vector<std::string> convergence_gaps(const cluster_view& view,
                                          const convergence_expectations& expected) {
  std::vector<std::string> gaps;
  std::map<std::string, const messages::Node*> nodes;
  for (const auto& node : view.nodes) {
    nodes[node.metadata().name()] = &node;
    const bool live = expected.live_nodes.count(node.metadata().name()) > 0;
    if (node_ready(node) != live)
      gaps.push_back("node " + node.metadata().name() + (live ? " runs" : " is down") + " but is " +
                     (node_ready(node) ? "Ready" : "not Ready"));
  }
  for (const auto& rs : view.replica_sets)
    check_replicas("ReplicaSet", rs, view, nodes, gaps);
  for (const auto& rc : view.replication_controllers)
    check_replicas("ReplicationController", rc, view, nodes, gaps);
  for (const auto& d : view.deployments)
    check_deployment(d, view, nodes, gaps);

  std::set<std::string> owner_uids;
  for (const auto& o : view.replica_sets)
    owner_uids.insert(o.metadata().uid());
  for (const auto& o : view.replication_controllers)
    owner_uids.insert(o.metadata().uid());
  for (const auto& o : view.deployments)
    owner_uids.insert(o.metadata().uid());
  check_owners("Pod", view.pods, owner_uids, gaps);
  check_owners("ReplicaSet", view.replica_sets, owner_uids, gaps);

  for (const auto& pod : view.pods) {
    const std::string who = "Pod " + name_of(pod.metadata());
    if (pod.metadata().has_deletion_timestamp()) {
      // Only a node that is down may hold a pod's deletion up: nobody is there to stop it.
      auto node = nodes.find(pod.spec().node_name());
      if (pod.spec().node_name().empty() || (node != nodes.end() && node_ready(*node->second)))
        gaps.push_back(who + " is still being deleted (node \"" + pod.spec().node_name() +
                       "\", phase " + pod.status().phase() +
                       ", finalizers: " + finalizers_of(pod.metadata()) + ")");
      continue;
    }
    if (!expected.unschedulable_pods.count(name_of(pod.metadata()))) continue;
    const messages::PodCondition* scheduled = nullptr;
    for (const auto& c : pod.status().conditions())
      if (c.type() == "PodScheduled") scheduled = &c;
    if (!pod.spec().node_name().empty())
      gaps.push_back(who + " fits nowhere but was bound to " + pod.spec().node_name());
    else if (scheduled == nullptr || scheduled->status() != "False" ||
             scheduled->reason() != "Unschedulable")
      gaps.push_back(who + " fits nowhere but has no PodScheduled=False/Unschedulable condition");
  }
  for (const auto& name : expected.unschedulable_pods) {
    bool found = std::any_of(view.pods.begin(), view.pods.end(),
                             [&](const Pod& p) { return name_of(p.metadata()) == name; });
    if (!found) gaps.push_back("Pod " + name + " (fits nowhere) is missing");
  }
  return gaps;
}

}  // namespace troupe::test_support
