// Validation reports what the Kubernetes API server reports on create, word for word: for each
// kind a valid object passes, and each kind of mistake gives its exact path and message.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "messages/defaults.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"
#include "messages/validation/names.hpp"
#include "messages/validation/validate.hpp"

namespace msg = troupe::messages;

namespace {

using errors = std::vector<std::string>;

const std::string subdomain_reason =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string label_reason =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string dns1035_reason =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const std::string label_value_reason =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string config_key_reason =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')";
const std::string percent_reason =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
    "'93%', regex used for validation is '[0-9]+%')";
const std::string port_range = "must be between 1 and 65535, inclusive";

template <class T>
const msg::kind_info& kind_of() {
  return *msg::find_kind(T::descriptor());
}

// What the API server answers on create: defaults first, then validation.
template <class T>
errors create(T object) {
  msg::apply_defaults(object, kind_of<T>());
  errors out;
  for (const auto& e : msg::validate(object, kind_of<T>()))
    out.push_back(e.to_string());
  return out;
}

// Validation alone, for the mistakes that defaulting would otherwise repair.
template <class T>
errors validate_only(const T& object) {
  errors out;
  for (const auto& e : msg::validate(object, kind_of<T>()))
    out.push_back(e.to_string());
  return out;
}

std::string listing(const errors& list) {
  std::string out;
  for (const auto& e : list)
    out += "\n  " + e;
  return out.empty() ? " (none)" : out;
}

// Compares whole lists, in order, and prints both on a mismatch.
#define EXPECT_ERRORS(actual, ...)                                          \
  do {                                                                      \
    errors got = (actual);                                                  \
    errors want = __VA_ARGS__;                                              \
    bool same = got == want;                                                \
    BOOST_TEST(same, "got:" << listing(got) << "\nwant:" << listing(want)); \
  } while (false)

#define EXPECT_HAS(actual, expected)                                    \
  do {                                                                  \
    errors got = (actual);                                              \
    std::string want = (expected);                                      \
    bool found = std::find(got.begin(), got.end(), want) != got.end();  \
    BOOST_TEST(found, "missing: " << want << "\ngot:" << listing(got)); \
  } while (false)

void set_labels(msg::ObjectMeta& meta,
                std::initializer_list<std::pair<const char*, const char*>> labels) {
  for (const auto& [k, v] : labels)
    (*meta.mutable_labels())[k] = v;
}

msg::Container* add_container(msg::PodSpec& spec, const char* name, const char* image) {
  auto* c = spec.add_containers();
  c->set_name(name);
  c->set_image(image);
  return c;
}

msg::Quantity quantity(int64_t milli, const char* format = "DecimalSI") {
  msg::Quantity q;
  q.set_milli(milli);
  q.set_format(format);
  return q;
}

msg::Pod tutorial_pod() {
  msg::Pod pod;
  pod.mutable_metadata()->set_name("myapp-pod");
  set_labels(*pod.mutable_metadata(), {{"app", "myapp"}, {"type", "front-end"}});
  add_container(*pod.mutable_spec(), "nginx-container", "nginx");
  return pod;
}

void fill_template(msg::PodTemplateSpec& tmpl) {
  tmpl.mutable_metadata()->set_name("myapp-pod");
  set_labels(*tmpl.mutable_metadata(), {{"app", "myapp"}, {"type", "front-end"}});
  add_container(*tmpl.mutable_spec(), "nginx-container", "nginx");
}

msg::Deployment tutorial_deployment() {
  msg::Deployment d;
  d.mutable_metadata()->set_name("myapp-deployment");
  set_labels(*d.mutable_metadata(), {{"app", "myapp"}, {"type", "front-end"}});
  d.mutable_spec()->set_replicas(3);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["type"] = "front-end";
  fill_template(*d.mutable_spec()->mutable_template_());
  return d;
}

msg::ReplicaSet tutorial_replica_set() {
  msg::ReplicaSet rs;
  rs.mutable_metadata()->set_name("myapp-replicaset");
  rs.mutable_spec()->set_replicas(3);
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["type"] = "front-end";
  fill_template(*rs.mutable_spec()->mutable_template_());
  return rs;
}

msg::ReplicationController tutorial_rc() {
  msg::ReplicationController rc;
  rc.mutable_metadata()->set_name("myapp-rc");
  rc.mutable_spec()->set_replicas(3);
  fill_template(*rc.mutable_spec()->mutable_template_());
  return rc;
}

msg::Service nodeport_service(int32_t node_port = 30008) {
  msg::Service s;
  s.mutable_metadata()->set_name("myapp-service");
  s.mutable_spec()->set_type("NodePort");
  auto* port = s.mutable_spec()->add_ports();
  port->mutable_target_port()->set_int_val(80);
  port->set_port(80);
  port->set_node_port(node_port);
  (*s.mutable_spec()->mutable_selector())["app"] = "myapp";
  return s;
}

msg::PersistentVolume tutorial_pv() {
  msg::PersistentVolume pv;
  pv.mutable_metadata()->set_name("task-pv-volume");
  pv.mutable_spec()->set_storage_class_name("manual");
  (*pv.mutable_spec()->mutable_capacity())["storage"] =
      quantity(10LL * 1024 * 1024 * 1024 * 1000, "BinarySI");
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->mutable_host_path()->set_path("/mnt/data");
  return pv;
}

msg::PersistentVolumeClaim tutorial_pvc() {
  msg::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("task-pv-claim");
  pvc.mutable_spec()->set_storage_class_name("manual");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] =
      quantity(3LL * 1024 * 1024 * 1024 * 1000, "BinarySI");
  return pvc;
}

msg::HorizontalPodAutoscaler tutorial_hpa() {
  msg::HorizontalPodAutoscaler hpa;
  hpa.mutable_metadata()->set_name("myapp-deployment");
  auto* spec = hpa.mutable_spec();
  spec->mutable_scale_target_ref()->set_api_version("apps/v1");
  spec->mutable_scale_target_ref()->set_kind("Deployment");
  spec->mutable_scale_target_ref()->set_name("myapp-deployment");
  spec->set_min_replicas(1);
  spec->set_max_replicas(10);
  auto* metric = spec->add_metrics();
  metric->set_type("Resource");
  metric->mutable_resource()->set_name("cpu");
  metric->mutable_resource()->mutable_target()->set_type("Utilization");
  metric->mutable_resource()->mutable_target()->set_average_utilization(50);
  return hpa;
}

msg::NetworkPolicy tutorial_network_policy() {
  msg::NetworkPolicy np;
  np.mutable_metadata()->set_name("mongodb-allow-express");
  (*np.mutable_spec()->mutable_pod_selector()->mutable_match_labels())["app"] = "mongodb";
  auto* rule = np.mutable_spec()->add_ingress();
  (*rule->add_from()->mutable_pod_selector()->mutable_match_labels())["app"] = "mongo-express";
  auto* block = rule->add_from()->mutable_ip_block();
  block->set_cidr("172.17.0.0/16");
  block->add_except_cidrs("172.17.1.0/24");
  auto* port = rule->add_ports();
  port->set_protocol("TCP");
  port->mutable_port()->set_int_val(27017);
  return np;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_validation)

// ---- Every kind -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_kind_has_a_validator) {
  for (const auto& kind : msg::all_kinds()) {
    auto object = kind.new_object();
    for (const auto& e : msg::validate(*object, kind)) {
      BOOST_TEST(e.detail.find("Internal error") == std::string::npos,
                 kind.kind << ": " << e.to_string());
    }
  }
}

BOOST_AUTO_TEST_CASE(metadata_name_required) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_metadata()->clear_name();
  EXPECT_ERRORS(create(pod), {"metadata.name: Required value: name or generateName is required"});
}

BOOST_AUTO_TEST_CASE(metadata_generate_name_stands_in_for_name) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_metadata()->clear_name();
  pod.mutable_metadata()->set_generate_name("myapp-");
  EXPECT_ERRORS(create(pod), {});
}

BOOST_AUTO_TEST_CASE(metadata_name_must_be_dns_subdomain) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_metadata()->set_name("My_App");
  EXPECT_ERRORS(create(pod), {"metadata.name: Invalid value: \"My_App\": " + subdomain_reason});
}

BOOST_AUTO_TEST_CASE(metadata_name_longer_than_253) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name(std::string(254, 'a'));
  EXPECT_ERRORS(create(cm), {"metadata.name: Invalid value: \"" + std::string(254, 'a') +
                             "\": must be no more than 253 characters"});
}

BOOST_AUTO_TEST_CASE(metadata_namespace_must_be_dns_label) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_metadata()->set_namespace_("team.a");
  EXPECT_ERRORS(create(pod),
                {"metadata.namespace: Invalid value: \"team.a\": must not contain dots"});
}

BOOST_AUTO_TEST_CASE(metadata_labels_keys_and_values) {
  msg::Pod pod = tutorial_pod();
  set_labels(*pod.mutable_metadata(), {{"tier", "-web-"}, {"example.com/", "x"}});
  EXPECT_ERRORS(create(pod),
                {"metadata.labels: Invalid value: \"example.com/\": name part must be non-empty",
                 "metadata.labels: Invalid value: \"example.com/\": name part must consist of "
                 "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                 "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                 "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                 "metadata.labels: Invalid value: \"-web-\": " + label_value_reason});
}

BOOST_AUTO_TEST_CASE(metadata_label_value_too_long) {
  msg::Pod pod = tutorial_pod();
  set_labels(*pod.mutable_metadata(), {{"app", std::string(64, 'a').c_str()}});
  EXPECT_ERRORS(create(pod), {"metadata.labels: Invalid value: \"" + std::string(64, 'a') +
                              "\": must be no more than 63 characters"});
}

BOOST_AUTO_TEST_CASE(metadata_annotations_size_limit) {
  msg::Pod pod = tutorial_pod();
  (*pod.mutable_metadata()->mutable_annotations())["notes"] = std::string(256 * 1024, 'x');
  EXPECT_ERRORS(create(pod), {"metadata.annotations: Too long: may not be more than 262144 bytes"});
}

BOOST_AUTO_TEST_CASE(errors_are_collected_not_stopped_at_first) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_metadata()->set_name("Bad Name");
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->clear_image();
  c->add_ports()->set_container_port(70000);
  pod.mutable_spec()->set_restart_policy("Sometimes");
  EXPECT_ERRORS(create(pod),
                {"metadata.name: Invalid value: \"Bad Name\": " + subdomain_reason,
                 "spec.containers[0].image: Required value",
                 "spec.containers[0].ports[0].containerPort: Invalid value: 70000: " + port_range,
                 "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                 "\"Always\", \"OnFailure\", \"Never\""});
}

// ---- Pod --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pod_valid) {
  EXPECT_ERRORS(create(tutorial_pod()), {});
}

BOOST_AUTO_TEST_CASE(pod_containers_required) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->clear_containers();
  EXPECT_ERRORS(create(pod), {"spec.containers: Required value"});
}

BOOST_AUTO_TEST_CASE(pod_container_name_and_image) {
  msg::Pod pod = tutorial_pod();
  add_container(*pod.mutable_spec(), "", "");
  add_container(*pod.mutable_spec(), "Web_1", "nginx");
  EXPECT_ERRORS(
      create(pod),
      {"spec.containers[1].name: Required value", "spec.containers[1].image: Required value",
       "spec.containers[2].name: Invalid value: \"Web_1\": " + label_reason});
}

BOOST_AUTO_TEST_CASE(pod_container_names_unique_across_init_containers) {
  msg::Pod pod = tutorial_pod();
  add_container(*pod.mutable_spec(), "nginx-container", "busybox");
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("nginx-container");
  init->set_image("busybox");
  EXPECT_ERRORS(create(pod), {"spec.containers[1].name: Duplicate value: \"nginx-container\"",
                              "spec.initContainers[0].name: Duplicate value: \"nginx-container\""});
}

BOOST_AUTO_TEST_CASE(pod_container_ports) {
  msg::Pod pod = tutorial_pod();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->add_ports()->set_container_port(0);
  auto* named = c->add_ports();
  named->set_container_port(8080);
  named->set_name("http-web-server-x");
  named->set_host_port(70000);
  auto* tcp = c->add_ports();
  tcp->set_container_port(8081);
  tcp->set_protocol("tcp");
  auto* a = c->add_ports();
  a->set_container_port(9000);
  a->set_name("metrics");
  auto* b = c->add_ports();
  b->set_container_port(9001);
  b->set_name("metrics");
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].ports[0].containerPort: Required value",
                 "spec.containers[0].ports[1].name: Invalid value: \"http-web-server-x\": must be "
                 "no more than 15 characters",
                 "spec.containers[0].ports[1].hostPort: Invalid value: 70000: " + port_range,
                 "spec.containers[0].ports[2].protocol: Unsupported value: \"tcp\": supported "
                 "values: \"SCTP\", \"TCP\", \"UDP\"",
                 "spec.containers[0].ports[4].name: Duplicate value: \"metrics\""});
}

BOOST_AUTO_TEST_CASE(pod_port_name_needs_a_letter) {
  msg::Pod pod = tutorial_pod();
  auto* port = pod.mutable_spec()->mutable_containers(0)->add_ports();
  port->set_container_port(80);
  port->set_name("80");
  EXPECT_ERRORS(create(pod), {"spec.containers[0].ports[0].name: Invalid value: \"80\": must "
                              "contain at least one letter (a-z)"});
}

BOOST_AUTO_TEST_CASE(pod_enum_fields) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->set_dns_policy("Cluster");
  pod.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Sometimes");
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported "
                 "values: \"Always\", \"IfNotPresent\", \"Never\"",
                 "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: "
                 "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""});
}

BOOST_AUTO_TEST_CASE(pod_env_names_and_sources) {
  msg::Pod pod = tutorial_pod();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->add_env()->set_name("1ST_VAR");
  auto* empty_source = c->add_env();
  empty_source->set_name("EMPTY");
  empty_source->mutable_value_from();
  auto* both = c->add_env();
  both->set_name("BOTH");
  both->mutable_value_from()->mutable_field_ref()->set_field_path("metadata.name");
  both->mutable_value_from()->mutable_secret_key_ref()->set_name("creds");
  both->mutable_value_from()->mutable_secret_key_ref()->set_key("password");
  auto* field = c->add_env();
  field->set_name("NODE");
  field->mutable_value_from()->mutable_field_ref()->set_field_path("spec.nodename");
  EXPECT_ERRORS(
      create(pod),
      {"spec.containers[0].env[0].name: Invalid value: \"1ST_VAR\": a valid environment variable "
       "name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start "
       "with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
       "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
       "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: "
       "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
       "spec.containers[0].env[2].valueFrom: Invalid value: \"\": may not have more than one field "
       "specified at a time",
       "spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.nodename\": "
       "error converting fieldPath: field label not supported: spec.nodename"});
}

BOOST_AUTO_TEST_CASE(pod_env_field_ref_supported_paths) {
  msg::Pod pod = tutorial_pod();
  auto* env = pod.mutable_spec()->mutable_containers(0)->add_env();
  env->set_name("PHASE");
  env->mutable_value_from()->mutable_field_ref()->set_field_path("status.phase");
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
                 "\"status.phase\": supported values: \"metadata.name\", \"metadata.namespace\", "
                 "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", "
                 "\"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""});
}

BOOST_AUTO_TEST_CASE(pod_volume_needs_exactly_one_source) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->add_volumes()->set_name("scratch");
  auto* both = pod.mutable_spec()->add_volumes();
  both->set_name("both");
  both->mutable_empty_dir();
  both->mutable_host_path()->set_path("/tmp");
  // Defaulting turns a volume without a source into an emptyDir, so validate it as written.
  EXPECT_ERRORS(validate_only(pod),
                {"spec.terminationGracePeriodSeconds: Required value",
                 "spec.volumes[0]: Required value: must specify a volume type",
                 "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type",
                 "spec.containers[0].terminationMessagePolicy: Required value",
                 "spec.containers[0].imagePullPolicy: Required value",
                 "spec.restartPolicy: Required value", "spec.dnsPolicy: Required value"});
}

BOOST_AUTO_TEST_CASE(pod_volume_names) {
  msg::Pod pod = tutorial_pod();
  auto* a = pod.mutable_spec()->add_volumes();
  a->set_name("data");
  a->mutable_empty_dir();
  auto* b = pod.mutable_spec()->add_volumes();
  b->set_name("data");
  b->mutable_empty_dir();
  auto* c = pod.mutable_spec()->add_volumes();
  c->set_name("Data_2");
  c->mutable_empty_dir();
  EXPECT_ERRORS(create(pod), {"spec.volumes[1].name: Duplicate value: \"data\"",
                              "spec.volumes[2].name: Invalid value: \"Data_2\": " + label_reason});
}

BOOST_AUTO_TEST_CASE(pod_volume_sources_checked) {
  msg::Pod pod = tutorial_pod();
  auto* secret = pod.mutable_spec()->add_volumes();
  secret->set_name("creds");
  secret->mutable_secret()->set_default_mode(01000);
  auto* claim = pod.mutable_spec()->add_volumes();
  claim->set_name("store");
  claim->mutable_persistent_volume_claim();
  auto* host = pod.mutable_spec()->add_volumes();
  host->set_name("host");
  host->mutable_host_path()->set_path("/var/../etc");
  host->mutable_host_path()->set_type("Dir");
  EXPECT_ERRORS(
      create(pod),
      {"spec.volumes[0].secret.secretName: Required value",
       "spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between "
       "0 and 0777 (octal), both inclusive",
       "spec.volumes[1].persistentVolumeClaim.claimName: Required value",
       "spec.volumes[2].hostPath.path: Invalid value: \"/var/../etc\": must not contain "
       "'..'",
       "spec.volumes[2].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", "
       "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
       "\"FileOrCreate\", \"Socket\""});
}

BOOST_AUTO_TEST_CASE(pod_volume_mounts) {
  msg::Pod pod = tutorial_pod();
  auto* volume = pod.mutable_spec()->add_volumes();
  volume->set_name("cache");
  volume->mutable_empty_dir();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  auto* missing = c->add_volume_mounts();
  missing->set_name("data");
  missing->set_mount_path("/data");
  auto* no_path = c->add_volume_mounts();
  no_path->set_name("cache");
  auto* again = c->add_volume_mounts();
  again->set_name("cache");
  again->set_mount_path("/data");
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
                 "spec.containers[0].volumeMounts[1].mountPath: Required value",
                 "spec.containers[0].volumeMounts[2].mountPath: Invalid value: \"/data\": must be "
                 "unique"});
}

BOOST_AUTO_TEST_CASE(pod_resources) {
  msg::Pod pod = tutorial_pod();
  auto* resources = pod.mutable_spec()->mutable_containers(0)->mutable_resources();
  (*resources->mutable_limits())["cpu"] = quantity(1000);
  (*resources->mutable_requests())["cpu"] = quantity(2000);
  (*resources->mutable_limits())["memory"] = quantity(-1000);
  (*resources->mutable_requests())["gpu"] = quantity(1000);
  EXPECT_ERRORS(
      create(pod),
      {"spec.containers[0].resources.limits[memory]: Invalid value: \"-1\": must be greater than "
       "or equal to 0",
       "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to "
       "cpu limit of 1",
       "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard "
       "resource type or fully qualified",
       "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard "
       "resource for containers",
       "spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater "
       "than or equal to 0"});
}

BOOST_AUTO_TEST_CASE(pod_extended_resources_must_be_whole_and_equal) {
  msg::Pod pod = tutorial_pod();
  auto* resources = pod.mutable_spec()->mutable_containers(0)->mutable_resources();
  (*resources->mutable_limits())["example.com/gpu"] = quantity(2000);
  (*resources->mutable_requests())["example.com/gpu"] = quantity(500);
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].resources.requests[example.com/gpu]: Invalid value: 500m: "
                 "must be an integer",
                 "spec.containers[0].resources.requests: Invalid value: \"500m\": must be equal to "
                 "example.com/gpu limit of 2"});
}

BOOST_AUTO_TEST_CASE(pod_termination_grace_period) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->set_termination_grace_period_seconds(-5);
  EXPECT_ERRORS(create(pod), {"spec.terminationGracePeriodSeconds: Invalid value: -5: must be "
                              "greater than or equal to 0"});
}

BOOST_AUTO_TEST_CASE(pod_probes) {
  msg::Pod pod = tutorial_pod();
  auto* c = pod.mutable_spec()->mutable_containers(0);
  c->mutable_liveness_probe()->set_period_seconds(-1);
  auto* readiness = c->mutable_readiness_probe();
  readiness->mutable_exec()->add_command("true");
  readiness->mutable_tcp_socket()->mutable_port()->set_int_val(80);
  auto* startup = c->mutable_startup_probe();
  startup->mutable_http_get()->mutable_port()->set_str_val("web");
  startup->set_success_threshold(2);
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].livenessProbe: Required value: must specify a handler type",
                 "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be "
                 "greater than or equal to 0",
                 "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more "
                 "than 1 handler type",
                 "spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1"});
}

BOOST_AUTO_TEST_CASE(pod_init_container_probes_forbidden) {
  msg::Pod pod = tutorial_pod();
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("setup");
  init->set_image("busybox");
  init->mutable_liveness_probe()->mutable_exec()->add_command("true");
  EXPECT_ERRORS(create(pod), {"spec.initContainers[0].livenessProbe: Forbidden: may not be set "
                              "for init containers without restartPolicy=Always"});
}

BOOST_AUTO_TEST_CASE(pod_scheduling_constraints) {
  msg::Pod pod = tutorial_pod();
  auto* spec = pod.mutable_spec();
  (*spec->mutable_node_selector())["disktype"] = "ssd drive";
  auto* any = spec->add_tolerations();
  any->set_operator_("Equal");
  auto* bad = spec->add_tolerations();
  bad->set_key("dedicated");
  bad->set_operator_("Matches");
  bad->set_effect("NoRun");
  EXPECT_ERRORS(
      create(pod),
      {"spec.nodeSelector: Invalid value: \"ssd drive\": " + label_value_reason,
       "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` "
       "is empty, which means \"match all values and all keys\"",
       "spec.tolerations[1].operator: Unsupported value: \"Matches\": supported values: \"Equal\", "
       "\"Exists\"",
       "spec.tolerations[1].effect: Unsupported value: \"NoRun\": supported values: "
       "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""});
}

BOOST_AUTO_TEST_CASE(pod_security_context_ids) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->mutable_security_context()->set_run_as_user(-1);
  pod.mutable_spec()->mutable_containers(0)->mutable_security_context()->set_run_as_group(-2);
  EXPECT_ERRORS(create(pod),
                {"spec.containers[0].securityContext.runAsGroup: Invalid value: -2: must be "
                 "between 0 and 2147483647, inclusive",
                 "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and "
                 "2147483647, inclusive"});
}

BOOST_AUTO_TEST_CASE(pod_image_whitespace) {
  msg::Pod pod = tutorial_pod();
  pod.mutable_spec()->mutable_containers(0)->set_image(" nginx");
  EXPECT_ERRORS(create(pod), {"spec.containers[0].image: Invalid value: \" nginx\": must not have "
                              "leading or trailing whitespace"});
}

// ---- Deployment, ReplicaSet, ReplicationController
// ------------------------------------------------

BOOST_AUTO_TEST_CASE(deployment_valid) {
  EXPECT_ERRORS(create(tutorial_deployment()), {});
}

BOOST_AUTO_TEST_CASE(deployment_missing_image) {
  // tests/fixtures/tutorial-typos/deployment-missing-image.yml
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->clear_image();
  EXPECT_ERRORS(create(d), {"spec.template.spec.containers[0].image: Required value"});
}

BOOST_AUTO_TEST_CASE(deployment_selector_mismatch) {
  msg::Deployment d = tutorial_deployment();
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["type"] = "back-end";
  EXPECT_ERRORS(create(d), {"spec.template.metadata.labels: Invalid value: "
                            "map[string]string{\"app\":\"myapp\", \"type\":\"front-end\"}: "
                            "`selector` does not match template `labels`"});
}

BOOST_AUTO_TEST_CASE(deployment_selector_required) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->clear_selector();
  EXPECT_ERRORS(create(d), {"spec.selector: Required value",
                            "spec.template.metadata.labels: Invalid value: "
                            "map[string]string{\"app\":\"myapp\", \"type\":\"front-end\"}: "
                            "`selector` does not match template `labels`"});
}

BOOST_AUTO_TEST_CASE(deployment_selector_empty) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->mutable_selector()->clear_match_labels();
  EXPECT_ERRORS(create(d), {"spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]"
                            "string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty "
                            "selector is invalid for deployment"});
}

BOOST_AUTO_TEST_CASE(deployment_selector_expressions) {
  msg::Deployment d = tutorial_deployment();
  auto* selector = d.mutable_spec()->mutable_selector();
  auto* in = selector->add_match_expressions();
  in->set_key("app");
  in->set_operator_("In");
  in->add_values("myapp");
  in->add_values("other");
  EXPECT_ERRORS(create(d), {});
  auto* bad = selector->add_match_expressions();
  bad->set_key("tier");
  bad->set_operator_("Equals");
  EXPECT_ERRORS(
      create(d),
      {"spec.selector.matchExpressions[1].operator: Invalid value: \"Equals\": not a valid "
       "selector operator",
       "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{type: "
       "front-end,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,"
       "Operator:In,Values:[myapp other],},LabelSelectorRequirement{Key:tier,Operator:Equals,"
       "Values:[],},},}: invalid label selector"});
}

BOOST_AUTO_TEST_CASE(deployment_replicas_and_limits) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->set_replicas(-1);
  d.mutable_spec()->set_revision_history_limit(-2);
  d.mutable_spec()->set_min_ready_seconds(700);
  EXPECT_ERRORS(create(d), {"spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                            "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or "
                            "equal to 0",
                            "spec.progressDeadlineSeconds: Invalid value: 600: must be greater "
                            "than minReadySeconds"});
}

BOOST_AUTO_TEST_CASE(deployment_template_restart_policy) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->mutable_template_()->mutable_spec()->set_restart_policy("OnFailure");
  EXPECT_ERRORS(create(d), {"spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": "
                            "supported values: \"Always\""});
}

BOOST_AUTO_TEST_CASE(deployment_strategy_type) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->mutable_strategy()->set_type("BlueGreen");
  EXPECT_ERRORS(create(d), {"spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"
                            "\"BlueGreen\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: "
                            "supported values: \"Recreate\", \"RollingUpdate\""});
}

BOOST_AUTO_TEST_CASE(deployment_recreate_forbids_rolling_update) {
  msg::Deployment d = tutorial_deployment();
  d.mutable_spec()->mutable_strategy()->set_type("Recreate");
  d.mutable_spec()->mutable_strategy()->mutable_rolling_update()->mutable_max_surge()->set_int_val(
      1);
  EXPECT_ERRORS(create(d), {"spec.strategy.rollingUpdate: Forbidden: may not be specified when "
                            "strategy `type` is 'Recreate'"});
}

BOOST_AUTO_TEST_CASE(deployment_rolling_update_values) {
  msg::Deployment zero = tutorial_deployment();
  auto* rolling = zero.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  rolling->mutable_max_surge()->set_int_val(0);
  rolling->mutable_max_unavailable()->set_str_val("0%");
  EXPECT_ERRORS(create(zero), {"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may "
                               "not be 0 when `maxSurge` is 0"});

  msg::Deployment bad = tutorial_deployment();
  rolling = bad.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  rolling->mutable_max_surge()->set_str_val("25");
  rolling->mutable_max_unavailable()->set_str_val("150%");
  EXPECT_ERRORS(create(bad),
                {"spec.strategy.rollingUpdate.maxSurge: Invalid value: 25: " + percent_reason,
                 "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be "
                 "greater than 100%"});

  msg::Deployment negative = tutorial_deployment();
  negative.mutable_spec()
      ->mutable_strategy()
      ->mutable_rolling_update()
      ->mutable_max_surge()
      ->set_int_val(-1);
  EXPECT_ERRORS(create(negative), {"spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must "
                                   "be greater than or equal to 0"});
}

BOOST_AUTO_TEST_CASE(replicaset_valid) {
  EXPECT_ERRORS(create(tutorial_replica_set()), {});
}

BOOST_AUTO_TEST_CASE(replicaset_selector_mismatch) {
  // tests/fixtures/tutorial-typos/selector-mismatch.yml
  msg::ReplicaSet rs = tutorial_replica_set();
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["type"] = "back-end";
  EXPECT_ERRORS(create(rs), {"spec.template.metadata.labels: Invalid value: "
                             "map[string]string{\"app\":\"myapp\", \"type\":\"front-end\"}: "
                             "`selector` does not match template `labels`"});
}

BOOST_AUTO_TEST_CASE(replicaset_template_label_errors_use_kubernetes_path) {
  msg::ReplicaSet rs = tutorial_replica_set();
  set_labels(*rs.mutable_spec()->mutable_template_()->mutable_metadata(), {{"tier", "a b"}});
  EXPECT_HAS(create(rs), "spec.template.labels: Invalid value: \"a b\": " + label_value_reason);
}

BOOST_AUTO_TEST_CASE(rc_valid_with_selector_from_template) {
  EXPECT_ERRORS(create(tutorial_rc()), {});
}

BOOST_AUTO_TEST_CASE(rc_selector_mismatch) {
  msg::ReplicationController rc = tutorial_rc();
  (*rc.mutable_spec()->mutable_selector())["app"] = "other";
  EXPECT_ERRORS(create(rc), {"spec.template.metadata.labels: Invalid value: "
                             "map[string]string{\"app\":\"myapp\", \"type\":\"front-end\"}: "
                             "`selector` does not match template `labels`"});
}

BOOST_AUTO_TEST_CASE(rc_without_labels_has_no_selector) {
  msg::ReplicationController rc = tutorial_rc();
  rc.mutable_spec()->mutable_template_()->mutable_metadata()->clear_labels();
  EXPECT_ERRORS(create(rc), {"spec.selector: Required value"});
}

// ---- Service ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(service_valid) {
  EXPECT_ERRORS(create(nodeport_service()), {});
  msg::Service headless;
  headless.mutable_metadata()->set_name("db");
  headless.mutable_spec()->set_cluster_ip("None");
  EXPECT_ERRORS(create(headless), {});
  msg::Service external;
  external.mutable_metadata()->set_name("search");
  external.mutable_spec()->set_type("ExternalName");
  external.mutable_spec()->set_external_name("search.example.com.");
  EXPECT_ERRORS(create(external), {});
}

BOOST_AUTO_TEST_CASE(service_node_port_out_of_range) {
  // tests/fixtures/tutorial-typos/nodeport-out-of-range.yml
  EXPECT_ERRORS(create(nodeport_service(3008)),
                {"spec.ports[0].nodePort: Invalid value: 3008: provided port is not in the valid "
                 "range. The range of valid ports is 30000-32767"});
}

BOOST_AUTO_TEST_CASE(service_node_port_needs_node_port_type) {
  msg::Service s = nodeport_service();
  s.mutable_spec()->set_type("ClusterIP");
  EXPECT_ERRORS(create(s), {"spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
                            "'ClusterIP'"});
}

BOOST_AUTO_TEST_CASE(service_name_must_be_dns1035_label) {
  msg::Service s = nodeport_service();
  s.mutable_metadata()->set_name("1-service");
  EXPECT_ERRORS(create(s), {"metadata.name: Invalid value: \"1-service\": " + dns1035_reason});
}

BOOST_AUTO_TEST_CASE(service_ports) {
  msg::Service none = nodeport_service();
  none.mutable_spec()->clear_ports();
  EXPECT_ERRORS(create(none), {"spec.ports: Required value"});

  msg::Service s = nodeport_service();
  s.mutable_spec()->mutable_ports(0)->set_port(0);
  auto* second = s.mutable_spec()->add_ports();
  second->set_port(0);
  second->mutable_target_port()->set_str_val("Web");
  EXPECT_ERRORS(
      create(s),
      {"spec.ports[0].name: Required value", "spec.ports[0].port: Invalid value: 0: " + port_range,
       "spec.ports[1].name: Required value", "spec.ports[1].port: Invalid value: 0: " + port_range,
       "spec.ports[1].targetPort: Invalid value: \"Web\": must contain only alpha-numeric "
       "characters (a-z, 0-9), and hyphens (-)",
       "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
       "AppProtocol:(*string)(nil), Port:0, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
       "StrVal:\"\"}, NodePort:0}"});
}

BOOST_AUTO_TEST_CASE(service_enums_and_cluster_ip) {
  msg::Service s = nodeport_service();
  s.mutable_spec()->set_type("Internal");
  s.mutable_spec()->set_session_affinity("Sticky");
  s.mutable_spec()->set_cluster_ip("10.0.0.300");
  s.mutable_spec()->mutable_ports(0)->set_node_port(0);
  EXPECT_ERRORS(create(s),
                {"spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: "
                 "\"ClientIP\", \"None\"",
                 "spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, "
                 "(e.g. 10.9.8.7 or 2001:db8::ffff)",
                 "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", "
                 "\"ExternalName\", \"LoadBalancer\", \"NodePort\""});
}

// ---- ConfigMap and Secret -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(configmap_valid) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name("mongodb-configmap");
  (*cm.mutable_data())["database_url"] = "mongodb-service";
  EXPECT_ERRORS(create(cm), {});
}

BOOST_AUTO_TEST_CASE(configmap_keys) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name("config");
  (*cm.mutable_data())["bad key"] = "x";
  (*cm.mutable_data())["both"] = "x";
  (*cm.mutable_data())[".."] = "x";
  (*cm.mutable_binary_data())["both"] = "y";
  EXPECT_ERRORS(create(cm), {"data[..]: Invalid value: \"..\": must not be '..'",
                             "data[bad key]: Invalid value: \"bad key\": " + config_key_reason,
                             "data[both]: Invalid value: \"both\": duplicate of key present in "
                             "binaryData"});
}

BOOST_AUTO_TEST_CASE(configmap_size_limit) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name("big");
  (*cm.mutable_data())["blob"] = std::string(1024 * 1024 + 1, 'x');
  EXPECT_ERRORS(create(cm), {"[]: Too long: may not be more than 1048576 bytes"});
}

BOOST_AUTO_TEST_CASE(secret_valid_and_keys) {
  msg::Secret secret;
  secret.mutable_metadata()->set_name("mongodb-secret");
  (*secret.mutable_data())["username"] = "root";
  (*secret.mutable_string_data())["password"] = "example";
  EXPECT_ERRORS(create(secret), {});
  (*secret.mutable_string_data())["pass word"] = "x";
  EXPECT_ERRORS(create(secret),
                {"data[pass word]: Invalid value: \"pass word\": " + config_key_reason});
}

BOOST_AUTO_TEST_CASE(secret_type_requires_keys) {
  msg::Secret tls;
  tls.mutable_metadata()->set_name("cert");
  tls.set_type("kubernetes.io/tls");
  (*tls.mutable_data())["tls.crt"] = "cert";
  EXPECT_ERRORS(create(tls), {"data[tls.key]: Required value"});
}

// ---- PersistentVolume and PersistentVolumeClaim -------------------------------------------------

BOOST_AUTO_TEST_CASE(pv_valid) {
  EXPECT_ERRORS(create(tutorial_pv()), {});
}

BOOST_AUTO_TEST_CASE(pv_capacity_and_access_modes) {
  msg::PersistentVolume pv = tutorial_pv();
  pv.mutable_spec()->clear_capacity();
  pv.mutable_spec()->clear_access_modes();
  EXPECT_ERRORS(create(pv), {"spec.accessModes: Required value", "spec.capacity: Required value",
                             "spec.capacity: Unsupported value: core.ResourceList(nil): supported "
                             "values: \"storage\""});
  msg::PersistentVolume zero = tutorial_pv();
  (*zero.mutable_spec()->mutable_capacity())["storage"] = quantity(0);
  zero.mutable_spec()->add_access_modes("ReadWriteAlways");
  EXPECT_ERRORS(create(zero),
                {"spec.accessModes: Unsupported value: \"ReadWriteAlways\": supported "
                 "values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", "
                 "\"ReadWriteOncePod\"",
                 "spec.capacity[storage]: Invalid value: \"0\": must be greater than "
                 "zero"});
}

BOOST_AUTO_TEST_CASE(pv_source_and_reclaim_policy) {
  msg::PersistentVolume pv = tutorial_pv();
  pv.mutable_spec()->clear_host_path();
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Keep");
  EXPECT_ERRORS(create(pv), {"spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": "
                             "supported values: \"Delete\", \"Recycle\", \"Retain\"",
                             "spec: Required value: must specify a volume type"});
}

BOOST_AUTO_TEST_CASE(pvc_valid) {
  EXPECT_ERRORS(create(tutorial_pvc()), {});
}

BOOST_AUTO_TEST_CASE(pvc_storage_and_access_modes_required) {
  msg::PersistentVolumeClaim pvc = tutorial_pvc();
  pvc.mutable_spec()->clear_access_modes();
  pvc.mutable_spec()->mutable_resources()->clear_requests();
  EXPECT_ERRORS(create(pvc),
                {"spec.accessModes: Required value: at least 1 access mode is required",
                 "spec.resources[storage]: Required value"});
}

// ---- HorizontalPodAutoscaler
// ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hpa_valid) {
  EXPECT_ERRORS(create(tutorial_hpa()), {});
  msg::HorizontalPodAutoscalerV1 v1;
  v1.mutable_metadata()->set_name("myapp-deployment");
  v1.mutable_spec()->mutable_scale_target_ref()->set_kind("Deployment");
  v1.mutable_spec()->mutable_scale_target_ref()->set_name("myapp-deployment");
  v1.mutable_spec()->set_max_replicas(10);
  v1.mutable_spec()->set_target_cpu_utilization_percentage(50);
  EXPECT_ERRORS(create(v1), {});
}

BOOST_AUTO_TEST_CASE(hpa_replica_bounds_and_target) {
  msg::HorizontalPodAutoscaler hpa = tutorial_hpa();
  hpa.mutable_spec()->set_min_replicas(0);
  hpa.mutable_spec()->mutable_scale_target_ref()->clear_name();
  EXPECT_ERRORS(create(hpa),
                {"spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                 "spec.scaleTargetRef.name: Required value"});
  hpa = tutorial_hpa();
  hpa.mutable_spec()->set_min_replicas(5);
  hpa.mutable_spec()->set_max_replicas(2);
  EXPECT_ERRORS(create(hpa), {"spec.maxReplicas: Invalid value: 2: must be greater than or equal "
                              "to `minReplicas`"});
}

BOOST_AUTO_TEST_CASE(hpa_metrics) {
  msg::HorizontalPodAutoscaler hpa = tutorial_hpa();
  auto* metric = hpa.mutable_spec()->mutable_metrics(0);
  metric->mutable_resource()->mutable_target()->set_type("Percent");
  auto* pods = hpa.mutable_spec()->add_metrics();
  pods->set_type("Pods");
  auto* unknown = hpa.mutable_spec()->add_metrics();
  unknown->set_type("Custom");
  EXPECT_ERRORS(create(hpa),
                {"spec.metrics[0].resource.target.type: Invalid value: \"Percent\": must be either "
                 "Utilization, Value, or AverageValue",
                 "spec.metrics[1].pods: Required value: must populate information for the given "
                 "metric source",
                 "spec.metrics[2].type: Unsupported value: \"Custom\": supported values: "
                 "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\""});
}

BOOST_AUTO_TEST_CASE(hpa_v1_target_cpu) {
  msg::HorizontalPodAutoscalerV1 v1;
  v1.mutable_metadata()->set_name("web");
  v1.mutable_spec()->mutable_scale_target_ref()->set_kind("Deployment");
  v1.mutable_spec()->mutable_scale_target_ref()->set_name("web");
  v1.mutable_spec()->set_max_replicas(3);
  v1.mutable_spec()->set_target_cpu_utilization_percentage(0);
  EXPECT_ERRORS(create(v1), {"spec.targetCPUUtilizationPercentage: Invalid value: 0: must be "
                             "greater than 0"});
}

// ---- NetworkPolicy
// ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(networkpolicy_valid) {
  EXPECT_ERRORS(create(tutorial_network_policy()), {});
}

BOOST_AUTO_TEST_CASE(networkpolicy_ip_blocks) {
  msg::NetworkPolicy np = tutorial_network_policy();
  auto* block = np.mutable_spec()->mutable_ingress(0)->mutable_from(1)->mutable_ip_block();
  block->set_cidr("10.0.0.0/33");
  EXPECT_ERRORS(create(np), {"spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "
                             "\"10.0.0.0/33\": not a valid CIDR"});
  block->set_cidr("10.0.0.0/16");
  block->set_except_cidrs(0, "10.1.0.0/24");
  EXPECT_ERRORS(create(np), {"spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "
                             "\"10.1.0.0/24\": must be a strict subset of `cidr`"});
}

BOOST_AUTO_TEST_CASE(networkpolicy_peers_and_ports) {
  msg::NetworkPolicy np = tutorial_network_policy();
  auto* rule = np.mutable_spec()->add_egress();
  rule->add_to();
  auto* both = rule->add_to();
  both->mutable_ip_block()->set_cidr("10.0.0.0/8");
  both->mutable_namespace_selector();
  auto* range = rule->add_ports();
  range->mutable_port()->set_int_val(8000);
  range->set_end_port(7000);
  auto* named = rule->add_ports();
  named->mutable_port()->set_str_val("http");
  named->set_end_port(9000);
  named->set_protocol("ICMP");
  np.mutable_spec()->add_policy_types("Ingress");
  np.mutable_spec()->add_policy_types("Sideways");
  EXPECT_ERRORS(create(np),
                {"spec.egress[0].ports[0].endPort: Invalid value: 7000: must be greater than or "
                 "equal to `port`",
                 "spec.egress[0].ports[1].protocol: Unsupported value: \"ICMP\": supported values: "
                 "\"TCP\", \"UDP\", \"SCTP\"",
                 "spec.egress[0].ports[1].endPort: Invalid value: 9000: may not be specified when "
                 "`port` is non-numeric",
                 "spec.egress[0].to[0]: Required value: must specify a peer",
                 "spec.egress[0].to[1]: Forbidden: may not specify both ipBlock and another peer",
                 "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: "
                 "\"Ingress\", \"Egress\""});
}

// ---- Namespace, Node, Endpoints, Event, ServiceAccount
// ------------------------------------------------

BOOST_AUTO_TEST_CASE(namespace_name_is_dns_label) {
  msg::Namespace ns;
  ns.mutable_metadata()->set_name("team-a");
  EXPECT_ERRORS(create(ns), {});
  ns.mutable_metadata()->set_name("team.a");
  EXPECT_ERRORS(create(ns), {"metadata.name: Invalid value: \"team.a\": must not contain dots"});
  ns.mutable_metadata()->set_name("Team");
  EXPECT_ERRORS(create(ns), {"metadata.name: Invalid value: \"Team\": " + label_reason});
}

BOOST_AUTO_TEST_CASE(node_name_and_taints) {
  msg::Node node;
  node.mutable_metadata()->set_name("worker-1.example.com");
  EXPECT_ERRORS(create(node), {});
  auto* taint = node.mutable_spec()->add_taints();
  taint->set_key("dedicated");
  taint->set_value("gpu");
  node.mutable_spec()->add_taints()->set_key("dedicated");
  node.mutable_spec()->mutable_taints(1)->set_effect("NoSchedule");
  node.mutable_spec()->add_taints()->set_key("dedicated");
  node.mutable_spec()->mutable_taints(2)->set_effect("NoSchedule");
  EXPECT_ERRORS(create(node),
                {"metadata.taints[0].effect: Required value",
                 "metadata.taints[2]: Duplicate value: core.Taint{Key:\"dedicated\", Value:\"\", "
                 "Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key "
                 "and effect pair"});
}

BOOST_AUTO_TEST_CASE(endpoints_addresses) {
  msg::Endpoints ep;
  ep.mutable_metadata()->set_name("myapp-service");
  auto* subset = ep.add_subsets();
  subset->add_addresses()->set_ip("10.244.1.5");
  subset->add_ports()->set_port(80);
  EXPECT_ERRORS(create(ep), {});
  subset->add_addresses()->set_ip("127.0.0.1");
  subset->add_addresses()->set_ip("10.0.0");
  ep.add_subsets();
  EXPECT_ERRORS(
      create(ep),
      {"subsets[0].addresses[1].ip: Invalid value: \"127.0.0.1\": may not be in the "
       "loopback range (127.0.0.0/8, ::1/128)",
       "subsets[0].addresses[2].ip: Invalid value: \"10.0.0\": must be a valid IP "
       "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
       "subsets[0].addresses[2].ip: Invalid value: \"10.0.0\": must be a valid IP address",
       "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`"});
}

BOOST_AUTO_TEST_CASE(event_and_service_account) {
  msg::Event event;
  event.mutable_metadata()->set_name("myapp-pod.17a1");
  event.mutable_metadata()->set_namespace_("default");
  event.mutable_involved_object()->set_namespace_("default");
  EXPECT_ERRORS(create(event), {});
  event.mutable_involved_object()->set_namespace_("other");
  EXPECT_ERRORS(create(event),
                {"involvedObject.namespace: Invalid value: \"other\": does not match "
                 "event.namespace"});
  msg::ServiceAccount sa;
  sa.mutable_metadata()->set_name("builder");
  EXPECT_ERRORS(create(sa), {});
  sa.mutable_metadata()->set_name("Builder");
  EXPECT_ERRORS(create(sa), {"metadata.name: Invalid value: \"Builder\": " + subdomain_reason});
}

// ---- RBAC
// -------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(role_rules) {
  msg::Role role;
  role.mutable_metadata()->set_name("pod-reader");
  auto* rule = role.add_rules();
  rule->add_api_groups("");
  rule->add_resources("pods");
  rule->add_verbs("get");
  EXPECT_ERRORS(create(role), {});
  role.add_rules()->add_non_resource_urls("/healthz");
  role.mutable_metadata()->set_name("a/b");
  EXPECT_ERRORS(create(role),
                {"metadata.name: Invalid value: \"a/b\": may not contain '/'",
                 "rules[1].verbs: Required value: verbs must contain at least one value",
                 "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced "
                 "rules cannot apply to non-resource URLs"});
}

BOOST_AUTO_TEST_CASE(rolebinding_role_ref_and_subjects) {
  msg::RoleBinding binding;
  binding.mutable_metadata()->set_name("read-pods");
  binding.mutable_role_ref()->set_kind("Role");
  binding.mutable_role_ref()->set_name("pod-reader");
  auto* user = binding.add_subjects();
  user->set_kind("User");
  user->set_name("jane");
  EXPECT_ERRORS(create(binding), {});
  binding.mutable_role_ref()->set_kind("Group");
  binding.mutable_role_ref()->set_api_group("rbac");
  binding.add_subjects()->set_kind("Robot");
  EXPECT_ERRORS(create(binding),
                {"roleRef.apiGroup: Unsupported value: \"rbac\": supported values: "
                 "\"rbac.authorization.k8s.io\"",
                 "roleRef.kind: Unsupported value: \"Group\": supported values: \"Role\", "
                 "\"ClusterRole\"",
                 "subjects[1].name: Required value",
                 "subjects[1].kind: Unsupported value: \"Robot\": supported values: "
                 "\"ServiceAccount\", \"User\", \"Group\""});
}

BOOST_AUTO_TEST_CASE(clusterrolebinding_service_account_needs_namespace) {
  msg::ClusterRoleBinding binding;
  binding.mutable_metadata()->set_name("builders");
  binding.mutable_role_ref()->set_kind("Role");
  binding.mutable_role_ref()->set_name("edit");
  auto* sa = binding.add_subjects();
  sa->set_kind("ServiceAccount");
  sa->set_name("builder");
  EXPECT_ERRORS(create(binding), {"roleRef.kind: Unsupported value: \"Role\": supported values: "
                                  "\"ClusterRole\"",
                                  "subjects[0].namespace: Required value"});
}

// ---- Names and quoting
// ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(names_limits) {
  BOOST_TEST(msg::is_dns1123_label(std::string(63, 'a')).empty());
  BOOST_TEST(msg::is_dns1123_label(std::string(64, 'a')) ==
             msg::reasons{"must be no more than 63 characters"});
  // Like Kubernetes' regular expression, the subdomain check does not limit each label.
  BOOST_TEST(msg::is_dns1123_subdomain(std::string(253, 'a')).empty());
  BOOST_TEST(msg::is_dns1123_subdomain(std::string(254, 'a')).size() == 1u);
  BOOST_TEST(msg::is_valid_port_name("-web--").size() == 2u);
  BOOST_TEST(msg::is_valid_percent("100%").empty());
  BOOST_TEST(msg::is_cidr("fd00::/8"));
  BOOST_TEST(!msg::is_cidr("fd00::/129"));
  BOOST_TEST(msg::is_ip_address("010.001.002.003"));  // Go's sloppy IPv4
  BOOST_TEST(msg::cidr_is_strict_subset("172.17.0.0/16", "172.17.1.0/24"));
  BOOST_TEST(!msg::cidr_is_strict_subset("172.17.0.0/16", "172.17.0.0/16"));
  BOOST_TEST(msg::name_is_dns_subdomain("myapp-", true).empty());  // a generateName prefix
}

BOOST_AUTO_TEST_CASE(quoted_is_go_percent_q) {
  BOOST_TEST(msg::quoted("My_App") == "\"My_App\"");
  BOOST_TEST(msg::quoted("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  BOOST_TEST(msg::quoted(std::string("\x01\xff", 2)) == "\"\\x01\\xff\"");
  BOOST_TEST(msg::quoted("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
}

BOOST_AUTO_TEST_SUITE_END()
