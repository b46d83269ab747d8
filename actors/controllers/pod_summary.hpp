// What the replica controllers read of a pod, taken out of the parsed pod once, when the pod
// changes, instead of on every reconciliation.
//
// Why: a ReplicaSet's reconciliation reads all of its pods, and a rollout makes a pass per pod
// change. With parses, a pass over 10,000 pods took about 40 ms of an idle core (28 of them
// parsing); with summaries it takes about 7 ms (bench/controlplane/bench_reconcile). A summary
// costs some 600 bytes of heap, a sixth of a parsed pod; the cache keeps one for each pod a
// controller owns (object_cache.hpp), and an orphan is summarized when it is read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace troupe::messages {
class Pod;
}  // namespace troupe::messages

namespace troupe::actors::controllers {

struct pod_summary {
  std::string ns;
  std::string name;
  std::string uid;
  std::map<std::string, std::string> labels;
  // The uid of the controller ownerReference (metav1.GetControllerOf); empty when none.
  std::string controller_uid;
  std::string node_name;  // spec.nodeName, empty while unscheduled
  // Kubernetes' IsPodActive: neither Succeeded nor Failed, and no deletionTimestamp.
  bool active = false;
  // The Ready condition is True.
  bool ready = false;
  // Kubernetes' podPhaseToOrdinal: Pending 0, Unknown 1, Running 2; any other phase 0.
  int phase_ordinal = 0;
  // When a ready pod became ready (its Ready condition's lastTransitionTime), in nanoseconds
  // since the epoch; nullopt when it is not ready or the time is unset.
  std::optional<int64_t> ready_since_ns;
  std::optional<int64_t> created_ns;  // metadata.creationTimestamp, nullopt when unset
  // helper.GetDeletionCostFromPodAnnotations: the controller.kubernetes.io/pod-deletion-cost
  // annotation when it is a canonical int32, else 0.
  int32_t deletion_cost = 0;
  int32_t max_restarts = 0;  // the most restarts of any container
};

using pod_summary_ptr = std::shared_ptr<const pod_summary>;

pod_summary summarize(const messages::Pod& pod);

}  // namespace troupe::actors::controllers
