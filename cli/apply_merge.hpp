// The core of `troupectl apply -f`: kubectl's client-side apply, which keeps the last applied
// manifest in the kubectl.kubernetes.io/last-applied-configuration annotation and merges a new
// manifest into the live object with a three-way strategic merge (original = the annotation,
// modified = the manifest, current = the live object).
//
// Pure functions over protobuf API objects: no I/O, no CAF. Any thread may call them on inputs
// nobody mutates meanwhile. The apply verb does the I/O around them:
//   1. GET the object named by the manifest;
//   2. not found: CREATE object_to_create(manifest), print "<kind.group>/<name> created";
//   3. found: r = merge_for_apply(manifest, live); print r.warning to stderr if set; when
//      r.outcome is configured, UPDATE r.object (its resourceVersion is the live one, so a write
//      in between fails with a Conflict and the verb may GET and merge again); print
//      apply_summary(...).
// `manifest` is the object as decoded from the file, with its namespace settled, *before*
// defaulting: the annotation must record what the user wrote, not the defaults, or a default
// would later count as "removed from the manifest". Default and validate a copy if needed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "messages/codec/yaml_tree.hpp"
#include "messages/kinds.hpp"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace troupe::cli {

// kubectl's annotation name, kept so that tools and habits built on kubectl find it.
inline constexpr std::string_view last_applied_annotation =
    "kubectl.kubernetes.io/last-applied-configuration";

// The annotation's value for a manifest, as kubectl writes it: the object as compact JSON with
// keys sorted, the annotation itself removed from metadata.annotations (left as `{}` when it
// was the only one), <, > and & escaped as \u003c, \u003e, \u0026, and a final newline.
// Fields at their protobuf zero value (`hostNetwork: false`) are absent: proto3 cannot tell
// them from unset ones.
std::string last_applied_configuration(const google::protobuf::Message& manifest,
                                       const messages::kind_info& kind);

// The object to CREATE when none of that name exists: a copy of the manifest carrying the
// annotation.
std::unique_ptr<google::protobuf::Message> object_to_create(
    const google::protobuf::Message& manifest, const messages::kind_info& kind);

enum class apply_outcome { created, configured, unchanged };

// kubectl's word for the outcome: "created", "configured", "unchanged".
std::string_view to_string(apply_outcome outcome);

// "deployment.apps/web configured", as kubectl prints for each applied object.
std::string apply_summary(const google::protobuf::Message& object, const messages::kind_info& kind,
                          apply_outcome outcome);

// kubectl's warning (one line, no newline) for a live object that has no annotation, e.g.
// "Warning: resource deployments/web is missing the kubectl.kubernetes.io/last-applied-..."
std::string missing_annotation_warning(const messages::kind_info& kind, std::string_view name);

struct apply_merge_result {
  // The merged object: the live one with the manifest applied and the new annotation. Send it
  // as an UPDATE only when outcome is configured; when unchanged it equals the live object.
  // Null exactly when error is set.
  std::unique_ptr<google::protobuf::Message> object;
  apply_outcome outcome = apply_outcome::unchanged;
  // missing_annotation_warning() when the live object had no annotation, else "".
  std::string warning;
  // Why nothing can be sent, e.g. an annotation that is not JSON; "" on success.
  std::string error;
};

// The three-way merge of kubectl apply for an object that exists:
// - fields the manifest sets win over live values (spec.replicas after a `scale`);
// - fields in the last-applied annotation that the manifest no longer has are removed;
// - fields only the live object has are kept: status, uid, resourceVersion, clusterIP,
//   defaulted fields, labels added by `troupectl label`;
// - maps (labels, annotations, nodeSelector, data) merge key by key under the same rules;
// - lists with a Kubernetes merge key (containers by name, container ports by containerPort,
//   service ports by port, env by name, ...) merge item by item; other lists are replaced;
// - `status` is never changed, as the API server ignores it on the main resource.
// Without an annotation the original is empty: nothing is removed, and warning is set.
// `manifest` and `live` must both be `kind`'s message.
apply_merge_result merge_for_apply(const google::protobuf::Message& manifest,
                                   const google::protobuf::Message& live,
                                   const messages::kind_info& kind);

// The merge itself, on the codec's document trees of one message type `type` (as
// codec::encode_object or encode_message write them, strings quoted). `original` may be null
// (no annotation). The result shares unchanged subtrees with the inputs, which it never
// mutates. Exposed for verbs that show a merge without sending it (diff, dry runs).
messages::codec::doc_node_ptr three_way_merge(const messages::codec::doc_node* original,
                                              const messages::codec::doc_node_ptr& modified,
                                              const messages::codec::doc_node_ptr& live,
                                              const google::protobuf::Descriptor& type);

// Deep equality of two document trees: scalars by text and quoting, mappings regardless of
// key order, sequences in order.
bool same_tree(const messages::codec::doc_node& a, const messages::codec::doc_node& b);

}  // namespace troupe::cli
