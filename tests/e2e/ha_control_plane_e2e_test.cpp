// End to end on the HA shape: three real `troupe server` processes and two `troupe agent`
// processes with hollow nodes (a-0, a-1 in one, b-0 in the other), driven by the real
// troupectl configured with all three API servers. What a user relies on when parts fail:
// - a rolling update finishes although the Raft leader (which runs the controllers) is killed
//   with kill -9 in its middle: the new leader's controllers rebuild their caches by
//   list+watch and carry on;
// - a node that dies (its agent process killed) is marked NotReady and tainted, and its pods are
//   replaced on the other nodes within the configured grace period plus toleration;
// - a replace carrying a stale resourceVersion gets Conflict;
// - an owner deleted while no controller runs (the leader just died) still has its pods
//   collected once the next leader's controllers start.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "tests/support/cli_run.hpp"
#include "tests/support/ha_cluster.hpp"

namespace {

using troupe::test_support::contains;
using namespace std::chrono_literals;
using troupe::test_support::cells;
using troupe::test_support::ha_cluster;
using troupe::test_support::hollow_agent;
using troupe::test_support::pods_running;
using troupe::test_support::run_result;
using troupe::test_support::suite_ha_cluster;
using troupe::test_support::table_rows;

// Hollow nodes a-0 and a-1 in one agent process, b-0 in another.
suite_ha_cluster shared(std::vector<hollow_agent>{{.prefix = "a", .nodes = 2, .cidr_offset = 1},
                                                  {.prefix = "b", .nodes = 1, .cidr_offset = 10}});

ha_cluster& cluster() {
  return shared.get();
}

struct stop_cluster_after_suite {
  ~stop_cluster_after_suite() { shared.stop(); }
};

// The ReplicaSets as (desired, ready) once exactly one has all `replicas` ready and every
// other is scaled to zero.
bool rolled_out(const run_result& r, const std::string& replicas) {
  auto rows = table_rows(r.out);
  int full = 0, empty = 0;
  for (const auto& row : rows) {
    auto c = cells(row);
    full += c[1] == replicas && c[3] == replicas;
    empty += c[1] == "0" && c[2] == "0";
  }
  return full == 1 && full + empty == static_cast<int>(rows.size());
}

BOOST_AUTO_TEST_SUITE(e2e_ha_control_plane, *boost::unit_test::fixture<stop_cluster_after_suite>())

BOOST_AUTO_TEST_CASE(nodes_of_both_agents_register_through_any_server) {
  auto nodes = cluster().until("get nodes",
                               [](const run_result& r) { return table_rows(r.out).size() == 3; });
  BOOST_TEST_REQUIRE(table_rows(nodes.out).size() == 3u,
                     nodes.out << nodes.err << cluster().logs());
  for (const auto& row : table_rows(nodes.out))
    BOOST_TEST(cells(row)[1] == "Ready", row);
}

BOOST_AUTO_TEST_CASE(rolling_update_completes_across_a_leader_kill) {
  auto& c = cluster();
  auto created = c.troupectl("create -f manifests/deployment-definition.yml");
  BOOST_TEST_REQUIRE(created.out == "deployment.apps/myapp-deployment created\n", created.err);
  auto ready = c.until("get rs", [](const run_result& r) { return rolled_out(r, "3"); });
  BOOST_TEST_REQUIRE(rolled_out(ready, "3"), ready.out << c.logs());

  std::ifstream in("manifests/deployment-definition.yml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("image: nginx"), 12, "image: nginx:1.25");
  auto v2 = c.home.path() / "deployment-v2.yml";
  std::ofstream(v2) << text;
  BOOST_TEST_REQUIRE(c.troupectl("replace -f " + v2.string()).code == 0);
  // The new ReplicaSet exists and the rollout is under way: kill the leader now.
  auto started =
      c.until("get rs", [](const run_result& r) { return table_rows(r.out).size() == 2; });
  BOOST_TEST_REQUIRE(table_rows(started.out).size() == 2u, started.out);
  auto leader = c.servers.await_leader(10s);
  BOOST_TEST_REQUIRE(leader.has_value());
  c.servers.kill9(*leader);
  auto done = c.until(
      "get rs", [](const run_result& r) { return rolled_out(r, "3"); }, 90s);
  BOOST_TEST(rolled_out(done, "3"), done.out << done.err << c.logs());
  auto pods = c.until("get pods", [](const run_result& r) { return pods_running(r, 3); });
  BOOST_TEST(pods_running(pods, 3), pods.out);
  c.servers.restart(*leader);
  BOOST_TEST(c.servers.await_rejoined(*leader, 30s));
}

BOOST_AUTO_TEST_CASE(a_stale_replace_gets_conflict) {
  auto& c = cluster();
  auto yaml = c.troupectl("get deployment myapp-deployment -o yaml");
  BOOST_TEST_REQUIRE(yaml.code == 0, yaml.err);
  BOOST_TEST_REQUIRE(c.troupectl("label deployment myapp-deployment tier=web").code == 0);
  auto stale = c.home.path() / "stale.yml";
  std::ofstream(stale) << yaml.out;
  auto replaced = c.troupectl("replace -f " + stale.string());
  BOOST_TEST(replaced.code == 1);
  BOOST_TEST(contains(replaced.err, "Error from server (Conflict): "), replaced.err);
  BOOST_TEST(contains(replaced.err,
                      "Operation cannot be fulfilled on deployments.apps "
                      "\"myapp-deployment\": the object has been modified"),
             replaced.err);
}

BOOST_AUTO_TEST_CASE(a_lost_nodes_pods_are_replaced_within_the_configured_time) {
  auto& c = cluster();
  BOOST_TEST_REQUIRE(c.troupectl("scale --replicas=6 deployment myapp-deployment").code == 0);
  auto six = c.until("get pods -o wide", [](const run_result& r) { return pods_running(r, 6); });
  BOOST_TEST_REQUIRE(pods_running(six, 6), six.out);
  int on_b = 0;
  for (const auto& row : table_rows(six.out))
    on_b += cells(row)[6] == "b-0";
  BOOST_TEST_REQUIRE(on_b > 0, "spreading put no pod on b-0:\n" << six.out);

  const auto killed = std::chrono::steady_clock::now();
  c.agents[1]->kill9();
  // Defaults: lease grace 6 s, then the unreachable taint's toleration 10 s; the owner then
  // replaces the evicted pods and the scheduler places them on a-0 and a-1.
  auto elsewhere = [](const run_result& r, bool running) {
    int n = 0;
    for (const auto& row : table_rows(r.out)) {
      auto cell = cells(row);
      n += cell[6] != "b-0" && cell[6] != "<none>" && cell[2] != "Terminating" &&
           (!running || cell[2] == "Running");
    }
    return n == 6;
  };
  auto scheduled = c.until(
      "get pods -o wide", [&](const run_result& r) { return elsewhere(r, false); }, 60s);
  const auto to_scheduled = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed);
  auto moved = c.until(
      "get pods -o wide", [&](const run_result& r) { return elsewhere(r, true); }, 60s);
  const auto to_running = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed);
  BOOST_TEST_MESSAGE("node loss to replacements scheduled: "
                     << to_scheduled.count() << " ms, running: " << to_running.count() << " ms");
  BOOST_TEST(elsewhere(scheduled, false), scheduled.out);
  BOOST_TEST(elsewhere(moved, true), moved.out);
  // 6 s + 10 s, plus up to the 1 s monitor period and the polling here.
  BOOST_TEST(to_scheduled < 20s, "took " << to_scheduled.count() << " ms:\n" << scheduled.out);
  auto node = c.troupectl("get node b-0");
  BOOST_TEST(contains(node.out, " NotReady "), node.out);
  auto yaml = c.troupectl("get node b-0 -o yaml");
  BOOST_TEST(contains(yaml.out, "node.kubernetes.io/unreachable"), yaml.out);
}

BOOST_AUTO_TEST_CASE(an_owner_deleted_while_no_controller_runs_is_still_collected) {
  auto& c = cluster();
  // Labels no Deployment selects: a Deployment would adopt a matching ReplicaSet.
  auto file = c.home.path() / "gc-rc.yml";
  std::ofstream(file) << "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: gc-rc\n"
                         "spec:\n  replicas: 3\n  selector:\n    app: gc-test\n  template:\n"
                         "    metadata:\n      labels:\n        app: gc-test\n    spec:\n"
                         "      containers:\n      - name: c\n        image: nginx\n";
  BOOST_TEST_REQUIRE(c.troupectl("create -f " + file.string()).code == 0);
  auto three =
      c.until("get pods -l app=gc-test", [](const run_result& r) { return pods_running(r, 3); });
  BOOST_TEST_REQUIRE(pods_running(three, 3), three.out);
  // Kill the leader, whose controllers run, and delete the owner before a new leader's start.
  auto leader = c.servers.await_leader(10s);
  BOOST_TEST_REQUIRE(leader.has_value());
  c.servers.kill9(*leader);
  auto deleted = c.until(
      "delete rc gc-rc --wait=false", [](const run_result& r) { return r.code == 0; }, 30s);
  BOOST_TEST_REQUIRE(deleted.code == 0, deleted.err);
  auto gone = c.until("get pods -l app=gc-test",
                      [](const run_result& r) { return r.code == 0 && table_rows(r.out).empty(); });
  BOOST_TEST(table_rows(gone.out).empty(), gone.out << gone.err << c.logs());
  c.servers.restart(*leader);
  BOOST_TEST(c.servers.await_rejoined(*leader, 30s));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
