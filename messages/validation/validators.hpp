// Private to messages/validation: the checks that the validate_*.cpp files share, and one
// validator per kind. validate.cpp dispatches to these; nothing outside this folder includes
// this header. Every function appends to `out` and never stops at the first error.
#pragma once

#include <google/protobuf/map.h>
#include <google/protobuf/repeated_field.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"
#include "messages/validation/field_errors.hpp"
#include "messages/validation/names.hpp"

namespace troupe::messages::validation {

using string_map = google::protobuf::Map<std::string, std::string>;
using strings = google::protobuf::RepeatedPtrField<std::string>;
// An object-name check: the value and whether it is a generateName prefix.
using name_check = reasons (*)(std::string_view, bool);

template <class Map>
std::vector<std::string> sorted_keys(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map)
    keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// ==== field_errors.cpp
// ============================================================================

// Field paths, as Kubernetes' field.Path prints them.
std::string child(std::string_view path, std::string_view name);   // "spec" -> "spec.replicas"
std::string at(std::string_view path, int index);                  // "ports" -> "ports[0]"
std::string key(std::string_view path, std::string_view map_key);  // "data" -> "data[k]"

// "Required value: <why>" and "Not found: <value>", which field_errors.hpp has no builder for.
field_error required_with(std::string path, std::string_view why);
field_error not_found(std::string path, std::string_view printed_value);

// Values, printed the way Kubernetes prints the Go value it was given.
std::string go_int(int64_t value);                     // 3008
std::string go_string_map(const string_map& map);      // map[string]string{"a":"b", "c":"d"}
std::string go_strings(const strings& values);         // []string{"a", "b"}
std::string quantity_text(const Quantity& q);          // "500m": the canonical form
std::string int_or_string_text(const IntOrString& v);  // 25% or 80 (IntOrString.String())
std::string selector_text(const LabelSelector& s);     // &LabelSelector{MatchLabels:...}

// One "Invalid value" per reason, with the value printed as given.
void add_invalid(const std::string& path, std::string_view printed_value, const reasons& why,
                 field_errors& out);
// "must be greater than or equal to 0".
void validate_nonnegative(int64_t value, const std::string& path, field_errors& out);
void validate_name_value(std::string_view name, name_check check, const std::string& path,
                         field_errors& out);

// What an empty value means for an enumerated string field.
enum class if_empty {
  unset,     // the field is optional: "" is fine
  required,  // "" is "Required value"
  checked,   // "" must itself be one of the allowed values
};
// "Unsupported value" unless `value` is one of `allowed`, listed as Kubernetes lists them.
void validate_enum(std::string_view value, if_empty empty,
                   const std::vector<std::string_view>& allowed, const std::string& path,
                   field_errors& out);
// TCP, UDP or SCTP; empty is "Required value".
void validate_protocol(std::string_view protocol, const std::string& path, field_errors& out);
void validate_ip(std::string_view value, const std::string& path, field_errors& out);
void validate_cidr(std::string_view value, const std::string& path, field_errors& out);
// A port given as a number (1-65535) or an IANA_SVC_NAME.
void validate_port_num_or_name(const IntOrString& port, const std::string& path, field_errors& out);
// "must not contain '..'" in any path element.
void validate_path_no_backsteps(std::string_view value, const std::string& path, field_errors& out);

// ==== validate.cpp
// ================================================================================

// ObjectMeta on create. The namespace is checked only when set on a namespaced kind: the
// gateway fills it in, and the API server clears it for cluster-scoped kinds.
void validate_object_meta(const ObjectMeta& meta, bool namespaced, name_check check,
                          field_errors& out);
void validate_labels(const string_map& labels, const std::string& path, field_errors& out);
void validate_annotations(const string_map& annotations, const std::string& path,
                          field_errors& out);
void validate_label_name(std::string_view name, const std::string& path, field_errors& out);
void validate_label_selector(const LabelSelector& selector, const std::string& path,
                             field_errors& out);
// Whether Kubernetes' LabelSelectorAsSelector accepts the selector.
bool selector_is_valid(const LabelSelector& selector);
bool selector_is_empty(const LabelSelector& selector);
bool selector_matches(const LabelSelector& selector, const string_map& labels);

void validate_node_selector(const NodeSelector& selector, const std::string& path,
                            field_errors& out);
void validate_affinity(const Affinity& affinity, const std::string& path, field_errors& out);
void validate_tolerations(const google::protobuf::RepeatedPtrField<Toleration>& tolerations,
                          const std::string& path, field_errors& out);
void validate_taint_effect(std::string_view effect, bool allow_empty, const std::string& path,
                           field_errors& out);

// Container resources: names, quantities, requests against limits.
void validate_resource_requirements(const ResourceRequirements& resources, const std::string& path,
                                    field_errors& out);
void validate_container_resource_name(std::string_view name, const std::string& path,
                                      field_errors& out);
// Non-negative, and whole for resources that only come in units (extended resources).
void validate_resource_quantity_value(std::string_view name, const Quantity& q,
                                      const std::string& path, field_errors& out);

// Volume sources that pods and PersistentVolumes share.
void validate_host_path_source(const HostPathVolumeSource& source, const std::string& path,
                               field_errors& out);
void validate_nfs_source(const NFSVolumeSource& source, const std::string& path, field_errors& out);

// ==== validate_storage.cpp: pod volumes, beside the other storage kinds ==========================

// The volumes that passed validation, by name: only these can be mounted.
using volume_map = std::map<std::string, const Volume*>;
volume_map validate_volumes(const google::protobuf::RepeatedPtrField<Volume>& volumes,
                            const std::string& path, field_errors& out);
// A downward-API fieldRef; `allowed` (sorted) are the field paths this use supports.
void validate_field_ref(const ObjectFieldSelector& ref,
                        const std::vector<std::string_view>& allowed, const std::string& path,
                        field_errors& out);
// A downward-API resourceFieldRef; volume files must also name the container.
void validate_resource_field_ref(const ResourceFieldSelector& ref, bool volume,
                                 const std::string& path, field_errors& out);

// ==== validate_pod.cpp
// ============================================================================

void validate_pod_spec(const PodSpec& spec, const std::string& path, bool is_pod,
                       field_errors& out);
// The template of a controller: labels, annotations and the pod spec.
void validate_pod_template_spec(const PodTemplateSpec& tmpl, const std::string& path,
                                field_errors& out);

// ==== One validator per kind, in validate_pod.cpp, validate_workloads.cpp, validate_storage.cpp,
// validate_other.cpp
void validate_pod(const Pod& pod, bool namespaced, field_errors& out);
void validate_replication_controller(const ReplicationController& rc, bool namespaced,
                                     field_errors& out);
void validate_replica_set(const ReplicaSet& rs, bool namespaced, field_errors& out);
void validate_deployment(const Deployment& deployment, bool namespaced, field_errors& out);
void validate_hpa(const HorizontalPodAutoscaler& hpa, bool namespaced, field_errors& out);
void validate_hpa_v1(const HorizontalPodAutoscalerV1& hpa, bool namespaced, field_errors& out);
void validate_service(const Service& service, bool namespaced, field_errors& out);
void validate_endpoints(const Endpoints& endpoints, bool namespaced, field_errors& out);
void validate_namespace(const Namespace& ns, bool namespaced, field_errors& out);
void validate_node(const Node& node, bool namespaced, field_errors& out);
void validate_config_map(const ConfigMap& config_map, bool namespaced, field_errors& out);
void validate_secret(const Secret& secret, bool namespaced, field_errors& out);
void validate_persistent_volume(const PersistentVolume& pv, bool namespaced, field_errors& out);
void validate_persistent_volume_claim(const PersistentVolumeClaim& pvc, bool namespaced,
                                      field_errors& out);
void validate_network_policy(const NetworkPolicy& policy, bool namespaced, field_errors& out);
void validate_event(const Event& event, bool namespaced, field_errors& out);
void validate_service_account(const ServiceAccount& account, bool namespaced, field_errors& out);
void validate_role(const Role& role, bool namespaced, field_errors& out);
void validate_cluster_role(const ClusterRole& role, bool namespaced, field_errors& out);
void validate_role_binding(const RoleBinding& binding, bool namespaced, field_errors& out);
void validate_cluster_role_binding(const ClusterRoleBinding& binding, bool namespaced,
                                   field_errors& out);
void validate_lease(const Lease& lease, bool namespaced, field_errors& out);

}  // namespace troupe::messages::validation
