// End to end: `troupe up` starts the embedded cluster in the background under a private
// TROUPE_HOME, and the real troupectl binary walks the first steps of the tutorial against
// it: create a pod from the tutorial's manifest, see it in `get pods`, read it back as
// YAML, meet kubectl's errors, delete it. `troupe down` stops the cluster.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>

#include "actors/system_config.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/process_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using troupe::test_support::contains;
using troupe::test_support::run;
using troupe::test_support::run_result;
using troupe::test_support::slurp;

// The tutorial's embedded cluster, with the binaries under test.
struct embedded_cluster : troupe::test_support::embedded_cluster {
  embedded_cluster()
      : troupe::test_support::embedded_cluster(TROUPE_SERVER_BINARY, TROUPECTL_BINARY) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_troupectl)

BOOST_AUTO_TEST_CASE(tutorial_pod_lifecycle_through_troupe_up, *boost::unit_test::timeout(120)) {
  embedded_cluster cluster;

  auto none = cluster.troupectl("get pods");
  BOOST_TEST(none.code == 0);
  BOOST_TEST(none.err == "No resources found in default namespace.\n");

  auto created = cluster.troupectl("create -f manifests/pod-definition.yml");
  BOOST_TEST(created.code == 0, created.err);
  BOOST_TEST(created.out == "pod/myapp-pod created\n");

  auto again = cluster.troupectl("create -f manifests/pod-definition.yml");
  BOOST_TEST(again.code == 1);
  BOOST_TEST(again.err ==
             "Error from server (AlreadyExists): error when creating "
             "\"manifests/pod-definition.yml\": pods \"myapp-pod\" already exists\n");

  // The embedded agent runs it (on the sim runtime): scheduled, then Running.
  auto pods = cluster.troupectl("get pods");
  for (int i = 0; i < 100 && !contains(pods.out, "myapp-pod   1/1     Running   0          ");
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pods = cluster.troupectl("get pods");
  }
  BOOST_TEST(pods.code == 0, pods.err);
  BOOST_TEST(pods.out.starts_with("NAME        READY   STATUS    RESTARTS   AGE\n"), pods.out);
  BOOST_TEST(contains(pods.out, "myapp-pod   1/1     Running   0          "), pods.out);

  auto labels = cluster.troupectl("get pods --show-labels -l type=front-end");
  BOOST_TEST(contains(labels.out, "app=myapp,type=front-end"), labels.out);
  auto other = cluster.troupectl("get pods -l type=back-end");
  BOOST_TEST(other.err == "No resources found in default namespace.\n");

  auto yaml = cluster.troupectl("get pod myapp-pod -o yaml");
  BOOST_TEST(yaml.code == 0, yaml.err);
  BOOST_TEST(contains(yaml.out, "kind: Pod\n"), yaml.out);
  BOOST_TEST(contains(yaml.out, "  name: myapp-pod\n"), yaml.out);
  BOOST_TEST(contains(yaml.out, "  uid: "), yaml.out);
  BOOST_TEST(contains(yaml.out, "  resourceVersion: \""), yaml.out);

  auto namespaces = cluster.troupectl("get namespaces");
  BOOST_TEST(contains(namespaces.out, "default "), namespaces.out);
  BOOST_TEST(contains(namespaces.out, "kube-system "), namespaces.out);

  auto missing = cluster.troupectl("get pod nope");
  BOOST_TEST(missing.code == 1);
  BOOST_TEST(missing.err == "Error from server (NotFound): pods \"nope\" not found\n");

  // get -w: the table, then a row for each change, until interrupted (here by timeout).
  const auto watched = cluster.home.path() / "watch.out";
  std::system(("TROUPE_HOME='" + cluster.home.path().string() + "' timeout 4 '" + TROUPECTL_BINARY +
               "' get pods -w >'" + watched.string() + "' 2>&1 &")
                  .c_str());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto relabelled = cluster.troupectl("delete pod myapp-pod");
  BOOST_TEST(relabelled.code == 0, relabelled.err);
  BOOST_TEST(relabelled.out == "pod \"myapp-pod\" deleted\n");
  BOOST_TEST(cluster.troupectl("create -f manifests/pod-definition.yml").code == 0);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  auto stream = slurp(watched);
  BOOST_TEST(stream.starts_with("NAME        READY   STATUS    RESTARTS   AGE\nmyapp-pod "),
             stream);
  // The listed row, the deletion (Terminating, then gone) and the new pod as the agent starts
  // it (Pending, ContainerCreating, Running): at least four rows after the header, the last
  // one the new pod running.
  BOOST_TEST(std::count(stream.begin(), stream.end(), '\n') >= 5, stream);
  BOOST_TEST(contains(stream, "Terminating"), stream);
  BOOST_TEST(contains(stream, "1/1     Running"), stream);

  auto deleted = cluster.troupectl("delete pod myapp-pod");
  BOOST_TEST(deleted.code == 0, deleted.err);
  BOOST_TEST(deleted.out == "pod \"myapp-pod\" deleted\n");
  auto gone = cluster.troupectl("get pods");
  BOOST_TEST(gone.err == "No resources found in default namespace.\n");

  // A restarted cluster keeps its data and takes new writes (the gateway's store session
  // must be a new one: a reused session would answer with the old run's results).
  BOOST_TEST(run(cluster.home.path(), TROUPE_SERVER_BINARY, "down").code == 0);
  auto again_up = run(cluster.home.path(), TROUPE_SERVER_BINARY,
                      "up --api-listen " + cluster.api + " --raft-listen " + cluster.raft);
  BOOST_TEST_REQUIRE(again_up.code == 0, again_up.err);
  auto recreated = cluster.troupectl("create -f manifests/pod-definition.yml");
  BOOST_TEST(recreated.out == "pod/myapp-pod created\n", recreated.err);
  auto listed = cluster.troupectl("get pods -o name");
  BOOST_TEST(listed.out == "pod/myapp-pod\n", listed.err);
  auto kept = cluster.troupectl("get ns kube-system -o name");
  BOOST_TEST(kept.out == "namespace/kube-system\n", kept.err);

  // An object that names its own namespace goes there without -n.
  std::ofstream(cluster.home.path() / "prod.yml")
      << "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n"
         "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: prod\n"
         "spec:\n  containers:\n  - name: web\n    image: nginx\n";
  auto prod = cluster.troupectl("create -f " + (cluster.home.path() / "prod.yml").string());
  BOOST_TEST(prod.out == "namespace/prod created\npod/web created\n", prod.err);
  auto in_prod = cluster.troupectl("get pods -n prod -o name");
  BOOST_TEST(in_prod.out == "pod/web\n", in_prod.err);

  auto unknown = cluster.troupectl("get widgets");
  BOOST_TEST(unknown.code == 1);
  BOOST_TEST(unknown.err == "error: the server doesn't have a resource type \"widgets\"\n");
}

BOOST_AUTO_TEST_CASE(troupectl_without_a_cluster_says_how_to_start_one,
                     *boost::unit_test::timeout(60)) {
  troupe::test_support::temp_dir home{"troupe-home"};
  auto r = run(home.path(), TROUPECTL_BINARY, "get pods");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "is missing. Start one with `troupe up`"), r.err);
  auto refused =
      run(home.path(), TROUPECTL_BINARY,
          "get pods --server 127.0.0.1:" + std::to_string(troupe::test_support::free_port()));
  BOOST_TEST(refused.code == 1);
  BOOST_TEST(contains(refused.err, "was refused - did you specify the right host or port?"),
             refused.err);
}

// Three `troupe server` processes: every member's gateway serves the API, a follower's by
// forwarding to the leader, and the cluster keeps serving after the leader is killed.
BOOST_AUTO_TEST_CASE(every_member_serves_the_api_and_survives_its_leader,
                     *boost::unit_test::timeout(120)) {
  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  troupe::test_support::process_cluster_options options;
  options.binary = TROUPE_SERVER_BINARY;
  troupe::test_support::process_cluster cluster{system, options};
  auto leader = cluster.await_leader(std::chrono::seconds(20));
  BOOST_TEST_REQUIRE(leader.has_value(), cluster.logs());
  troupe::test_support::temp_dir home{"troupe-home"};
  auto troupectl = [&](int member, const std::string& args) {
    return run(home.path(), TROUPECTL_BINARY, args + " --server " + cluster.api_address(member));
  };
  const int follower = (*leader + 1) % 3;
  const int other = (*leader + 2) % 3;
  // The gateway creates the default namespace once a leader exists; give it a moment.
  run_result created;
  for (int i = 0; i < 50; ++i) {
    created = troupectl(follower, "create -f manifests/pod-definition.yml");
    if (created.code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(created.out == "pod/myapp-pod created\n", created.err);
  auto seen = troupectl(other, "get pod myapp-pod -o name");
  BOOST_TEST(seen.out == "pod/myapp-pod\n", seen.err);

  cluster.kill9(*leader);
  BOOST_TEST_REQUIRE(cluster.await_leader(std::chrono::seconds(20)).has_value(), cluster.logs());
  auto after = troupectl(follower, "get pod myapp-pod -o name");
  BOOST_TEST(after.out == "pod/myapp-pod\n", after.err);
  auto deleted = troupectl(other, "delete pod myapp-pod");
  BOOST_TEST(deleted.out == "pod \"myapp-pod\" deleted\n", deleted.err);
}

BOOST_AUTO_TEST_SUITE_END()
