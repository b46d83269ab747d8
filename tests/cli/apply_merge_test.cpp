// kubectl's client-side apply without a cluster: manifests in, the object to create or update,
// the annotation and the outcome out. Live objects are made as the API server would store them:
// the applied manifest, defaulted, with server fields and status.
#include "cli/apply_merge.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/util/message_differencer.h>

#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace {

namespace codec = troupe::messages::codec;
namespace pb = google::protobuf;
using troupe::cli::apply_outcome;
using troupe::cli::last_applied_annotation;
using troupe::messages::ConfigMap;
using troupe::messages::Container;
using troupe::messages::Deployment;
using troupe::messages::Service;

constexpr std::string_view deployment_yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    app: web
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
        env:
        - name: A
          value: "1"
        - name: B
          value: "2"
      - name: sidecar
        image: busybox:1.36
        args: ["sleep", "3600"]
)";

constexpr std::string_view service_yaml = R"(apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
)";

// `text` with one occurrence of `from` replaced; fails the test if `from` is not there.
std::string edit(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  auto at = out.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no \"" << from << "\" to edit");
  out.replace(at, from.size(), to);
  return out;
}

codec::manifest_object read_one(std::string_view yaml) {
  auto set = codec::read_manifest_text(yaml, "test.yml");
  for (const auto& e : set.errors)
    BOOST_TEST_MESSAGE(e.to_string());
  BOOST_REQUIRE(set.ok());
  BOOST_REQUIRE_EQUAL(set.objects.size(), 1u);
  return std::move(set.objects.front());
}

// The live object after `object` was created: defaulted, with server fields and a status.
std::unique_ptr<pb::Message> stored(std::unique_ptr<pb::Message> object, std::string_view yaml) {
  auto as_stored = read_one(yaml);
  as_stored.object = std::move(object);
  auto errors = codec::default_and_validate(as_stored);
  for (const auto& e : errors)
    BOOST_TEST_MESSAGE(e.to_string());
  BOOST_REQUIRE(errors.empty());
  auto& meta = *troupe::messages::metadata_of(*as_stored.object);
  meta.set_uid("0b7c3f5e-uid");
  meta.set_resource_version("41");
  meta.set_generation(1);
  meta.mutable_creation_timestamp()->set_seconds(1'700'000'000);
  if (auto* d = dynamic_cast<Deployment*>(as_stored.object.get())) {
    d->mutable_status()->set_replicas(d->spec().replicas());
    d->mutable_status()->set_observed_generation(1);
  }
  if (auto* s = dynamic_cast<Service*>(as_stored.object.get())) {
    s->mutable_spec()->set_cluster_ip("10.96.0.17");
    s->mutable_spec()->mutable_ports(0)->set_node_port(31380);
  }
  return std::move(as_stored.object);
}

// What `troupectl apply -f` of `yaml` created when the object did not exist.
std::unique_ptr<pb::Message> applied(std::string_view yaml) {
  auto manifest = read_one(yaml);
  return stored(troupe::cli::object_to_create(*manifest.object, *manifest.kind), yaml);
}

// What `troupectl create -f` (no annotation) created.
std::unique_ptr<pb::Message> created_without_annotation(std::string_view yaml) {
  return stored(std::move(read_one(yaml).object), yaml);
}

struct apply_run {
  troupe::cli::apply_merge_result result;
  const troupe::messages::kind_info* kind = nullptr;
  std::unique_ptr<pb::Message> manifest;
};

// Applies `yaml` onto `live`, requiring success.
apply_run run_apply(std::string_view yaml, const pb::Message& live) {
  auto manifest = read_one(yaml);
  apply_run run{troupe::cli::merge_for_apply(*manifest.object, live, *manifest.kind), manifest.kind,
                std::move(manifest.object)};
  BOOST_REQUIRE_MESSAGE(run.result.error.empty(), run.result.error);
  BOOST_REQUIRE(run.result.object);
  return run;
}

std::string outcome_of(const apply_run& run) {
  return std::string(troupe::cli::to_string(run.result.outcome));
}

const Deployment& deployment(const apply_run& run) {
  return dynamic_cast<const Deployment&>(*run.result.object);
}

const Container& container(const Deployment& d, std::string_view name) {
  for (const auto& c : d.spec().template_().spec().containers())
    if (c.name() == name) return c;
  BOOST_FAIL("no container " << name);
  throw;  // unreachable: BOOST_FAIL throws
}

std::vector<std::string> container_names(const Deployment& d) {
  std::vector<std::string> out;
  for (const auto& c : d.spec().template_().spec().containers())
    out.push_back(c.name());
  return out;
}

std::vector<std::string> env_of(const Container& c) {
  std::vector<std::string> out;
  for (const auto& e : c.env())
    out.push_back(e.name() + "=" + e.value());
  return out;
}

std::string annotation_of(const pb::Message& object) {
  const auto& annotations = troupe::messages::metadata_of(object)->annotations();
  auto found = annotations.find(std::string(last_applied_annotation));
  return found == annotations.end() ? "<none>" : found->second;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_apply_merge)

BOOST_AUTO_TEST_CASE(create_sets_annotation_as_kubectl_writes_it) {
  auto manifest = read_one(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    owner: team-a
    kubectl.kubernetes.io/last-applied-configuration: '{"stale":true}'
data:
  zeta: "<b>&</b>"
  alpha: "line1\nline2"
)");
  auto object = troupe::cli::object_to_create(*manifest.object, *manifest.kind);
  // Compact, keys sorted at every level, HTML-safe escapes, its own old value left out, and
  // Go's final newline.
  BOOST_TEST(annotation_of(*object) ==
             R"({"apiVersion":"v1","data":{"alpha":"line1\nline2","zeta":"\u003cb\u003e\u0026)"
             R"(\u003c/b\u003e"},"kind":"ConfigMap","metadata":{"annotations":{"owner":"team-a"},)"
             R"("name":"settings"}})"
             "\n");
  // The rest of the manifest is sent as written.
  const auto& cm = dynamic_cast<const ConfigMap&>(*object);
  BOOST_TEST(cm.metadata().annotations().at("owner") == "team-a");
  BOOST_TEST(cm.data().at("zeta") == "<b>&</b>");
  BOOST_TEST(troupe::cli::apply_summary(*object, *manifest.kind, apply_outcome::created) ==
             "configmap/settings created");
}

BOOST_AUTO_TEST_CASE(annotation_keeps_empty_annotations_map_like_kubectl) {
  auto manifest = read_one("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
  BOOST_TEST(troupe::cli::last_applied_configuration(*manifest.object, *manifest.kind) ==
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},"
             "\"name\":\"c\"}}\n");
}

BOOST_AUTO_TEST_CASE(reapply_of_the_same_manifest_is_unchanged) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(deployment_yaml, *live);
  BOOST_TEST(outcome_of(run) == "unchanged");
  BOOST_TEST(run.result.warning == "");
  BOOST_TEST(pb::util::MessageDifferencer::Equals(*run.result.object, *live));
  BOOST_TEST(troupe::cli::apply_summary(*run.result.object, *run.kind, run.result.outcome) ==
             "deployment.apps/web unchanged");
}

BOOST_AUTO_TEST_CASE(replicas_changed_in_manifest_wins_over_scale) {
  auto live = applied(deployment_yaml);
  dynamic_cast<Deployment&>(*live).mutable_spec()->set_replicas(5);  // troupectl scale --replicas=5
  auto run = run_apply(edit(deployment_yaml, "replicas: 3", "replicas: 4"), *live);
  BOOST_TEST(outcome_of(run) == "configured");
  BOOST_TEST(deployment(run).spec().replicas() == 4);
  BOOST_TEST(troupe::cli::apply_summary(*run.result.object, *run.kind, run.result.outcome) ==
             "deployment.apps/web configured");
}

BOOST_AUTO_TEST_CASE(scaled_replicas_survive_a_manifest_without_replicas) {
  auto without_replicas = edit(deployment_yaml, "  replicas: 3\n", "");
  auto live = applied(without_replicas);
  dynamic_cast<Deployment&>(*live).mutable_spec()->set_replicas(5);
  auto run = run_apply(without_replicas, *live);
  BOOST_TEST(outcome_of(run) == "unchanged");
  BOOST_TEST(deployment(run).spec().replicas() == 5);
}

BOOST_AUTO_TEST_CASE(image_change_of_one_container_keeps_the_other_and_defaults) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(edit(deployment_yaml, "image: nginx:1.25", "image: nginx:1.26"), *live);
  BOOST_TEST(outcome_of(run) == "configured");
  const auto& d = deployment(run);
  BOOST_TEST(container_names(d) == (std::vector<std::string>{"nginx", "sidecar"}),
             boost::test_tools::per_element());
  BOOST_TEST(container(d, "nginx").image() == "nginx:1.26");
  BOOST_TEST(container(d, "sidecar").image() == "busybox:1.36");
  BOOST_TEST(container(d, "sidecar").args_size() == 2);
  // Defaults the server added to both containers are not wiped.
  BOOST_TEST(container(d, "nginx").image_pull_policy() == "IfNotPresent");
  BOOST_TEST(container(d, "sidecar").image_pull_policy() == "IfNotPresent");
  BOOST_TEST(container(d, "nginx").termination_message_path() ==
             container(dynamic_cast<const Deployment&>(*live), "nginx").termination_message_path());
  BOOST_TEST(d.spec().strategy().type() == "RollingUpdate");
  BOOST_TEST(d.spec().strategy().has_rolling_update());
}

BOOST_AUTO_TEST_CASE(container_removed_from_manifest_is_removed_live) {
  auto live = applied(deployment_yaml);
  auto without_sidecar = edit(deployment_yaml,
                              "      - name: sidecar\n        image: busybox:1.36\n"
                              "        args: [\"sleep\", \"3600\"]\n",
                              "");
  auto run = run_apply(without_sidecar, *live);
  BOOST_TEST(outcome_of(run) == "configured");
  BOOST_TEST(container_names(deployment(run)) == std::vector<std::string>{"nginx"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(container_added_live_by_another_tool_survives) {
  auto live = applied(deployment_yaml);
  auto& spec =
      *dynamic_cast<Deployment&>(*live).mutable_spec()->mutable_template_()->mutable_spec();
  auto& injected = *spec.add_containers();
  injected.set_name("proxy");
  injected.set_image("envoy:1.29");
  auto run = run_apply(edit(deployment_yaml, "image: nginx:1.25", "image: nginx:1.26"), *live);
  BOOST_TEST(
      container_names(deployment(run)) == (std::vector<std::string>{"nginx", "sidecar", "proxy"}),
      boost::test_tools::per_element());
  BOOST_TEST(container(deployment(run), "proxy").image() == "envoy:1.29");
}

BOOST_AUTO_TEST_CASE(label_added_live_survives_an_apply_that_never_mentioned_it) {
  auto live = applied(deployment_yaml);
  // troupectl label deployment web release=canary
  (*troupe::messages::metadata_of(*live)->mutable_labels())["release"] = "canary";
  auto run = run_apply(deployment_yaml, *live);
  BOOST_TEST(outcome_of(run) == "unchanged");
  BOOST_TEST(deployment(run).metadata().labels().at("release") == "canary");

  auto retagged = run_apply(edit(deployment_yaml, "tier: frontend", "tier: edge"), *live);
  BOOST_TEST(outcome_of(retagged) == "configured");
  BOOST_TEST(deployment(retagged).metadata().labels().at("release") == "canary");
  BOOST_TEST(deployment(retagged).metadata().labels().at("tier") == "edge");
}

BOOST_AUTO_TEST_CASE(label_removed_from_manifest_is_removed_live) {
  auto live = applied(deployment_yaml);
  (*troupe::messages::metadata_of(*live)->mutable_labels())["release"] = "canary";
  auto run = run_apply(edit(deployment_yaml, "    tier: frontend\n", ""), *live);
  BOOST_TEST(outcome_of(run) == "configured");
  const auto& labels = deployment(run).metadata().labels();
  BOOST_TEST(labels.count("tier") == 0u);
  BOOST_TEST(labels.at("app") == "web");
  BOOST_TEST(labels.at("release") == "canary");  // never applied, so not the manifest's to drop
}

BOOST_AUTO_TEST_CASE(env_merges_by_name) {
  auto live = applied(deployment_yaml);
  // troupectl set env deployment/web -c nginx C=3: a variable the manifest never had.
  auto& nginx = *dynamic_cast<Deployment&>(*live)
                     .mutable_spec()
                     ->mutable_template_()
                     ->mutable_spec()
                     ->mutable_containers(0);
  auto& added = *nginx.add_env();
  added.set_name("C");
  added.set_value("3");
  // The manifest drops A, changes B and adds D.
  auto manifest = edit(deployment_yaml,
                       "        - name: A\n          value: \"1\"\n"
                       "        - name: B\n          value: \"2\"\n",
                       "        - name: B\n          value: \"20\"\n"
                       "        - name: D\n          value: \"4\"\n");
  auto run = run_apply(manifest, *live);
  BOOST_TEST(outcome_of(run) == "configured");
  // The manifest's items in its order. kubectl slots a live-only item in only ahead of an item
  // that comes after it in the live list; new D has no live position, so C goes last.
  BOOST_TEST(env_of(container(deployment(run), "nginx")) ==
                 (std::vector<std::string>{"B=20", "D=4", "C=3"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(list_without_merge_key_is_replaced_whole) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(
      edit(deployment_yaml, "args: [\"sleep\", \"3600\"]", "args: [\"sleep\", \"60\"]"), *live);
  const auto& args = container(deployment(run), "sidecar").args();
  BOOST_TEST(std::vector<std::string>(args.begin(), args.end()) ==
                 (std::vector<std::string>{"sleep", "60"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(status_and_server_fields_are_untouched) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(edit(deployment_yaml, "image: nginx:1.25", "image: nginx:1.26"), *live);
  const auto& d = deployment(run);
  const auto& before = dynamic_cast<const Deployment&>(*live);
  BOOST_TEST(d.metadata().uid() == "0b7c3f5e-uid");
  // The live resourceVersion is the UPDATE's precondition.
  BOOST_TEST(d.metadata().resource_version() == "41");
  BOOST_TEST(d.metadata().generation() == 1);
  BOOST_TEST(d.metadata().creation_timestamp().seconds() == 1'700'000'000);
  BOOST_TEST(pb::util::MessageDifferencer::Equals(d.status(), before.status()));
  BOOST_TEST(d.spec().revision_history_limit() == before.spec().revision_history_limit());
  BOOST_TEST(d.spec().progress_deadline_seconds() == before.spec().progress_deadline_seconds());
}

BOOST_AUTO_TEST_CASE(status_in_the_manifest_does_not_overwrite_live_status) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(std::string(deployment_yaml) + "status:\n  replicas: 99\n", *live);
  BOOST_TEST(deployment(run).status().replicas() == 3);
}

BOOST_AUTO_TEST_CASE(service_ports_merge_by_port_and_keep_allocated_fields) {
  auto live = applied(service_yaml);
  auto manifest =
      edit(service_yaml, "    targetPort: 8080\n",
           "    targetPort: 8081\n  - name: https\n    port: 443\n    targetPort: 8443\n");
  auto run = run_apply(manifest, *live);
  BOOST_TEST(outcome_of(run) == "configured");
  const auto& spec = dynamic_cast<const Service&>(*run.result.object).spec();
  BOOST_TEST(spec.cluster_ip() == "10.96.0.17");
  BOOST_REQUIRE_EQUAL(spec.ports_size(), 2);
  BOOST_TEST(spec.ports(0).port() == 80);
  BOOST_TEST(spec.ports(0).target_port().int_val() == 8081);
  BOOST_TEST(spec.ports(0).node_port() == 31380);  // allocated by the server, kept
  BOOST_TEST(spec.ports(0).protocol() == "TCP");   // defaulted by the server, kept
  BOOST_TEST(spec.ports(1).port() == 443);
  BOOST_TEST(spec.ports(1).node_port() == 0);  // for the server to allocate
}

BOOST_AUTO_TEST_CASE(missing_annotation_warns_and_patches_it_in) {
  auto live = created_without_annotation(deployment_yaml);
  (*troupe::messages::metadata_of(*live)->mutable_labels())["release"] = "canary";
  auto run = run_apply(edit(deployment_yaml, "    tier: frontend\n", ""), *live);
  BOOST_TEST(run.result.warning ==
             "Warning: resource deployments/web is missing the "
             "kubectl.kubernetes.io/last-applied-configuration annotation which is required by "
             "troupectl apply. troupectl apply should only be used on resources created "
             "declaratively by either troupectl create --save-config or troupectl apply. The "
             "missing annotation will be patched automatically.");
  BOOST_TEST(outcome_of(run) == "configured");
  BOOST_TEST(annotation_of(*run.result.object) ==
             troupe::cli::last_applied_configuration(*run.manifest, *run.kind));
  // With nothing applied before, nothing counts as dropped from the manifest.
  const auto& labels = deployment(run).metadata().labels();
  BOOST_TEST(labels.at("tier") == "frontend");
  BOOST_TEST(labels.at("release") == "canary");
}

BOOST_AUTO_TEST_CASE(annotation_after_update_is_compact_json_of_the_new_manifest) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(edit(deployment_yaml, "replicas: 3", "replicas: 4"), *live);
  auto annotation = annotation_of(*run.result.object);
  BOOST_TEST(annotation == troupe::cli::last_applied_configuration(*run.manifest, *run.kind));
  BOOST_TEST(annotation.find("\"replicas\":4") != std::string::npos);
  BOOST_TEST(annotation.find(std::string(last_applied_annotation)) == std::string::npos);
  BOOST_TEST(annotation.find('\n') == annotation.size() - 1);
  // No defaults leak into it: it records what the user wrote.
  BOOST_TEST(annotation.find("imagePullPolicy") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(strategy_change_to_recreate_drops_live_rolling_update) {
  auto live = applied(deployment_yaml);
  auto run = run_apply(
      edit(deployment_yaml, "  replicas: 3\n", "  replicas: 3\n  strategy:\n    type: Recreate\n"),
      *live);
  BOOST_TEST(deployment(run).spec().strategy().type() == "Recreate");
  // retainKeys: the defaulted rollingUpdate would make the object invalid.
  BOOST_TEST(!deployment(run).spec().strategy().has_rolling_update());
}

BOOST_AUTO_TEST_CASE(configmap_data_merges_key_by_key) {
  constexpr std::string_view yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n  b: \"2\"\n";
  auto live = applied(yaml);
  (*dynamic_cast<ConfigMap&>(*live).mutable_data())["live"] = "x";
  auto run = run_apply(edit(edit(yaml, "  a: \"1\"\n", ""), "b: \"2\"", "b: \"3\""), *live);
  const auto& data = dynamic_cast<const ConfigMap&>(*run.result.object).data();
  BOOST_TEST(data.count("a") == 0u);
  BOOST_TEST(data.at("b") == "3");
  BOOST_TEST(data.at("live") == "x");
}

BOOST_AUTO_TEST_CASE(broken_annotation_is_an_error_naming_the_object) {
  auto live = applied(deployment_yaml);
  (*troupe::messages::metadata_of(*live)
        ->mutable_annotations())[std::string(last_applied_annotation)] = "{\"apiVersion\": ";
  auto manifest = read_one(deployment_yaml);
  auto result = troupe::cli::merge_for_apply(*manifest.object, *live, *manifest.kind);
  BOOST_TEST(!result.object);
  BOOST_TEST(
      result.error.find("annotation of deployments/web is not valid JSON") != std::string::npos,
      result.error);
}

BOOST_AUTO_TEST_CASE(three_way_merge_reorders_only_when_the_manifest_does) {
  auto tree = [](std::string_view yaml) {
    auto parsed = codec::parse_yaml_stream(yaml);
    BOOST_REQUIRE(!parsed.error);
    return parsed.documents.at(0);
  };
  const auto& type = *troupe::messages::Container::descriptor();
  auto original = tree(R"({"name": "c", "env": [{"name": "A"}, {"name": "B"}]})");
  auto live = tree(R"({"name": "c", "env": [{"name": "A"}, {"name": "X"}, {"name": "B"}]})");
  // Same manifest: no patch, so even a live list in another order stays as it is.
  auto live_shuffled =
      tree(R"({"name": "c", "env": [{"name": "B"}, {"name": "X"}, {"name": "A"}]})");
  auto same = troupe::cli::three_way_merge(original.get(), original, live_shuffled, type);
  BOOST_TEST(troupe::cli::same_tree(*same, *live_shuffled));
  // The manifest swaps A and B: the manifest's order; X, before B live, stays before it.
  auto swapped = tree(R"({"name": "c", "env": [{"name": "B"}, {"name": "A"}]})");
  auto merged = troupe::cli::three_way_merge(original.get(), swapped, live, type);
  BOOST_TEST(troupe::cli::same_tree(
      *merged, *tree(R"({"name": "c", "env": [{"name": "X"}, {"name": "B"}, {"name": "A"}]})")));
  auto reordered = tree(R"({"name": "c", "env": [{"name": "A"}, {"name": "B"}]})");
  auto live_reversed = tree(R"({"name": "c", "env": [{"name": "B"}, {"name": "A"}]})");
  auto back = troupe::cli::three_way_merge(swapped.get(), reordered, live_reversed, type);
  BOOST_TEST(troupe::cli::same_tree(*back, *reordered));
}

BOOST_AUTO_TEST_SUITE_END()
