// The tutorial (../shared/seed/kubernetes-tutorial.txt) end to end, in its order, on the HA
// shape it asks for: three `troupe server` processes and three hollow nodes (one `troupe
// agent` process), through the real troupectl. Each case is one chapter and checks what the
// user sees: the messages, the table columns, the pods running and where.
//   run -> pod -> ReplicationController -> ReplicaSet (replace, scale, cascading delete) ->
//   Deployment (create --record, get all, Service, set image, rollout status/history/undo,
//   Recreate against RollingUpdate) -> run again.
// The cases share one cluster and run in declaration order; each starts from what the
// previous one left, as the tutorial's reader does.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/cli_run.hpp"
#include "tests/support/ha_cluster.hpp"

namespace {

using troupe::test_support::contains;
using troupe::test_support::matches;
using namespace std::chrono_literals;
using troupe::test_support::cells;
using troupe::test_support::ha_cluster;
using troupe::test_support::hollow_agent;
using troupe::test_support::run_result;
using troupe::test_support::slurp;
using troupe::test_support::suite_ha_cluster;
using troupe::test_support::table_rows;

suite_ha_cluster shared(std::vector<hollow_agent>{
    {.prefix = "node", .nodes = 3, .cidr_offset = 1}});

ha_cluster& cluster() {
  return shared.get();
}

struct stop_cluster_after_suite {
  ~stop_cluster_after_suite() { shared.stop(); }
};

run_result troupectl(const std::string& args) {
  return cluster().troupectl(args);
}

// The rows of `get <what> -o wide` whose NAME starts with `prefix`.
std::vector<std::vector<std::string>> rows_named(const run_result& r, const std::string& prefix) {
  std::vector<std::vector<std::string>> out;
  for (const auto& row : table_rows(r.out))
    if (row.starts_with(prefix)) out.push_back(cells(row));
  return out;
}

// `count` pods named `prefix`..., each 1/1 Running.
bool running(const run_result& r, const std::string& prefix, std::size_t count) {
  auto rows = rows_named(r, prefix);
  if (rows.size() != count) return false;
  for (const auto& c : rows)
    if (c[1] != "1/1" || c[2] != "Running") return false;
  return true;
}

run_result await_running(const std::string& prefix, std::size_t count) {
  return cluster().until("get pods -o wide",
                         [&](const run_result& r) { return running(r, prefix, count); });
}

// The manifest with `from` replaced by `to`, written under the test's home.
std::string edited_manifest(const std::string& name, const std::string& from,
                            const std::string& to) {
  std::string text = slurp("manifests/" + name);
  auto at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos, from << " not in " << name);
  text.replace(at, from.size(), to);
  auto path = cluster().home.path() / ("edited-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The names of the ReplicaSets of myapp-deployment, in `get rs` order, with their DESIRED.
std::vector<std::pair<std::string, std::string>> deployment_replica_sets() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : rows_named(troupectl("get rs"), "myapp-deployment-"))
    out.emplace_back(c[0], c[1]);
  return out;
}

// The one ReplicaSet of myapp-deployment with `replicas` desired and ready, the others at 0.
std::string rolled_out_replica_set(const std::string& replicas) {
  std::string full;
  auto done = cluster().until("get rs", [&](const run_result& r) {
    full.clear();
    int partial = 0;
    for (const auto& c : rows_named(r, "myapp-deployment-")) {
      if (c[1] == replicas && c[2] == replicas && c[3] == replicas)
        full = c[0];
      else if (c[1] != "0" || c[2] != "0")
        ++partial;
    }
    return !full.empty() && partial == 0;
  });
  BOOST_TEST_REQUIRE(!full.empty(), done.out << cluster().logs());
  return full;
}

BOOST_AUTO_TEST_SUITE(e2e_tutorial, *boost::unit_test::fixture<stop_cluster_after_suite>())

BOOST_AUTO_TEST_CASE(three_hollow_nodes_join_the_three_servers) {
  auto nodes = cluster().until("get nodes",
                               [](const run_result& r) { return table_rows(r.out).size() == 3; });
  BOOST_TEST_REQUIRE(table_rows(nodes.out).size() == 3u, nodes.out << cluster().logs());
  BOOST_TEST(nodes.out.starts_with("NAME     STATUS   ROLES    AGE   VERSION\n"), nodes.out);
  for (const auto& row : table_rows(nodes.out))
    BOOST_TEST(cells(row)[1] == "Ready", row);
}

// "kubectl run nginx --image nginx", then "kubectl get pods".
BOOST_AUTO_TEST_CASE(run_starts_a_pod) {
  auto created = troupectl("run nginx --image nginx");
  BOOST_TEST(created.out == "pod/nginx created\n", created.err);
  auto pods = await_running("nginx", 1);
  BOOST_TEST(running(pods, "nginx", 1), pods.out);
  auto table = troupectl("get pods");
  BOOST_TEST(table.out.starts_with("NAME    READY   STATUS    RESTARTS   AGE\n"
                                   "nginx   1/1     Running   0          "),
             table.out);
}

// "kubectl create -f pod-definition.yml", "kubectl get pods", "kubectl describe pod myapp-pod".
BOOST_AUTO_TEST_CASE(a_pod_from_its_definition) {
  auto created = troupectl("create -f manifests/pod-definition.yml");
  BOOST_TEST(created.out == "pod/myapp-pod created\n", created.err);
  auto pods = await_running("myapp-pod", 1);
  BOOST_TEST_REQUIRE(running(pods, "myapp-pod", 1), pods.out);
  const auto node = rows_named(pods, "myapp-pod")[0][6];

  auto d = troupectl("describe pod myapp-pod");
  BOOST_TEST(d.code == 0, d.err);
  BOOST_TEST(matches(d.out, "^Name: +myapp-pod\nNamespace: +default\nNode: +" + node + "/"), d.out);
  BOOST_TEST(matches(d.out, "\nLabels: +app=myapp\n +type=front-end\n"), d.out);
  BOOST_TEST(matches(d.out, "\nStatus: +Running\n"), d.out);
  BOOST_TEST(matches(d.out, "\nContainers:\n  nginx-container:\n"), d.out);
  BOOST_TEST(matches(d.out, "\n    Ready: +True\n"), d.out);
  BOOST_TEST(matches(d.out, "Successfully assigned default/myapp-pod to " + node + "\n"), d.out);
  BOOST_TEST(matches(d.out, "kubelet +Started container nginx-container\n"), d.out);

  // The next chapter's controllers would adopt this pod (it matches their selectors and has
  // no owner), so it goes, as the reader moves on.
  auto deleted = troupectl("delete pod myapp-pod");
  BOOST_TEST(deleted.out == "pod \"myapp-pod\" deleted\n", deleted.err);
}

// "kubectl create -f rc-definition.yml", "kubectl get replicationcontroller", "get pods".
BOOST_AUTO_TEST_CASE(a_replication_controller_runs_three_pods_over_the_nodes) {
  auto created = troupectl("create -f manifests/rc-definition.yml");
  BOOST_TEST(created.out == "replicationcontroller/myapp-rc created\n", created.err);
  auto rc = cluster().until("get replicationcontroller", [](const run_result& r) {
    return matches(r.out, "\nmyapp-rc +3 +3 +3 ");
  });
  BOOST_TEST(rc.out.starts_with("NAME       DESIRED   CURRENT   READY   AGE\n"), rc.out);
  BOOST_TEST(matches(rc.out, "\nmyapp-rc +3 +3 +3 "), rc.out);

  auto pods = await_running("myapp-rc-", 3);
  BOOST_TEST_REQUIRE(running(pods, "myapp-rc-", 3), pods.out);
  std::set<std::string> nodes;
  for (const auto& c : rows_named(pods, "myapp-rc-"))
    nodes.insert(c[6]);
  BOOST_TEST(nodes.size() == 3u, "one owner's pods spread over the nodes:\n" << pods.out);

  auto deleted = troupectl("delete rc myapp-rc");
  BOOST_TEST(deleted.out == "replicationcontroller \"myapp-rc\" deleted\n", deleted.err);
  auto gone = cluster().until(
      "get pods -o wide", [](const run_result& r) { return rows_named(r, "myapp-rc-").empty(); });
  BOOST_TEST(rows_named(gone, "myapp-rc-").empty(), gone.out);
}

// "kubectl create -f replicaset-definition.yml", "get replicaset", "replace -f" with 6
// replicas, "scale --replicas=6 -f replicaset-definition.yml", "scale --replicas=6 replicaset
// myapp-replicaset", "delete replicaset myapp-replicaset" (which deletes its pods).
BOOST_AUTO_TEST_CASE(a_replica_set_replaced_scaled_and_deleted_with_its_pods) {
  const std::string file = "manifests/replicaset-definition.yml";
  auto created = troupectl("create -f " + file);
  BOOST_TEST(created.out == "replicaset.apps/myapp-replicaset created\n", created.err);
  auto rs = cluster().until("get replicaset", [](const run_result& r) {
    return matches(r.out, "\nmyapp-replicaset +3 +3 +3 ");
  });
  BOOST_TEST(rs.out.starts_with("NAME               DESIRED   CURRENT   READY   AGE\n"), rs.out);
  BOOST_TEST(matches(rs.out, "\nmyapp-replicaset +3 +3 +3 "), rs.out);
  BOOST_TEST(running(await_running("myapp-replicaset-", 3), "myapp-replicaset-", 3));

  auto six = edited_manifest("replicaset-definition.yml", "replicas: 3", "replicas: 6");
  auto replaced = troupectl("replace -f " + six);
  BOOST_TEST(replaced.out == "replicaset.apps/myapp-replicaset replaced\n", replaced.err);
  auto pods = await_running("myapp-replicaset-", 6);
  BOOST_TEST(running(pods, "myapp-replicaset-", 6), pods.out);

  auto down = troupectl("scale --replicas=4 replicaset myapp-replicaset");
  BOOST_TEST(down.out == "replicaset.apps/myapp-replicaset scaled\n", down.err);
  pods = await_running("myapp-replicaset-", 4);
  BOOST_TEST(running(pods, "myapp-replicaset-", 4), pods.out);
  auto by_file = troupectl("scale --replicas=6 -f " + file);
  BOOST_TEST(by_file.out == "replicaset.apps/myapp-replicaset scaled\n", by_file.err);
  pods = await_running("myapp-replicaset-", 6);
  BOOST_TEST(running(pods, "myapp-replicaset-", 6), pods.out);
  auto by_name = troupectl("scale --replicas=6 replicaset myapp-replicaset");
  BOOST_TEST(by_name.out == "replicaset.apps/myapp-replicaset scaled\n", by_name.err);
  auto still = cluster().until("get replicaset", [](const run_result& r) {
    return matches(r.out, "\nmyapp-replicaset +6 +6 +6 ");
  });
  BOOST_TEST(matches(still.out, "\nmyapp-replicaset +6 +6 +6 "), still.out);

  auto deleted = troupectl("delete replicaset myapp-replicaset");
  BOOST_TEST(deleted.out == "replicaset.apps \"myapp-replicaset\" deleted\n", deleted.err);
  auto gone = cluster().until("get pods -o wide", [](const run_result& r) {
    return rows_named(r, "myapp-replicaset-").empty();
  });
  BOOST_TEST(rows_named(gone, "myapp-replicaset-").empty(), gone.out);
}

// "kubectl create -f deployment-definition.yml --record", "get deployments", "get replicaset",
// "get pods", "get all", and the NodePort Service of the Services chapter.
BOOST_AUTO_TEST_CASE(a_deployment_and_its_service) {
  auto created = troupectl("create -f manifests/deployment-definition.yml --record");
  BOOST_TEST(created.out == "deployment.apps/myapp-deployment created\n", created.err);
  auto deployments = cluster().until("get deployments", [](const run_result& r) {
    return matches(r.out, "\nmyapp-deployment +3/3 +3 +3 ");
  });
  BOOST_TEST(
      deployments.out.starts_with("NAME               READY   UP-TO-DATE   AVAILABLE   AGE\n"),
      deployments.out);
  BOOST_TEST(matches(deployments.out, "\nmyapp-deployment +3/3 +3 +3 "), deployments.out);
  auto rs = troupectl("get replicaset");
  BOOST_TEST(matches(rs.out, "\nmyapp-deployment-[a-z0-9]+ +3 +3 +3 "), rs.out);
  BOOST_TEST(running(await_running("myapp-deployment-", 3), "myapp-deployment-", 3));

  auto service = troupectl("create -f manifests/service-nodeport.yml");
  BOOST_TEST(service.out == "service/myapp-service created\n", service.err);
  auto services = troupectl("get services");
  BOOST_TEST(services.out.starts_with("NAME "), services.out);
  BOOST_TEST(matches(services.out,
                     "\nmyapp-service +NodePort +10\\.[0-9.]+ +<none> +80:30008/TCP +[0-9]+s\n"),
             services.out);

  auto all = troupectl("get all");
  BOOST_TEST(matches(all.out, "\npod/myapp-deployment-[a-z0-9]+-[a-z0-9]+ +1/1 +Running +0 "),
             all.out);
  BOOST_TEST(matches(all.out, "\nservice/myapp-service +NodePort +"), all.out);
  BOOST_TEST(matches(all.out, "\ndeployment\\.apps/myapp-deployment +3/3 +3 +3 "), all.out);
  BOOST_TEST(matches(all.out, "\nreplicaset\\.apps/myapp-deployment-[a-z0-9]+ +3 +3 +3 "), all.out);
}

// "kubectl set image", "rollout status", "rollout history", "rollout undo"; a RollingUpdate
// brings the new ReplicaSet up a surge at a time (25% of 3: one pod).
BOOST_AUTO_TEST_CASE(set_image_rolls_out_and_undo_rolls_back) {
  const auto first = rolled_out_replica_set("3");
  auto set =
      troupectl("set image deployment/myapp-deployment nginx-container=nginx:1.9.1 --record");
  BOOST_TEST(set.out == "deployment.apps/myapp-deployment image updated\n", set.err);
  auto status = troupectl("rollout status deployment/myapp-deployment --timeout=2m");
  BOOST_TEST(status.code == 0, status.err << cluster().logs());
  BOOST_TEST(status.out.ends_with("deployment \"myapp-deployment\" successfully rolled out\n"),
             status.out);
  const auto second = rolled_out_replica_set("3");
  BOOST_TEST(second != first);

  auto events = troupectl("describe deployment myapp-deployment");
  BOOST_TEST(matches(events.out, "\nStrategyType: +RollingUpdate\n"), events.out);
  BOOST_TEST(contains(events.out, "Scaled up replica set " + second + " to 1\n"), events.out);
  BOOST_TEST(contains(events.out, "Scaled down replica set " + first + " to 0\n"), events.out);

  auto history = troupectl("rollout history deployment/myapp-deployment");
  BOOST_TEST(history.out ==
                 "deployment.apps/myapp-deployment \n"
                 "REVISION  CHANGE-CAUSE\n"
                 "1         troupectl create --filename=manifests/deployment-definition.yml "
                 "--record=true\n"
                 "2         troupectl set image deployment/myapp-deployment "
                 "nginx-container=nginx:1.9.1 --record=true\n\n",
             history.out << history.err);

  auto undone = troupectl("rollout undo deployment/myapp-deployment");
  BOOST_TEST(undone.out == "deployment.apps/myapp-deployment rolled back\n", undone.err);
  BOOST_TEST(troupectl("rollout status deployment/myapp-deployment --timeout=2m").code == 0);
  BOOST_TEST(rolled_out_replica_set("3") == first, "undo brings the first ReplicaSet back");
  auto yaml = troupectl("get deployment myapp-deployment -o yaml");
  BOOST_TEST(contains(yaml.out, "image: nginx\n"), yaml.out);
}

// The Deployment chapter's other strategy: Recreate scales every old pod down before the new
// ReplicaSet comes up, in one step to all its replicas.
BOOST_AUTO_TEST_CASE(recreate_takes_the_old_pods_down_before_the_new_come_up) {
  const auto old = rolled_out_replica_set("3");
  auto recreate = edited_manifest("deployment-definition.yml", "        image: nginx\n",
                                  "        image: nginx:1.7.1\n  strategy:\n    type: Recreate\n");
  auto applied = troupectl("apply -f " + recreate);
  BOOST_TEST(applied.out == "deployment.apps/myapp-deployment configured\n", applied.err);

  // Until the rollout is done, no moment shows the old and the new ReplicaSet both with pods.
  bool overlapped = false;
  std::string seen;
  auto done = cluster().until("get rs", [&](const run_result& r) {
    int with_pods = 0;
    for (const auto& c : rows_named(r, "myapp-deployment-"))
      with_pods += c[2] != "0";
    if (with_pods > 1) {
      overlapped = true;
      seen = r.out;
    }
    auto rows = rows_named(r, "myapp-deployment-");
    int full = 0;
    for (const auto& c : rows)
      full += c[0] != old && c[1] == "3" && c[3] == "3";
    return full == 1;
  });
  BOOST_TEST(!overlapped, "old and new pods at once under Recreate:\n" << seen);
  const auto fresh = rolled_out_replica_set("3");
  BOOST_TEST(fresh != old, done.out);

  auto d = troupectl("describe deployment myapp-deployment");
  BOOST_TEST(matches(d.out, "\nStrategyType: +Recreate\n"), d.out);
  BOOST_TEST(contains(d.out, "Scaled down replica set " + old + " to 0\n"), d.out);
  BOOST_TEST(contains(d.out, "Scaled up replica set " + fresh + " to 3\n"), d.out);
  BOOST_TEST(!matches(d.out, "Scaled up replica set " + fresh + " to [12]\n"), d.out);
  auto pods = await_running("myapp-deployment-", 3);
  BOOST_TEST(running(pods, "myapp-deployment-", 3), pods.out);
}

// "kubectl run nginx --image=nginx" once more: the name is taken since the first chapter.
// Then the Deployment goes, and its ReplicaSets and pods with it.
BOOST_AUTO_TEST_CASE(run_again_and_clean_up) {
  auto again = troupectl("run nginx --image=nginx");
  BOOST_TEST(again.code == 1);
  BOOST_TEST(again.err == "Error from server (AlreadyExists): pods \"nginx\" already exists\n",
             again.err);

  auto deleted = troupectl("delete deployment myapp-deployment");
  BOOST_TEST(deleted.out == "deployment.apps \"myapp-deployment\" deleted\n", deleted.err);
  auto gone = cluster().until("get pods -o wide", [](const run_result& r) {
    return rows_named(r, "myapp-deployment-").empty();
  });
  BOOST_TEST(rows_named(gone, "myapp-deployment-").empty(), gone.out);
  BOOST_TEST(deployment_replica_sets().empty());
  auto left = troupectl("get pods");
  BOOST_TEST(matches(left.out, "\nnginx +1/1 +Running +0 "), left.out);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
