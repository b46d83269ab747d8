// The Service `troupectl expose` builds: the object's selector and labels, ports from the flags
// or the pod template, and kubectl's errors for what cannot be exposed.
#include "cli/expose_service.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

namespace m = troupe::messages;
using troupe::cli::expose_options;
using troupe::cli::exposed_service;

const m::kind_info& kind(std::string_view api_version, std::string_view name) {
  const auto* k = m::find_kind(api_version, name);
  BOOST_REQUIRE(k != nullptr);
  return *k;
}

m::Deployment deployment(std::vector<int32_t> ports) {
  m::Deployment d;
  d.mutable_metadata()->set_name("web");
  d.mutable_metadata()->set_namespace_("prod");
  (*d.mutable_metadata()->mutable_labels())["tier"] = "front";
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* c = d.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
  c->set_name("nginx");
  for (int32_t p : ports) {
    auto* port = c->add_ports();
    port->set_container_port(p);
    if (p == 53) port->set_protocol("UDP");
  }
  return d;
}

std::string error_of(const std::variant<m::Service, std::string>& built) {
  const auto* e = std::get_if<std::string>(&built);
  return e ? *e : "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_expose_service)

BOOST_AUTO_TEST_CASE(exposed_service_takes_selector_labels_and_the_port_flag) {
  expose_options o;
  o.port = "80";
  o.type = "NodePort";
  auto built = exposed_service(deployment({8080}), kind("apps/v1", "Deployment"), o);
  BOOST_TEST_REQUIRE(error_of(built).empty(), error_of(built));
  const auto& s = std::get<m::Service>(built);
  BOOST_TEST(s.metadata().name() == "web");
  BOOST_TEST(s.metadata().namespace_() == "prod");
  BOOST_TEST(s.metadata().labels().at("tier") == "front");
  BOOST_TEST(s.spec().selector().size() == 1u);
  BOOST_TEST(s.spec().selector().at("app") == "web");
  BOOST_TEST(s.spec().type() == "NodePort");
  BOOST_TEST_REQUIRE(s.spec().ports_size() == 1);
  BOOST_TEST(s.spec().ports(0).name().empty());
  BOOST_TEST(s.spec().ports(0).port() == 80);
  BOOST_TEST(s.spec().ports(0).target_port().int_val() == 80);  // the port, not introspected
  BOOST_TEST(s.spec().ports(0).protocol() == "TCP");
}

BOOST_AUTO_TEST_CASE(exposed_service_introspects_container_ports) {
  auto one = exposed_service(deployment({8080}), kind("apps/v1", "Deployment"), {});
  BOOST_TEST_REQUIRE(error_of(one).empty());
  BOOST_TEST(std::get<m::Service>(one).spec().ports(0).port() == 8080);
  BOOST_TEST(std::get<m::Service>(one).spec().ports(0).target_port().int_val() == 8080);

  expose_options named;
  named.name = "dns";
  named.target_port = "http";
  auto two = exposed_service(deployment({80, 53}), kind("apps/v1", "Deployment"), named);
  BOOST_TEST_REQUIRE(error_of(two).empty());
  const auto& s = std::get<m::Service>(two);
  BOOST_TEST(s.metadata().name() == "dns");
  BOOST_TEST_REQUIRE(s.spec().ports_size() == 2);
  BOOST_TEST(s.spec().ports(0).name() == "port-1");
  BOOST_TEST(s.spec().ports(1).name() == "port-2");
  BOOST_TEST(s.spec().ports(1).protocol() == "UDP");
  BOOST_TEST(s.spec().ports(1).target_port().str_val() == "http");
}

BOOST_AUTO_TEST_CASE(exposed_service_refuses_with_kubectls_errors) {
  BOOST_TEST(error_of(exposed_service(deployment({}), kind("apps/v1", "Deployment"), {})) ==
             "couldn't find port via --port flag or introspection");

  m::Pod bare;
  bare.mutable_metadata()->set_name("p");
  expose_options o;
  o.port = "80";
  BOOST_TEST(error_of(exposed_service(bare, kind("v1", "Pod"), o)) ==
             "couldn't retrieve selectors via --selector flag or introspection: the pod has no "
             "labels and cannot be exposed");

  auto d = deployment({80});
  auto* r = d.mutable_spec()->mutable_selector()->add_match_expressions();
  r->set_key("app");
  r->set_operator_("In");
  r->add_values("a");
  r->add_values("b");
  BOOST_TEST(error_of(exposed_service(d, kind("apps/v1", "Deployment"), o)) ==
             "couldn't retrieve selectors via --selector flag or introspection: couldn't convert "
             "expressions - \"[{Key:app Operator:In Values:[a b]}]\" to map-based selector "
             "format");

  m::ConfigMap cm;
  BOOST_TEST(error_of(exposed_service(cm, kind("v1", "ConfigMap"), o)) ==
             "cannot expose a ConfigMap");
}

BOOST_AUTO_TEST_CASE(exposed_service_of_a_pod_selects_its_labels) {
  m::Pod pod;
  pod.mutable_metadata()->set_name("p");
  (*pod.mutable_metadata()->mutable_labels())["run"] = "p";
  expose_options o;
  o.port = "8080";
  o.selector = "run=p,extra=1";
  auto built = exposed_service(pod, kind("v1", "Pod"), o);
  BOOST_TEST_REQUIRE(error_of(built).empty());
  BOOST_TEST(std::get<m::Service>(built).spec().selector().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
