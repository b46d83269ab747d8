// What the API server does to an object on create and update, before defaulting and validation:
// it fills the fields the server owns (uid, creationTimestamp, generation, generated names,
// status), holds the object to the request's namespace, and refuses changes to immutable fields.
// Kubernetes' rest.BeforeCreate/BeforeUpdate with each kind's PrepareForCreate/PrepareForUpdate
// and the immutability checks of its ValidateUpdate. The resourceVersion precondition is the
// store's business, not this file's.
//
// Plain functions over protobuf messages, no CAF. The gateway calls them; time and randomness
// are injected, so the functions are pure. Any thread may call them on objects it owns.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "messages/kinds.hpp"
#include "store/status.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
class ObjectMeta;
class Pod;
}  // namespace troupe::messages

namespace troupe::actors::gateway {

// messages::metadata_of (messages/kinds.hpp) finds an object's ObjectMeta.
using messages::metadata_of;

// Whether `kind` has a status subresource: every kind whose message has a "status" field.
bool has_status(const messages::kind_info& kind);

// Create (POST) of `object`, a message of `kind`'s type, in `request_namespace` (the namespace
// the request names; ignored for cluster-scoped kinds, whose namespace is cleared).
// - namespace: empty takes the request's; another one is `invalid` with kubectl's "the namespace
//   of the provided object does not match the namespace sent on the request".
// - name: without one, generateName (its first 58 characters) plus five random characters from
//   Kubernetes' alphabet "bcdfghjklmnpqrstvwxz2456789"; with neither, `invalid`: `Pod "" is
//   invalid: metadata.name: Required value: name or generateName is required`.
// - uid: a random RFC 4122 version-4 UUID; creationTimestamp: `now_ms` truncated to whole
//   seconds; generation: 1; resourceVersion, deletionTimestamp, deletionGracePeriodSeconds:
//   cleared (the store sets the resourceVersion).
// - status: cleared, as each kind's PrepareForCreate does, except that a Pod starts Pending
//   with its QoS class, a Namespace Active, a PersistentVolume Pending; a Node keeps the status
//   it was created with (its agent reports it).
store::status prepare_create(google::protobuf::Message& object, const messages::kind_info& kind,
                             std::string_view request_namespace, int64_t now_ms,
                             std::mt19937_64& rng);

// Update (PUT): `incoming` replaces `current`, both messages of `kind`'s type; `current` was
// read by the name and namespace of the request. On success `incoming` is what to store.
// - name and namespace must be current's (an empty namespace takes current's); a uid, if set,
//   must be current's, else `conflict`: "Precondition failed: UID in precondition: ...".
// - uid, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds: current's.
// - generation: current's, plus one when anything outside metadata and status changed (for a
//   Deployment also its annotations, which it copies to its ReplicaSets).
// - status: current's; only prepare_status_update changes it.
// - immutable fields, errors worded as the API server words them: a Deployment's or
//   ReplicaSet's spec.selector; a Pod's spec apart from container images, a lower
//   activeDeadlineSeconds, added tolerations and a negative terminationGracePeriodSeconds -> 1.
store::status prepare_update(google::protobuf::Message& incoming,
                             const google::protobuf::Message& current,
                             const messages::kind_info& kind);

// Update of the status subresource: `incoming` becomes `current` with `incoming`'s status and
// resourceVersion (the caller's precondition); its spec and metadata changes are ignored. The
// same name, namespace and uid checks as prepare_update; `not_found` for a kind without status.
store::status prepare_status_update(google::protobuf::Message& incoming,
                                    const google::protobuf::Message& current,
                                    const messages::kind_info& kind);

// Kubernetes' DefaultTolerationSeconds admission: a pod that does not tolerate the
// node.kubernetes.io/not-ready and .../unreachable NoExecute taints itself tolerates them for
// `seconds`, after which the node lifecycle controller evicts it from a lost node.
void add_default_tolerations(messages::Pod& pod, int64_t seconds);

}  // namespace troupe::actors::gateway
