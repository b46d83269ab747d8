// Dispatch on the message type, and the checks that several kinds share: ObjectMeta, labels and
// selectors, scheduling constraints (node selectors, affinity, tolerations), container
// resources and the volume sources that pods and PersistentVolumes have in common.
#include "messages/validation/validate.hpp"

#include <google/protobuf/message.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "messages/quantity.hpp"
#include "messages/validation/validators.hpp"

namespace troupe::messages {
namespace validation {
namespace {

constexpr std::size_t total_annotation_size_limit = 256 * 1024;

bool contains(const strings& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool requirement_is_valid(const LabelSelectorRequirement& r) {
  const std::string& op = r.operator_();
  if (op == "In" || op == "NotIn") {
    if (r.values().empty()) return false;
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!r.values().empty()) return false;
  } else {
    return false;
  }
  if (!is_qualified_name(r.key()).empty()) return false;
  return std::all_of(r.values().begin(), r.values().end(),
                     [](const std::string& v) { return is_valid_label_value(v).empty(); });
}

void validate_owner_references(const google::protobuf::RepeatedPtrField<OwnerReference>& refs,
                               const std::string& path, field_errors& out) {
  for (const auto& ref : refs) {
    // schema.FromAPIVersionAndKind: "v1" or "group/version"; anything else has no version.
    std::string_view api_version = ref.api_version();
    std::size_t slash = api_version.find('/');
    std::string_view version = api_version;
    if (slash != std::string_view::npos) {
      version = api_version.find('/', slash + 1) == std::string_view::npos
                    ? api_version.substr(slash + 1)
                    : std::string_view();
    }
    if (version.empty()) {
      out.push_back(
          invalid(child(path, "apiVersion"), quoted(api_version), "version must not be empty"));
    }
    if (ref.kind().empty()) {
      out.push_back(invalid(child(path, "kind"), "\"\"", "must not be empty"));
    }
    if (ref.name().empty()) {
      out.push_back(invalid(child(path, "name"), "\"\"", "must not be empty"));
    }
    if (ref.uid().empty()) out.push_back(invalid(child(path, "uid"), "\"\"", "must not be empty"));
  }
}

void validate_finalizers(const strings& finalizers, const std::string& path, field_errors& out) {
  for (const auto& finalizer : finalizers) {
    add_invalid(path, quoted(finalizer), is_qualified_name(finalizer), out);
  }
  if (contains(finalizers, "orphan") && contains(finalizers, "foregroundDeletion")) {
    out.push_back(invalid(path, go_strings(finalizers),
                          "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  // The core group's extra rule: an unqualified finalizer must be a standard one.
  for (int i = 0; i < finalizers.size(); ++i) {
    const std::string& finalizer = finalizers[i];
    add_invalid(at(path, i), quoted(finalizer), is_qualified_name(finalizer), out);
    bool standard =
        finalizer == "kubernetes" || finalizer == "orphan" || finalizer == "foregroundDeletion";
    if (finalizer.find('/') == std::string::npos && !standard) {
      out.push_back(invalid(at(path, i), quoted(finalizer),
                            "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

void validate_node_selector_requirement(const NodeSelectorRequirement& r, const std::string& path,
                                        field_errors& out) {
  const std::string& op = r.operator_();
  if (op == "In" || op == "NotIn") {
    if (r.values().empty()) {
      out.push_back(required_with(child(path, "values"),
                                  "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!r.values().empty()) {
      out.push_back(
          forbidden(child(path, "values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (op == "Gt" || op == "Lt") {
    if (r.values_size() != 1) {
      out.push_back(required_with(
          child(path, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    out.push_back(invalid(child(path, "operator"), quoted(op), "not a valid selector operator"));
  }
  validate_label_name(r.key(), child(path, "key"), out);
  for (int i = 0; i < r.values_size(); ++i) {
    add_invalid(at(child(path, "values"), i), quoted(r.values(i)),
                is_valid_label_value(r.values(i)), out);
  }
}

void validate_node_field_requirement(const NodeSelectorRequirement& r, const std::string& path,
                                     field_errors& out) {
  if (r.operator_() == "In" || r.operator_() == "NotIn") {
    if (r.values_size() != 1) {
      out.push_back(required_with(
          child(path, "values"),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    out.push_back(
        invalid(child(path, "operator"), quoted(r.operator_()), "not a valid selector operator"));
  }
  if (r.key() != "metadata.name") {
    out.push_back(invalid(child(path, "key"), quoted(r.key()), "not a valid field selector key"));
    return;
  }
  for (int i = 0; i < r.values_size(); ++i) {
    add_invalid(at(child(path, "values"), i), quoted(r.values(i)),
                name_is_dns_subdomain(r.values(i), false), out);
  }
}

void validate_node_selector_term(const NodeSelectorTerm& term, const std::string& path,
                                 field_errors& out) {
  for (int i = 0; i < term.match_expressions_size(); ++i) {
    validate_node_selector_requirement(term.match_expressions(i),
                                       at(child(path, "matchExpressions"), i), out);
  }
  for (int i = 0; i < term.match_fields_size(); ++i) {
    validate_node_field_requirement(term.match_fields(i), at(child(path, "matchFields"), i), out);
  }
}

void validate_pod_affinity_term(const PodAffinityTerm& term, const std::string& path,
                                field_errors& out) {
  if (term.has_label_selector()) {
    validate_label_selector(term.label_selector(), child(path, "labelSelector"), out);
  }
  if (term.has_namespace_selector()) {
    validate_label_selector(term.namespace_selector(), child(path, "namespaceSelector"), out);
  }
  for (const auto& ns : term.namespaces()) {
    add_invalid(child(path, "namespace"), quoted(ns), name_is_dns_label(ns, false), out);
  }
  if (term.topology_key().empty()) {
    out.push_back(required_with(child(path, "topologyKey"), "can not be empty"));
  }
  validate_label_name(term.topology_key(), child(path, "topologyKey"), out);
}

template <class PodAffinityRules>
void validate_pod_affinity_rules(const PodAffinityRules& rules, const std::string& path,
                                 field_errors& out) {
  std::string hard = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
  for (int i = 0; i < rules.required_during_scheduling_ignored_during_execution_size(); ++i) {
    validate_pod_affinity_term(rules.required_during_scheduling_ignored_during_execution(i),
                               at(hard, i), out);
  }
  std::string soft = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
  for (int i = 0; i < rules.preferred_during_scheduling_ignored_during_execution_size(); ++i) {
    const auto& weighted = rules.preferred_during_scheduling_ignored_during_execution(i);
    if (weighted.weight() <= 0 || weighted.weight() > 100) {
      out.push_back(invalid(child(at(soft, i), "weight"), go_int(weighted.weight()),
                            "must be in the range 1-100"));
    }
    validate_pod_affinity_term(weighted.pod_affinity_term(), child(at(soft, i), "podAffinityTerm"),
                               out);
  }
}

// "hugepages-2Mi" values must be whole multiples of the page size, compared in whole units.
void validate_hugepages_value(std::string_view name, const Quantity& q, const std::string& path,
                              field_errors& out) {
  auto page = parse_quantity(name.substr(std::string_view("hugepages-").size()));
  int64_t page_units = page.value ? quantity_value_ceil(*page.value) : 0;
  int64_t units = quantity_value_ceil(quantity{q.milli(), quantity_format::decimal_si});
  if (page_units <= 0 || q.milli() <= 0 || units % page_units != 0) {
    out.push_back(
        invalid(path, quoted(quantity_text(q)),
                quantity_text(q) + " is not positive integer multiple of " + std::string(name)));
  }
}

}  // namespace

void validate_object_meta(const ObjectMeta& meta, bool namespaced, name_check check,
                          field_errors& out) {
  const std::string path = "metadata";
  if (!meta.generate_name().empty()) {
    add_invalid(child(path, "generateName"), quoted(meta.generate_name()),
                check(meta.generate_name(), true), out);
  }
  // The API server generates a name from generateName before it validates; so do we, later.
  if (meta.name().empty()) {
    if (meta.generate_name().empty()) {
      out.push_back(required_with(child(path, "name"), "name or generateName is required"));
    }
  } else {
    validate_name_value(meta.name(), check, child(path, "name"), out);
  }
  if (namespaced && !meta.namespace_().empty()) {
    validate_name_value(meta.namespace_(), name_is_dns_label, child(path, "namespace"), out);
  }
  validate_nonnegative(meta.generation(), child(path, "generation"), out);
  validate_labels(meta.labels(), child(path, "labels"), out);
  validate_annotations(meta.annotations(), child(path, "annotations"), out);
  validate_owner_references(meta.owner_references(), child(path, "ownerReferences"), out);
  validate_finalizers(meta.finalizers(), child(path, "finalizers"), out);
}

void validate_label_name(std::string_view name, const std::string& path, field_errors& out) {
  add_invalid(path, quoted(name), is_qualified_name(name), out);
}

void validate_labels(const string_map& labels, const std::string& path, field_errors& out) {
  for (const auto& k : sorted_keys(labels)) {
    validate_label_name(k, path, out);
    const std::string& value = labels.at(k);
    add_invalid(path, quoted(value), is_valid_label_value(value), out);
  }
}

void validate_annotations(const string_map& annotations, const std::string& path,
                          field_errors& out) {
  std::size_t total = 0;
  for (const auto& k : sorted_keys(annotations)) {
    // Annotation keys are qualified names in which case does not matter.
    std::string lower = k;
    for (auto& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    add_invalid(path, quoted(k), is_qualified_name(lower), out);
    total += k.size() + annotations.at(k).size();
  }
  if (total > total_annotation_size_limit) {
    out.push_back(too_long(path, "", total_annotation_size_limit));
  }
}

void validate_label_selector(const LabelSelector& selector, const std::string& path,
                             field_errors& out) {
  validate_labels(selector.match_labels(), child(path, "matchLabels"), out);
  for (int i = 0; i < selector.match_expressions_size(); ++i) {
    const auto& r = selector.match_expressions(i);
    std::string rpath = at(child(path, "matchExpressions"), i);
    const std::string& op = r.operator_();
    if (op == "In" || op == "NotIn") {
      if (r.values().empty()) {
        out.push_back(required_with(child(rpath, "values"),
                                    "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (!r.values().empty()) {
        out.push_back(
            forbidden(child(rpath, "values"),
                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      out.push_back(invalid(child(rpath, "operator"), quoted(op), "not a valid selector operator"));
    }
    validate_label_name(r.key(), child(rpath, "key"), out);
    for (int v = 0; v < r.values_size(); ++v) {
      add_invalid(at(child(rpath, "values"), v), quoted(r.values(v)),
                  is_valid_label_value(r.values(v)), out);
    }
  }
}

bool selector_is_valid(const LabelSelector& selector) {
  for (const auto& [k, v] : selector.match_labels()) {
    if (!is_qualified_name(k).empty() || !is_valid_label_value(v).empty()) return false;
  }
  return std::all_of(selector.match_expressions().begin(), selector.match_expressions().end(),
                     requirement_is_valid);
}

bool selector_is_empty(const LabelSelector& selector) {
  return selector.match_labels().empty() && selector.match_expressions().empty();
}

bool selector_matches(const LabelSelector& selector, const string_map& labels) {
  for (const auto& [k, v] : selector.match_labels()) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : selector.match_expressions()) {
    auto it = labels.find(r.key());
    bool has = it != labels.end();
    const std::string& op = r.operator_();
    if (op == "In" && !(has && contains(r.values(), it->second))) return false;
    if (op == "NotIn" && has && contains(r.values(), it->second)) return false;
    if (op == "Exists" && !has) return false;
    if (op == "DoesNotExist" && has) return false;
  }
  return true;
}

void validate_node_selector(const NodeSelector& selector, const std::string& path,
                            field_errors& out) {
  std::string terms = child(path, "nodeSelectorTerms");
  if (selector.node_selector_terms().empty()) {
    out.push_back(required_with(terms, "must have at least one node selector term"));
    return;
  }
  for (int i = 0; i < selector.node_selector_terms_size(); ++i) {
    validate_node_selector_term(selector.node_selector_terms(i), at(terms, i), out);
  }
}

void validate_affinity(const Affinity& affinity, const std::string& path, field_errors& out) {
  if (affinity.has_node_affinity()) {
    const auto& node = affinity.node_affinity();
    std::string npath = child(path, "nodeAffinity");
    if (node.has_required_during_scheduling_ignored_during_execution()) {
      validate_node_selector(node.required_during_scheduling_ignored_during_execution(),
                             child(npath, "requiredDuringSchedulingIgnoredDuringExecution"), out);
    }
    std::string soft = child(npath, "preferredDuringSchedulingIgnoredDuringExecution");
    for (int i = 0; i < node.preferred_during_scheduling_ignored_during_execution_size(); ++i) {
      const auto& term = node.preferred_during_scheduling_ignored_during_execution(i);
      if (term.weight() <= 0 || term.weight() > 100) {
        out.push_back(invalid(child(at(soft, i), "weight"), go_int(term.weight()),
                              "must be in the range 1-100"));
      }
      validate_node_selector_term(term.preference(), child(at(soft, i), "preference"), out);
    }
  }
  if (affinity.has_pod_affinity()) {
    validate_pod_affinity_rules(affinity.pod_affinity(), child(path, "podAffinity"), out);
  }
  if (affinity.has_pod_anti_affinity()) {
    validate_pod_affinity_rules(affinity.pod_anti_affinity(), child(path, "podAntiAffinity"), out);
  }
}

void validate_taint_effect(std::string_view effect, bool allow_empty, const std::string& path,
                           field_errors& out) {
  validate_enum(effect, allow_empty ? if_empty::unset : if_empty::required,
                {"NoSchedule", "PreferNoSchedule", "NoExecute"}, path, out);
}

void validate_tolerations(const google::protobuf::RepeatedPtrField<Toleration>& tolerations,
                          const std::string& path, field_errors& out) {
  for (int i = 0; i < tolerations.size(); ++i) {
    const auto& t = tolerations[i];
    std::string tpath = at(path, i);
    if (!t.key().empty()) validate_label_name(t.key(), child(tpath, "key"), out);
    // An empty key with Exists matches every taint; with any other operator it is a mistake.
    if (t.key().empty() && t.operator_() != "Exists") {
      out.push_back(invalid(child(tpath, "operator"), quoted(t.operator_()),
                            "operator must be Exists when `key` is empty, which means \"match "
                            "all values and all keys\""));
    }
    if (t.has_toleration_seconds() && t.effect() != "NoExecute") {
      out.push_back(invalid(child(tpath, "effect"), quoted(t.effect()),
                            "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator_() == "Equal" || t.operator_().empty()) {
      reasons why = is_valid_label_value(t.value());
      if (!why.empty()) {
        std::string joined;
        for (const auto& r : why) {
          joined += (joined.empty() ? "" : ";") + r;
        }
        out.push_back(invalid(child(tpath, "operator"), quoted(t.value()), joined));
      }
    } else if (t.operator_() == "Exists") {
      if (!t.value().empty()) {
        out.push_back(invalid(child(tpath, "operator"), quoted(t.value()),
                              "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      out.push_back(
          not_supported(child(tpath, "operator"), quoted(t.operator_()), {"Equal", "Exists"}));
    }
    validate_taint_effect(t.effect(), true, child(tpath, "effect"), out);
  }
}

void validate_container_resource_name(std::string_view name, const std::string& path,
                                      field_errors& out) {
  reasons why = is_qualified_name(name);
  add_invalid(path, quoted(name), why, out);
  bool bare = name.find('/') == std::string_view::npos;
  if (why.empty() && bare && !is_standard_resource_name(name)) {
    out.push_back(
        invalid(path, quoted(name), "must be a standard resource type or fully qualified"));
  }
  if (bare) {
    bool standard = name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
                    is_hugepages_resource(name);
    if (!standard) {
      out.push_back(invalid(path, quoted(name), "must be a standard resource for containers"));
    }
  } else if (!is_native_resource(name) && !is_extended_resource(name)) {
    out.push_back(invalid(path, quoted(name), "doesn't follow extended resource name standard"));
  }
}

void validate_resource_quantity_value(std::string_view name, const Quantity& q,
                                      const std::string& path, field_errors& out) {
  if (q.milli() < 0) {
    out.push_back(invalid(path, quoted(quantity_text(q)), "must be greater than or equal to 0"));
  }
  if (is_extended_resource(name) && q.milli() % 1000 != 0) {
    out.push_back(invalid(path, quantity_text(q), "must be an integer"));
  }
}

void validate_resource_requirements(const ResourceRequirements& resources, const std::string& path,
                                    field_errors& out) {
  std::string limits = child(path, "limits");
  std::string requests = child(path, "requests");
  bool has_cpu_or_memory = false;
  bool has_hugepages = false;
  for (const auto& name : sorted_keys(resources.limits())) {
    const Quantity& q = resources.limits().at(name);
    validate_container_resource_name(name, key(limits, name), out);
    validate_resource_quantity_value(name, q, key(limits, name), out);
    if (is_hugepages_resource(name)) {
      has_hugepages = true;
      validate_hugepages_value(name, q, key(limits, name), out);
    }
    has_cpu_or_memory |= name == "cpu" || name == "memory";
  }
  for (const auto& name : sorted_keys(resources.requests())) {
    const Quantity& q = resources.requests().at(name);
    validate_container_resource_name(name, key(requests, name), out);
    validate_resource_quantity_value(name, q, key(requests, name), out);
    auto limit = resources.limits().find(name);
    if (limit != resources.limits().end()) {
      std::string limit_text = quantity_text(limit->second);
      // Resources that cannot be overcommitted (hugepages, devices) need request == limit.
      if (q.milli() != limit->second.milli() && !is_overcommit_allowed(name)) {
        out.push_back(invalid(requests, quoted(quantity_text(q)),
                              "must be equal to " + name + " limit of " + limit_text));
      } else if (q.milli() > limit->second.milli()) {
        out.push_back(invalid(requests, quoted(quantity_text(q)),
                              "must be less than or equal to " + name + " limit of " + limit_text));
      }
    } else if (!is_overcommit_allowed(name)) {
      out.push_back(required_with(limits, "Limit must be set for non overcommitable resources"));
    }
    if (is_hugepages_resource(name)) {
      has_hugepages = true;
      validate_hugepages_value(name, q, key(requests, name), out);
    }
    has_cpu_or_memory |= name == "cpu" || name == "memory";
  }
  if (has_hugepages && !has_cpu_or_memory) {
    out.push_back(forbidden(path, "HugePages require cpu or memory"));
  }
}

void validate_host_path_source(const HostPathVolumeSource& source, const std::string& path,
                               field_errors& out) {
  if (source.path().empty()) {
    out.push_back(required(child(path, "path")));
    return;
  }
  validate_path_no_backsteps(source.path(), child(path, "path"), out);
  validate_enum(source.type(), if_empty::checked,
                {"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                 "FileOrCreate", "Socket"},
                child(path, "type"), out);
}

void validate_nfs_source(const NFSVolumeSource& source, const std::string& path,
                         field_errors& out) {
  if (source.server().empty()) out.push_back(required(child(path, "server")));
  if (source.path().empty()) out.push_back(required(child(path, "path")));
  if (source.path().empty() || source.path().front() != '/') {
    out.push_back(invalid(child(path, "path"), quoted(source.path()), "must be an absolute path"));
  }
}

}  // namespace validation

namespace {

using validation_fn = void (*)(const google::protobuf::Message&, bool, field_errors&);

template <class T, void (*F)(const T&, bool, field_errors&)>
void run(const google::protobuf::Message& object, bool namespaced, field_errors& out) {
  F(static_cast<const T&>(object), namespaced, out);
}

struct validator_entry {
  const google::protobuf::Descriptor* (*descriptor)();
  validation_fn validate;
};

template <class T, void (*F)(const T&, bool, field_errors&)>
constexpr validator_entry entry() {
  return {&T::descriptor, &run<T, F>};
}

namespace v = validation;
// Every kind in kinds.cpp's table.
const validator_entry validators[] = {
    entry<Pod, v::validate_pod>(),
    entry<Service, v::validate_service>(),
    entry<ReplicationController, v::validate_replication_controller>(),
    entry<ReplicaSet, v::validate_replica_set>(),
    entry<Deployment, v::validate_deployment>(),
    entry<Endpoints, v::validate_endpoints>(),
    entry<Namespace, v::validate_namespace>(),
    entry<Node, v::validate_node>(),
    entry<ConfigMap, v::validate_config_map>(),
    entry<Secret, v::validate_secret>(),
    entry<PersistentVolume, v::validate_persistent_volume>(),
    entry<PersistentVolumeClaim, v::validate_persistent_volume_claim>(),
    entry<HorizontalPodAutoscaler, v::validate_hpa>(),
    entry<HorizontalPodAutoscalerV1, v::validate_hpa_v1>(),
    entry<NetworkPolicy, v::validate_network_policy>(),
    entry<Event, v::validate_event>(),
    entry<ServiceAccount, v::validate_service_account>(),
    entry<Role, v::validate_role>(),
    entry<ClusterRole, v::validate_cluster_role>(),
    entry<RoleBinding, v::validate_role_binding>(),
    entry<ClusterRoleBinding, v::validate_cluster_role_binding>(),
    entry<Lease, v::validate_lease>(),
};

}  // namespace

field_errors validate(const google::protobuf::Message& object, const kind_info& kind) {
  field_errors out;
  const auto* descriptor = object.GetDescriptor();
  const auto* found = std::find_if(std::begin(validators), std::end(validators),
                                   [&](const auto& e) { return e.descriptor() == descriptor; });
  if (found == std::end(validators)) {
    out.push_back({"", "Internal error: no validation for " + descriptor->full_name()});
    return out;
  }
  found->validate(object, kind.namespaced, out);
  // Kubernetes reports an error only once even when two checks find it (ToAggregate).
  // A set keeps this linear-logarithmic for objects with thousands of errors.
  std::set<std::string> seen;
  field_errors unique;
  for (auto& e : out) {
    if (seen.insert(e.to_string()).second) unique.push_back(std::move(e));
  }
  return unique;
}

}  // namespace troupe::messages
