// Workload controllers, their autoscalers and the services in front of them:
// ReplicationController, ReplicaSet, Deployment (selectors against template labels, replicas,
// rollout strategy), HorizontalPodAutoscaler in autoscaling/v1 and v2, Service and Endpoints.
#include <cctype>
#include <set>
#include <utility>

#include "messages/validation/validators.hpp"

namespace troupe::messages::validation {
namespace {

constexpr std::string_view selector_mismatch = "`selector` does not match template `labels`";

// What RC, ReplicaSet and Deployment templates share once the selector check is done.
void validate_controller_template(const PodTemplateSpec& tmpl, const std::string& path,
                                  std::string_view owner, field_errors& out) {
  validate_pod_template_spec(tmpl, path, out);
  validate_enum(tmpl.spec().restart_policy(), if_empty::checked, {"Always"},
                child(child(path, "spec"), "restartPolicy"), out);
  if (tmpl.spec().has_active_deadline_seconds()) {
    out.push_back(
        forbidden(child(child(path, "spec"), "activeDeadlineSeconds"),
                  "activeDeadlineSeconds in " + std::string(owner) + " is not Supported"));
  }
}

// apps/v1 selector and template (ValidateReplicaSetSpec / ValidateDeploymentSpec).
template <class Spec>
void validate_apps_selector_and_template(const Spec& spec, field_errors& out) {
  std::string selector_path = "spec.selector";
  bool has = spec.has_selector();
  if (!has) {
    out.push_back(required(selector_path));
  } else {
    validate_label_selector(spec.selector(), selector_path, out);
    // Kubernetes says "deployment" for ReplicaSets too.
    if (selector_is_empty(spec.selector())) {
      out.push_back(invalid(selector_path, selector_text(spec.selector()),
                            "empty selector is invalid for deployment"));
    }
  }
  if (has && !selector_is_valid(spec.selector())) {
    out.push_back(invalid(selector_path, selector_text(spec.selector()), "invalid label selector"));
    return;
  }
  // A missing selector selects nothing, so it cannot match the template either.
  const auto& labels = spec.template_().metadata().labels();
  bool matches =
      has && (selector_is_empty(spec.selector()) || selector_matches(spec.selector(), labels));
  if (!matches) {
    out.push_back(
        invalid("spec.template.metadata.labels", go_string_map(labels), selector_mismatch));
  }
  validate_controller_template(spec.template_(), "spec.template", "ReplicaSet", out);
}

// IntOrString's numeric value as Kubernetes reads it: "25%" -> 25, "5" -> 5, "x" -> 0.
int64_t int_or_percent_value(const IntOrString& v) {
  if (v.value_case() != IntOrString::kStrVal) return v.int_val();
  std::string_view s = v.str_val();
  if (is_valid_percent(s).empty()) s.remove_suffix(1);
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || n > 1000000000) return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

void validate_positive_int_or_percent(const IntOrString& v, const std::string& path,
                                      field_errors& out) {
  if (v.value_case() == IntOrString::kStrVal) {
    add_invalid(path, v.str_val(), is_valid_percent(v.str_val()), out);
  } else {
    validate_nonnegative(v.int_val(), path, out);
  }
}

void validate_strategy(const DeploymentStrategy& strategy, field_errors& out) {
  const std::string path = "spec.strategy";
  const std::string& type = strategy.type();
  if (type == "Recreate") {
    if (strategy.has_rolling_update()) {
      out.push_back(forbidden(child(path, "rollingUpdate"),
                              "may not be specified when strategy `type` is 'Recreate'"));
    }
    return;
  }
  if (type != "RollingUpdate") {
    // Kubernetes prints the whole strategy struct (Go's %#v) here.
    std::string value = "apps.DeploymentStrategy{Type:" + quoted(type) + ", RollingUpdate:" +
                        (strategy.has_rolling_update() ? "&apps.RollingUpdateDeployment{...}"
                                                       : "(*apps.RollingUpdateDeployment)(nil)") +
                        "}";
    out.push_back(not_supported(path, value, {"Recreate", "RollingUpdate"}));
    return;
  }
  std::string rpath = child(path, "rollingUpdate");
  if (!strategy.has_rolling_update()) {
    out.push_back(required_with(rpath, "this should be defaulted and never be nil"));
    return;
  }
  const auto& rolling = strategy.rolling_update();
  std::string unavailable_path = child(rpath, "maxUnavailable");
  validate_positive_int_or_percent(rolling.max_unavailable(), unavailable_path, out);
  validate_positive_int_or_percent(rolling.max_surge(), child(rpath, "maxSurge"), out);
  if (int_or_percent_value(rolling.max_unavailable()) == 0 &&
      int_or_percent_value(rolling.max_surge()) == 0) {
    out.push_back(invalid(unavailable_path, int_or_string_text(rolling.max_unavailable()),
                          "may not be 0 when `maxSurge` is 0"));
  }
  // Only maxUnavailable is capped: a surge above 100% is allowed.
  const auto& unavailable = rolling.max_unavailable();
  if (unavailable.value_case() == IntOrString::kStrVal &&
      is_valid_percent(unavailable.str_val()).empty() && int_or_percent_value(unavailable) > 100) {
    out.push_back(
        invalid(unavailable_path, unavailable.str_val(), "must not be greater than 100%"));
  }
}

void validate_scale_target(const CrossVersionObjectReference& ref, const std::string& path,
                           field_errors& out) {
  for (auto [value, field] : {std::pair{&ref.kind(), "kind"}, std::pair{&ref.name(), "name"}}) {
    if (value->empty()) {
      out.push_back(required(child(path, field)));
    } else {
      add_invalid(child(path, field), quoted(*value), is_valid_path_segment_name(*value), out);
    }
  }
}

void validate_replica_bounds(bool has_min, int32_t min, int32_t max, field_errors& out) {
  if (has_min && min < 1) {
    out.push_back(invalid("spec.minReplicas", go_int(min), "must be greater than or equal to 1"));
  }
  if (max < 1) out.push_back(invalid("spec.maxReplicas", go_int(max), "must be greater than 0"));
  if (has_min && max < min) {
    out.push_back(
        invalid("spec.maxReplicas", go_int(max), "must be greater than or equal to `minReplicas`"));
  }
}

void validate_metric_target(const MetricTarget& target, const std::string& path,
                            field_errors& out) {
  const std::string& type = target.type();
  if (type.empty()) {
    out.push_back(required_with(child(path, "type"), "must specify a metric target type"));
  }
  if (type != "Utilization" && type != "Value" && type != "AverageValue") {
    out.push_back(invalid(child(path, "type"), quoted(type),
                          "must be either Utilization, Value, or AverageValue"));
  }
  if (target.has_value() && target.value().milli() <= 0) {
    out.push_back(invalid(child(path, "value"), quantity_text(target.value()), "must be positive"));
  }
  if (target.has_average_value() && target.average_value().milli() <= 0) {
    out.push_back(invalid(child(path, "averageValue"), quantity_text(target.average_value()),
                          "must be positive"));
  }
  if (target.has_average_utilization() && target.average_utilization() < 1) {
    out.push_back(invalid(child(path, "averageUtilization"), go_int(target.average_utilization()),
                          "must be greater than 0"));
  }
}

void validate_metric_name(const MetricIdentifier& metric, const std::string& path,
                          field_errors& out) {
  std::string npath = child(child(path, "metric"), "name");
  if (metric.name().empty()) {
    out.push_back(required_with(npath, "must specify a metric name"));
  } else {
    add_invalid(npath, quoted(metric.name()), is_valid_path_segment_name(metric.name()), out);
  }
  if (metric.has_selector()) {
    validate_label_selector(metric.selector(), child(child(path, "metric"), "selector"), out);
  }
}

// Resource and ContainerResource metrics: a utilization or an average value, not both.
template <class Source>
void validate_resource_metric(const Source& source, const std::string& path, field_errors& out) {
  if (source.name().empty()) {
    out.push_back(required_with(child(path, "name"), "must specify a resource name"));
  } else {
    validate_container_resource_name(source.name(), child(path, "name"), out);
  }
  std::string tpath = child(path, "target");
  validate_metric_target(source.target(), tpath, out);
  const auto& target = source.target();
  if (!target.has_average_utilization() && !target.has_average_value()) {
    out.push_back(required_with(child(tpath, "averageUtilization"),
                                "must set either a target raw value or a target utilization"));
  }
  if (target.has_average_utilization() && target.has_average_value()) {
    out.push_back(forbidden(child(tpath, "averageValue"),
                            "may not set both a target raw value and a target utilization"));
  }
}

void validate_metric(const MetricSpec& metric, const std::string& path, field_errors& out) {
  static const std::vector<std::string_view> types = {"ContainerResource", "External", "Object",
                                                      "Pods", "Resource"};
  const std::string& type = metric.type();
  if (type.empty()) {
    out.push_back(required_with(child(path, "type"), "must specify a metric source type"));
  }
  validate_enum(type, if_empty::checked, types, child(path, "type"), out);
  // Sources in Kubernetes' order; only the first present one is validated in depth.
  std::vector<std::string_view> present;
  if (metric.has_object()) {
    present.push_back("object");
    const auto& object = metric.object();
    std::string opath = child(path, "object");
    validate_scale_target(object.described_object(), child(opath, "describedObject"), out);
    validate_metric_name(object.metric(), opath, out);
    validate_metric_target(object.target(), child(opath, "target"), out);
    if (!object.target().has_value() && !object.target().has_average_value()) {
      out.push_back(required_with(child(child(opath, "target"), "averageValue"),
                                  "must set either a target value or averageValue"));
    }
  }
  if (metric.has_external()) {
    present.push_back("external");
    if (present.size() == 1) {
      const auto& external = metric.external();
      std::string epath = child(path, "external");
      validate_metric_name(external.metric(), epath, out);
      validate_metric_target(external.target(), child(epath, "target"), out);
      const auto& target = external.target();
      if (!target.has_value() && !target.has_average_value()) {
        out.push_back(
            required_with(child(child(epath, "target"), "averageValue"),
                          "must set either a target value for metric or a per-pod target"));
      }
      if (target.has_value() && target.has_average_value()) {
        out.push_back(forbidden(child(child(epath, "target"), "value"),
                                "may not set both a target value for metric and a per-pod target"));
      }
    }
  }
  if (metric.has_pods()) {
    present.push_back("pods");
    if (present.size() == 1) {
      std::string ppath = child(path, "pods");
      validate_metric_name(metric.pods().metric(), ppath, out);
      validate_metric_target(metric.pods().target(), child(ppath, "target"), out);
      if (!metric.pods().target().has_average_value()) {
        out.push_back(required_with(child(child(ppath, "target"), "averageValue"),
                                    "must specify a positive target averageValue"));
      }
    }
  }
  if (metric.has_resource()) {
    present.push_back("resource");
    if (present.size() == 1) {
      validate_resource_metric(metric.resource(), child(path, "resource"), out);
    }
  }
  if (metric.has_container_resource()) {
    present.push_back("containerResource");
    if (present.size() == 1) {
      const auto& source = metric.container_resource();
      std::string cpath = child(path, "containerResource");
      validate_resource_metric(source, cpath, out);
      if (source.container().empty()) {
        out.push_back(required_with(child(cpath, "container"), "must specify a container"));
      } else {
        validate_name_value(source.container(), name_is_dns_label, child(cpath, "container"), out);
      }
    }
  }
  std::string expected =
      type.empty() ? "" : std::string(1, static_cast<char>(std::tolower(type[0]))) + type.substr(1);
  if (std::find(types.begin(), types.end(), type) != types.end() &&
      std::find(present.begin(), present.end(), expected) == present.end()) {
    out.push_back(required_with(child(path, expected),
                                "must populate information for the given metric source"));
  }
  for (auto field : present) {
    if (field != expected) {
      out.push_back(forbidden(child(path, field), "must populate the given metric source only"));
    }
  }
}

void validate_scaling_rules(const HPAScalingRules& rules, const std::string& path,
                            field_errors& out) {
  if (rules.has_stabilization_window_seconds()) {
    int32_t window = rules.stabilization_window_seconds();
    std::string wpath = child(path, "stabilizationWindowSeconds");
    if (window < 0) {
      out.push_back(invalid(wpath, go_int(window), "must be greater than or equal to zero"));
    }
    if (window > 3600) {
      out.push_back(invalid(wpath, go_int(window), "must be less than or equal to 3600"));
    }
  }
  validate_enum(rules.select_policy(), if_empty::unset, {"Disabled", "Max", "Min"},
                child(path, "selectPolicy"), out);
  std::string ppath = child(path, "policies");
  if (rules.policies().empty()) {
    out.push_back(required_with(ppath, "must specify at least one Policy"));
  }
  for (int i = 0; i < rules.policies_size(); ++i) {
    const auto& policy = rules.policies(i);
    std::string ipath = at(ppath, i);
    validate_enum(policy.type(), if_empty::checked, {"Percent", "Pods"}, child(ipath, "type"), out);
    if (policy.value() <= 0) {
      out.push_back(
          invalid(child(ipath, "value"), go_int(policy.value()), "must be greater than zero"));
    }
    std::string period = child(ipath, "periodSeconds");
    if (policy.period_seconds() <= 0) {
      out.push_back(invalid(period, go_int(policy.period_seconds()), "must be greater than zero"));
    }
    if (policy.period_seconds() > 1800) {
      out.push_back(
          invalid(period, go_int(policy.period_seconds()), "must be less than or equal to 1800"));
    }
  }
}

// Kubernetes reports a duplicate port by printing its (protocol, port) key struct, Go's %#v.
std::string go_service_port_key(const ServicePort& port) {
  return "core.ServicePort{Name:\"\", Protocol:" + quoted(port.protocol()) +
         ", AppProtocol:(*string)(nil), Port:" + go_int(port.port()) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void validate_service_ports(const Service& service, field_errors& out) {
  const auto& spec = service.spec();
  std::set<std::string> names;
  std::set<std::pair<std::string, int32_t>> node_ports, ports;
  bool node_port_type = spec.type() == "NodePort" || spec.type() == "LoadBalancer";
  for (int i = 0; i < spec.ports_size(); ++i) {
    const auto& port = spec.ports(i);
    std::string ppath = at("spec.ports", i);
    if (spec.ports_size() > 1 && port.name().empty()) {
      out.push_back(required(child(ppath, "name")));
    } else if (!port.name().empty()) {
      validate_name_value(port.name(), name_is_dns_label, child(ppath, "name"), out);
      if (!names.insert(port.name()).second) {
        out.push_back(duplicate(child(ppath, "name"), quoted(port.name())));
      }
    }
    add_invalid(child(ppath, "port"), go_int(port.port()), is_valid_port_num(port.port()), out);
    validate_protocol(port.protocol(), child(ppath, "protocol"), out);
    validate_port_num_or_name(port.target_port(), child(ppath, "targetPort"), out);
    if (!port.app_protocol().empty()) {
      add_invalid(child(ppath, "appProtocol"), quoted(port.app_protocol()),
                  is_qualified_name(port.app_protocol()), out);
    }
    std::string node_path = child(ppath, "nodePort");
    if (port.node_port() != 0) {
      if (spec.type() == "ClusterIP") {
        out.push_back(forbidden(node_path, "may not be used when `type` is 'ClusterIP'"));
      } else if (node_port_type && (port.node_port() < 30000 || port.node_port() > 32767)) {
        // The API server's node-port allocator reports this one, for its default range.
        out.push_back(invalid(
            node_path, go_int(port.node_port()),
            "provided port is not in the valid range. The range of valid ports is 30000-32767"));
      }
      if (!node_ports.insert({port.protocol(), port.node_port()}).second) {
        out.push_back(duplicate(node_path, go_int(port.node_port())));
      }
    }
    if (!ports.insert({port.protocol(), port.port()}).second) {
      out.push_back(duplicate(ppath, go_service_port_key(port)));
    }
  }
}

void validate_cluster_ips(const ServiceSpec& spec, field_errors& out) {
  strings ips = spec.cluster_ips();
  // The API server fills clusterIPs from clusterIP before validating.
  if (ips.empty() && !spec.cluster_ip().empty()) *ips.Add() = spec.cluster_ip();
  if (!spec.cluster_ip().empty() && !spec.cluster_ips().empty() &&
      spec.cluster_ips(0) != spec.cluster_ip()) {
    out.push_back(
        invalid("spec.clusterIPs", go_strings(ips), "first value must match `clusterIP`"));
  }
  for (int i = 0; i < spec.ip_families_size(); ++i) {
    const std::string& family = spec.ip_families(i);
    validate_enum(family, if_empty::checked, {"IPv4", "IPv6"}, at("spec.ipFamilies", i), out);
    if (std::find(spec.ip_families().begin(), spec.ip_families().begin() + i, family) !=
        spec.ip_families().begin() + i) {
      out.push_back(duplicate(at("spec.ipFamilies", i), quoted(family)));
    }
  }
  validate_enum(spec.ip_family_policy(), if_empty::unset,
                {"PreferDualStack", "RequireDualStack", "SingleStack"}, "spec.ipFamilyPolicy", out);
  for (int i = 0; i < ips.size(); ++i) {
    if (i == 0 && ips[i] == "None") {
      if (ips.size() > 1) {
        out.push_back(
            invalid("spec.clusterIPs", go_strings(ips), "'None' must be the first and only value"));
      }
      continue;
    }
    validate_ip(ips[i], at("spec.clusterIPs", i), out);
  }
}

void validate_service_traffic(const ServiceSpec& spec, field_errors& out) {
  bool external = spec.type() == "LoadBalancer" || spec.type() == "NodePort" ||
                  (spec.type() == "ClusterIP" && !spec.external_ips().empty());
  const std::string& etp = spec.external_traffic_policy();
  if (!external && !etp.empty()) {
    out.push_back(invalid("spec.externalTrafficPolicy", quoted(etp),
                          "may only be set for externally-accessible services"));
  } else if (external && etp.empty()) {
    out.push_back(required("spec.externalTrafficPolicy"));
  } else if (external) {
    validate_enum(etp, if_empty::checked, {"Cluster", "Local"}, "spec.externalTrafficPolicy", out);
  }
  bool needs_health_check = spec.type() == "LoadBalancer" && etp == "Local";
  int32_t health = spec.health_check_node_port();
  if (!needs_health_check && health != 0) {
    out.push_back(invalid(
        "spec.healthCheckNodePort", go_int(health),
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (needs_health_check && health != 0) {
    add_invalid("spec.healthCheckNodePort", go_int(health), is_valid_port_num(health), out);
  }
  const std::string& itp = spec.internal_traffic_policy();
  bool needs_itp =
      spec.type() == "NodePort" || spec.type() == "LoadBalancer" || spec.type() == "ClusterIP";
  if (itp.empty() && needs_itp) out.push_back(required("spec.internalTrafficPolicy"));
  validate_enum(itp, if_empty::unset, {"Cluster", "Local"}, "spec.internalTrafficPolicy", out);
  validate_enum(spec.traffic_distribution(), if_empty::unset, {"PreferClose"},
                "spec.trafficDistribution", out);
}

}  // namespace

void validate_replication_controller(const ReplicationController& rc, bool namespaced,
                                     field_errors& out) {
  validate_object_meta(rc.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = rc.spec();
  validate_nonnegative(spec.min_ready_seconds(), "spec.minReadySeconds", out);
  if (spec.selector().empty()) out.push_back(required("spec.selector"));
  validate_nonnegative(spec.replicas(), "spec.replicas", out);
  if (!spec.has_template_()) {
    out.push_back(required("spec.template"));
    return;
  }
  const auto& labels = spec.template_().metadata().labels();
  for (const auto& [k, v] : spec.selector()) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) {
      out.push_back(
          invalid("spec.template.metadata.labels", go_string_map(labels), selector_mismatch));
      break;
    }
  }
  validate_controller_template(spec.template_(), "spec.template", "ReplicationController", out);
}

void validate_replica_set(const ReplicaSet& rs, bool namespaced, field_errors& out) {
  validate_object_meta(rs.metadata(), namespaced, name_is_dns_subdomain, out);
  validate_nonnegative(rs.spec().replicas(), "spec.replicas", out);
  validate_nonnegative(rs.spec().min_ready_seconds(), "spec.minReadySeconds", out);
  validate_apps_selector_and_template(rs.spec(), out);
}

void validate_deployment(const Deployment& deployment, bool namespaced, field_errors& out) {
  validate_object_meta(deployment.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = deployment.spec();
  validate_nonnegative(spec.replicas(), "spec.replicas", out);
  validate_apps_selector_and_template(spec, out);
  validate_strategy(spec.strategy(), out);
  validate_nonnegative(spec.min_ready_seconds(), "spec.minReadySeconds", out);
  if (spec.has_revision_history_limit()) {
    validate_nonnegative(spec.revision_history_limit(), "spec.revisionHistoryLimit", out);
  }
  if (spec.has_progress_deadline_seconds()) {
    int32_t deadline = spec.progress_deadline_seconds();
    validate_nonnegative(deadline, "spec.progressDeadlineSeconds", out);
    if (deadline <= spec.min_ready_seconds()) {
      out.push_back(invalid("spec.progressDeadlineSeconds", go_int(deadline),
                            "must be greater than minReadySeconds"));
    }
  }
}

void validate_hpa(const HorizontalPodAutoscaler& hpa, bool namespaced, field_errors& out) {
  validate_object_meta(hpa.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = hpa.spec();
  validate_replica_bounds(spec.has_min_replicas(), spec.min_replicas(), spec.max_replicas(), out);
  validate_scale_target(spec.scale_target_ref(), "spec.scaleTargetRef", out);
  for (int i = 0; i < spec.metrics_size(); ++i) {
    validate_metric(spec.metrics(i), at("spec.metrics", i), out);
  }
  if (spec.has_behavior()) {
    if (spec.behavior().has_scale_up()) {
      validate_scaling_rules(spec.behavior().scale_up(), "spec.behavior.scaleUp", out);
    }
    if (spec.behavior().has_scale_down()) {
      validate_scaling_rules(spec.behavior().scale_down(), "spec.behavior.scaleDown", out);
    }
  }
}

void validate_hpa_v1(const HorizontalPodAutoscalerV1& hpa, bool namespaced, field_errors& out) {
  validate_object_meta(hpa.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = hpa.spec();
  validate_replica_bounds(spec.has_min_replicas(), spec.min_replicas(), spec.max_replicas(), out);
  validate_scale_target(spec.scale_target_ref(), "spec.scaleTargetRef", out);
  // Kubernetes checks this as a v2 Resource metric's averageUtilization; we keep the v1 path.
  if (spec.has_target_cpu_utilization_percentage() &&
      spec.target_cpu_utilization_percentage() < 1) {
    out.push_back(invalid("spec.targetCPUUtilizationPercentage",
                          go_int(spec.target_cpu_utilization_percentage()),
                          "must be greater than 0"));
  }
}

void validate_service(const Service& service, bool namespaced, field_errors& out) {
  validate_object_meta(service.metadata(), namespaced, name_is_dns1035_label, out);
  const auto& spec = service.spec();
  const std::string& type = spec.type();
  std::string first_ip = !spec.cluster_ips().empty() ? spec.cluster_ips(0) : spec.cluster_ip();
  bool headless = first_ip == "None";
  if (spec.ports().empty() && !headless && type != "ExternalName") {
    out.push_back(required("spec.ports"));
  }
  if ((type == "LoadBalancer" || type == "NodePort") && headless) {
    out.push_back(invalid("spec.clusterIPs[0]", quoted(first_ip),
                          "may not be set to 'None' for " + type + " services"));
  }
  if (type == "ExternalName") {
    if (!first_ip.empty()) {
      out.push_back(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    if (!spec.ip_families().empty()) {
      out.push_back(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    }
    if (!spec.ip_family_policy().empty()) {
      out.push_back(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    }
    std::string cname = spec.external_name();
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty()) {
      out.push_back(required("spec.externalName"));
    } else {
      validate_name_value(cname, name_is_dns_subdomain, "spec.externalName", out);
    }
  }
  validate_service_ports(service, out);
  validate_labels(spec.selector(), "spec.selector", out);
  const std::string& affinity = spec.session_affinity();
  validate_enum(affinity, if_empty::required, {"ClientIP", "None"}, "spec.sessionAffinity", out);
  constexpr std::string_view client_ip_why = "when session affinity type is ClientIP";
  if (affinity == "ClientIP") {
    const auto& config = spec.session_affinity_config();
    if (!spec.has_session_affinity_config()) {
      out.push_back(required_with("spec.sessionAffinityConfig", client_ip_why));
    } else if (!config.has_client_ip()) {
      out.push_back(required_with("spec.sessionAffinityConfig.clientIP", client_ip_why));
    } else if (!config.client_ip().has_timeout_seconds()) {
      out.push_back(
          required_with("spec.sessionAffinityConfig.clientIP.timeoutSeconds", client_ip_why));
    } else if (int32_t timeout = config.client_ip().timeout_seconds();
               timeout <= 0 || timeout > 86400) {
      out.push_back(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", go_int(timeout),
                            "must be greater than 0 and less than 86400"));
    }
  } else if (affinity == "None" && spec.has_session_affinity_config()) {
    out.push_back(
        forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  if (type != "ExternalName") validate_cluster_ips(spec, out);
  for (int i = 0; i < spec.external_ips_size(); ++i) {
    field_errors ip_errors;
    validate_ip(spec.external_ips(i), at("spec.externalIPs", i), ip_errors);
    if (ip_errors.empty()) {
      add_invalid(at("spec.externalIPs", i), quoted(spec.external_ips(i)),
                  non_special_ip_reasons(spec.external_ips(i)), ip_errors);
    }
    out.insert(out.end(), ip_errors.begin(), ip_errors.end());
  }
  validate_enum(type, if_empty::required, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"},
                "spec.type", out);
  if (!spec.load_balancer_source_ranges().empty()) {
    if (type != "LoadBalancer") {
      out.push_back(forbidden("spec.LoadBalancerSourceRanges",
                              "may only be used when `type` is 'LoadBalancer'"));
    }
    for (int i = 0; i < spec.load_balancer_source_ranges_size(); ++i) {
      std::string range = spec.load_balancer_source_ranges(i);
      range.erase(0, range.find_first_not_of(" \t\n\r"));
      range.erase(range.find_last_not_of(" \t\n\r") + 1);
      validate_cidr(range, at("spec.LoadBalancerSourceRanges", i), out);
    }
  }
  if (spec.has_allocate_load_balancer_node_ports() && type != "LoadBalancer") {
    out.push_back(forbidden("spec.allocateLoadBalancerNodePorts",
                            "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type == "LoadBalancer" && !spec.has_allocate_load_balancer_node_ports()) {
    out.push_back(required("allocateLoadBalancerNodePorts"));
  }
  validate_service_traffic(spec, out);
}

void validate_endpoints(const Endpoints& endpoints, bool namespaced, field_errors& out) {
  validate_object_meta(endpoints.metadata(), namespaced, name_is_dns_subdomain, out);
  for (int i = 0; i < endpoints.subsets_size(); ++i) {
    const auto& subset = endpoints.subsets(i);
    std::string spath = at("subsets", i);
    if (subset.addresses().empty() && subset.not_ready_addresses().empty()) {
      out.push_back(required_with(spath, "must specify `addresses` or `notReadyAddresses`"));
    }
    auto check_addresses = [&](const auto& addresses, std::string_view field) {
      for (int a = 0; a < addresses.size(); ++a) {
        const auto& address = addresses[a];
        std::string apath = at(child(spath, field), a);
        validate_ip(address.ip(), child(apath, "ip"), out);
        if (!address.hostname().empty()) {
          validate_name_value(address.hostname(), name_is_dns_label, child(apath, "hostname"), out);
        }
        if (!address.node_name().empty()) {
          validate_name_value(address.node_name(), name_is_dns_subdomain, child(apath, "nodeName"),
                              out);
        }
        add_invalid(child(apath, "ip"), quoted(address.ip()), non_special_ip_reasons(address.ip()),
                    out);
      }
    };
    check_addresses(subset.addresses(), "addresses");
    check_addresses(subset.not_ready_addresses(), "notReadyAddresses");
    for (int p = 0; p < subset.ports_size(); ++p) {
      const auto& port = subset.ports(p);
      std::string ppath = at(child(spath, "ports"), p);
      if (subset.ports_size() > 1 && port.name().empty()) {
        out.push_back(required(child(ppath, "name")));
      } else if (!port.name().empty()) {
        validate_name_value(port.name(), name_is_dns_label, child(ppath, "name"), out);
      }
      add_invalid(child(ppath, "port"), go_int(port.port()), is_valid_port_num(port.port()), out);
      validate_protocol(port.protocol(), child(ppath, "protocol"), out);
      if (!port.app_protocol().empty()) {
        add_invalid(child(ppath, "appProtocol"), quoted(port.app_protocol()),
                    is_qualified_name(port.app_protocol()), out);
      }
    }
  }
}

}  // namespace troupe::messages::validation
