// The ReplicaSet and ReplicationController reconciliation as pure functions: which pods to create,
// delete, adopt and release, and the status to report. One implementation for both kinds, as
// Kubernetes' pkg/controller/replicaset (syncReplicaSet, claimPods, manageReplicas,
// getPodsToDelete, calculateStatus) serves both.
//
// No CAF, no I/O, no clock: the controller actor feeds in pod summaries (pod_summary.hpp) from
// its informer cache and the time, and carries out the actions. Any thread may call these
// functions on inputs nobody mutates meanwhile. Callers include messages/proto/core_pod.pb.h
// (and apps.pb.h / core.pb.h) to use the results.
//
// What the caller keeps, as Kubernetes' controller does around this logic:
// - Expectations: after carrying out creates and deletes, do not reconcile the owner again until
//   the watch has shown them (or a timeout passed); the cache would still show the old pods, and a
//   second pass would create or delete the same replicas twice.
// - Slow start: carry out `create` in batches of slow_start_batches(), stopping at the first
//   batch with a failure; the rest are created on a later pass.
// - Status: write compute_status() after every pass, even when nothing else was done, and the
//   ReplicaFailure condition when a create or delete failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "actors/controllers/pod_summary.hpp"
#include "messages/label_selector.hpp"

namespace troupe::messages {
class Pod;
class PodTemplateSpec;
class ReplicaSet;
class ReplicationController;
}  // namespace troupe::messages

namespace troupe::actors::controllers {

// Kubernetes' BurstReplicas: at most this many pods are created or deleted in one pass.
inline constexpr int burst_replicas = 500;

// What a ReplicaSet or ReplicationController asks for, read from either message.
struct replica_owner {
  // Written into the controller ownerReference of the pods: "apps/v1"/"ReplicaSet" or
  // "v1"/"ReplicationController".
  std::string api_version;
  std::string kind;
  std::string name;
  std::string ns;
  std::string uid;
  // spec.replicas; an unset field counts as 1 (its default), a negative one as 0.
  int32_t replicas = 1;
  // spec.minReadySeconds: how long a pod must have been ready to count as available.
  int32_t min_ready_seconds = 0;
  // metadata.generation, reported back as status.observedGeneration.
  int64_t generation = 0;
  // spec.selector; for a ReplicationController its map as matchLabels. Never empty: owner_of
  // refuses an owner whose selector would select every pod.
  messages::label_selector selector;
  // A copy of spec.template (the owner outlives the message it was read from), or null when a
  // ReplicationController has none.
  std::shared_ptr<const messages::PodTemplateSpec> tmpl;
  // metadata.deletionTimestamp is set: the owner creates, deletes, adopts and releases nothing.
  bool being_deleted = false;
};

// Exactly one is meaningful: value on success, error (non-empty) on failure.
struct replica_owner_read {
  std::optional<replica_owner> value;
  std::string error;
};

// Fails, as Kubernetes' syncReplicaSet skips the owner, when spec.selector does not convert to a
// selector, e.g. `ReplicaSet "default/web": invalid spec.selector: ...`; and when it is empty,
// which validation rejects and which would otherwise adopt every orphan in the namespace.
replica_owner_read owner_of(const messages::ReplicaSet& rs);
replica_owner_read owner_of(const messages::ReplicationController& rc);

// What to do in one pass. Nothing when the owner is being deleted.
struct replica_actions {
  // New pods for the API server to create: the template's labels, annotations, finalizers and
  // spec; generateName "<owner name>-" (the server appends five random characters); the owner's
  // namespace; one ownerReference {apiVersion, kind, name, uid, controller: true,
  // blockOwnerDeletion: true}. At most `burst` of them.
  std::vector<messages::Pod> create;
  // Names of owned pods to delete to scale down, the first to go first: Kubernetes' ranking
  // (unscheduled, then pending, not ready, cheaper, doubled up, ready for less time, restarted
  // more, newer). At most `burst` of them.
  std::vector<std::string> delete_names;
  // Names of orphans that match the selector, to adopt: write adopted_pod() of each.
  std::vector<std::string> adopt_names;
  // Names of pods controlled by the owner whose labels no longer match, to release: write
  // released_pod() of each.
  std::vector<std::string> release_names;
};

struct reconcile_options {
  // At most this many creates, and at most this many deletes, per pass.
  int burst = burst_replicas;
  // For a ReplicaSet with a controller (a Deployment's), the pods selected by every ReplicaSet
  // of that controller, each pod once: on scale-down a pod sharing its node with more of them
  // goes first. Empty (a standalone owner): no pod is considered doubled up.
  std::span<const pod_summary* const> related_pods;
};

// One reconciliation of `owner` against every pod in its namespace (pods elsewhere are ignored),
// at `now_ms` (milliseconds since the Unix epoch; it orders pods by age when scaling down).
//
// Pods that are Succeeded, Failed or have a deletionTimestamp are not replicas: they are neither
// counted, adopted, released nor deleted, so they get replaced. Of the others, the owner counts
// those it controls that match its selector plus the orphans it adopts now; pods controlled by
// anyone else are left alone. It then creates or deletes the difference to spec.replicas.
replica_actions reconcile(const replica_owner& owner,
                          std::span<const pod_summary* const> pods_in_namespace, int64_t now_ms,
                          const reconcile_options& options = {});

// The write that adopts `pod`: the pod with the owner's controller ownerReference appended, its
// resourceVersion kept as the precondition. nullopt when the pod as given is no orphan the owner
// may adopt (the caller reads it again after reconcile, and it may have changed since).
std::optional<messages::Pod> adopted_pod(const replica_owner& owner, const messages::Pod& pod);
// The write that releases `pod`: every ownerReference to the owner's uid removed. nullopt when
// the pod as given is not the owner's to release.
std::optional<messages::Pod> released_pod(const replica_owner& owner, const messages::Pod& pod);

// The status an owner reports after a pass: Kubernetes' calculateStatus over the pods the owner
// counts (see reconcile, assuming its adoptions and releases succeed).
struct replica_status {
  int32_t replicas = 0;       // active pods the owner counts
  int32_t fully_labeled = 0;  // ... that carry every label of the template
  int32_t ready = 0;          // ... whose Ready condition is True
  int32_t available = 0;      // ... ready for more than minReadySeconds (any, if it is 0)
  int64_t observed_generation = 0;
  // Not a status field: when a ready pod that is not available yet becomes available, the
  // earliest such time in milliseconds since the epoch. Compute the status again then.
  std::optional<int64_t> recheck_at_ms;
};

replica_status compute_status(const replica_owner& owner,
                              std::span<const pod_summary* const> pods_in_namespace,
                              int64_t now_ms);

// Kubernetes' slowStartBatch sizes for `count` creates: 1, 2, 4, ... doubling, the last one
// holding what is left; they sum to `count`. Empty when count <= 0.
std::vector<int> slow_start_batches(int count);

}  // namespace troupe::actors::controllers
