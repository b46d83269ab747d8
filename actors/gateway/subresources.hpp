// The API server's subresources and graceful deletion, as plain functions over protobuf
// messages (no CAF): what a DELETE does to an object, what a binding writes into a pod, and
// the scale subresource of Deployments, ReplicaSets and ReplicationControllers. The gateway
// calls them; time is injected. Any thread may call them on objects it owns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/status.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
struct kind_info;
class Pod;
class Scale;
}  // namespace troupe::messages

namespace troupe::actors::gateway {

// The finalizers Kubernetes' garbage collector acts on (metav1.FinalizerOrphanDependents,
// metav1.FinalizerDeleteDependents).
inline constexpr std::string_view orphan_finalizer = "orphan";
inline constexpr std::string_view foreground_finalizer = "foregroundDeletion";

// What a DELETE asks for, besides the object's name.
struct deletion_request {
  std::string propagation_policy;               // "", "Background", "Foreground" or "Orphan"
  std::optional<int64_t> grace_period_seconds;  // pods only; unset: the pod's own
};

enum class deletion_step {
  remove_now,  // delete the key
  mark,        // store the object, now carrying deletionTimestamp (and finalizers)
  unchanged,   // it is being deleted already: answer with it as it is
};

// Kubernetes' graceful deletion (rest.BeforeDelete and the pod strategy's CheckGracefulDelete):
// - An object already being deleted stays as it is, except that a pod is removed when asked
//   with grace 0 and no finalizer holds it (what the agent does once its containers stopped).
// - Foreground and Orphan add their finalizer; the garbage collector deletes or releases the
//   dependents and removes the finalizer, and the update that removes the last finalizer
//   deletes the object (should_remove_after_update).
// - A pod bound to a node and not finished gets deletionTimestamp = now + grace and
//   deletionGracePeriodSeconds = grace (the request's, else spec.terminationGracePeriodSeconds,
//   else 30); its agent stops the containers and deletes it with grace 0. An unbound or
//   finished pod, or grace 0, goes at once.
// - Anything else with finalizers (or given one here) is marked; without, removed now.
// `object` is modified only for `mark`.
deletion_step plan_deletion(google::protobuf::Message& object, const messages::kind_info& kind,
                            const deletion_request& request, int64_t now_ms);

// After an update: the object is being deleted, no finalizer holds it any more and no grace
// period is running, so the update deletes it instead (Kubernetes' deleteWithoutFinalizers).
bool should_remove_after_update(const google::protobuf::Message& object);

// A binding (pods/binding): `pod` as the scheduler read it, spec.nodeName set to the chosen
// node. Checks what the API server's binding REST checks (a node name; the pod neither bound
// before — the caller's resourceVersion precondition makes the scheduler's copy the stored
// one — nor being deleted) and adds the PodScheduled=True condition at now_ms.
store::status prepare_binding(messages::Pod& pod, int64_t now_ms);

// Whether `kind` has the scale subresource.
bool has_scale(const messages::kind_info& kind);

// The Scale of a Deployment, ReplicaSet or ReplicationController: its name, namespace, uid,
// resourceVersion and creationTimestamp, spec.replicas, status.replicas and the selector.
messages::Scale scale_of(const google::protobuf::Message& object);

// Sets spec.replicas of a Deployment, ReplicaSet or ReplicationController.
void set_replicas(google::protobuf::Message& object, int32_t replicas);

}  // namespace troupe::actors::gateway
