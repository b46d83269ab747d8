// The codec's strict decoding and kubectl-like encoding, on small inline documents.
#include <boost/test/unit_test.hpp>

#include <google/protobuf/util/message_differencer.h>

#include "messages/codec/encoder.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace codec = troupe::messages::codec;
namespace msg = troupe::messages;

namespace {

codec::manifest_set read(const std::string& text) {
  return codec::read_manifest_text(text, "t.yml");
}

std::string only_error(const codec::manifest_set& set) {
  BOOST_REQUIRE_EQUAL(set.errors.size(), 1u);
  return set.errors[0].to_string();
}

template <class T>
const T& only_object(const codec::manifest_set& set) {
  BOOST_REQUIRE_MESSAGE(set.errors.empty(), (set.errors.empty() ? "" : set.errors[0].to_string()));
  BOOST_REQUIRE_EQUAL(set.objects.size(), 1u);
  return dynamic_cast<const T&>(*set.objects[0].object);
}

const std::string pod_header = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_codec)

BOOST_AUTO_TEST_CASE(decode_pod_fields_by_kubernetes_names) {
  auto set = read(pod_header +
                  "  containers:\n"
                  "  - name: web\n"
                  "    image: nginx:1.7.1\n"
                  "    ports:\n"
                  "    - containerPort: 80\n"
                  "      name: http\n"
                  "    resources:\n"
                  "      requests: {cpu: 500m, memory: 1.5Gi}\n"
                  "    readinessProbe:\n"
                  "      httpGet: {path: /, port: http}\n"
                  "  hostNetwork: false\n"
                  "status:\n"
                  "  podIP: 10.244.0.24\n"
                  "  startTime: \"2018-03-03T06:26:14Z\"\n");
  const auto& pod = only_object<msg::Pod>(set);
  BOOST_TEST(pod.metadata().name() == "p");
  BOOST_REQUIRE_EQUAL(pod.spec().containers_size(), 1);
  const auto& c = pod.spec().containers(0);
  BOOST_TEST(c.image() == "nginx:1.7.1");
  BOOST_TEST(c.ports(0).container_port() == 80);
  BOOST_TEST(c.resources().requests().at("cpu").milli() == 500);
  BOOST_TEST(c.resources().requests().at("memory").milli() == 1610612736000LL);
  BOOST_TEST(c.readiness_probe().http_get().port().str_val() == "http");
  BOOST_TEST(pod.status().pod_ip() == "10.244.0.24");
  BOOST_TEST(pod.status().start_time().seconds() == 1520058374);
}

BOOST_AUTO_TEST_CASE(decode_json_document) {
  auto set = read(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "back-end"},
    "spec": {"clusterIP": "10.96.0.10", "ports": [{"port": 80, "targetPort": 8080}]}})");
  const auto& svc = only_object<msg::Service>(set);
  BOOST_TEST(svc.spec().cluster_ip() == "10.96.0.10");
  BOOST_TEST(svc.spec().ports(0).target_port().int_val() == 8080);
}

BOOST_AUTO_TEST_CASE(decode_multi_document_skips_empty_documents) {
  auto set = read("---\n" + pod_header + "  containers: [{name: a, image: x}]\n---\n---\n" +
                  pod_header + "  containers: [{name: b, image: y}]\n");
  BOOST_TEST(set.errors.empty());
  BOOST_TEST(set.objects.size() == 2u);
}

BOOST_AUTO_TEST_CASE(decode_unknown_field_names_path_and_position) {
  auto set = read(pod_header + "  containers:\n  - name: web\n    imagee: nginx\n");
  BOOST_TEST(only_error(set) == "t.yml:8:5: unknown field \"spec.containers[0].imagee\"");
}

BOOST_AUTO_TEST_CASE(decode_collects_every_error) {
  auto set = read(pod_header + "  bogus: 1\n  containers:\n  - name: web\n    imagee: nginx\n" +
                  "  restartPolicy: [Always]\n");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 3u);
  BOOST_TEST(set.errors[0].message == "unknown field \"spec.bogus\"");
  BOOST_TEST(set.errors[1].message == "unknown field \"spec.containers[0].imagee\"");
  BOOST_TEST(set.errors[2].message == "spec.restartPolicy: expected a string, got a list");
}

BOOST_AUTO_TEST_CASE(decode_wrong_types_are_errors) {
  auto set = read(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
      "  replicas: \"3\"\n  paused: yes\n  template: nginx\n");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 3u);
  BOOST_TEST(set.errors[0].to_string() ==
             "t.yml:6:13: spec.replicas: expected an integer (32-bit), got the string \"3\"");
  BOOST_TEST(set.errors[1].message == "spec.paused: expected a boolean, got the value yes");
  BOOST_TEST(set.errors[2].message ==
             "spec.template: expected an object, got the string \"nginx\"");
}

BOOST_AUTO_TEST_CASE(decode_integer_out_of_range) {
  auto set = read(
      "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\n"
      "spec: {replicas: 3000000000}\n");
  BOOST_TEST(only_error(set) ==
             "t.yml:4:18: spec.replicas: expected an integer (32-bit), got the value 3000000000");
}

BOOST_AUTO_TEST_CASE(decode_plain_number_into_string_field_keeps_its_text) {
  // kubectl reads YAML this way: `value: 80` into a string field is "80".
  auto set = read(pod_header + "  containers:\n  - name: w\n    image: x\n    env:\n" +
                  "    - {name: PORT, value: 80}\n    - {name: V, value: 1.10}\n");
  const auto& pod = only_object<msg::Pod>(set);
  BOOST_TEST(pod.spec().containers(0).env(0).value() == "80");
  BOOST_TEST(pod.spec().containers(0).env(1).value() == "1.10");
}

BOOST_AUTO_TEST_CASE(decode_bad_quantity_time_and_base64) {
  auto set = read(pod_header + "  containers:\n  - name: w\n    image: x\n" +
                  "    resources: {limits: {cpu: 2 cores}}\n" + "status: {startTime: yesterday}\n");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 2u);
  BOOST_TEST(set.errors[0].message.find("spec.containers[0].resources.limits[cpu]: quantities "
                                        "must match the regular expression") == 0);
  BOOST_TEST(set.errors[1].message.find("status.startTime: parsing time \"yesterday\"") == 0);
  auto secret =
      read("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: 'not base64!'}\n");
  BOOST_TEST(only_error(secret) == "t.yml:4:11: data[k]: illegal base64 data at input byte 3");
}

BOOST_AUTO_TEST_CASE(decode_null_values_mean_unset) {
  auto set = read(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels:\n"
      "spec:\n  replicas: ~\n  strategy: null\n");
  const auto& d = only_object<msg::Deployment>(set);
  BOOST_TEST(!d.spec().has_replicas());
  BOOST_TEST(!d.spec().has_strategy());
  BOOST_TEST(d.metadata().labels().empty());
}

BOOST_AUTO_TEST_CASE(decode_empty_object_is_present) {
  auto set = read(pod_header + "  containers: [{name: w, image: x}]\n" +
                  "  volumes: [{name: scratch, emptyDir: {}}]\n");
  const auto& pod = only_object<msg::Pod>(set);
  BOOST_TEST(pod.spec().volumes(0).has_empty_dir());
}

BOOST_AUTO_TEST_CASE(decode_unknown_kind_and_version_with_hints) {
  auto set = read("apiVersion: apps/v1\nkind: Beplogment\nmetadata: {name: x}\n");
  BOOST_TEST(only_error(set) ==
             "t.yml:2:7: no matches for kind \"Beplogment\" in version "
             "\"apps/v1\"; did you mean kind \"Deployment\"?");
  set = read("apiVersion: V1\nkind: Service\nmetadata: {name: x}\n");
  BOOST_TEST(only_error(set) ==
             "t.yml:1:13: no matches for kind \"Service\" in version \"V1\"; "
             "did you mean apiVersion \"v1\"?");
  set = read("apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n");
  BOOST_TEST(only_error(set) ==
             "t.yml:1:13: no matches for kind \"Deployment\" in version \"v1\"; "
             "kind \"Deployment\" is in apiVersion \"apps/v1\"");
}

BOOST_AUTO_TEST_CASE(decode_missing_type_fields) {
  auto set = read("metadata: {name: x}\n");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 2u);
  BOOST_TEST(set.errors[0].message == "apiVersion not set");
  BOOST_TEST(set.errors[1].message == "kind not set");
  set = read("- just\n- a list\n");
  BOOST_TEST(only_error(set) ==
             "t.yml:1:1: expected an object with apiVersion and kind, got a list");
}

BOOST_AUTO_TEST_CASE(decode_duplicate_key_is_an_error) {
  auto set = read("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n");
  BOOST_TEST(only_error(set) == "t.yml:5:3: duplicate key \"name\" in this mapping");
}

BOOST_AUTO_TEST_CASE(decode_syntax_error_has_position) {
  auto set = read("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 1u);
  BOOST_TEST(set.errors[0].pos.line > 0);
  BOOST_TEST(set.errors[0].message.find("YAML syntax error") == 0);
}

BOOST_AUTO_TEST_CASE(encode_yaml_looks_like_kubectl) {
  auto set = read(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
      "  labels: {version: \"1.0\", app: web}\n"
      "  creationTimestamp: \"2018-03-03T09:01:55Z\"\n"
      "spec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n"
      "  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}\n"
      "  template:\n    spec:\n      containers:\n      - name: w\n        image: x\n"
      "        args: [\"true\", \"--port=80\"]\n"
      "        resources: {requests: {cpu: \"1\", memory: 1.5Gi}}\n");
  const auto& object = set.objects.at(0);
  BOOST_REQUIRE(set.errors.empty());
  auto yaml = codec::to_yaml(*codec::encode_object(*object.object, *object.kind));
  BOOST_TEST(yaml ==
             "apiVersion: apps/v1\n"
             "kind: Deployment\n"
             "metadata:\n"
             "  creationTimestamp: \"2018-03-03T09:01:55Z\"\n"
             "  labels:\n"
             "    app: web\n"
             "    version: \"1.0\"\n"
             "  name: d\n"
             "spec:\n"
             "  replicas: 3\n"
             "  selector:\n"
             "    matchLabels:\n"
             "      app: web\n"
             "  strategy:\n"
             "    rollingUpdate:\n"
             "      maxSurge: 25%\n"
             "      maxUnavailable: 0\n"
             "  template:\n"
             "    spec:\n"
             "      containers:\n"
             "      - args:\n"
             "        - \"true\"\n"
             "        - --port=80\n"
             "        image: x\n"
             "        name: w\n"
             "        resources:\n"
             "          requests:\n"
             "            cpu: \"1\"\n"
             "            memory: 1536Mi\n");
}

BOOST_AUTO_TEST_CASE(encode_json_keeps_field_order_and_types) {
  auto set = read(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n"
      "data: {password: cGFzc3dvcmQ=}\nimmutable: true\n");
  const auto& object = set.objects.at(0);
  auto json = codec::to_json(*codec::encode_object(*object.object, *object.kind));
  BOOST_TEST(json ==
             "{\n"
             "    \"apiVersion\": \"v1\",\n"
             "    \"kind\": \"Secret\",\n"
             "    \"metadata\": {\n"
             "        \"name\": \"s\"\n"
             "    },\n"
             "    \"immutable\": true,\n"
             "    \"data\": {\n"
             "        \"password\": \"cGFzc3dvcmQ=\"\n"
             "    },\n"
             "    \"type\": \"Opaque\"\n"
             "}\n");
  const auto& secret = dynamic_cast<const msg::Secret&>(*object.object);
  BOOST_TEST(secret.data().at("password") == "password");
}

BOOST_AUTO_TEST_CASE(encode_then_decode_special_strings_round_trip) {
  msg::ConfigMap cm;
  cm.mutable_metadata()->set_name("c");
  for (std::string v :
       {"", "true", "null", "~", "0x1F", "1e3", "- item", "a: b", "#x", "multi\nline", "tab\there",
        "quote\"s", "2018-03-03", "  padded  ", "ünïcødé", "*"})
    (*cm.mutable_data())["k" + std::to_string(cm.data_size())] = v;
  const auto* kind = msg::find_kind("v1", "ConfigMap");
  for (bool json : {false, true}) {
    auto tree = codec::encode_object(cm, *kind);
    auto text = json ? codec::to_json(*tree) : codec::to_yaml(*tree);
    auto set = read(text);
    const auto& back = only_object<msg::ConfigMap>(set);
    BOOST_TEST(google::protobuf::util::MessageDifferencer::Equals(cm, back), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
