// ClusterIP and NodePort allocation: free values from the service CIDR and the NodePort range,
// requested values checked with Kubernetes' errors, headless and ExternalName services left
// alone, and updates keeping, taking and giving up values as the API server does.
#include "actors/gateway/service_allocation.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>

#include "messages/proto/core.pb.h"

namespace {

namespace g = troupe::actors::gateway;
using troupe::messages::Service;

Service service(const std::string& type, std::vector<int32_t> node_ports = {0}) {
  Service s;
  s.mutable_metadata()->set_name("web");
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_spec()->set_type(type);
  int32_t port = 80;
  for (int32_t node_port : node_ports) {
    auto* p = s.mutable_spec()->add_ports();
    p->set_port(port++);
    p->set_protocol("TCP");
    p->set_node_port(node_port);
  }
  return s;
}

uint32_t ip(const char* text) {
  return *g::parse_ipv4(text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_gateway_service_allocation)

BOOST_AUTO_TEST_CASE(parse_ipv4_accepts_dotted_quads_only) {
  BOOST_TEST(g::format_ipv4(ip("10.96.0.10")) == "10.96.0.10");
  BOOST_TEST(!g::parse_ipv4("10.96.0"));
  BOOST_TEST(!g::parse_ipv4("10.96.0.256"));
  BOOST_TEST(!g::parse_ipv4("10.96.0.01"));
  BOOST_TEST(!g::parse_ipv4("10.96.0.1 "));
  BOOST_TEST(!g::parse_ipv4("None"));
}

BOOST_AUTO_TEST_CASE(note_used_key_reads_the_value_from_the_key) {
  g::used_values used;
  g::note_used_key(g::cluster_ip_key(ip("10.96.3.4")), used);
  g::note_used_key(g::node_port_key(30080), used);
  g::note_used_key("/core/services/default/web", used);
  BOOST_TEST(g::cluster_ip_key(ip("10.96.3.4")) == "/core/serviceipallocations//10.96.3.4");
  BOOST_TEST(used.ips.size() == 1u);
  BOOST_TEST(used.ips.count(ip("10.96.3.4")) == 1u);
  BOOST_TEST(used.node_ports.size() == 1u);
  BOOST_TEST(used.node_ports.count(30080) == 1u);
}

BOOST_AUTO_TEST_CASE(allocate_for_create_takes_a_free_cluster_ip_in_the_cidr) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    auto s = service("ClusterIP");
    auto plan = g::allocate_for_create(s, {}, rng);
    BOOST_TEST_REQUIRE(plan.error.empty());
    auto a = g::parse_ipv4(s.spec().cluster_ip());
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST((*a & 0xfff00000u) == ip("10.96.0.0"));
    BOOST_TEST(*a != ip("10.96.0.0"));
    BOOST_TEST(*a != ip("10.96.0.1"));  // the kubernetes service's
    BOOST_TEST(*a != ip("10.111.255.255"));
    BOOST_TEST(s.spec().cluster_ips_size() == 1);
    BOOST_TEST(s.spec().cluster_ips(0) == s.spec().cluster_ip());
    BOOST_TEST(plan.new_ips == std::vector<uint32_t>{*a});
    BOOST_TEST(plan.new_node_ports.empty());  // ClusterIP: none
  }
}

BOOST_AUTO_TEST_CASE(allocate_for_create_skips_used_values) {
  // A range of four addresses: .0 network, .1 reserved, .3 broadcast: only .2 is free.
  g::service_ranges tiny{ip("10.96.0.0"), 30, 30000, 30001};
  std::mt19937_64 rng(7);
  g::used_values used;
  used.node_ports = {30000};
  auto s = service("NodePort");
  auto plan = g::allocate_for_create(s, used, rng, tiny);
  BOOST_TEST_REQUIRE(plan.error.empty());
  BOOST_TEST(s.spec().cluster_ip() == "10.96.0.2");
  BOOST_TEST(s.spec().ports(0).node_port() == 30001);
  used.ips = {ip("10.96.0.2")};
  auto full = service("ClusterIP");
  auto refused = g::allocate_for_create(full, used, rng, tiny);
  BOOST_TEST(refused.error == "failed to allocate a serviceIP: range is full");
  BOOST_TEST(refused.internal);
}

BOOST_AUTO_TEST_CASE(allocate_for_create_gives_each_port_its_own_node_port) {
  std::mt19937_64 rng(3);
  g::service_ranges two{ip("10.96.0.0"), 12, 30000, 30001};
  auto s = service("NodePort", {0, 0});
  auto plan = g::allocate_for_create(s, {}, rng, two);
  BOOST_TEST_REQUIRE(plan.error.empty());
  BOOST_TEST(s.spec().ports(0).node_port() != s.spec().ports(1).node_port());
  BOOST_TEST(plan.new_node_ports.size() == 2u);
}

BOOST_AUTO_TEST_CASE(allocate_for_create_refuses_requested_values_in_use) {
  std::mt19937_64 rng(1);
  g::used_values used;
  used.ips = {ip("10.96.0.10")};
  used.node_ports = {30080};
  auto s = service("ClusterIP");
  s.mutable_spec()->set_cluster_ip("10.96.0.10");
  auto plan = g::allocate_for_create(s, used, rng);
  BOOST_TEST(plan.error ==
             "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP "
             "10.96.0.10: provided IP is already allocated");
  BOOST_TEST(!plan.internal);

  auto p = service("NodePort", {30080});
  plan = g::allocate_for_create(p, used, rng);
  BOOST_TEST(plan.error ==
             "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");

  auto free = service("NodePort", {30081});
  free.mutable_spec()->set_cluster_ip("10.96.0.11");
  plan = g::allocate_for_create(free, used, rng);
  BOOST_TEST(plan.error.empty());
  BOOST_TEST(plan.requested_ips.count(ip("10.96.0.11")) == 1u);
  BOOST_TEST(plan.requested_node_ports.count(30081) == 1u);
}

BOOST_AUTO_TEST_CASE(allocate_for_create_refuses_an_ip_outside_the_cidr) {
  std::mt19937_64 rng(1);
  for (const char* bad : {"192.168.1.1", "10.96.0.0", "10.111.255.255"}) {
    auto s = service("ClusterIP");
    s.mutable_spec()->set_cluster_ip(bad);
    auto plan = g::allocate_for_create(s, {}, rng);
    BOOST_TEST(plan.error == "spec.clusterIPs: Invalid value: []string{\"" + std::string(bad) +
                                 "\"}: failed to allocate IP " + bad + ": the provided IP (" + bad +
                                 ") is not in the valid range. The range of valid IPs is "
                                 "10.96.0.0/12");
  }
}

BOOST_AUTO_TEST_CASE(allocate_for_create_leaves_headless_and_external_name_alone) {
  std::mt19937_64 rng(1);
  auto headless = service("ClusterIP");
  headless.mutable_spec()->set_cluster_ip("None");
  auto plan = g::allocate_for_create(headless, {}, rng);
  BOOST_TEST(plan.error.empty());
  BOOST_TEST(headless.spec().cluster_ip() == "None");
  BOOST_TEST(plan.new_ips.empty());
  BOOST_TEST(g::allocation_keys(headless).empty());

  auto external = service("ExternalName", {});
  plan = g::allocate_for_create(external, {}, rng);
  BOOST_TEST(external.spec().cluster_ip().empty());
  BOOST_TEST(plan.new_ips.empty());
}

BOOST_AUTO_TEST_CASE(allocate_for_update_keeps_what_the_service_holds) {
  std::mt19937_64 rng(1);
  auto current = service("NodePort", {30080});
  current.mutable_spec()->set_cluster_ip("10.96.0.10");
  current.mutable_spec()->add_cluster_ips("10.96.0.10");
  g::used_values used{{ip("10.96.0.10")}, {30080}};
  // As a replace from a manifest that has neither clusterIP nor nodePort.
  auto incoming = service("NodePort", {0});
  auto plan = g::allocate_for_update(incoming, current, used, rng);
  BOOST_TEST_REQUIRE(plan.error.empty());
  BOOST_TEST(incoming.spec().cluster_ip() == "10.96.0.10");
  BOOST_TEST(incoming.spec().ports(0).node_port() == 30080);
  BOOST_TEST(plan.new_ips.empty());
  BOOST_TEST(plan.new_node_ports.empty());
  BOOST_TEST(plan.released_node_ports.empty());
}

BOOST_AUTO_TEST_CASE(allocate_for_update_refuses_a_changed_cluster_ip) {
  std::mt19937_64 rng(1);
  auto current = service("ClusterIP");
  current.mutable_spec()->set_cluster_ip("10.96.0.10");
  auto incoming = service("ClusterIP");
  incoming.mutable_spec()->set_cluster_ip("10.96.0.11");
  auto plan = g::allocate_for_update(incoming, current, {}, rng);
  BOOST_TEST(
      plan.error ==
      "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set");
}

BOOST_AUTO_TEST_CASE(allocate_for_update_takes_and_releases_node_ports_with_the_type) {
  std::mt19937_64 rng(1);
  auto cluster_ip = service("ClusterIP");
  cluster_ip.mutable_spec()->set_cluster_ip("10.96.0.10");
  auto node_port = service("NodePort", {0});
  auto plan = g::allocate_for_update(node_port, cluster_ip, {}, rng);
  BOOST_TEST_REQUIRE(plan.error.empty());
  BOOST_TEST_REQUIRE(plan.new_node_ports.size() == 1u);
  BOOST_TEST(node_port.spec().ports(0).node_port() == plan.new_node_ports[0]);
  BOOST_TEST(node_port.spec().cluster_ip() == "10.96.0.10");

  // Back to ClusterIP, keeping the nodePort field as kubectl apply would: it is dropped.
  auto back = node_port;
  back.mutable_spec()->set_type("ClusterIP");
  plan = g::allocate_for_update(back, node_port, {}, rng);
  BOOST_TEST_REQUIRE(plan.error.empty());
  BOOST_TEST(back.spec().ports(0).node_port() == 0);
  BOOST_TEST(plan.released_node_ports ==
             std::vector<int32_t>{node_port.spec().ports(0).node_port()});
}

BOOST_AUTO_TEST_CASE(allocation_keys_names_everything_a_service_holds) {
  auto s = service("NodePort", {30080, 30081});
  s.mutable_spec()->set_cluster_ip("10.96.0.10");
  auto keys = g::allocation_keys(s);
  std::vector<std::string> expected{"/core/serviceipallocations//10.96.0.10",
                                    "/core/servicenodeportallocations//30080",
                                    "/core/servicenodeportallocations//30081"};
  BOOST_TEST(keys == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
