// Configuration (ConfigMap, Secret), cluster objects (Namespace, Node, Event,
// ServiceAccount), NetworkPolicy and the four RBAC kinds.
#include <cctype>
#include <map>
#include <set>

#include "messages/validation/validators.hpp"

namespace troupe::messages::validation {
namespace {

constexpr std::size_t max_secret_size = 1024 * 1024;
constexpr std::string_view rbac_group = "rbac.authorization.k8s.io";

void validate_network_policy_port(const NetworkPolicyPort& port, const std::string& path,
                                  field_errors& out) {
  if (port.has_protocol()) {
    validate_enum(port.protocol(), if_empty::checked, {"TCP", "UDP", "SCTP"},
                  child(path, "protocol"), out);
  }
  std::string end_path = child(path, "endPort");
  if (!port.has_port()) {
    if (port.has_end_port()) {
      out.push_back(invalid(end_path, go_int(port.end_port()),
                            "may not be specified when `port` is not specified"));
    }
    return;
  }
  if (port.port().value_case() == IntOrString::kStrVal) {
    if (port.has_end_port()) {
      out.push_back(invalid(end_path, go_int(port.end_port()),
                            "may not be specified when `port` is non-numeric"));
    }
    add_invalid(child(path, "port"), quoted(port.port().str_val()),
                is_valid_port_name(port.port().str_val()), out);
    return;
  }
  int32_t number = port.port().int_val();
  add_invalid(child(path, "port"), go_int(number), is_valid_port_num(number), out);
  if (port.has_end_port()) {
    if (port.end_port() < number) {
      out.push_back(
          invalid(end_path, go_int(port.end_port()), "must be greater than or equal to `port`"));
    }
    add_invalid(end_path, go_int(port.end_port()), is_valid_port_num(port.end_port()), out);
  }
}

void validate_ip_block(const IPBlock& block, const std::string& path, field_errors& out) {
  if (block.cidr().empty()) {
    out.push_back(required(child(path, "cidr")));
    return;
  }
  if (!is_cidr(block.cidr())) {
    out.push_back(invalid(child(path, "cidr"), quoted(block.cidr()), "not a valid CIDR"));
    return;
  }
  for (int i = 0; i < block.except_cidrs_size(); ++i) {
    const std::string& text = block.except_cidrs(i);
    std::string epath = at(child(path, "except"), i);
    if (!is_cidr(text)) {
      out.push_back(invalid(epath, quoted(text), "not a valid CIDR"));
      return;
    }
    if (!cidr_is_strict_subset(block.cidr(), text)) {
      out.push_back(invalid(epath, quoted(text), "must be a strict subset of `cidr`"));
    }
  }
}

void validate_peer(const NetworkPolicyPeer& peer, const std::string& path, field_errors& out) {
  int count = 0;
  if (peer.has_pod_selector()) {
    ++count;
    validate_label_selector(peer.pod_selector(), child(path, "podSelector"), out);
  }
  if (peer.has_namespace_selector()) {
    ++count;
    validate_label_selector(peer.namespace_selector(), child(path, "namespaceSelector"), out);
  }
  if (peer.has_ip_block()) {
    ++count;
    validate_ip_block(peer.ip_block(), child(path, "ipBlock"), out);
  }
  if (count == 0) {
    out.push_back(required_with(path, "must specify a peer"));
  } else if (count > 1 && peer.has_ip_block()) {
    out.push_back(forbidden(path, "may not specify both ipBlock and another peer"));
  }
}

template <class Rule>
void validate_rules(const google::protobuf::RepeatedPtrField<Rule>& rules, std::string_view list,
                    std::string_view peers, field_errors& out) {
  for (int i = 0; i < rules.size(); ++i) {
    std::string rpath = at(child("spec", list), i);
    for (int p = 0; p < rules[i].ports_size(); ++p) {
      validate_network_policy_port(rules[i].ports(p), at(child(rpath, "ports"), p), out);
    }
    const auto& targets = [&]() -> const auto& {
      if constexpr (std::is_same_v<Rule, NetworkPolicyIngressRule>) {
        return rules[i].from();
      } else {
        return rules[i].to();
      }
    }
    ();
    for (int p = 0; p < targets.size(); ++p) {
      validate_peer(targets[p], at(child(rpath, peers), p), out);
    }
  }
}

void validate_policy_rule(const PolicyRule& rule, bool namespaced, const std::string& path,
                          field_errors& out) {
  if (rule.verbs().empty()) {
    out.push_back(required_with(child(path, "verbs"), "verbs must contain at least one value"));
  }
  if (!rule.non_resource_urls().empty()) {
    std::string upath = child(path, "nonResourceURLs");
    if (namespaced) {
      out.push_back(invalid(upath, go_strings(rule.non_resource_urls()),
                            "namespaced rules cannot apply to non-resource URLs"));
    }
    if (!rule.api_groups().empty() || !rule.resources().empty() || !rule.resource_names().empty()) {
      out.push_back(invalid(upath, go_strings(rule.non_resource_urls()),
                            "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return;
  }
  if (rule.api_groups().empty()) {
    out.push_back(required_with(child(path, "apiGroups"),
                                "resource rules must supply at least one api group"));
  }
  if (rule.resources().empty()) {
    out.push_back(required_with(child(path, "resources"),
                                "resource rules must supply at least one resource"));
  }
}

template <class Binding>
void validate_binding(const Binding& binding, bool namespaced,
                      std::vector<std::string_view> role_kinds, field_errors& out) {
  validate_object_meta(binding.metadata(), namespaced, name_is_path_segment, out);
  const auto& ref = binding.role_ref();
  validate_enum(ref.api_group(), if_empty::checked, {rbac_group}, "roleRef.apiGroup", out);
  validate_enum(ref.kind(), if_empty::checked, role_kinds, "roleRef.kind", out);
  if (ref.name().empty()) {
    out.push_back(required("roleRef.name"));
  } else {
    validate_name_value(ref.name(), name_is_path_segment, "roleRef.name", out);
  }
  for (int i = 0; i < binding.subjects_size(); ++i) {
    const auto& subject = binding.subjects(i);
    std::string spath = at("subjects", i);
    if (subject.name().empty()) out.push_back(required(child(spath, "name")));
    if (subject.kind() == "ServiceAccount") {
      if (!subject.name().empty()) {
        validate_name_value(subject.name(), name_is_dns_subdomain, child(spath, "name"), out);
      }
      validate_enum(subject.api_group(), if_empty::checked, {""}, child(spath, "apiGroup"), out);
      // A RoleBinding's service accounts default to the binding's namespace.
      if (!namespaced && subject.namespace_().empty()) {
        out.push_back(required(child(spath, "namespace")));
      }
    } else if (subject.kind() == "User" || subject.kind() == "Group") {
      validate_enum(subject.api_group(), if_empty::checked, {rbac_group}, child(spath, "apiGroup"),
                    out);
    } else {
      validate_enum(subject.kind(), if_empty::checked, {"ServiceAccount", "User", "Group"},
                    child(spath, "kind"), out);
    }
  }
}

}  // namespace

void validate_namespace(const Namespace& ns, bool namespaced, field_errors& out) {
  validate_object_meta(ns.metadata(), namespaced, name_is_dns_label, out);
  for (const auto& finalizer : ns.spec().finalizers()) {
    add_invalid("spec.finalizers", quoted(finalizer), is_qualified_name(finalizer), out);
    bool standard =
        finalizer == "kubernetes" || finalizer == "orphan" || finalizer == "foregroundDeletion";
    if (finalizer.find('/') == std::string::npos && !standard) {
      out.push_back(invalid("spec.finalizers", quoted(finalizer),
                            "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

void validate_node(const Node& node, bool namespaced, field_errors& out) {
  validate_object_meta(node.metadata(), namespaced, name_is_dns_subdomain, out);
  // Kubernetes reports taints under "metadata.taints", not "spec.taints".
  std::map<std::string, std::set<std::string>> seen;
  for (int i = 0; i < node.spec().taints_size(); ++i) {
    const auto& taint = node.spec().taints(i);
    std::string tpath = at("metadata.taints", i);
    validate_label_name(taint.key(), child(tpath, "key"), out);
    reasons why = is_valid_label_value(taint.value());
    if (!why.empty()) {
      std::string joined;
      for (const auto& r : why) {
        joined += (joined.empty() ? "" : ";") + r;
      }
      out.push_back(invalid(child(tpath, "value"), quoted(taint.value()), joined));
    }
    validate_taint_effect(taint.effect(), false, child(tpath, "effect"), out);
    if (!seen[taint.effect()].insert(taint.key()).second) {
      std::string value = "core.Taint{Key:" + quoted(taint.key()) +
                          ", Value:" + quoted(taint.value()) +
                          ", Effect:" + quoted(taint.effect()) + ", TimeAdded:(*v1.Time)(nil)}";
      field_error e = duplicate(tpath, value);
      e.detail += ": taints must be unique by key and effect pair";
      out.push_back(std::move(e));
    }
  }
  for (const auto& name : sorted_keys(node.status().capacity())) {
    validate_resource_quantity_value(name, node.status().capacity().at(name),
                                     "status.capacity." + name, out);
  }
  for (const auto& name : sorted_keys(node.status().allocatable())) {
    validate_resource_quantity_value(name, node.status().allocatable().at(name),
                                     "status.allocatable." + name, out);
  }
  strings cidrs = node.spec().pod_cidrs();
  if (cidrs.empty() && !node.spec().pod_cidr().empty()) *cidrs.Add() = node.spec().pod_cidr();
  std::set<std::string> unique;
  for (int i = 0; i < cidrs.size(); ++i) {
    validate_cidr(cidrs[i], at("spec.podCIDRs", i), out);
    if (!unique.insert(cidrs[i]).second) {
      out.push_back(duplicate(at("spec.podCIDRs", i), quoted(cidrs[i])));
    }
  }
}

void validate_config_map(const ConfigMap& config_map, bool namespaced, field_errors& out) {
  validate_object_meta(config_map.metadata(), namespaced, name_is_dns_subdomain, out);
  std::size_t total = 0;
  for (const auto& k : sorted_keys(config_map.data())) {
    add_invalid(key("data", k), quoted(k), is_config_map_key(k), out);
    if (config_map.binary_data().count(k) > 0) {
      out.push_back(invalid(key("data", k), quoted(k), "duplicate of key present in binaryData"));
    }
    total += config_map.data().at(k).size();
  }
  for (const auto& k : sorted_keys(config_map.binary_data())) {
    add_invalid(key("binaryData", k), quoted(k), is_config_map_key(k), out);
    total += config_map.binary_data().at(k).size();
  }
  // Kubernetes blames the whole object; its empty path prints as "[]".
  if (total > max_secret_size) out.push_back(too_long("[]", "", max_secret_size));
}

void validate_secret(const Secret& secret, bool namespaced, field_errors& out) {
  validate_object_meta(secret.metadata(), namespaced, name_is_dns_subdomain, out);
  // stringData is merged into data on write; an undefaulted Secret is checked as if it had been.
  std::map<std::string, std::size_t> sizes;
  for (const auto& [k, v] : secret.data()) {
    sizes[k] = v.size();
  }
  for (const auto& [k, v] : secret.string_data()) {
    sizes[k] = v.size();
  }
  std::size_t total = 0;
  for (const auto& [k, size] : sizes) {
    add_invalid(key("data", k), quoted(k), is_config_map_key(k), out);
    total += size;
  }
  if (total > max_secret_size) out.push_back(too_long("data", "", max_secret_size));
  auto require_key = [&](const std::string& k) {
    if (sizes.count(k) == 0) out.push_back(required(key("data", k)));
  };
  const std::string& type = secret.type();
  if (type == "kubernetes.io/service-account-token") {
    auto name = secret.metadata().annotations().find("kubernetes.io/service-account.name");
    if (name == secret.metadata().annotations().end() || name->second.empty()) {
      out.push_back(required("metadata.annotations[kubernetes.io/service-account.name]"));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    require_key(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require_key(".dockerconfigjson");
  } else if (type == "kubernetes.io/basic-auth") {
    if (sizes.count("username") == 0 && sizes.count("password") == 0) {
      require_key("username");
      require_key("password");
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (sizes.count("ssh-privatekey") == 0 || sizes["ssh-privatekey"] == 0) {
      out.push_back(required("data[ssh-privatekey]"));
    }
  } else if (type == "kubernetes.io/tls") {
    require_key("tls.crt");
    require_key("tls.key");
  }
}

void validate_network_policy(const NetworkPolicy& policy, bool namespaced, field_errors& out) {
  validate_object_meta(policy.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = policy.spec();
  validate_label_selector(spec.pod_selector(), "spec.podSelector", out);
  validate_rules(spec.ingress(), "ingress", "from", out);
  validate_rules(spec.egress(), "egress", "to", out);
  if (spec.policy_types_size() > 2) {
    std::string value = "&[]networking.PolicyType{";
    for (int i = 0; i < spec.policy_types_size(); ++i) {
      value += (i ? ", " : "") + quoted(spec.policy_types(i));
    }
    out.push_back(
        invalid("spec.policyTypes", value + "}", "may not specify more than two policyTypes"));
    return;
  }
  for (int i = 0; i < spec.policy_types_size(); ++i) {
    validate_enum(spec.policy_types(i), if_empty::checked, {"Ingress", "Egress"},
                  at("spec.policyTypes", i), out);
  }
}

void validate_event(const Event& event, bool namespaced, field_errors& out) {
  validate_object_meta(event.metadata(), namespaced, name_is_dns_subdomain, out);
  // Checked only once the event has a namespace: the gateway may still fill it in.
  const std::string& ns = event.metadata().namespace_();
  const std::string& involved = event.involved_object().namespace_();
  bool mismatch =
      involved.empty() ? (!ns.empty() && ns != "default") : (!ns.empty() && ns != involved);
  if (mismatch) {
    out.push_back(
        invalid("involvedObject.namespace", quoted(involved), "does not match event.namespace"));
  }
}

void validate_service_account(const ServiceAccount& account, bool namespaced, field_errors& out) {
  validate_object_meta(account.metadata(), namespaced, name_is_dns_subdomain, out);
}

// Kubernetes' ValidateLeaseSpec: a duration, when set, is positive; transitions are not negative.
void validate_lease(const Lease& lease, bool namespaced, field_errors& out) {
  validate_object_meta(lease.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = lease.spec();
  if (spec.has_lease_duration_seconds() && spec.lease_duration_seconds() <= 0)
    out.push_back(invalid("spec.leaseDurationSeconds", go_int(spec.lease_duration_seconds()),
                          "must be greater than 0"));
  if (spec.has_lease_transitions())
    validate_nonnegative(spec.lease_transitions(), "spec.leaseTransitions", out);
}

void validate_role(const Role& role, bool namespaced, field_errors& out) {
  validate_object_meta(role.metadata(), namespaced, name_is_path_segment, out);
  for (int i = 0; i < role.rules_size(); ++i) {
    validate_policy_rule(role.rules(i), true, at("rules", i), out);
  }
}

void validate_cluster_role(const ClusterRole& role, bool namespaced, field_errors& out) {
  validate_object_meta(role.metadata(), namespaced, name_is_path_segment, out);
  for (int i = 0; i < role.rules_size(); ++i) {
    validate_policy_rule(role.rules(i), false, at("rules", i), out);
  }
  if (!role.has_aggregation_rule()) return;
  const auto& selectors = role.aggregation_rule().cluster_role_selectors();
  if (selectors.empty()) {
    out.push_back(
        required_with("aggregationRule.clusterRoleSelectors",
                      "at least one clusterRoleSelector required if aggregationRule is non-nil"));
  }
  for (int i = 0; i < selectors.size(); ++i) {
    std::string spath = at("aggregationRule.clusterRoleSelectors", i);
    validate_label_selector(selectors[i], spath, out);
    if (!selector_is_valid(selectors[i])) {
      out.push_back(invalid(spath, selector_text(selectors[i]), "invalid label selector."));
    }
  }
}

void validate_role_binding(const RoleBinding& binding, bool namespaced, field_errors& out) {
  validate_binding(binding, namespaced, {"Role", "ClusterRole"}, out);
}

void validate_cluster_role_binding(const ClusterRoleBinding& binding, bool namespaced,
                                   field_errors& out) {
  validate_binding(binding, namespaced, {"ClusterRole"}, out);
}

}  // namespace troupe::messages::validation
