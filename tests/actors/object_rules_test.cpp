// What the API server does to objects on create and update: generated names, uids and
// timestamps, the request's namespace, server-owned status and generation, and the fields an
// update may not change, with Kubernetes' error texts.
#include "actors/gateway/object_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <regex>
#include <string>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

using troupe::actors::gateway::has_status;
using troupe::actors::gateway::metadata_of;
using troupe::actors::gateway::prepare_create;
using troupe::actors::gateway::prepare_status_update;
using troupe::actors::gateway::prepare_update;
using troupe::messages::kind_info;
namespace m = troupe::messages;

// 2023-11-14T22:13:20.999Z
constexpr int64_t now_ms = 1'700'000'000'999;

const kind_info& kind(std::string_view api_version, std::string_view name) {
  const auto* k = m::find_kind(api_version, name);
  BOOST_REQUIRE(k != nullptr);
  return *k;
}
const kind_info& pod_kind() {
  return kind("v1", "Pod");
}
const kind_info& deployment_kind() {
  return kind("apps/v1", "Deployment");
}

m::Pod pod(const std::string& name) {
  m::Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_namespace_("default");
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image("nginx:1.25");
  p.mutable_spec()->set_restart_policy("Always");
  return p;
}

// A pod as the store holds it after a create.
m::Pod stored_pod(const std::string& name) {
  m::Pod p = pod(name);
  std::mt19937_64 rng(7);
  BOOST_REQUIRE(prepare_create(p, pod_kind(), "default", now_ms, rng).ok());
  p.mutable_metadata()->set_resource_version("12");
  return p;
}

m::Deployment stored_deployment() {
  m::Deployment d;
  d.mutable_metadata()->set_name("web");
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_metadata()->set_uid("5f0c8a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a");
  d.mutable_metadata()->set_generation(3);
  d.mutable_metadata()->mutable_creation_timestamp()->set_seconds(1'600'000'000);
  d.mutable_metadata()->set_resource_version("40");
  (*d.mutable_metadata()->mutable_labels())["app"] = "web";
  d.mutable_spec()->set_replicas(2);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  d.mutable_status()->set_replicas(2);
  d.mutable_status()->set_observed_generation(3);
  return d;
}

// The error code by name, so that a failed check prints it.
std::string code(const troupe::store::status& s) {
  return std::string(m::to_string(s.code()));
}

const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";

bool from_alphabet(const std::string& s) {
  return s.find_first_not_of(alphabet) == std::string::npos;
}

const std::string pod_update_forbidden =
    "Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than "
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_object_rules)

BOOST_AUTO_TEST_CASE(metadata_of_finds_object_meta_by_reflection) {
  m::Deployment d = stored_deployment();
  BOOST_REQUIRE(metadata_of(d) != nullptr);
  BOOST_TEST(metadata_of(static_cast<const m::Deployment&>(d))->name() == "web");
  metadata_of(d)->set_name("api");
  BOOST_TEST(d.metadata().name() == "api");
  m::LabelSelector no_metadata;
  BOOST_TEST(metadata_of(no_metadata) == nullptr);
}

BOOST_AUTO_TEST_CASE(prepare_create_generates_name_from_prefix) {
  auto generated = [](uint64_t seed, const std::string& prefix) {
    m::Pod p = pod("");
    p.mutable_metadata()->set_generate_name(prefix);
    std::mt19937_64 rng(seed);
    BOOST_REQUIRE(prepare_create(p, pod_kind(), "default", now_ms, rng).ok());
    return p.metadata().name();
  };
  std::string name = generated(42, "web-");
  BOOST_TEST(name.size() == 9u);
  BOOST_TEST(name.substr(0, 4) == "web-");
  BOOST_TEST(from_alphabet(name.substr(4)));
  BOOST_TEST(generated(42, "web-") == name);  // the seed replays exactly
  BOOST_TEST(generated(43, "web-") != name);

  // Over many names, the suffixes use the whole alphabet and nothing else.
  std::string seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    for (char c : generated(seed, "web-").substr(4))
      if (seen.find(c) == std::string::npos) seen += c;
  }
  std::sort(seen.begin(), seen.end());
  std::string sorted_alphabet = alphabet;
  std::sort(sorted_alphabet.begin(), sorted_alphabet.end());
  BOOST_TEST(seen == sorted_alphabet);

  // A long prefix is cut to 58 characters, so the name fits a 63-character DNS label.
  std::string long_name = generated(42, std::string(70, 'a'));
  BOOST_TEST(long_name.size() == 63u);
  BOOST_TEST(long_name.substr(0, 58) == std::string(58, 'a'));
  BOOST_TEST(from_alphabet(long_name.substr(58)));

  // A name wins over generateName.
  m::Pod named = pod("fixed");
  named.mutable_metadata()->set_generate_name("web-");
  std::mt19937_64 rng(1);
  BOOST_REQUIRE(prepare_create(named, pod_kind(), "default", now_ms, rng).ok());
  BOOST_TEST(named.metadata().name() == "fixed");
}

BOOST_AUTO_TEST_CASE(prepare_create_without_name_or_generate_name_is_invalid) {
  m::Pod p = pod("");
  std::mt19937_64 rng(1);
  auto s = prepare_create(p, pod_kind(), "default", now_ms, rng);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(
      s.message() ==
      "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required");
}

BOOST_AUTO_TEST_CASE(prepare_create_fills_uid_timestamp_and_generation) {
  m::Pod p = pod("web");
  p.mutable_metadata()->set_uid("chosen-by-the-client");
  p.mutable_metadata()->set_resource_version("99");
  p.mutable_metadata()->set_generation(7);
  p.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(5);
  p.mutable_metadata()->set_deletion_grace_period_seconds(30);
  std::mt19937_64 rng(1);
  BOOST_REQUIRE(prepare_create(p, pod_kind(), "default", now_ms, rng).ok());

  const auto& meta = p.metadata();
  static const std::regex uuid_v4(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  BOOST_TEST(std::regex_match(meta.uid(), uuid_v4), meta.uid());
  BOOST_TEST(meta.creation_timestamp().seconds() == 1'700'000'000);
  BOOST_TEST(meta.creation_timestamp().nanos() == 0);
  BOOST_TEST(meta.generation() == 1);
  BOOST_TEST(meta.resource_version().empty());
  BOOST_TEST(!meta.has_deletion_timestamp());
  BOOST_TEST(!meta.has_deletion_grace_period_seconds());

  m::Pod other = pod("web2");
  BOOST_REQUIRE(prepare_create(other, pod_kind(), "default", now_ms, rng).ok());
  BOOST_TEST(std::regex_match(other.metadata().uid(), uuid_v4));
  BOOST_TEST(other.metadata().uid() != meta.uid());
}

BOOST_AUTO_TEST_CASE(prepare_create_takes_the_request_namespace) {
  std::mt19937_64 rng(1);
  m::Pod p = pod("web");
  p.mutable_metadata()->clear_namespace_();
  BOOST_REQUIRE(prepare_create(p, pod_kind(), "team-a", now_ms, rng).ok());
  BOOST_TEST(p.metadata().namespace_() == "team-a");

  m::Pod same = pod("web");
  same.mutable_metadata()->set_namespace_("team-a");
  BOOST_TEST(prepare_create(same, pod_kind(), "team-a", now_ms, rng).ok());

  m::Pod elsewhere = pod("web");
  elsewhere.mutable_metadata()->set_namespace_("team-b");
  auto s = prepare_create(elsewhere, pod_kind(), "team-a", now_ms, rng);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(s.message() ==
             "the namespace of the provided object does not match the namespace sent on the "
             "request");

  m::Pod nowhere = pod("web");
  nowhere.mutable_metadata()->clear_namespace_();
  s = prepare_create(nowhere, pod_kind(), "", now_ms, rng);
  BOOST_TEST(s.message() == "Pod \"web\" is invalid: metadata.namespace: Required value");

  // Cluster-scoped kinds live in no namespace, whatever the object or request says.
  m::Namespace ns;
  ns.mutable_metadata()->set_name("team-c");
  ns.mutable_metadata()->set_namespace_("team-a");
  BOOST_REQUIRE(prepare_create(ns, kind("v1", "Namespace"), "team-a", now_ms, rng).ok());
  BOOST_TEST(ns.metadata().namespace_().empty());
}

BOOST_AUTO_TEST_CASE(prepare_create_resets_status_the_server_owns) {
  std::mt19937_64 rng(1);
  m::Deployment d = stored_deployment();
  BOOST_REQUIRE(prepare_create(d, deployment_kind(), "default", now_ms, rng).ok());
  BOOST_TEST(!d.has_status());

  m::Pod p = pod("web");
  p.mutable_status()->set_phase("Running");
  p.mutable_status()->set_pod_ip("10.0.0.9");
  BOOST_REQUIRE(prepare_create(p, pod_kind(), "default", now_ms, rng).ok());
  BOOST_TEST(p.status().phase() == "Pending");
  BOOST_TEST(p.status().pod_ip().empty());
  BOOST_TEST(p.status().qos_class() == "BestEffort");

  auto qos = [&rng](const std::string& cpu_request, const std::string& cpu_limit) {
    m::Pod q = pod("q");
    auto* resources = q.mutable_spec()->mutable_containers(0)->mutable_resources();
    auto set = [](auto* list, const std::string& cpu) {
      if (cpu.empty()) return;
      (*list)["cpu"].set_milli(std::stoll(cpu));
      (*list)["memory"].set_milli(int64_t{128} << 30);
    };
    set(resources->mutable_requests(), cpu_request);
    set(resources->mutable_limits(), cpu_limit);
    BOOST_REQUIRE(prepare_create(q, pod_kind(), "default", now_ms, rng).ok());
    return q.status().qos_class();
  };
  BOOST_TEST(qos("500", "500") == "Guaranteed");
  BOOST_TEST(qos("250", "500") == "Burstable");
  BOOST_TEST(qos("250", "") == "Burstable");

  m::Namespace ns;
  ns.mutable_metadata()->set_name("team-a");
  ns.mutable_status()->set_phase("Terminating");
  BOOST_REQUIRE(prepare_create(ns, kind("v1", "Namespace"), "", now_ms, rng).ok());
  BOOST_TEST(ns.status().phase() == "Active");

  // A node registers itself with the status its agent observed.
  m::Node node;
  node.mutable_metadata()->set_name("node-1");
  node.mutable_status()->add_addresses()->set_address("192.168.1.10");
  BOOST_REQUIRE(prepare_create(node, kind("v1", "Node"), "", now_ms, rng).ok());
  BOOST_TEST(node.status().addresses_size() == 1);
}

BOOST_AUTO_TEST_CASE(has_status_is_true_for_kinds_with_a_status) {
  BOOST_TEST(has_status(pod_kind()));
  BOOST_TEST(has_status(deployment_kind()));
  BOOST_TEST(has_status(kind("v1", "Service")));
  BOOST_TEST(!has_status(kind("v1", "ConfigMap")));
  BOOST_TEST(!has_status(kind("v1", "Secret")));
}

BOOST_AUTO_TEST_CASE(prepare_update_bumps_generation_only_for_spec_changes) {
  const m::Deployment current = stored_deployment();

  m::Deployment relabelled = current;
  (*relabelled.mutable_metadata()->mutable_labels())["tier"] = "frontend";
  relabelled.mutable_metadata()->set_generation(99);  // not the client's to set
  BOOST_REQUIRE(prepare_update(relabelled, current, deployment_kind()).ok());
  BOOST_TEST(relabelled.metadata().generation() == 3);
  BOOST_TEST(relabelled.metadata().labels().at("tier") == "frontend");

  m::Deployment scaled = current;
  scaled.mutable_spec()->set_replicas(5);
  BOOST_REQUIRE(prepare_update(scaled, current, deployment_kind()).ok());
  BOOST_TEST(scaled.metadata().generation() == 4);

  // A Deployment's annotations go to its ReplicaSets, so they count as a change.
  m::Deployment annotated = current;
  (*annotated.mutable_metadata()->mutable_annotations())["note"] = "x";
  BOOST_REQUIRE(prepare_update(annotated, current, deployment_kind()).ok());
  BOOST_TEST(annotated.metadata().generation() == 4);

  // Not so for other kinds.
  m::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web-1");
  rs.mutable_metadata()->set_namespace_("default");
  rs.mutable_metadata()->set_generation(2);
  m::ReplicaSet rs_annotated = rs;
  (*rs_annotated.mutable_metadata()->mutable_annotations())["note"] = "x";
  BOOST_REQUIRE(prepare_update(rs_annotated, rs, kind("apps/v1", "ReplicaSet")).ok());
  BOOST_TEST(rs_annotated.metadata().generation() == 2);
}

BOOST_AUTO_TEST_CASE(prepare_update_keeps_server_fields_and_status) {
  const m::Deployment current = stored_deployment();
  m::Deployment incoming = current;
  incoming.mutable_metadata()->clear_uid();
  incoming.mutable_metadata()->clear_namespace_();
  incoming.mutable_metadata()->mutable_creation_timestamp()->set_seconds(1);
  incoming.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(2);
  incoming.mutable_status()->set_replicas(9);
  incoming.mutable_status()->set_observed_generation(42);
  BOOST_REQUIRE(prepare_update(incoming, current, deployment_kind()).ok());

  BOOST_TEST(incoming.metadata().uid() == current.metadata().uid());
  BOOST_TEST(incoming.metadata().namespace_() == "default");
  BOOST_TEST(incoming.metadata().creation_timestamp().seconds() == 1'600'000'000);
  BOOST_TEST(!incoming.metadata().has_deletion_timestamp());
  BOOST_TEST(incoming.status().replicas() == 2);
  BOOST_TEST(incoming.status().observed_generation() == 3);
  BOOST_TEST(incoming.metadata().resource_version() == "40");  // the store's precondition
}

BOOST_AUTO_TEST_CASE(prepare_update_checks_name_namespace_and_uid) {
  const m::Deployment current = stored_deployment();

  m::Deployment renamed = current;
  renamed.mutable_metadata()->set_name("api");
  auto s = prepare_update(renamed, current, deployment_kind());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(s.message() ==
             "the name of the object (api) does not match the name on the URL (web)");

  m::Deployment moved = current;
  moved.mutable_metadata()->set_namespace_("team-b");
  s = prepare_update(moved, current, deployment_kind());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(s.message() ==
             "the namespace of the object (team-b) does not match the namespace on the request "
             "(default)");

  // An object deleted and created again under the same name has a new uid.
  m::Deployment stale = current;
  stale.mutable_metadata()->set_uid("0d9a3b7c-2e4f-4a1b-9c8d-7e6f5a4b3c2d");
  s = prepare_update(stale, current, deployment_kind());
  BOOST_TEST(code(s) == "conflict");
  BOOST_TEST(s.message() ==
             "Operation cannot be fulfilled on deployments.apps \"web\": Precondition failed: UID "
             "in precondition: 0d9a3b7c-2e4f-4a1b-9c8d-7e6f5a4b3c2d, UID in object meta: "
             "5f0c8a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a");
}

BOOST_AUTO_TEST_CASE(prepare_update_refuses_a_new_selector) {
  const m::Deployment current = stored_deployment();
  m::Deployment incoming = current;
  (*incoming.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "api";
  auto s = prepare_update(incoming, current, deployment_kind());
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(s.message() ==
             "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: "
             "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, "
             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");

  m::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web-1");
  rs.mutable_metadata()->set_namespace_("default");
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  m::ReplicaSet rs_incoming = rs;
  auto* requirement = rs_incoming.mutable_spec()->mutable_selector()->add_match_expressions();
  requirement->set_key("tier");
  requirement->set_operator_("In");
  requirement->add_values("a");
  requirement->add_values("b");
  s = prepare_update(rs_incoming, rs, kind("apps/v1", "ReplicaSet"));
  BOOST_TEST(s.message() ==
             "ReplicaSet.apps \"web-1\" is invalid: spec.selector: Invalid value: "
             "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, "
             "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{"
             "Key:\"tier\", Operator:\"In\", Values:[]string{\"a\", \"b\"}}}}: field is "
             "immutable");

  // The same selector, and a spec change elsewhere, is fine.
  m::Deployment scaled = current;
  scaled.mutable_spec()->set_replicas(4);
  BOOST_TEST(prepare_update(scaled, current, deployment_kind()).ok());
}

BOOST_AUTO_TEST_CASE(prepare_update_of_pod_allows_images_only) {
  const m::Pod current = stored_pod("p");

  m::Pod new_image = current;
  new_image.mutable_spec()->mutable_containers(0)->set_image("nginx:1.27");
  BOOST_REQUIRE(prepare_update(new_image, current, pod_kind()).ok());
  BOOST_TEST(new_image.spec().containers(0).image() == "nginx:1.27");
  BOOST_TEST(new_image.metadata().generation() == 2);

  m::Pod new_policy = current;
  new_policy.mutable_spec()->set_restart_policy("Never");
  new_policy.mutable_spec()->mutable_containers(0)->set_image("nginx:1.27");
  auto s = prepare_update(new_policy, current, pod_kind());
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(code(s) == "invalid");
  BOOST_TEST(s.message().substr(0, pod_update_forbidden.size()) == pod_update_forbidden);
  BOOST_TEST(s.message().substr(pod_update_forbidden.size()) == "changed: spec.restartPolicy");

  m::Pod new_port = current;
  new_port.mutable_spec()->mutable_containers(0)->add_ports()->set_container_port(80);
  s = prepare_update(new_port, current, pod_kind());
  BOOST_TEST(s.message().substr(pod_update_forbidden.size()) ==
             "changed: spec.containers[0].ports[0]");

  m::Pod sidecar = current;
  sidecar.mutable_spec()->add_containers()->set_name("log");
  s = prepare_update(sidecar, current, pod_kind());
  BOOST_TEST(s.message() ==
             "Pod \"p\" is invalid: spec.containers: Forbidden: pod updates may not add or "
             "remove containers");
}

BOOST_AUTO_TEST_CASE(prepare_update_of_pod_deadline_tolerations_and_grace_period) {
  m::Pod current = stored_pod("p");
  current.mutable_spec()->set_active_deadline_seconds(600);
  current.mutable_spec()->set_termination_grace_period_seconds(-1);
  auto* toleration = current.mutable_spec()->add_tolerations();
  toleration->set_key("dedicated");
  toleration->set_operator_("Equal");
  toleration->set_value("gpu");
  toleration->set_effect("NoExecute");

  // Allowed: a shorter deadline, a new toleration, new tolerationSeconds, and 1 for a
  // negative grace period.
  m::Pod allowed = current;
  allowed.mutable_spec()->set_active_deadline_seconds(300);
  allowed.mutable_spec()->mutable_tolerations(0)->set_toleration_seconds(60);
  allowed.mutable_spec()->add_tolerations()->set_key("spot");
  allowed.mutable_spec()->set_termination_grace_period_seconds(1);
  BOOST_TEST(prepare_update(allowed, current, pod_kind()).ok());

  m::Pod longer = current;
  longer.mutable_spec()->set_active_deadline_seconds(900);
  BOOST_TEST(prepare_update(longer, current, pod_kind()).message() ==
             "Pod \"p\" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less "
             "than or equal to previous value");

  m::Pod unset = current;
  unset.mutable_spec()->clear_active_deadline_seconds();
  BOOST_TEST(prepare_update(unset, current, pod_kind()).message() ==
             "Pod \"p\" is invalid: spec.activeDeadlineSeconds: Invalid value: null: must not "
             "update from a positive integer to nil value");

  m::Pod grace = current;
  grace.mutable_spec()->set_termination_grace_period_seconds(30);
  BOOST_TEST(prepare_update(grace, current, pod_kind()).message() ==
             pod_update_forbidden + "changed: spec.terminationGracePeriodSeconds");

  // Several errors come back together, as Kubernetes aggregates them.
  m::Pod both = current;
  both.mutable_spec()->mutable_tolerations(0)->set_value("cpu");
  both.mutable_spec()->set_restart_policy("Never");
  auto s = prepare_update(both, current, pod_kind());
  BOOST_TEST(s.message().starts_with(
      "Pod \"p\" is invalid: [spec.tolerations: Forbidden: existing toleration can not be "
      "modified except its tolerationSeconds, spec: Forbidden: pod updates may not change"));
  BOOST_TEST(s.message().back() == ']');
  BOOST_TEST(s.message().find("changed: spec.restartPolicy]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(prepare_status_update_replaces_status_only) {
  const m::Deployment current = stored_deployment();
  m::Deployment incoming = current;
  incoming.mutable_metadata()->set_resource_version("40");
  (*incoming.mutable_metadata()->mutable_labels())["app"] = "changed";
  (*incoming.mutable_metadata()->mutable_annotations())["note"] = "x";
  incoming.mutable_spec()->set_replicas(7);
  incoming.mutable_status()->set_ready_replicas(2);
  incoming.mutable_status()->set_observed_generation(3);
  BOOST_REQUIRE(prepare_status_update(incoming, current, deployment_kind()).ok());

  BOOST_TEST(incoming.status().ready_replicas() == 2);
  BOOST_TEST(incoming.spec().replicas() == 2);
  BOOST_TEST(incoming.metadata().labels().at("app") == "web");
  BOOST_TEST(incoming.metadata().annotations().empty());
  BOOST_TEST(incoming.metadata().generation() == 3);
  BOOST_TEST(incoming.metadata().resource_version() == "40");

  // The caller's resourceVersion survives: it is the precondition the store checks.
  m::Deployment older = current;
  older.mutable_metadata()->set_resource_version("39");
  BOOST_REQUIRE(prepare_status_update(older, current, deployment_kind()).ok());
  BOOST_TEST(older.metadata().resource_version() == "39");

  // A pod's QoS class is set at creation; a status writer that leaves it out keeps it.
  const m::Pod pod_now = stored_pod("p");
  m::Pod report = pod_now;
  report.mutable_status()->Clear();
  report.mutable_status()->set_phase("Running");
  BOOST_REQUIRE(prepare_status_update(report, pod_now, pod_kind()).ok());
  BOOST_TEST(report.status().phase() == "Running");
  BOOST_TEST(report.status().qos_class() == "BestEffort");

  m::Deployment stale = current;
  stale.mutable_metadata()->set_uid("0d9a3b7c-2e4f-4a1b-9c8d-7e6f5a4b3c2d");
  BOOST_TEST(code(prepare_status_update(stale, current, deployment_kind())) == "conflict");

  m::ConfigMap cm;
  cm.mutable_metadata()->set_name("settings");
  auto s = prepare_status_update(cm, cm, kind("v1", "ConfigMap"));
  BOOST_TEST(code(s) == "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
