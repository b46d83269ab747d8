// Defaulting fills what Kubernetes' SetDefaults_* functions fill, leaves what the user wrote,
// and applying it twice changes nothing.
#include <boost/test/unit_test.hpp>

#include <google/protobuf/util/message_differencer.h>

#include <string>

#include "messages/defaults.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"
#include "messages/validation/validate.hpp"

namespace msg = troupe::messages;

namespace {

template <class T>
T defaulted(T object) {
  msg::apply_defaults(object, *msg::find_kind(T::descriptor()));
  return object;
}

// Defaulting an already defaulted object is a no-op, and the result is valid.
template <class T>
void check_idempotent_and_valid(const T& object) {
  T once = defaulted(object);
  T twice = defaulted(once);
  BOOST_TEST(google::protobuf::util::MessageDifferencer::Equals(once, twice),
             T::descriptor()->name() << " changed on the second pass:\n"
                                     << once.DebugString() << "\nvs\n"
                                     << twice.DebugString());
  for (const auto& e : msg::validate(once, *msg::find_kind(T::descriptor()))) {
    BOOST_TEST(false, T::descriptor()->name() << ": " << e.to_string());
  }
}

msg::Container* add_container(msg::PodSpec& spec, const char* name, const char* image) {
  auto* c = spec.add_containers();
  c->set_name(name);
  c->set_image(image);
  return c;
}

msg::Pod simple_pod(const char* image = "nginx") {
  msg::Pod pod;
  pod.mutable_metadata()->set_name("web");
  add_container(*pod.mutable_spec(), "web", image);
  return pod;
}

std::string pull_policy(const char* image) {
  return defaulted(simple_pod(image)).spec().containers(0).image_pull_policy();
}

msg::Quantity quantity(int64_t milli) {
  msg::Quantity q;
  q.set_milli(milli);
  q.set_format("DecimalSI");
  return q;
}

msg::Deployment simple_deployment() {
  msg::Deployment d;
  d.mutable_metadata()->set_name("web");
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* tmpl = d.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "web";
  add_container(*tmpl->mutable_spec(), "web", "nginx:1.25");
  return d;
}

msg::Service simple_service(const char* type = "") {
  msg::Service s;
  s.mutable_metadata()->set_name("web");
  s.mutable_spec()->set_type(type);
  s.mutable_spec()->add_ports()->set_port(80);
  (*s.mutable_spec()->mutable_selector())["app"] = "web";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_defaults)

BOOST_AUTO_TEST_CASE(pod_spec_defaults) {
  msg::Pod pod = defaulted(simple_pod());
  const auto& spec = pod.spec();
  BOOST_TEST(spec.restart_policy() == "Always");
  BOOST_TEST(spec.dns_policy() == "ClusterFirst");
  BOOST_TEST(spec.scheduler_name() == "default-scheduler");
  BOOST_TEST(spec.has_termination_grace_period_seconds());
  BOOST_TEST(spec.termination_grace_period_seconds() == 30);
  BOOST_TEST(spec.has_security_context());
  BOOST_TEST(spec.security_context().ByteSizeLong() == 0u);  // set, and empty
  BOOST_TEST(spec.has_enable_service_links());
  BOOST_TEST(spec.enable_service_links());
}

BOOST_AUTO_TEST_CASE(pod_spec_defaults_keep_what_was_written) {
  msg::Pod pod = simple_pod();
  pod.mutable_spec()->set_restart_policy("Never");
  pod.mutable_spec()->set_dns_policy("Default");
  pod.mutable_spec()->set_termination_grace_period_seconds(0);
  pod.mutable_spec()->set_enable_service_links(false);
  pod = defaulted(pod);
  BOOST_TEST(pod.spec().restart_policy() == "Never");
  BOOST_TEST(pod.spec().dns_policy() == "Default");
  BOOST_TEST(pod.spec().termination_grace_period_seconds() == 0);
  BOOST_TEST(!pod.spec().enable_service_links());
}

BOOST_AUTO_TEST_CASE(container_defaults) {
  msg::Pod pod = simple_pod();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->add_ports()->set_container_port(80);
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("setup");
  init->set_image("busybox:1.36");
  pod = defaulted(pod);
  for (const auto* container : {&pod.spec().containers(0), &pod.spec().init_containers(0)}) {
    BOOST_TEST(container->termination_message_path() == "/dev/termination-log");
    BOOST_TEST(container->termination_message_policy() == "File");
  }
  BOOST_TEST(pod.spec().containers(0).ports(0).protocol() == "TCP");
  BOOST_TEST(pod.spec().init_containers(0).image_pull_policy() == "IfNotPresent");
}

BOOST_AUTO_TEST_CASE(image_pull_policy_follows_the_tag) {
  BOOST_TEST(pull_policy("nginx") == "Always");  // no tag means latest
  BOOST_TEST(pull_policy("nginx:latest") == "Always");
  BOOST_TEST(pull_policy("nginx:1.25") == "IfNotPresent");
  BOOST_TEST(pull_policy("docker.io/library/nginx") == "Always");
  BOOST_TEST(pull_policy("localhost:5000/team/app") == "Always");  // a port is not a tag
  BOOST_TEST(pull_policy("localhost:5000/team/app:v2") == "IfNotPresent");
  BOOST_TEST(pull_policy(
                 "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
             "IfNotPresent");                          // a digest pins the image
  BOOST_TEST(pull_policy("Nginx") == "IfNotPresent");  // unparsable, so no tag, as in Kubernetes
  BOOST_TEST(pull_policy("") == "IfNotPresent");
  msg::Pod pod = simple_pod();
  pod.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Never");
  BOOST_TEST(defaulted(pod).spec().containers(0).image_pull_policy() == "Never");
}

BOOST_AUTO_TEST_CASE(probe_and_handler_defaults) {
  msg::Pod pod = simple_pod();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->mutable_liveness_probe()->mutable_http_get()->mutable_port()->set_int_val(80);
  c->mutable_readiness_probe()->mutable_tcp_socket()->mutable_port()->set_int_val(80);
  c->mutable_readiness_probe()->set_period_seconds(5);
  c->mutable_lifecycle()->mutable_pre_stop()->mutable_http_get()->mutable_port()->set_int_val(80);
  pod = defaulted(pod);
  const auto& live = pod.spec().containers(0).liveness_probe();
  BOOST_TEST(live.timeout_seconds() == 1);
  BOOST_TEST(live.period_seconds() == 10);
  BOOST_TEST(live.success_threshold() == 1);
  BOOST_TEST(live.failure_threshold() == 3);
  BOOST_TEST(live.http_get().scheme() == "HTTP");
  BOOST_TEST(live.http_get().path() == "/");
  BOOST_TEST(pod.spec().containers(0).readiness_probe().period_seconds() == 5);
  BOOST_TEST(pod.spec().containers(0).lifecycle().pre_stop().http_get().scheme() == "HTTP");
}

BOOST_AUTO_TEST_CASE(env_field_ref_api_version) {
  msg::Pod pod = simple_pod();
  auto* env = pod.mutable_spec()->mutable_containers(0)->add_env();
  env->set_name("POD_NAME");
  env->mutable_value_from()->mutable_field_ref()->set_field_path("metadata.name");
  pod = defaulted(pod);
  BOOST_TEST(pod.spec().containers(0).env(0).value_from().field_ref().api_version() == "v1");
}

BOOST_AUTO_TEST_CASE(volume_defaults) {
  msg::Pod pod = simple_pod();
  pod.mutable_spec()->add_volumes()->set_name("scratch");
  auto* secret = pod.mutable_spec()->add_volumes();
  secret->set_name("creds");
  secret->mutable_secret()->set_secret_name("creds");
  auto* config = pod.mutable_spec()->add_volumes();
  config->set_name("config");
  config->mutable_config_map()->set_name("config");
  config->mutable_config_map()->set_default_mode(0400);
  auto* host = pod.mutable_spec()->add_volumes();
  host->set_name("logs");
  host->mutable_host_path()->set_path("/var/log");
  pod = defaulted(pod);
  BOOST_TEST(pod.spec().volumes(0).has_empty_dir());  // a volume without a source
  BOOST_TEST(pod.spec().volumes(1).secret().default_mode() == 420);
  BOOST_TEST(pod.spec().volumes(2).config_map().default_mode() == 0400);
  BOOST_TEST(pod.spec().volumes(3).host_path().type() == "");
  BOOST_TEST(!pod.spec().volumes(3).has_empty_dir());
}

BOOST_AUTO_TEST_CASE(pod_requests_default_to_limits) {
  msg::Pod pod = simple_pod();
  auto* resources = pod.mutable_spec()->mutable_containers(0)->mutable_resources();
  (*resources->mutable_limits())["cpu"] = quantity(1000);
  (*resources->mutable_limits())["memory"] = quantity(128000);
  (*resources->mutable_requests())["cpu"] = quantity(250);
  pod = defaulted(pod);
  const auto& requests = pod.spec().containers(0).resources().requests();
  BOOST_TEST(requests.at("cpu").milli() == 250);
  BOOST_TEST(requests.at("memory").milli() == 128000);
}

BOOST_AUTO_TEST_CASE(pod_host_network_host_ports) {
  msg::Pod pod = simple_pod();
  pod.mutable_spec()->set_host_network(true);
  pod.mutable_spec()->mutable_containers(0)->add_ports()->set_container_port(8080);
  BOOST_TEST(defaulted(pod).spec().containers(0).ports(0).host_port() == 8080);
}

BOOST_AUTO_TEST_CASE(template_gets_pod_spec_defaults_but_not_pod_ones) {
  msg::Deployment d = simple_deployment();
  auto* c = d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0);
  (*c->mutable_resources()->mutable_limits())["cpu"] = quantity(1000);
  d = defaulted(d);
  const auto& spec = d.spec().template_().spec();
  BOOST_TEST(spec.restart_policy() == "Always");
  BOOST_TEST(spec.dns_policy() == "ClusterFirst");
  BOOST_TEST(spec.termination_grace_period_seconds() == 30);
  BOOST_TEST(spec.containers(0).image_pull_policy() == "IfNotPresent");
  // Kubernetes applies these only to Pods, so a template reads back as written.
  BOOST_TEST(!spec.has_enable_service_links());
  BOOST_TEST(spec.containers(0).resources().requests().empty());
}

BOOST_AUTO_TEST_CASE(deployment_defaults) {
  msg::Deployment d = defaulted(simple_deployment());
  BOOST_TEST(d.spec().replicas() == 1);
  BOOST_TEST(d.spec().strategy().type() == "RollingUpdate");
  BOOST_TEST(d.spec().strategy().rolling_update().max_unavailable().str_val() == "25%");
  BOOST_TEST(d.spec().strategy().rolling_update().max_surge().str_val() == "25%");
  BOOST_TEST(d.spec().revision_history_limit() == 10);
  BOOST_TEST(d.spec().progress_deadline_seconds() == 600);
  BOOST_TEST(d.spec().min_ready_seconds() == 0);

  msg::Deployment custom = simple_deployment();
  custom.mutable_spec()->set_replicas(0);
  custom.mutable_spec()
      ->mutable_strategy()
      ->mutable_rolling_update()
      ->mutable_max_surge()
      ->set_int_val(2);
  custom = defaulted(custom);
  BOOST_TEST(custom.spec().replicas() == 0);
  BOOST_TEST(custom.spec().strategy().rolling_update().max_surge().int_val() == 2);
  BOOST_TEST(custom.spec().strategy().rolling_update().max_unavailable().str_val() == "25%");

  msg::Deployment recreate = simple_deployment();
  recreate.mutable_spec()->mutable_strategy()->set_type("Recreate");
  BOOST_TEST(!defaulted(recreate).spec().strategy().has_rolling_update());
}

BOOST_AUTO_TEST_CASE(replicaset_defaults) {
  msg::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web");
  BOOST_TEST(defaulted(rs).spec().replicas() == 1);
}

BOOST_AUTO_TEST_CASE(replication_controller_defaults) {
  msg::ReplicationController rc;
  rc.mutable_metadata()->set_name("web");
  auto* tmpl = rc.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "web";
  add_container(*tmpl->mutable_spec(), "web", "nginx");
  msg::ReplicationController out = defaulted(rc);
  BOOST_TEST(out.spec().replicas() == 1);
  BOOST_TEST(out.spec().selector().at("app") == "web");
  BOOST_TEST(out.metadata().labels().at("app") == "web");

  (*rc.mutable_spec()->mutable_selector())["tier"] = "front";
  (*rc.mutable_metadata()->mutable_labels())["owner"] = "me";
  out = defaulted(rc);
  BOOST_TEST(out.spec().selector().size() == 1u);
  BOOST_TEST(out.spec().selector().at("tier") == "front");
  BOOST_TEST(out.metadata().labels().size() == 1u);
}

BOOST_AUTO_TEST_CASE(service_defaults) {
  msg::Service s = defaulted(simple_service());
  BOOST_TEST(s.spec().type() == "ClusterIP");
  BOOST_TEST(s.spec().session_affinity() == "None");
  BOOST_TEST(s.spec().ports(0).protocol() == "TCP");
  BOOST_TEST(s.spec().ports(0).target_port().int_val() == 80);
  BOOST_TEST(s.spec().internal_traffic_policy() == "Cluster");
  BOOST_TEST(s.spec().external_traffic_policy() == "");

  msg::Service node_port = defaulted(simple_service("NodePort"));
  BOOST_TEST(node_port.spec().external_traffic_policy() == "Cluster");

  msg::Service balanced = defaulted(simple_service("LoadBalancer"));
  BOOST_TEST(balanced.spec().allocate_load_balancer_node_ports());

  msg::Service named = simple_service();
  named.mutable_spec()->mutable_ports(0)->mutable_target_port()->set_str_val("http");
  named.mutable_spec()->set_session_affinity("ClientIP");
  named = defaulted(named);
  BOOST_TEST(named.spec().ports(0).target_port().str_val() == "http");
  BOOST_TEST(named.spec().session_affinity_config().client_ip().timeout_seconds() == 10800);

  msg::Service external = simple_service("ExternalName");
  external.mutable_spec()->set_external_name("db.example.com");
  BOOST_TEST(defaulted(external).spec().internal_traffic_policy() == "");
}

BOOST_AUTO_TEST_CASE(secret_defaults_merge_string_data) {
  msg::Secret secret;
  secret.mutable_metadata()->set_name("creds");
  (*secret.mutable_data())["username"] = "admin";
  (*secret.mutable_data())["password"] = "old";
  (*secret.mutable_string_data())["password"] = "new";
  secret = defaulted(secret);
  BOOST_TEST(secret.type() == "Opaque");
  BOOST_TEST(secret.data().at("username") == "admin");
  BOOST_TEST(secret.data().at("password") == "new");  // stringData wins
  BOOST_TEST(secret.string_data().empty());

  msg::Secret tls;
  tls.set_type("kubernetes.io/tls");
  BOOST_TEST(defaulted(tls).type() == "kubernetes.io/tls");
}

BOOST_AUTO_TEST_CASE(storage_defaults) {
  msg::PersistentVolume pv;
  pv.mutable_metadata()->set_name("pv");
  pv = defaulted(pv);
  BOOST_TEST(pv.spec().persistent_volume_reclaim_policy() == "Retain");
  BOOST_TEST(pv.spec().volume_mode() == "Filesystem");
  BOOST_TEST(pv.status().phase() == "Pending");

  msg::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("claim");
  pvc.mutable_spec()->set_volume_mode("Block");
  pvc = defaulted(pvc);
  BOOST_TEST(pvc.spec().volume_mode() == "Block");
  BOOST_TEST(pvc.status().phase() == "Pending");
  msg::PersistentVolumeClaim plain;
  BOOST_TEST(defaulted(plain).spec().volume_mode() == "Filesystem");
}

BOOST_AUTO_TEST_CASE(hpa_defaults) {
  msg::HorizontalPodAutoscaler hpa;
  hpa.mutable_metadata()->set_name("web");
  hpa = defaulted(hpa);
  BOOST_TEST(hpa.spec().min_replicas() == 1);
  BOOST_REQUIRE(hpa.spec().metrics_size() == 1);
  const auto& metric = hpa.spec().metrics(0);
  BOOST_TEST(metric.type() == "Resource");
  BOOST_TEST(metric.resource().name() == "cpu");
  BOOST_TEST(metric.resource().target().type() == "Utilization");
  BOOST_TEST(metric.resource().target().average_utilization() == 80);

  msg::HorizontalPodAutoscaler behaving;
  behaving.mutable_spec()
      ->mutable_behavior()
      ->mutable_scale_down()
      ->set_stabilization_window_seconds(60);
  behaving = defaulted(behaving);
  const auto& up = behaving.spec().behavior().scale_up();
  BOOST_TEST(up.stabilization_window_seconds() == 0);
  BOOST_TEST(up.select_policy() == "Max");
  BOOST_REQUIRE(up.policies_size() == 2);
  BOOST_TEST(up.policies(0).type() == "Pods");
  BOOST_TEST(up.policies(0).value() == 4);
  BOOST_TEST(up.policies(1).type() == "Percent");
  BOOST_TEST(up.policies(1).value() == 100);
  const auto& down = behaving.spec().behavior().scale_down();
  BOOST_TEST(down.stabilization_window_seconds() == 60);
  BOOST_REQUIRE(down.policies_size() == 1);
  BOOST_TEST(down.policies(0).period_seconds() == 15);

  msg::HorizontalPodAutoscalerV1 v1;
  v1 = defaulted(v1);
  BOOST_TEST(v1.spec().min_replicas() == 1);
  BOOST_TEST(v1.spec().target_cpu_utilization_percentage() == 80);
}

BOOST_AUTO_TEST_CASE(network_policy_defaults) {
  msg::NetworkPolicy ingress_only;
  ingress_only.mutable_spec()->add_ingress()->add_ports();
  ingress_only = defaulted(ingress_only);
  BOOST_TEST(ingress_only.spec().policy_types_size() == 1);
  BOOST_TEST(ingress_only.spec().policy_types(0) == "Ingress");
  BOOST_TEST(ingress_only.spec().ingress(0).ports(0).protocol() == "TCP");

  msg::NetworkPolicy both;
  both.mutable_spec()->add_egress();
  both = defaulted(both);
  BOOST_REQUIRE(both.spec().policy_types_size() == 2);
  BOOST_TEST(both.spec().policy_types(1) == "Egress");
}

BOOST_AUTO_TEST_CASE(other_kind_defaults) {
  msg::Namespace ns;
  ns.mutable_metadata()->set_name("team-a");
  ns = defaulted(ns);
  BOOST_TEST(ns.metadata().labels().at("kubernetes.io/metadata.name") == "team-a");
  BOOST_TEST(ns.status().phase() == "Active");

  msg::Node node;
  (*node.mutable_status()->mutable_capacity())["cpu"] = quantity(4000);
  BOOST_TEST(defaulted(node).status().allocatable().at("cpu").milli() == 4000);

  msg::Endpoints ep;
  ep.add_subsets()->add_ports()->set_port(80);
  BOOST_TEST(defaulted(ep).subsets(0).ports(0).protocol() == "TCP");

  msg::RoleBinding binding;
  auto* user = binding.add_subjects();
  user->set_kind("User");
  auto* sa = binding.add_subjects();
  sa->set_kind("ServiceAccount");
  binding = defaulted(binding);
  BOOST_TEST(binding.role_ref().api_group() == "rbac.authorization.k8s.io");
  BOOST_TEST(binding.subjects(0).api_group() == "rbac.authorization.k8s.io");
  BOOST_TEST(binding.subjects(1).api_group() == "");
}

BOOST_AUTO_TEST_CASE(defaults_are_idempotent) {
  msg::Pod pod = simple_pod();
  pod.mutable_spec()->add_volumes()->set_name("scratch");
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->add_ports()->set_container_port(80);
  c->mutable_liveness_probe()->mutable_http_get()->mutable_port()->set_int_val(80);
  (*c->mutable_resources()->mutable_limits())["cpu"] = quantity(500);
  check_idempotent_and_valid(pod);
  check_idempotent_and_valid(simple_deployment());
  check_idempotent_and_valid(simple_service("NodePort"));

  msg::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web");
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  (*rs.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "web";
  add_container(*rs.mutable_spec()->mutable_template_()->mutable_spec(), "web", "nginx");
  check_idempotent_and_valid(rs);

  msg::Secret secret;
  secret.mutable_metadata()->set_name("creds");
  (*secret.mutable_string_data())["token"] = "abc";
  check_idempotent_and_valid(secret);

  msg::HorizontalPodAutoscaler hpa;
  hpa.mutable_metadata()->set_name("web");
  hpa.mutable_spec()->mutable_scale_target_ref()->set_kind("Deployment");
  hpa.mutable_spec()->mutable_scale_target_ref()->set_name("web");
  hpa.mutable_spec()->set_max_replicas(3);
  hpa.mutable_spec()->mutable_behavior();
  check_idempotent_and_valid(hpa);

  msg::NetworkPolicy np;
  np.mutable_metadata()->set_name("deny");
  np.mutable_spec()->add_egress();
  check_idempotent_and_valid(np);

  msg::Namespace ns;
  ns.mutable_metadata()->set_name("team-a");
  check_idempotent_and_valid(ns);
}

BOOST_AUTO_TEST_CASE(kinds_without_defaults_are_untouched) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name("config");
  (*cm.mutable_data())["k"] = "v";
  msg::ConfigMap out = defaulted(cm);
  BOOST_TEST(google::protobuf::util::MessageDifferencer::Equals(cm, out));
}

BOOST_AUTO_TEST_SUITE_END()
