// End to end: the control loops behind the tutorial, through `troupe up --hollow-nodes 2`
// (one local agent and two hollow nodes, all on the sim runtime) and the real troupectl: the
// scheduler spreads pods over the nodes, the ReplicationController and ReplicaSet controllers
// keep their replica counts and replace deleted pods, the Deployment controller rolls a new
// template out through a second ReplicaSet, the garbage collector cascades deletes (and
// orphans on request), and a pod that fits nowhere is reported as the scheduler reports it.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cli_run.hpp"

namespace {

using troupe::test_support::contains;
namespace fs = std::filesystem;
using troupe::test_support::embedded_cluster;
using troupe::test_support::run_result;

const fs::path manifests = fs::path(TROUPE_SOURCE_DIR) / "manifests";

embedded_cluster& cluster() {
  static auto instance = std::make_unique<embedded_cluster>(TROUPE_SERVER_BINARY, TROUPECTL_BINARY,
                                                            "--hollow-nodes 2");
  return *instance;
}

run_result until(const std::string& args, const std::function<bool(const run_result&)>& done,
                 std::chrono::seconds within = std::chrono::seconds(30)) {
  return troupe::test_support::run_until([&] { return cluster().troupectl(args); }, done, within);
}

std::vector<std::string> rows(const std::string& table) {
  return troupe::test_support::table_rows(table);
}

std::vector<std::string> columns(const std::string& row) {
  return troupe::test_support::cells(row);
}

auto running(std::size_t count) {
  return [count](const run_result& r) { return troupe::test_support::pods_running(r, count); };
}

auto no_pods = [](const run_result& r) { return rows(r.out).empty(); };

BOOST_AUTO_TEST_SUITE(e2e_controllers)

BOOST_AUTO_TEST_CASE(agents_register_their_nodes_ready) {
  auto nodes = until("get nodes", [](const run_result& r) { return rows(r.out).size() == 3; });
  auto lines = rows(nodes.out);
  BOOST_TEST_REQUIRE(lines.size() == 3u, nodes.out << nodes.err);
  for (const auto& line : lines)
    BOOST_TEST(columns(line)[1] == "Ready", line);
  BOOST_TEST(contains(nodes.out, "hollow-node-0 "), nodes.out);
  BOOST_TEST(contains(nodes.out, "hollow-node-1 "), nodes.out);
  auto leases = cluster().troupectl("get leases -n kube-node-lease -o name");
  BOOST_TEST(contains(leases.out, "lease.coordination.k8s.io/hollow-node-0\n"), leases.out);
}

BOOST_AUTO_TEST_CASE(replication_controller_runs_spreads_and_replaces_its_pods) {
  auto created = cluster().troupectl("create -f " + (manifests / "rc-definition.yml").string());
  BOOST_TEST_REQUIRE(created.out == "replicationcontroller/myapp-rc created\n", created.err);
  auto pods = until("get pods -l app=myapp -o wide", running(3));
  BOOST_TEST_REQUIRE(running(3)(pods), pods.out << pods.err);
  std::set<std::string> nodes;
  for (const auto& line : rows(pods.out))
    nodes.insert(columns(line)[6]);
  BOOST_TEST(nodes.size() == 3u, "three pods on three equal nodes spread out:\n" << pods.out);
  auto rc = cluster().troupectl("get rc myapp-rc");
  BOOST_TEST(
      columns(rows(rc.out).at(0)) ==
          (std::vector<std::string>{"myapp-rc", "3", "3", "3", columns(rows(rc.out).at(0))[4]}),
      rc.out);

  // A deleted pod is replaced by a new one.
  const std::string victim = columns(rows(pods.out).at(0))[0];
  auto deleted = cluster().troupectl("delete pod " + victim);
  BOOST_TEST(deleted.out == "pod \"" + victim + "\" deleted\n", deleted.err);
  auto replaced = until("get pods -l app=myapp", [&](const run_result& r) {
    return running(3)(r) && !contains(r.out, victim + " ");
  });
  BOOST_TEST(running(3)(replaced), replaced.out);
  BOOST_TEST(!contains(replaced.out, victim + " "), replaced.out);

  // Deleting the controller deletes its pods (background cascade).
  cluster().troupectl("delete rc myapp-rc");
  auto gone = until("get pods -l app=myapp", no_pods);
  BOOST_TEST(no_pods(gone), gone.out);
}

BOOST_AUTO_TEST_CASE(replica_set_scales_and_its_delete_cascades) {
  auto created =
      cluster().troupectl("create -f " + (manifests / "replicaset-definition.yml").string());
  BOOST_TEST_REQUIRE(created.out == "replicaset.apps/myapp-replicaset created\n", created.err);
  BOOST_TEST(running(3)(until("get pods -l type=front-end", running(3))));
  cluster().troupectl("scale --replicas=6 rs myapp-replicaset");
  auto six = until("get pods -l type=front-end", running(6));
  BOOST_TEST(running(6)(six), six.out);
  auto rs = until("get rs myapp-replicaset", [](const run_result& r) {
    auto lines = rows(r.out);
    return lines.size() == 1 && columns(lines[0])[3] == "6";
  });
  auto cells = columns(rows(rs.out).at(0));
  BOOST_TEST((cells[1] == "6" && cells[2] == "6" && cells[3] == "6"), rs.out);
  cluster().troupectl("delete replicaset myapp-replicaset");
  auto gone = until("get pods -l type=front-end", no_pods);
  BOOST_TEST(no_pods(gone), gone.out);
}

BOOST_AUTO_TEST_CASE(orphan_cascade_keeps_the_pods_without_their_owner) {
  cluster().troupectl("create -f " + (manifests / "replicaset-definition.yml").string());
  BOOST_TEST_REQUIRE(running(3)(until("get pods -l type=front-end", running(3))));
  auto deleted = cluster().troupectl("delete rs myapp-replicaset --cascade=orphan");
  BOOST_TEST(deleted.out == "replicaset.apps \"myapp-replicaset\" deleted\n", deleted.err);
  auto rs_gone = until("get rs", [](const run_result& r) { return rows(r.out).empty(); });
  BOOST_TEST(rows(rs_gone.out).empty(), rs_gone.out);
  auto pods = cluster().troupectl("get pods -l type=front-end -o yaml");
  BOOST_TEST(!contains(pods.out, "ownerReferences"), pods.out);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the collector had its chance
  BOOST_TEST(running(3)(cluster().troupectl("get pods -l type=front-end")));
  cluster().troupectl("delete pods -l type=front-end");
  BOOST_TEST(no_pods(until("get pods -l type=front-end", no_pods)));
}

BOOST_AUTO_TEST_CASE(deployment_rolls_a_new_template_out) {
  const auto file = manifests / "deployment-definition.yml";
  auto created = cluster().troupectl("create -f " + file.string());
  BOOST_TEST_REQUIRE(created.out == "deployment.apps/myapp-deployment created\n", created.err);
  auto ready = until("get deploy myapp-deployment", [](const run_result& r) {
    auto lines = rows(r.out);
    return lines.size() == 1 && columns(lines[0])[1] == "3/3";
  });
  BOOST_TEST_REQUIRE(contains(ready.out, " 3/3 "), ready.out);
  auto first = cluster().troupectl("get rs -o name");
  BOOST_TEST(contains(first.out, "replicaset.apps/myapp-deployment-"), first.out);

  // A new image: a second ReplicaSet takes over, the first is scaled to 0.
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("image: nginx"), 12, "image: nginx:1.25");
  auto updated = cluster().home.path() / "deployment-v2.yml";
  std::ofstream(updated) << text;
  cluster().troupectl("replace -f " + updated.string());
  auto rolled = until(
      "get rs",
      [](const run_result& r) {
        auto lines = rows(r.out);
        if (lines.size() != 2) return false;
        int full = 0, empty = 0;
        for (const auto& l : lines) {
          auto c = columns(l);
          full += c[1] == "3" && c[3] == "3";
          empty += c[1] == "0" && c[2] == "0";
        }
        return full == 1 && empty == 1;
      },
      std::chrono::seconds(60));
  BOOST_TEST(rows(rolled.out).size() == 2u, rolled.out);
  auto events = cluster().troupectl("get events");
  BOOST_TEST(contains(events.out, "Scaled up replica set myapp-deployment-"), events.out);
  BOOST_TEST(contains(events.out, "Scaled down replica set myapp-deployment-"), events.out);
  cluster().troupectl("delete deployment myapp-deployment");
  BOOST_TEST(no_pods(until("get pods -l type=front-end", no_pods)));
  BOOST_TEST(
      rows(until("get rs", [](const run_result& r) { return rows(r.out).empty(); }).out).empty());
}

BOOST_AUTO_TEST_CASE(a_pod_that_fits_nowhere_is_reported_pending) {
  auto file = cluster().home.path() / "huge.yml";
  std::ofstream(file) << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\nspec:\n"
                         "  containers:\n  - name: c\n    image: nginx\n    resources:\n"
                         "      requests:\n        cpu: \"100\"\n";
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + file.string()).code == 0);
  auto events =
      until("get events", [](const run_result& r) { return contains(r.out, "FailedScheduling"); });
  BOOST_TEST(contains(events.out, "0/3 nodes are available: 3 Insufficient cpu."), events.out);
  auto pod = cluster().troupectl("get pod huge");
  BOOST_TEST((contains(pod.out, " 0/1 ") && contains(pod.out, " Pending ")), pod.out);
  auto yaml = cluster().troupectl("get pod huge -o yaml");
  BOOST_TEST(contains(yaml.out, "reason: Unschedulable"), yaml.out);
  cluster().troupectl("delete pod huge");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
