// The users of the control-plane simulation: a seeded mix of ReplicaSets,
// ReplicationControllers and Deployments (RollingUpdate and Recreate, one with a hostPort)
// over a few namespaces, then scale changes, new images, deletes with each propagation
// policy and re-creations, and one pod that fits no node. Every write goes through the front
// door with sim_user's retries. Replicas and requests stay within what the nodes left after
// one node's loss hold, so that convergence is always possible, but for a burst in the
// middle that asks for more than the cluster holds, so that capacity decides for a while.
//
// Test code only.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/support/control_plane_sim.hpp"
#include "tests/support/sim_user.hpp"

namespace troupe::test_support {

struct workload_options {
  std::vector<std::string> namespaces = {"default", "team-a"};
  int workloads_per_namespace = 3;
  int64_t churn_from_ms = 5'000;  // changes come between these times
  int64_t churn_until_ms = 50'000;
  int changes = 24;
  // Of the nodes' total cpu, what the workload's pods may request at most, surge included.
  double cpu_share = 0.45;
};

class control_plane_workload {
 public:
  control_plane_workload(control_plane_sim& sim, workload_options options);

  // Puts every write on the simulation's timeline.
  void plan();
  // Every planned write was made and took effect.
  bool done() const { return planned_ == finished_; }
  // Writes that failed for good: a bug in the workload, or the API refused what it must take.
  const std::vector<std::string>& failures() const { return failures_; }
  // Pods that fit no node ("namespace/name").
  const std::set<std::string>& unschedulable_pods() const { return unschedulable_; }
  uint64_t writes() const { return finished_; }

 private:
  // One ReplicaSet, ReplicationController or Deployment of the workload.
  struct workload {
    enum class kind {
      replica_set,
      replication_controller,
      rolling_deployment,
      recreate_deployment
    };
    kind what = kind::replica_set;
    std::string ns;
    std::string name;
    int64_t cpu_milli = 100;  // per pod
    int32_t max_replicas = 0;
    int32_t host_port = 0;  // 0: none
    int image = 0;          // the image's version
  };

  void create(const workload& w, int32_t replicas, int64_t at_ms);
  void change(workload& w, int64_t at_ms);
  void scale(const workload& w, int32_t replicas, int64_t at_ms);
  static const messages::kind_info* kind_of(const workload& w);
  void create_unschedulable_pod(int64_t at_ms);
  // Schedules `write` at `at_ms`, counting it until it finishes.
  void submit(user_write write, int64_t at_ms, const std::string& what);

  control_plane_sim& sim_;
  workload_options options_;
  std::vector<workload> workloads_;
  std::set<std::string> unschedulable_;
  std::vector<std::string> failures_;
  uint64_t planned_ = 0;
  uint64_t finished_ = 0;
};

}  // namespace troupe::test_support
