// Kubernetes' SetDefaults_* functions for the kinds Troupe serves (k8s.io/kubernetes
// pkg/apis/*/v1/defaults.go), plus the Secret stringData merge that the API server does on
// write. Every rule fills only what is unset, so applying the defaults twice changes nothing.
#include "messages/defaults.hpp"

#include <google/protobuf/message.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"

namespace troupe::messages {
namespace {

constexpr int32_t default_file_mode = 0644;  // 420, as Kubernetes prints it in JSON
constexpr std::string_view rbac_group = "rbac.authorization.k8s.io";

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A path component of an image name: lower-case alphanumeric runs joined by ".", "_", "__"
// or any number of "-" (the distribution/reference grammar).
bool is_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (std::size_t i = 0; i < s.size();) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t end = s.find_first_not_of(s[i], i);
    std::size_t run = end - i;
    bool ok = s[i] == '-' || (s[i] == '.' && run == 1) || (s[i] == '_' && run <= 2);
    if (!ok) return false;
    i = end;
  }
  return true;
}

// Kubernetes' ParseImageName reduced to what the pull policy needs: whether the reference names
// the "latest" tag, explicitly or by having neither tag nor digest. An unparsable image gets no
// tag, hence IfNotPresent, exactly as in Kubernetes.
bool pulls_latest(std::string_view image) {
  bool has_digest = false;
  if (std::size_t at = image.find('@'); at != std::string_view::npos) {
    std::string_view digest = image.substr(at + 1);
    std::size_t colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0 || digest.size() - colon - 1 < 32) {
      return false;
    }
    has_digest = true;
    image = image.substr(0, at);
  }
  std::string_view tag;
  std::size_t slash = image.rfind('/');
  std::size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = image.substr(colon + 1);
    image = image.substr(0, colon);
    bool tag_ok =
        !tag.empty() && tag.size() <= 128 && tag.front() != '.' && tag.front() != '-' &&
        std::all_of(tag.begin(), tag.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
        });
    if (!tag_ok) return false;
  }
  // The first component is a registry when it looks like a host; it may hold upper case.
  std::size_t first = image.find('/');
  if (first != std::string_view::npos) {
    std::string_view domain = image.substr(0, first);
    bool host =
        domain.find_first_of(".:") != std::string_view::npos || domain == "localhost" ||
        std::any_of(domain.begin(), domain.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (host) image = image.substr(first + 1);
  }
  if (image.empty()) return false;
  for (std::size_t start = 0;;) {
    std::size_t end = image.find('/', start);
    if (!is_path_component(image.substr(start, end - start))) return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return tag == "latest" || (tag.empty() && !has_digest);
}

void default_http_get(HTTPGetAction& get) {
  if (get.path().empty()) get.set_path("/");
  if (get.scheme().empty()) get.set_scheme("HTTP");
}

void default_probe(Probe& probe) {
  if (probe.timeout_seconds() == 0) probe.set_timeout_seconds(1);
  if (probe.period_seconds() == 0) probe.set_period_seconds(10);
  if (probe.success_threshold() == 0) probe.set_success_threshold(1);
  if (probe.failure_threshold() == 0) probe.set_failure_threshold(3);
  if (probe.has_http_get()) default_http_get(*probe.mutable_http_get());
}

void default_field_ref(ObjectFieldSelector& ref) {
  if (ref.api_version().empty()) ref.set_api_version("v1");
}

void default_container(Container& c) {
  if (c.image_pull_policy().empty()) {
    c.set_image_pull_policy(pulls_latest(c.image()) ? "Always" : "IfNotPresent");
  }
  if (c.termination_message_path().empty()) c.set_termination_message_path("/dev/termination-log");
  if (c.termination_message_policy().empty()) c.set_termination_message_policy("File");
  for (auto& port : *c.mutable_ports()) {
    if (port.protocol().empty()) port.set_protocol("TCP");
  }
  for (auto& env : *c.mutable_env()) {
    if (env.has_value_from() && env.value_from().has_field_ref()) {
      default_field_ref(*env.mutable_value_from()->mutable_field_ref());
    }
  }
  if (c.has_liveness_probe()) default_probe(*c.mutable_liveness_probe());
  if (c.has_readiness_probe()) default_probe(*c.mutable_readiness_probe());
  if (c.has_startup_probe()) default_probe(*c.mutable_startup_probe());
  if (c.has_lifecycle()) {
    auto& lifecycle = *c.mutable_lifecycle();
    if (lifecycle.post_start().has_http_get()) {
      default_http_get(*lifecycle.mutable_post_start()->mutable_http_get());
    }
    if (lifecycle.pre_stop().has_http_get()) {
      default_http_get(*lifecycle.mutable_pre_stop()->mutable_http_get());
    }
  }
}

void default_downward_items(google::protobuf::RepeatedPtrField<DownwardAPIVolumeFile>& items) {
  for (auto& item : items) {
    if (item.has_field_ref()) default_field_ref(*item.mutable_field_ref());
  }
}

void default_volume(Volume& v) {
  bool has_source = v.has_host_path() || v.has_empty_dir() || v.has_secret() || v.has_nfs() ||
                    v.has_persistent_volume_claim() || v.has_downward_api() || v.has_config_map() ||
                    v.has_projected();
  // A volume with no source is a scratch directory.
  if (!has_source) v.mutable_empty_dir();
  if (v.has_secret() && !v.secret().has_default_mode()) {
    v.mutable_secret()->set_default_mode(default_file_mode);
  }
  if (v.has_config_map() && !v.config_map().has_default_mode()) {
    v.mutable_config_map()->set_default_mode(default_file_mode);
  }
  if (v.has_downward_api()) {
    auto& downward = *v.mutable_downward_api();
    if (!downward.has_default_mode()) downward.set_default_mode(default_file_mode);
    default_downward_items(*downward.mutable_items());
  }
  if (v.has_projected()) {
    auto& projected = *v.mutable_projected();
    if (!projected.has_default_mode()) projected.set_default_mode(default_file_mode);
    for (auto& source : *projected.mutable_sources()) {
      if (source.has_downward_api()) {
        default_downward_items(*source.mutable_downward_api()->mutable_items());
      }
      if (source.has_service_account_token() &&
          !source.service_account_token().has_expiration_seconds()) {
        source.mutable_service_account_token()->set_expiration_seconds(3600);
      }
    }
  }
}

// SetDefaults_PodSpec and the defaults of everything inside it; applies to templates too.
void default_pod_spec(PodSpec& spec) {
  if (spec.dns_policy().empty()) spec.set_dns_policy("ClusterFirst");
  if (spec.restart_policy().empty()) spec.set_restart_policy("Always");
  spec.mutable_security_context();  // an empty PodSecurityContext, as Kubernetes sets
  if (!spec.has_termination_grace_period_seconds()) spec.set_termination_grace_period_seconds(30);
  if (spec.scheduler_name().empty()) spec.set_scheduler_name("default-scheduler");
  for (auto& volume : *spec.mutable_volumes()) {
    default_volume(volume);
  }
  for (auto& c : *spec.mutable_init_containers()) {
    default_container(c);
  }
  for (auto& c : *spec.mutable_containers()) {
    default_container(c);
  }
}

// SetDefaults_Pod: only a Pod, not a template, gets these, so that controllers' templates stay
// as written.
void default_pod_only(google::protobuf::RepeatedPtrField<Container>& list, bool host_network) {
  for (auto& c : list) {
    auto& resources = *c.mutable_resources();
    for (const auto& [name, limit] : resources.limits()) {
      if (resources.requests().count(name) == 0) (*resources.mutable_requests())[name] = limit;
    }
    if (!host_network) continue;
    for (auto& port : *c.mutable_ports()) {
      if (port.host_port() == 0) port.set_host_port(port.container_port());
    }
  }
}

void default_pod(Pod& pod) {
  auto& spec = *pod.mutable_spec();
  default_pod_spec(spec);
  default_pod_only(*spec.mutable_containers(), spec.host_network());
  default_pod_only(*spec.mutable_init_containers(), spec.host_network());
  if (!spec.has_enable_service_links()) spec.set_enable_service_links(true);
}

void default_replication_controller(ReplicationController& rc) {
  auto& spec = *rc.mutable_spec();
  if (spec.has_template_()) {
    const auto& labels = spec.template_().metadata().labels();
    if (!labels.empty()) {
      if (spec.selector().empty()) *spec.mutable_selector() = labels;
      if (rc.metadata().labels().empty()) *rc.mutable_metadata()->mutable_labels() = labels;
    }
    default_pod_spec(*spec.mutable_template_()->mutable_spec());
  }
  if (!spec.has_replicas()) spec.set_replicas(1);
}

void default_replica_set(ReplicaSet& rs) {
  auto& spec = *rs.mutable_spec();
  if (!spec.has_replicas()) spec.set_replicas(1);
  // apps/v1 holds the template by value, so even an absent one gets its pod defaults.
  default_pod_spec(*spec.mutable_template_()->mutable_spec());
}

void default_deployment(Deployment& deployment) {
  auto& spec = *deployment.mutable_spec();
  if (!spec.has_replicas()) spec.set_replicas(1);
  auto& strategy = *spec.mutable_strategy();
  if (strategy.type().empty()) strategy.set_type("RollingUpdate");
  if (strategy.type() == "RollingUpdate") {
    auto& rolling = *strategy.mutable_rolling_update();
    if (rolling.max_unavailable().value_case() == IntOrString::VALUE_NOT_SET) {
      rolling.mutable_max_unavailable()->set_str_val("25%");
    }
    if (rolling.max_surge().value_case() == IntOrString::VALUE_NOT_SET) {
      rolling.mutable_max_surge()->set_str_val("25%");
    }
  }
  if (!spec.has_revision_history_limit()) spec.set_revision_history_limit(10);
  if (!spec.has_progress_deadline_seconds()) spec.set_progress_deadline_seconds(600);
  default_pod_spec(*spec.mutable_template_()->mutable_spec());
}

void default_service(Service& service) {
  auto& spec = *service.mutable_spec();
  if (spec.session_affinity().empty()) spec.set_session_affinity("None");
  if (spec.session_affinity() == "None") spec.clear_session_affinity_config();
  if (spec.session_affinity() == "ClientIP" &&
      !spec.session_affinity_config().client_ip().has_timeout_seconds()) {
    spec.mutable_session_affinity_config()->mutable_client_ip()->set_timeout_seconds(
        10800);  // 3 hours
  }
  if (spec.type().empty()) spec.set_type("ClusterIP");
  for (auto& port : *spec.mutable_ports()) {
    if (port.protocol().empty()) port.set_protocol("TCP");
    const auto& target = port.target_port();
    bool unset = target.value_case() == IntOrString::VALUE_NOT_SET ||
                 (target.value_case() == IntOrString::kIntVal && target.int_val() == 0) ||
                 (target.value_case() == IntOrString::kStrVal && target.str_val().empty());
    if (unset) port.mutable_target_port()->set_int_val(port.port());
  }
  const std::string& type = spec.type();
  bool externally_accessible = type == "LoadBalancer" || type == "NodePort" ||
                               (type == "ClusterIP" && !spec.external_ips().empty());
  if (externally_accessible && spec.external_traffic_policy().empty()) {
    spec.set_external_traffic_policy("Cluster");
  }
  bool internal = type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP";
  if (internal && spec.internal_traffic_policy().empty()) {
    spec.set_internal_traffic_policy("Cluster");
  }
  if (type == "LoadBalancer" && !spec.has_allocate_load_balancer_node_ports()) {
    spec.set_allocate_load_balancer_node_ports(true);
  }
}

void default_secret(Secret& secret) {
  if (secret.type().empty()) secret.set_type("Opaque");
  // The API server folds the write-only stringData into data; stringData wins on conflict.
  for (const auto& [key, value] : secret.string_data()) {
    (*secret.mutable_data())[key] = value;
  }
  secret.clear_string_data();
}

void default_hpa_rules(HPAScalingRules& rules, bool scale_up) {
  if (scale_up && !rules.has_stabilization_window_seconds()) {
    rules.set_stabilization_window_seconds(0);
  }
  if (rules.select_policy().empty()) rules.set_select_policy("Max");
  if (!rules.policies().empty()) return;
  auto add = [&](const char* type, int32_t value) {
    auto* policy = rules.add_policies();
    policy->set_type(type);
    policy->set_value(value);
    policy->set_period_seconds(15);
  };
  if (scale_up) add("Pods", 4);
  add("Percent", 100);
}

void default_hpa(HorizontalPodAutoscaler& hpa) {
  auto& spec = *hpa.mutable_spec();
  if (!spec.has_min_replicas()) spec.set_min_replicas(1);
  if (spec.metrics().empty()) {
    auto* metric = spec.add_metrics();
    metric->set_type("Resource");
    auto* resource = metric->mutable_resource();
    resource->set_name("cpu");
    resource->mutable_target()->set_type("Utilization");
    resource->mutable_target()->set_average_utilization(80);
  }
  if (spec.has_behavior()) {
    default_hpa_rules(*spec.mutable_behavior()->mutable_scale_up(), true);
    default_hpa_rules(*spec.mutable_behavior()->mutable_scale_down(), false);
  }
}

void default_hpa_v1(HorizontalPodAutoscalerV1& hpa) {
  auto& spec = *hpa.mutable_spec();
  if (!spec.has_min_replicas()) spec.set_min_replicas(1);
  // Stored as autoscaling/v2, whose default metric reads back in v1 as 80%.
  if (!spec.has_target_cpu_utilization_percentage()) spec.set_target_cpu_utilization_percentage(80);
}

void default_network_policy(NetworkPolicy& policy) {
  auto& spec = *policy.mutable_spec();
  auto default_ports = [](auto& rules) {
    for (auto& rule : rules) {
      for (auto& port : *rule.mutable_ports()) {
        if (!port.has_protocol()) port.set_protocol("TCP");
      }
    }
  };
  default_ports(*spec.mutable_ingress());
  default_ports(*spec.mutable_egress());
  // Every policy affects ingress; it affects egress only when it has egress rules.
  if (spec.policy_types().empty()) {
    spec.add_policy_types("Ingress");
    if (!spec.egress().empty()) spec.add_policy_types("Egress");
  }
}

template <class Binding>
void default_binding(Binding& binding) {
  if (binding.role_ref().api_group().empty()) {
    binding.mutable_role_ref()->set_api_group(std::string(rbac_group));
  }
  for (auto& subject : *binding.mutable_subjects()) {
    if (subject.api_group().empty() && (subject.kind() == "User" || subject.kind() == "Group")) {
      subject.set_api_group(std::string(rbac_group));
    }
  }
}

void default_namespace(Namespace& ns) {
  // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
  if (!ns.metadata().name().empty()) {
    (*ns.mutable_metadata()->mutable_labels())["kubernetes.io/metadata.name"] =
        ns.metadata().name();
  }
  if (ns.status().phase().empty()) ns.mutable_status()->set_phase("Active");
}

void default_node(Node& node) {
  auto& status = *node.mutable_status();
  if (status.allocatable().empty() && !status.capacity().empty()) {
    *status.mutable_allocatable() = status.capacity();
  }
}

void default_endpoints(Endpoints& endpoints) {
  for (auto& subset : *endpoints.mutable_subsets()) {
    for (auto& port : *subset.mutable_ports()) {
      if (port.protocol().empty()) port.set_protocol("TCP");
    }
  }
}

void default_persistent_volume(PersistentVolume& pv) {
  if (pv.status().phase().empty()) pv.mutable_status()->set_phase("Pending");
  auto& spec = *pv.mutable_spec();
  if (spec.persistent_volume_reclaim_policy().empty()) {
    spec.set_persistent_volume_reclaim_policy("Retain");
  }
  if (spec.volume_mode().empty()) spec.set_volume_mode("Filesystem");
}

void default_persistent_volume_claim(PersistentVolumeClaim& pvc) {
  if (pvc.status().phase().empty()) pvc.mutable_status()->set_phase("Pending");
  if (pvc.spec().volume_mode().empty()) pvc.mutable_spec()->set_volume_mode("Filesystem");
}

template <class T, void (*F)(T&)>
void run(google::protobuf::Message& object) {
  F(static_cast<T&>(object));
}

struct defaulter {
  const google::protobuf::Descriptor* (*descriptor)();
  void (*apply)(google::protobuf::Message&);
};

template <class T, void (*F)(T&)>
constexpr defaulter entry() {
  return {&T::descriptor, &run<T, F>};
}

// Kinds without defaults (ConfigMap, Event, ServiceAccount, Role, ClusterRole) are absent.
const defaulter defaulters[] = {
    entry<Pod, default_pod>(),
    entry<Service, default_service>(),
    entry<ReplicationController, default_replication_controller>(),
    entry<ReplicaSet, default_replica_set>(),
    entry<Deployment, default_deployment>(),
    entry<Endpoints, default_endpoints>(),
    entry<Namespace, default_namespace>(),
    entry<Node, default_node>(),
    entry<Secret, default_secret>(),
    entry<PersistentVolume, default_persistent_volume>(),
    entry<PersistentVolumeClaim, default_persistent_volume_claim>(),
    entry<HorizontalPodAutoscaler, default_hpa>(),
    entry<HorizontalPodAutoscalerV1, default_hpa_v1>(),
    entry<NetworkPolicy, default_network_policy>(),
    entry<RoleBinding, default_binding<RoleBinding>>(),
    entry<ClusterRoleBinding, default_binding<ClusterRoleBinding>>(),
};

}  // namespace

void apply_defaults(google::protobuf::Message& object, const kind_info& /*kind*/) {
  const auto* descriptor = object.GetDescriptor();
  for (const auto& d : defaulters) {
    if (d.descriptor() == descriptor) {
      d.apply(object);
      return;
    }
  }
}

}  // namespace troupe::messages
