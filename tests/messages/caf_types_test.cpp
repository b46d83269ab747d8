#include "messages/caf_types.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errc.hpp"
#include "messages/proto/core_pod.pb.h"

namespace {

using troupe::messages::errc;
using troupe::messages::Pod;

// A reply that takes longer than this fails the test instead of hanging it.
constexpr auto reply_timeout = std::chrono::seconds(10);

// A config as every Troupe actor system builds it: the type-ID block and the "troupe" error
// category, plus the middleman when the system talks to other processes.
struct troupe_config : caf::actor_system_config {
  explicit troupe_config(bool with_middleman) {
    troupe::messages::register_caf_types(*this);
    if (with_middleman) load<caf::io::middleman>();
  }
};

// One in-process system without networking, for the serializer and error tests.
struct system_fixture {
  troupe_config cfg{false};
  caf::actor_system system{cfg};
};

// Sends an exit to an actor when the scope ends, also when a failed check ends it early.
class kill_on_exit {
 public:
  explicit kill_on_exit(caf::actor actor) : actor_(std::move(actor)) {}
  kill_on_exit(const kill_on_exit&) = delete;
  kill_on_exit& operator=(const kill_on_exit&) = delete;
  ~kill_on_exit() { caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown); }

 private:
  caf::actor actor_;
};

// Replies with the pod it received, marked Running: the reply can only carry that change if the
// receiving node decoded the pod, changed it and encoded it again.
using pod_echo_actor = caf::typed_actor<caf::replies_to<Pod>::with<Pod>>;

pod_echo_actor::behavior_type pod_echo() {
  return {
      [](Pod& pod) {
        pod.mutable_status()->set_phase("Running");
        return pod;
      },
  };
}

troupe::messages::Quantity quantity(int64_t milli, const std::string& format) {
  troupe::messages::Quantity q;
  q.set_milli(milli);
  q.set_format(format);
  return q;
}

// A pod with every part that a real one carries across the cluster: maps, repeated messages,
// optional scalars, a oneof, nested Quantity/Time values and non-ASCII text.
Pod full_pod() {
  Pod pod;
  auto& meta = *pod.mutable_metadata();
  meta.set_name("web-7f9c4-x2bqz");
  meta.set_namespace_("prod");
  meta.set_uid("6f1d6c2e-9b7a-4d51-8a3e-0c2f4b9d7e11");
  meta.set_resource_version("4711");
  meta.set_generation(3);
  meta.mutable_creation_timestamp()->set_seconds(1700000000);
  meta.mutable_creation_timestamp()->set_nanos(123000000);
  (*meta.mutable_labels())["app"] = "web";
  (*meta.mutable_labels())["pod-template-hash"] = "7f9c4";
  (*meta.mutable_annotations())["troupe.io/owner"] = "Zoë Ødegård ✓";
  (*meta.mutable_annotations())["kubectl.kubernetes.io/restartedAt"] = "2024-01-01T00:00:00Z";
  auto& owner = *meta.add_owner_references();
  owner.set_api_version("apps/v1");
  owner.set_kind("ReplicaSet");
  owner.set_name("web-7f9c4");
  owner.set_uid("0a8e1f3b-5c2d-4e6f-9a7b-1c3d5e7f9a0b");
  owner.set_controller(true);
  owner.set_block_owner_deletion(true);
  meta.add_finalizers("troupe.io/cleanup");

  auto& spec = *pod.mutable_spec();
  spec.set_restart_policy("Always");
  spec.set_termination_grace_period_seconds(30);
  spec.set_dns_policy("ClusterFirst");
  (*spec.mutable_node_selector())["disktype"] = "ssd";
  spec.set_service_account_name("web");
  spec.set_node_name("node-1");

  auto& web = *spec.add_containers();
  web.set_name("web");
  web.set_image("nginx:1.25");
  web.add_command("nginx");
  web.add_args("-g");
  web.add_args("daemon off;");
  auto& http = *web.add_ports();
  http.set_name("http");
  http.set_container_port(80);
  http.set_protocol("TCP");
  auto& https = *web.add_ports();
  https.set_name("https");
  https.set_container_port(443);
  https.set_host_port(8443);
  https.set_host_ip("0.0.0.0");
  https.set_protocol("TCP");
  auto& mode = *web.add_env();
  mode.set_name("MODE");
  mode.set_value("production");
  auto& pod_ip = *web.add_env();
  pod_ip.set_name("POD_IP");
  pod_ip.mutable_value_from()->mutable_field_ref()->set_field_path("status.podIP");
  (*web.mutable_resources()->mutable_requests())["cpu"] = quantity(250, "DecimalSI");
  (*web.mutable_resources()->mutable_requests())["memory"] =
      quantity(int64_t{128} * 1024 * 1024 * 1000, "BinarySI");
  (*web.mutable_resources()->mutable_limits())["cpu"] = quantity(500, "DecimalSI");
  auto& liveness = *web.mutable_liveness_probe();
  liveness.mutable_http_get()->set_path("/healthz");
  liveness.mutable_http_get()->mutable_port()->set_int_val(8080);
  liveness.set_initial_delay_seconds(5);
  liveness.set_period_seconds(10);
  web.mutable_readiness_probe()->mutable_tcp_socket()->mutable_port()->set_str_val("http");

  auto& sidecar = *spec.add_containers();
  sidecar.set_name("log-shipper");
  sidecar.set_image("busybox:1.36");
  sidecar.add_args("sh");
  sidecar.add_args("-c");
  sidecar.add_args("tail -F /var/log/nginx/access.log");
  auto& metrics = *sidecar.add_ports();
  metrics.set_name("metrics");
  metrics.set_container_port(9100);
  metrics.set_protocol("TCP");
  auto& level = *sidecar.add_env();
  level.set_name("LEVEL");
  level.set_value("debug");
  (*sidecar.mutable_resources()->mutable_requests())["memory"] =
      quantity(int64_t{32} * 1024 * 1024 * 1000, "BinarySI");

  auto& status = *pod.mutable_status();
  status.set_phase("Pending");
  auto& scheduled = *status.add_conditions();
  scheduled.set_type("PodScheduled");
  scheduled.set_status("True");
  scheduled.mutable_last_transition_time()->set_seconds(1700000001);
  auto& ready = *status.add_conditions();
  ready.set_type("Ready");
  ready.set_status("False");
  ready.set_reason("ContainersNotReady");
  ready.set_message("containers with unready status: [web log-shipper]");
  ready.mutable_last_transition_time()->set_seconds(1700000002);
  status.set_host_ip("10.0.0.5");
  status.set_pod_ip("10.244.1.17");
  status.add_pod_ips()->set_ip("10.244.1.17");
  status.mutable_start_time()->set_seconds(1700000001);
  status.set_qos_class("Burstable");
  return pod;
}

// Compares two pods field by field; on failure the message names the differing fields.
boost::test_tools::predicate_result pods_equal(const Pod& expected, const Pod& actual) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, actual)) return true;
  boost::test_tools::predicate_result result(false);
  result.message() << "pods differ:\n" << diff;
  return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_caf_types)

// The boost timeout is a last resort: remote_actor() blocks without one of its own.
BOOST_AUTO_TEST_CASE(pod_crosses_middleman_equal, *boost::unit_test::timeout(60)) {
  troupe_config cfg_a{true};
  caf::actor_system system_a{cfg_a};
  troupe_config cfg_b{true};
  caf::actor_system system_b{cfg_b};
  BOOST_REQUIRE(system_a.node() != system_b.node());

  auto echo = system_a.spawn(pod_echo);
  // system_a's destructor waits for all of its actors, so stop the echo on every way out.
  kill_on_exit echo_guard{caf::actor_cast<caf::actor>(echo)};
  auto port = system_a.middleman().publish(echo, 0, "127.0.0.1");
  // Boost.Test builds a message even when the check passes, so render the error only on failure.
  if (!port) BOOST_FAIL("publish failed: " << system_a.render(port.error()));

  {
    auto remote = system_b.middleman().remote_actor<pod_echo_actor>("127.0.0.1", *port);
    if (!remote) BOOST_FAIL("remote_actor failed: " << system_b.render(remote.error()));
    // A proxy for an actor on node A: the request below is serialized onto the socket.
    BOOST_REQUIRE(remote->node() == system_a.node());

    const Pod sent = full_pod();
    std::optional<Pod> received;
    caf::error failure;
    caf::scoped_actor self{system_b};
    self->request(*remote, reply_timeout, sent)
        .receive([&](Pod& reply) { received = std::move(reply); },
                 [&](caf::error& err) { failure = std::move(err); });
    // Fail outside the handler: an exception must not unwind through CAF's receive loop.
    if (failure) BOOST_FAIL("request to the remote echo failed: " << system_b.render(failure));
    BOOST_REQUIRE(received.has_value());

    BOOST_TEST(sent.status().phase() == "Pending");
    BOOST_TEST(received->status().phase() == "Running");
    Pod expected = sent;
    expected.mutable_status()->set_phase("Running");
    BOOST_TEST(pods_equal(expected, *received));
  }
}

BOOST_FIXTURE_TEST_CASE(pod_round_trips_through_binary_serializer, system_fixture) {
  const Pod sent = full_pod();
  Pod copy = sent;
  std::vector<char> buf;
  caf::binary_serializer sink{system, buf};
  auto save_err = sink(copy);
  if (save_err) BOOST_FAIL("save failed: " << system.render(save_err));
  BOOST_TEST(!buf.empty());

  Pod loaded;
  caf::binary_deserializer source{system, buf};
  auto load_err = source(loaded);
  if (load_err) BOOST_FAIL("load failed: " << system.render(load_err));
  BOOST_TEST(source.remaining() == 0u);
  BOOST_TEST(pods_equal(sent, loaded));
}

BOOST_FIXTURE_TEST_CASE(malformed_bytes_are_an_error_not_a_crash, system_fixture) {
  // Each input is what a peer could put on the wire in place of an encoded pod.
  const std::vector<std::string> malformed = {
      // Tag 0x0f: field 1 with wire type 7, which does not exist.
      std::string{"\x0f"},
      // Field 1 (metadata) announces 16 bytes but only 3 follow.
      std::string{"\x0a\x10"
                  "abc"},
      // A varint tag whose continuation bit never clears.
      std::string(11, '\xff'),
      // Text after two 0xff bytes: the tag ends at the space, again with wire type 7.
      std::string{"\xff\xff garbage"},
  };
  for (const auto& bytes : malformed) {
    BOOST_TEST_CONTEXT("input of " << bytes.size() << " bytes") {
      std::vector<char> buf;
      caf::binary_serializer sink{system, buf};
      auto wire = bytes;
      BOOST_REQUIRE(!sink(wire));

      Pod pod;
      caf::binary_deserializer source{system, buf};
      auto err = source(pod);
      BOOST_REQUIRE(err);
      BOOST_TEST(err.category() == caf::atom("troupe"));
      BOOST_TEST(err.code() == static_cast<uint8_t>(errc::invalid));
      auto text = system.render(err);
      BOOST_TEST(text.find("malformed protobuf troupe.messages.Pod") != std::string::npos,
                 "rendered as: " << text);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(errc_renders_through_caf, system_fixture) {
  auto err = caf::make_error(errc::conflict, "resourceVersion 7 is stale");
  BOOST_TEST(err.category() == caf::atom("troupe"));
  BOOST_TEST(err.code() == static_cast<uint8_t>(errc::conflict));
  auto text = system.render(err);
  BOOST_TEST(text.find("troupe: conflict") != std::string::npos, "rendered as: " << text);
  BOOST_TEST(text.find("resourceVersion 7 is stale") != std::string::npos, "rendered as: " << text);
}

BOOST_AUTO_TEST_SUITE_END()
