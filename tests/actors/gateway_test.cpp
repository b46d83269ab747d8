// The API gateway over a real one-member store (raft actor, LMDB, store client) in one
// process: the Kubernetes API server's behaviour a user sees through troupectl.
#include "actors/gateway/gateway_actor.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/control_plane.hpp"
#include "actors/system_config.hpp"
#include "messages/errc.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "tests/support/gateway_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::messages::ApiRequest;
using troupe::messages::ApiResponse;
using troupe::messages::errc;
using troupe::test_support::decoded;
using troupe::test_support::failed;
using troupe::test_support::failure;
using troupe::test_support::fixture;
using troupe::test_support::outcome;
namespace atoms = troupe::atoms;

troupe::messages::Pod pod(const std::string& name, const std::string& app = "myapp") {
  troupe::messages::Pod p;
  p.mutable_metadata()->set_name(name);
  (*p.mutable_metadata()->mutable_labels())["app"] = app;
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("nginx");
  c->set_image("nginx");
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_gateway)

BOOST_FIXTURE_TEST_CASE(create_fills_server_metadata_and_get_returns_it, fixture,
                        *boost::unit_test::timeout(60)) {
  auto created = decoded<troupe::messages::Pod>(
      write(ApiRequest::CREATE, "", "pods", "default", pod("myapp-pod")));
  const auto& meta = created.metadata();
  BOOST_TEST(meta.namespace_() == "default");
  BOOST_TEST(meta.uid().size() == 36u);
  BOOST_TEST(!meta.resource_version().empty());
  BOOST_TEST(meta.generation() == 1);
  BOOST_TEST(created.spec().restart_policy() == "Always");  // defaulted by the server
  auto got = decoded<troupe::messages::Pod>(get("", "pods", "default", "myapp-pod"));
  BOOST_TEST(got.SerializeAsString() == created.SerializeAsString());

  // The same name again: kubectl's AlreadyExists text.
  auto again = write(ApiRequest::CREATE, "", "pods", "default", pod("myapp-pod"));
  BOOST_TEST((failed(again).code == errc::already_exists));
  BOOST_TEST(failed(again).message == "pods \"myapp-pod\" already exists");
  auto missing = get("", "pods", "default", "nope");
  BOOST_TEST(failed(missing).message == "pods \"nope\" not found");
  auto missing_apps = get("apps", "deployments", "default", "nope");
  BOOST_TEST(failed(missing_apps).message == "deployments.apps \"nope\" not found");
}

BOOST_FIXTURE_TEST_CASE(generate_name_namespaces_and_validation, fixture,
                        *boost::unit_test::timeout(60)) {
  auto p = pod("");
  p.mutable_metadata()->set_generate_name("web-");
  auto created = decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "", p));
  BOOST_TEST(created.metadata().name().starts_with("web-"));
  BOOST_TEST(created.metadata().name().size() == 9u);
  BOOST_TEST(created.metadata().namespace_() == "default");  // an empty namespace means default

  auto nowhere = write(ApiRequest::CREATE, "", "pods", "prod", pod("x"));
  BOOST_TEST((failed(nowhere).code == errc::not_found));
  BOOST_TEST(failed(nowhere).message == "namespaces \"prod\" not found");

  auto bad = pod("bad");
  bad.mutable_spec()->mutable_containers(0)->clear_image();
  auto invalid = write(ApiRequest::CREATE, "", "pods", "default", bad);
  BOOST_TEST((failed(invalid).code == errc::invalid));
  BOOST_TEST(failed(invalid).message.starts_with("The Pod \"bad\" is invalid: "));
  BOOST_TEST(failed(invalid).message.find("spec.containers[0].image: Required value") !=
             std::string::npos);

  auto kube_system = failed(call([] {
    ApiRequest r;
    r.set_verb(ApiRequest::DELETE);
    r.set_resource("namespaces");
    r.set_name("kube-system");
    return r;
  }()));
  BOOST_TEST((kube_system.code == errc::forbidden));
  BOOST_TEST(kube_system.message ==
             "namespaces \"kube-system\" is forbidden: this namespace may not be deleted");
}

BOOST_FIXTURE_TEST_CASE(list_filters_by_label_and_field_and_namespace, fixture,
                        *boost::unit_test::timeout(60)) {
  troupe::messages::Namespace prod;
  prod.mutable_metadata()->set_name("prod");
  decoded<troupe::messages::Namespace>(write(ApiRequest::CREATE, "", "namespaces", "", prod));
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("a", "web")));
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("b", "db")));
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "prod", pod("c", "web")));
  auto names = [&](const std::string& ns, const std::string& labels, const std::string& fields) {
    ApiRequest r;
    r.set_verb(ApiRequest::LIST);
    r.set_resource("pods");
    r.set_namespace_(ns);
    r.set_label_selector(labels);
    r.set_field_selector(fields);
    auto o = call(r);
    BOOST_TEST_REQUIRE(std::holds_alternative<ApiResponse>(o));
    std::string out;
    for (const auto& item : std::get<ApiResponse>(o).items()) {
      troupe::messages::Pod p;
      p.ParseFromString(item);
      out += (out.empty() ? "" : ",") + p.metadata().namespace_() + "/" + p.metadata().name();
    }
    return out;
  };
  BOOST_TEST(names("default", "", "") == "default/a,default/b");
  BOOST_TEST(names("", "", "") == "default/a,default/b,prod/c");  // all namespaces
  BOOST_TEST(names("", "app=web", "") == "default/a,prod/c");
  BOOST_TEST(names("", "app in (db)", "") == "default/b");
  BOOST_TEST(names("", "", "metadata.name=c") == "prod/c");
  BOOST_TEST(names("", "app=web", "metadata.namespace!=prod") == "default/a");
}

BOOST_FIXTURE_TEST_CASE(update_checks_resource_version_and_bumps_generation, fixture,
                        *boost::unit_test::timeout(60)) {
  troupe::messages::Deployment d;
  d.mutable_metadata()->set_name("web");
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* tmpl = d.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "web";
  auto* c = tmpl->mutable_spec()->add_containers();
  c->set_name("nginx");
  c->set_image("nginx:1.25");
  auto created = decoded<troupe::messages::Deployment>(
      write(ApiRequest::CREATE, "apps", "deployments", "default", d));
  BOOST_TEST(created.metadata().generation() == 1);

  // A label change keeps the generation; a spec change bumps it.
  auto relabelled = created;
  (*relabelled.mutable_metadata()->mutable_labels())["tier"] = "front";
  auto v2 = decoded<troupe::messages::Deployment>(
      write(ApiRequest::UPDATE, "apps", "deployments", "default", relabelled, "web"));
  BOOST_TEST(v2.metadata().generation() == 1);
  auto rescaled = v2;
  rescaled.mutable_spec()->set_replicas(5);
  auto v3 = decoded<troupe::messages::Deployment>(
      write(ApiRequest::UPDATE, "apps", "deployments", "default", rescaled, "web"));
  BOOST_TEST(v3.metadata().generation() == 2);
  BOOST_TEST(v3.metadata().uid() == created.metadata().uid());

  // A stale resourceVersion: kubectl's Conflict text.
  auto stale = write(ApiRequest::UPDATE, "apps", "deployments", "default", rescaled, "web");
  BOOST_TEST((failed(stale).code == errc::conflict));
  BOOST_TEST(failed(stale).message ==
             "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
             "modified; please apply your changes to the latest version and try again");

  // The status subresource changes only the status.
  auto status = v3;
  status.mutable_status()->set_ready_replicas(3);
  status.mutable_spec()->set_replicas(9);
  auto v4 = decoded<troupe::messages::Deployment>(
      write(ApiRequest::UPDATE_STATUS, "apps", "deployments", "default", status, "web"));
  BOOST_TEST(v4.status().ready_replicas() == 3);
  BOOST_TEST(v4.spec().replicas() == 5);
}

// Writes without a resourceVersion race each other between the gateway's read and its write;
// the gateway retries the losers itself, as the API server does, so none of them sees Conflict.
BOOST_FIXTURE_TEST_CASE(unconditional_writes_racing_each_other_all_succeed, fixture,
                        *boost::unit_test::timeout(120)) {
  troupe::messages::ConfigMap cm;
  cm.mutable_metadata()->set_name("racy");
  decoded<troupe::messages::ConfigMap>(write(ApiRequest::CREATE, "", "configmaps", "default", cm));
  constexpr int writers = 16;
  std::vector<outcome> results(writers);
  std::vector<std::thread> clients;
  for (int i = 0; i < writers; ++i)
    clients.emplace_back([this, i, &results] {
      troupe::messages::ConfigMap mine;
      mine.mutable_metadata()->set_name("racy");
      (*mine.mutable_data())["writer"] = std::to_string(i);
      results[i] = write(ApiRequest::UPDATE, "", "configmaps", "default", mine, "racy");
    });
  for (auto& c : clients)
    c.join();
  std::set<std::string> written;
  for (const auto& r : results)
    written.insert(decoded<troupe::messages::ConfigMap>(r).data().at("writer"));
  BOOST_TEST(written.size() == std::size_t{writers});
  auto last = decoded<troupe::messages::ConfigMap>(get("", "configmaps", "default", "racy"));
  BOOST_TEST(written.count(last.data().at("writer")) == 1u);
}

BOOST_FIXTURE_TEST_CASE(deleting_a_namespace_deletes_what_it_holds, fixture,
                        *boost::unit_test::timeout(60)) {
  troupe::messages::Namespace dev;
  dev.mutable_metadata()->set_name("dev");
  decoded<troupe::messages::Namespace>(write(ApiRequest::CREATE, "", "namespaces", "", dev));
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "dev", pod("a")));
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("b")));
  ApiRequest del;
  del.set_verb(ApiRequest::DELETE);
  del.set_resource("namespaces");
  del.set_name("dev");
  auto deleted = decoded<troupe::messages::Namespace>(call(del));
  BOOST_TEST(deleted.metadata().name() == "dev");
  BOOST_TEST(failed(get("", "pods", "dev", "a")).message == "pods \"a\" not found");
  BOOST_TEST(failed(get("", "namespaces", "", "dev")).message == "namespaces \"dev\" not found");
  decoded<troupe::messages::Pod>(get("", "pods", "default", "b"));  // other namespaces stay
}

BOOST_FIXTURE_TEST_CASE(watch_streams_objects_from_a_list_revision_through_selectors, fixture,
                        *boost::unit_test::timeout(60)) {
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("a", "web")));
  ApiRequest list;
  list.set_verb(ApiRequest::LIST);
  list.set_resource("pods");
  list.set_namespace_("default");
  auto listed = call(list);
  BOOST_TEST_REQUIRE(std::holds_alternative<ApiResponse>(listed));
  const std::string from = std::get<ApiResponse>(listed).resource_version();

  caf::scoped_actor self{system};
  ApiRequest watch = list;
  watch.set_label_selector("app=web");
  watch.set_resource_version(from);
  uint64_t id = 0;
  self->request(plane.gateway, 10s, atoms::watch_atom_v, watch, caf::actor_cast<caf::actor>(self),
                uint64_t{42})
      .receive([&](uint64_t watch_id) { id = watch_id; },
               [&](caf::error& e) { BOOST_FAIL("watch failed: " << system.render(e)); });

  // b does not match the selector; c does, and is then changed and deleted.
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("b", "db")));
  auto c = decoded<troupe::messages::Pod>(
      write(ApiRequest::CREATE, "", "pods", "default", pod("c", "web")));
  (*c.mutable_metadata()->mutable_annotations())["note"] = "changed";
  decoded<troupe::messages::Pod>(write(ApiRequest::UPDATE, "", "pods", "default", c, "c"));
  ApiRequest del;
  del.set_verb(ApiRequest::DELETE);
  del.set_resource("pods");
  del.set_namespace_("default");
  del.set_name("c");
  decoded<troupe::messages::Pod>(call(del));

  std::vector<std::string> seen;  // "TYPE name resourceVersion-is-set"
  while (seen.size() < 3) {
    bool progressed = false;
    self->receive(
        [&](atoms::watch_events_atom, uint64_t tag,
            std::vector<troupe::messages::WatchEvent>& events) {
          BOOST_TEST(tag == 42u);
          for (const auto& e : events) {
            troupe::messages::Pod p;
            BOOST_TEST_REQUIRE(p.ParseFromString(e.value()));
            seen.push_back(
                troupe::messages::WatchEvent::Type_Name(e.type()) + " " + p.metadata().name() +
                " " +
                (p.metadata().resource_version() == std::to_string(e.revision()) ? "rv" : "no-rv"));
          }
          progressed = true;
        },
        [&](atoms::watch_end_atom, uint64_t, caf::error& e) {
          BOOST_FAIL("the watch ended: " << system.render(e));
        },
        caf::after(5s) >> [] {});
    BOOST_TEST_REQUIRE(progressed, "no watch events within 5 s; " << seen.size() << " seen");
  }
  BOOST_TEST(seen == (std::vector<std::string>{"ADDED c rv", "MODIFIED c rv", "DELETED c rv"}),
             boost::test_tools::per_element());

  self->send(plane.gateway, atoms::unwatch_atom_v, id);
  decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("d", "web")));
  bool quiet = true;
  self->receive([&](atoms::watch_events_atom, uint64_t,
                    std::vector<troupe::messages::WatchEvent>&) { quiet = false; },
                caf::after(300ms) >> [] {});
  BOOST_TEST(quiet, "events after unwatch");

  // Without a revision to start after, the gateway says what to do.
  watch.clear_resource_version();
  self->request(plane.gateway, 10s, atoms::watch_atom_v, watch, caf::actor_cast<caf::actor>(self),
                uint64_t{43})
      .receive([&](uint64_t) { BOOST_ERROR("a watch without a revision was accepted"); },
               [&](caf::error& e) { BOOST_TEST(e.code() == static_cast<uint8_t>(errc::invalid)); });
}

troupe::messages::Service service(const std::string& name, const std::string& type = "ClusterIP") {
  troupe::messages::Service s;
  s.mutable_metadata()->set_name(name);
  s.mutable_spec()->set_type(type);
  (*s.mutable_spec()->mutable_selector())["app"] = name;
  s.mutable_spec()->add_ports()->set_port(80);
  return s;
}

BOOST_FIXTURE_TEST_CASE(create_service_allocates_distinct_addresses_under_concurrency, fixture,
                        *boost::unit_test::timeout(120)) {
  constexpr int count = 12;
  std::vector<outcome> results(count);
  std::vector<std::thread> clients;
  for (int i = 0; i < count; ++i)
    clients.emplace_back([this, i, &results] {
      results[i] = write(ApiRequest::CREATE, "", "services", "default",
                         service("s" + std::to_string(i), "NodePort"));
    });
  for (auto& c : clients)
    c.join();
  std::set<std::string> ips;
  std::set<int32_t> node_ports;
  for (const auto& r : results) {
    auto s = decoded<troupe::messages::Service>(r);
    BOOST_TEST(s.spec().cluster_ip().rfind("10.", 0) == 0u, s.spec().cluster_ip());
    BOOST_TEST(s.spec().cluster_ips_size() == 1);
    ips.insert(s.spec().cluster_ip());
    node_ports.insert(s.spec().ports(0).node_port());
  }
  BOOST_TEST(ips.size() == std::size_t{count});
  BOOST_TEST(node_ports.size() == std::size_t{count});
  BOOST_TEST(*node_ports.begin() >= 30000);
  BOOST_TEST(*node_ports.rbegin() <= 32767);
}

BOOST_FIXTURE_TEST_CASE(create_service_refuses_a_taken_address_until_it_is_released, fixture,
                        *boost::unit_test::timeout(60)) {
  auto first = decoded<troupe::messages::Service>(
      write(ApiRequest::CREATE, "", "services", "default", service("first", "NodePort")));
  auto twin = service("twin");
  twin.mutable_spec()->set_cluster_ip(first.spec().cluster_ip());
  const auto refused = failed(write(ApiRequest::CREATE, "", "services", "default", twin));
  BOOST_TEST((refused.code == errc::invalid));
  BOOST_TEST(refused.message ==
             "The Service \"twin\" is invalid: spec.clusterIPs: Invalid value: "
             "[]string{\"" +
                 first.spec().cluster_ip() + "\"}: failed to allocate IP " +
                 first.spec().cluster_ip() + ": provided IP is already allocated");
  auto port_twin = service("port-twin", "NodePort");
  port_twin.mutable_spec()->mutable_ports(0)->set_node_port(first.spec().ports(0).node_port());
  const auto port_refused = failed(write(ApiRequest::CREATE, "", "services", "default", port_twin));
  BOOST_TEST(port_refused.message.find("provided port is already allocated") != std::string::npos,
             port_refused.message);
  // Refused creates took nothing: the twin's name is free, and so is nothing else.
  BOOST_TEST((failed(get("", "services", "default", "twin")).code == errc::not_found));

  // An update that leaves clusterIP and nodePort out keeps them.
  auto replaced = service("first", "NodePort");
  auto kept = decoded<troupe::messages::Service>(
      write(ApiRequest::UPDATE, "", "services", "default", replaced, "first"));
  BOOST_TEST(kept.spec().cluster_ip() == first.spec().cluster_ip());
  BOOST_TEST(kept.spec().ports(0).node_port() == first.spec().ports(0).node_port());

  ApiRequest remove;
  remove.set_verb(ApiRequest::DELETE);
  remove.set_resource("services");
  remove.set_namespace_("default");
  remove.set_name("first");
  BOOST_TEST_REQUIRE(std::holds_alternative<ApiResponse>(call(remove)));
  // The release follows the delete's commit; it is a moment behind.
  outcome reused = failure{errc::unavailable, "not tried"};
  for (int i = 0; i < 100; ++i) {
    reused = write(ApiRequest::CREATE, "", "services", "default", twin);
    if (std::holds_alternative<ApiResponse>(reused)) break;
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(decoded<troupe::messages::Service>(reused).spec().cluster_ip() ==
             first.spec().cluster_ip());
}

BOOST_FIXTURE_TEST_CASE(create_service_keeps_headless_services_headless, fixture,
                        *boost::unit_test::timeout(60)) {
  auto headless = service("headless");
  headless.mutable_spec()->set_cluster_ip("None");
  auto created = decoded<troupe::messages::Service>(
      write(ApiRequest::CREATE, "", "services", "default", headless));
  BOOST_TEST(created.spec().cluster_ip() == "None");
}

BOOST_FIXTURE_TEST_CASE(bind_commits_many_pods_in_one_request_each_on_its_own, fixture,
                        *boost::unit_test::timeout(60)) {
  auto a =
      decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("a")));
  auto b =
      decoded<troupe::messages::Pod>(write(ApiRequest::CREATE, "", "pods", "default", pod("b")));
  auto stale = b;
  // b changes after the scheduler read it: its binding must fail, a's must not.
  auto relabelled = b;
  (*relabelled.mutable_metadata()->mutable_labels())["tier"] = "web";
  decoded<troupe::messages::Pod>(write(ApiRequest::UPDATE, "", "pods", "default", relabelled, "b"));
  auto bad = a;
  bad.mutable_metadata()->set_resource_version("x1");
  ApiRequest r;
  r.set_verb(ApiRequest::BIND);
  r.set_resource("pods");
  for (auto* p : {&a, &stale, &bad}) {
    p->mutable_spec()->set_node_name("node-1");
    r.add_objects(p->SerializeAsString());
  }
  auto response = std::get<ApiResponse>(call(r));
  BOOST_TEST_REQUIRE(response.failures_size() == 3);
  BOOST_TEST(response.failures(0) == "");
  BOOST_TEST(response.failures(1).starts_with("Operation cannot be fulfilled on pods \"b\""),
             response.failures(1));
  BOOST_TEST(response.failures(2) == "invalid resourceVersion \"x1\"");
  auto bound = decoded<troupe::messages::Pod>(get("", "pods", "default", "a"));
  BOOST_TEST(bound.spec().node_name() == "node-1");
  bool scheduled = false;
  for (const auto& c : bound.status().conditions())
    scheduled |= c.type() == "PodScheduled" && c.status() == "True";
  BOOST_TEST(scheduled);
  BOOST_TEST(decoded<troupe::messages::Pod>(get("", "pods", "default", "b")).spec().node_name() ==
             "");
}

BOOST_FIXTURE_TEST_CASE(create_of_many_commits_each_object_on_its_own, fixture,
                        *boost::unit_test::timeout(60)) {
  auto event = [](const std::string& name, const std::string& reason) {
    troupe::messages::Event e;
    e.mutable_metadata()->set_name(name);
    e.mutable_involved_object()->set_kind("Pod");
    e.mutable_involved_object()->set_name("a");
    e.set_reason(reason);
    e.set_type("Normal");
    return e.SerializeAsString();
  };
  ApiRequest r;
  r.set_verb(ApiRequest::CREATE);
  r.set_resource("events");
  r.set_namespace_("default");
  r.add_objects(event("a.1", "Scheduled"));
  r.add_objects("not an event");
  r.add_objects(event("a.2", "Pulled"));
  r.add_objects(event("a.1", "Again"));  // a name taken in the same batch
  auto response = std::get<ApiResponse>(call(r));
  BOOST_TEST_REQUIRE(response.failures_size() == 4);
  BOOST_TEST(response.failures(0) == "");
  BOOST_TEST(response.failures(1) == "the request's object is not a Event");
  BOOST_TEST(response.failures(2) == "");
  BOOST_TEST(response.failures(3) == "events \"a.1\" already exists", response.failures(3));
  BOOST_TEST(decoded<troupe::messages::Event>(get("", "events", "default", "a.2")).reason() ==
             "Pulled");
  BOOST_TEST(decoded<troupe::messages::Event>(get("", "events", "default", "a.1")).reason() ==
             "Scheduled");

  r.set_namespace_("nowhere");
  BOOST_TEST(failed(call(r)).message == "namespaces \"nowhere\" not found");
  r.set_resource("services");
  r.set_namespace_("default");
  BOOST_TEST((failed(call(r)).code == errc::invalid));
}

BOOST_FIXTURE_TEST_CASE(scale_subresource_reads_and_sets_replicas, fixture,
                        *boost::unit_test::timeout(60)) {
  troupe::messages::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web");
  rs.mutable_spec()->set_replicas(3);
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* tmpl = rs.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "web";
  *tmpl->mutable_spec() = pod("x").spec();
  auto created = decoded<troupe::messages::ReplicaSet>(
      write(ApiRequest::CREATE, "apps", "replicasets", "default", rs));
  ApiRequest r;
  r.set_verb(ApiRequest::GET_SCALE);
  r.set_group("apps");
  r.set_resource("replicasets");
  r.set_namespace_("default");
  r.set_name("web");
  auto scale = decoded<troupe::messages::Scale>(call(r));
  BOOST_TEST(scale.spec().replicas() == 3);
  BOOST_TEST(scale.status().selector() == "app=web");
  scale.mutable_spec()->set_replicas(6);
  auto updated = write(ApiRequest::UPDATE_SCALE, "apps", "replicasets", "default", scale, "web");
  BOOST_TEST(decoded<troupe::messages::Scale>(updated).spec().replicas() == 6);
  auto after = decoded<troupe::messages::ReplicaSet>(get("apps", "replicasets", "default", "web"));
  BOOST_TEST(after.spec().replicas() == 6);
  BOOST_TEST(after.metadata().generation() == created.metadata().generation() + 1);
  // The old resourceVersion again: Conflict.
  scale.mutable_spec()->set_replicas(2);
  auto stale = write(ApiRequest::UPDATE_SCALE, "apps", "replicasets", "default", scale, "web");
  BOOST_TEST((failed(stale).code == errc::conflict));
}

BOOST_FIXTURE_TEST_CASE(deletion_is_graceful_for_bound_pods_and_waits_for_finalizers, fixture,
                        *boost::unit_test::timeout(60)) {
  auto running = pod("running");
  running.mutable_spec()->set_node_name("node-1");
  write(ApiRequest::CREATE, "", "pods", "default", running);
  ApiRequest del;
  del.set_verb(ApiRequest::DELETE);
  del.set_resource("pods");
  del.set_namespace_("default");
  del.set_name("running");
  // A bound pod is marked, with its grace period, for its agent to stop.
  auto marked = decoded<troupe::messages::Pod>(call(del));
  BOOST_TEST(marked.metadata().has_deletion_timestamp());
  BOOST_TEST(marked.metadata().deletion_grace_period_seconds() == 30);
  BOOST_TEST(std::holds_alternative<ApiResponse>(get("", "pods", "default", "running")));
  // The agent's final delete, with grace 0, removes it.
  del.set_grace_period_seconds(0);
  call(del);
  BOOST_TEST((failed(get("", "pods", "default", "running")).code == errc::not_found));

  // Orphan propagation: the finalizer holds the object until an update removes it.
  write(ApiRequest::CREATE, "", "pods", "default", pod("owner"));
  ApiRequest orphan = del;
  orphan.clear_grace_period_seconds();
  orphan.set_name("owner");
  orphan.set_propagation_policy("Orphan");
  auto held = decoded<troupe::messages::Pod>(call(orphan));
  BOOST_TEST_REQUIRE(held.metadata().finalizers_size() == 1);
  BOOST_TEST(held.metadata().finalizers(0) == "orphan");
  held.mutable_metadata()->clear_finalizers();
  call([&] {
    ApiRequest u;
    u.set_verb(ApiRequest::UPDATE);
    u.set_resource("pods");
    u.set_namespace_("default");
    u.set_name("owner");
    u.set_object(held.SerializeAsString());
    return u;
  }());
  BOOST_TEST((failed(get("", "pods", "default", "owner")).code == errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()
