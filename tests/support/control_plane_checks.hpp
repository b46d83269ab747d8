// What the control-plane simulation checks, read straight from the store: safety, which must
// hold at every checkpoint, and convergence, which must hold once the faults healed and the
// controllers had time to catch up. Each returns what is wrong, one line per finding; empty
// when all is well. The checks are written from the Kubernetes contract, not from the
// controllers' code, so that a bug there cannot hide in a shared helper.
//
// Test code only.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "store/object_store.hpp"
#include "tests/support/sim_store.hpp"

namespace troupe::test_support {

// The objects the checks look at, decoded from one read of the store.
struct cluster_view {
  std::vector<messages::Pod> pods;
  std::vector<messages::Node> nodes;
  std::vector<messages::ReplicaSet> replica_sets;
  std::vector<messages::ReplicationController> replication_controllers;
  std::vector<messages::Deployment> deployments;

  static cluster_view read(const store::object_store& objects);
};

// No node holds more than its allocatable cpu, memory and pods; no two pods on a node share a
// hostPort; no write of a deposed leader applied.
std::vector<std::string> safety_violations(const cluster_view& view, const sim_store_shared& store);

struct convergence_expectations {
  std::set<std::string> live_nodes;  // nodes whose agents run: Ready, and the only ones used
  // Pods that fit no node: they must stay pending with PodScheduled=False (namespace/name).
  std::set<std::string> unschedulable_pods;
};

// Every ReplicaSet and ReplicationController owns exactly spec.replicas live pods, Running on
// Ready nodes; every Deployment's newest ReplicaSet matches its template at full scale and
// the older ones are at 0; no owner reference dangles; no deletion is left unfinished.
std::vector<std::string> convergence_gaps(const cluster_view& view,
                                          const convergence_expectations& expected);

}  // namespace troupe::test_support
