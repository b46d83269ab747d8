// End to end: the tutorial's Deployment chapter through `troupe up --hollow-nodes 2` and the
// real troupectl, with kubectl 1.32's output: create --record, get all, describe deployment,
// set image, rollout status/history/undo, pause/resume/restart and describe pod.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_run.hpp"

namespace {

using troupe::test_support::contains;
using troupe::test_support::embedded_cluster;
using troupe::test_support::matches;
using troupe::test_support::run_result;

// Run from the repository root, as the tutorial's user runs from the manifests' folder.
const std::string manifest = "manifests/deployment-definition.yml";
const std::string deprecated =
    "Flag --record has been deprecated, --record will be removed in the future\n";
const std::string create_cause = "troupectl create --filename=" + manifest + " --record=true";
const std::string set_image_cause =
    "troupectl set image deployment/myapp-deployment nginx-container=nginx:1.9.1 --record=true";
const std::string rolled_out = "deployment \"myapp-deployment\" successfully rolled out\n";

embedded_cluster& cluster() {
  static auto instance = std::make_unique<embedded_cluster>(TROUPE_SERVER_BINARY, TROUPECTL_BINARY,
                                                            "--hollow-nodes 2");
  return *instance;
}

run_result troupectl(const std::string& args) {
  return cluster().troupectl(args);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

// Runs `args` until `done(result)` holds or `within` passed; the last result either way.
run_result until(const std::string& args, const std::function<bool(const run_result&)>& done,
                 std::chrono::seconds within = std::chrono::seconds(60)) {
  return troupe::test_support::run_until([&] { return troupectl(args); }, done, within);
}

// `rollout status` waits until the rollout is done: every line before the last is a waiting
// line, as the tutorial shows them.
void expect_rolled_out(const run_result& r) {
  BOOST_TEST(r.code == 0, r.out << r.err);
  BOOST_TEST(r.err == "");
  auto all = lines(r.out);
  BOOST_TEST_REQUIRE(!all.empty());
  BOOST_TEST(all.back() + "\n" == rolled_out, r.out);
  for (std::size_t i = 0; i + 1 < all.size(); ++i)
    BOOST_TEST(all[i].starts_with("Waiting for "), all[i]);
}

std::string history(const std::vector<std::pair<int, std::string>>& rows) {
  std::string out = "deployment.apps/myapp-deployment \nREVISION  CHANGE-CAUSE\n";
  for (const auto& [revision, cause] : rows)
    out += std::to_string(revision) + "         " + cause + "\n";
  return out + "\n";
}

BOOST_AUTO_TEST_SUITE(e2e_rollout)

BOOST_AUTO_TEST_CASE(create_record_then_get_all_and_describe_deployment) {
  auto created = troupectl("create -f " + manifest + " --record");
  BOOST_TEST_REQUIRE(created.out == "deployment.apps/myapp-deployment created\n", created.err);
  BOOST_TEST(created.err == deprecated);

  auto all = until("get all", [](const run_result& r) {
    return matches(r.out, "deployment\\.apps/myapp-deployment +3/3 +3 +3 ") &&
           matches(r.out, "replicaset\\.apps/myapp-deployment-[a-z0-9]+ +3 +3 +3 ");
  });
  BOOST_TEST(matches(all.out, "deployment\\.apps/myapp-deployment +3/3 +3 +3 "), all.out);
  BOOST_TEST(matches(all.out, "replicaset\\.apps/myapp-deployment-[a-z0-9]+ +3 +3 +3 "), all.out);
  BOOST_TEST(matches(all.out, "pod/myapp-deployment-[a-z0-9]+-[a-z0-9]+ +1/1 +Running +0 "),
             all.out);

  auto described = until("describe deployment myapp-deployment", [](const run_result& r) {
    return contains(r.out, "Scaled up replica set myapp-deployment-");
  });
  const auto& d = described.out;
  BOOST_TEST(described.code == 0, described.err);
  BOOST_TEST(d.starts_with("Name:                   myapp-deployment\n"
                           "Namespace:              default\n"
                           "CreationTimestamp:      "),
             d);
  BOOST_TEST(contains(d,
                      "Labels:                 app=myapp\n"
                      "                        type=front-end\n"
                      "Annotations:            deployment.kubernetes.io/revision: 1\n"
                      "                        kubernetes.io/change-cause: " +
                          create_cause +
                          "\n"
                          "Selector:               type=front-end\n"
                          "Replicas:               3 desired | 3 updated | 3 total | 3 "
                          "available | 0 unavailable\n"
                          "StrategyType:           RollingUpdate\n"
                          "MinReadySeconds:        0\n"
                          "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n"
                          "Pod Template:\n"
                          "  Labels:  app=myapp\n"
                          "           type=front-end\n"
                          "  Containers:\n"
                          "   nginx-container:\n"
                          "    Image:         nginx\n"),
             d);
  BOOST_TEST(matches(d,
                     "\nOldReplicaSets: +<none>\nNewReplicaSet: +myapp-deployment-[a-z0-9]+ "
                     "\\(3/3 replicas created\\)\nEvents:\n"),
             d);
  BOOST_TEST(matches(d,
                     "\n  Normal +ScalingReplicaSet +[0-9]+[sm] +deployment-controller +"
                     "Scaled up replica set myapp-deployment-[a-z0-9]+ to 3\n"),
             d);
}

BOOST_AUTO_TEST_CASE(set_image_rolls_out_and_history_shows_both_causes) {
  auto set =
      troupectl("set image deployment/myapp-deployment nginx-container=nginx:1.9.1 --record");
  BOOST_TEST(set.out == "deployment.apps/myapp-deployment image updated\n", set.err);
  BOOST_TEST(set.err == deprecated);

  expect_rolled_out(troupectl("rollout status deployment/myapp-deployment --timeout=2m"));

  auto h = troupectl("rollout history deployment/myapp-deployment");
  BOOST_TEST(h.code == 0, h.err);
  BOOST_TEST(h.out == history({{1, create_cause}, {2, set_image_cause}}));

  auto two = troupectl("rollout history deploy/myapp-deployment --revision=2");
  BOOST_TEST(two.out.starts_with("deployment.apps/myapp-deployment with revision #2\n"
                                 "Pod Template:\n"),
             two.out);
  BOOST_TEST(contains(two.out, "    Image:         nginx:1.9.1\n"), two.out);
  auto missing = troupectl("rollout history deployment myapp-deployment --revision=9");
  BOOST_TEST(missing.code == 1);
  BOOST_TEST(missing.err == "error: unable to find the specified revision\n");

  auto wrong = troupectl("set image deployment/myapp-deployment nginx=nginx:1.9.1");
  BOOST_TEST(wrong.code == 1);
  BOOST_TEST(wrong.out == "");
  BOOST_TEST(wrong.err == "error: unable to find container named \"nginx\"\n");
}

BOOST_AUTO_TEST_CASE(undo_rolls_back_to_the_previous_revision) {
  auto undone = troupectl("rollout undo deployment/myapp-deployment");
  BOOST_TEST(undone.out == "deployment.apps/myapp-deployment rolled back\n", undone.err);
  expect_rolled_out(troupectl("rollout status deployment myapp-deployment"));
  auto h = troupectl("rollout history deployment/myapp-deployment");
  BOOST_TEST(h.out == history({{2, set_image_cause}, {3, create_cause}}));
  auto image = troupectl("get deployment myapp-deployment -o yaml");
  BOOST_TEST(contains(image.out, "image: nginx\n"), image.out);

  auto again = troupectl("rollout undo deployment/myapp-deployment --to-revision=3");
  BOOST_TEST(again.out ==
             "deployment.apps/myapp-deployment skipped rollback (current template already "
             "matches revision 3)\n");
  auto nowhere = troupectl("rollout undo deployment/myapp-deployment --to-revision=7");
  BOOST_TEST(nowhere.code == 1);
  BOOST_TEST(nowhere.err == "error: unable to find specified revision 7 in history\n");
}

BOOST_AUTO_TEST_CASE(pause_resume_and_restart) {
  auto paused = troupectl("rollout pause deployment/myapp-deployment");
  BOOST_TEST(paused.out == "deployment.apps/myapp-deployment paused\n", paused.err);
  auto twice = troupectl("rollout pause deployment/myapp-deployment");
  BOOST_TEST(twice.code == 1);
  BOOST_TEST(twice.err == "error: deployments.apps \"myapp-deployment\" is already paused\n");
  auto restart_paused = troupectl("rollout restart deployment/myapp-deployment");
  BOOST_TEST(restart_paused.code == 1);
  BOOST_TEST(restart_paused.err ==
             "error: deployments.apps \"myapp-deployment\" can't restart paused deployment (run "
             "rollout resume first)\n");
  auto undo_paused = troupectl("rollout undo deployment/myapp-deployment");
  BOOST_TEST(undo_paused.code == 1);
  BOOST_TEST(undo_paused.err ==
             "error: you cannot rollback a paused deployment; resume it first with 'troupectl "
             "rollout resume' and try again\n");

  auto resumed = troupectl("rollout resume deployment/myapp-deployment");
  BOOST_TEST(resumed.out == "deployment.apps/myapp-deployment resumed\n", resumed.err);
  auto not_paused = troupectl("rollout resume deployment/myapp-deployment");
  BOOST_TEST(not_paused.code == 1);
  BOOST_TEST(not_paused.err == "error: deployments.apps \"myapp-deployment\" is not paused\n");

  auto restarted = troupectl("rollout restart deployment/myapp-deployment");
  BOOST_TEST(restarted.out == "deployment.apps/myapp-deployment restarted\n", restarted.err);
  auto yaml = troupectl("get deployment myapp-deployment -o yaml");
  BOOST_TEST(matches(yaml.out,
                     "kubectl\\.kubernetes\\.io/restartedAt: \"?[0-9]{4}-[0-9]{2}-"
                     "[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"),
             yaml.out);
  expect_rolled_out(troupectl("rollout status deployment/myapp-deployment --timeout=2m"));
  auto h = troupectl("rollout history deployment/myapp-deployment");
  BOOST_TEST(h.out == history({{2, set_image_cause}, {3, create_cause}, {4, create_cause}}));

  auto once = troupectl("rollout status deployment/myapp-deployment --watch=false");
  BOOST_TEST(once.out == rolled_out, once.err);
  auto rs = troupectl("get rs -o name");
  const std::string first_rs = lines(rs.out).at(0);
  auto other = troupectl("rollout status " + first_rs);
  BOOST_TEST(other.err == "error: no status viewer has been implemented for ReplicaSet.apps\n");
  auto pause_rs = troupectl("rollout pause " + first_rs);
  BOOST_TEST(pause_rs.err == "error: replicasets.apps \"" +
                                 first_rs.substr(first_rs.find('/') + 1) +
                                 "\" pausing is not supported\n");
  auto missing_rs = troupectl("rollout history rs/nothing");
  BOOST_TEST(missing_rs.err ==
             "Error from server (NotFound): replicasets.apps \"nothing\" not found\n");
  auto absent = troupectl("rollout status deployment/absent");
  BOOST_TEST(absent.err == "Error from server (NotFound): deployments.apps \"absent\" not found\n");
}

BOOST_AUTO_TEST_CASE(describe_pod_by_name_prefix_and_selector) {
  auto pods = until("get pods -l type=front-end -o name",
                    [](const run_result& r) { return lines(r.out).size() == 3; });
  auto names = lines(pods.out);
  BOOST_TEST_REQUIRE(names.size() == 3u, pods.out);
  const std::string pod = names[0].substr(names[0].find('/') + 1);

  auto described = until("describe pod " + pod, [](const run_result& r) {
    return contains(r.out, "Successfully assigned default/");
  });
  const auto& d = described.out;
  BOOST_TEST(described.code == 0, described.err);
  BOOST_TEST(matches(d, "^Name: +" + pod + "\nNamespace: +default\n"), d);
  BOOST_TEST(matches(d, "\nStatus: +Running\n"), d);
  BOOST_TEST(matches(d, "\nControlled By: +ReplicaSet/myapp-deployment-[a-z0-9]+\n"), d);
  BOOST_TEST(contains(d, "\nContainers:\n  nginx-container:\n"), d);
  BOOST_TEST(matches(d,
                     "\n  Normal +Scheduled +[0-9]+[sm] +default-scheduler +Successfully "
                     "assigned default/" +
                         pod + " to [a-z0-9-]+\n"),
             d);

  // Several objects, two blank lines apart as kubectl's "\n\n" separator leaves them.
  auto many = troupectl("describe pods -l type=front-end");
  BOOST_TEST(many.code == 0, many.err);
  std::size_t separators = 0;
  for (std::size_t at = 0; (at = many.out.find("\n\n\nName:", at)) != std::string::npos; ++at)
    ++separators;
  BOOST_TEST(separators == 2u, many.out);
  BOOST_TEST(many.out.starts_with("Name:"), many.out);

  // `describe TYPE PREFIX` describes every object whose name starts with PREFIX.
  auto prefixed = troupectl("describe rs myapp-deployment");
  BOOST_TEST(prefixed.code == 0, prefixed.err);
  BOOST_TEST(matches(prefixed.out, "^Name: +myapp-deployment-[a-z0-9]+\n"), prefixed.out);

  auto absent = troupectl("describe pod nothing-here");
  BOOST_TEST(absent.code == 1);
  BOOST_TEST(absent.err == "Error from server (NotFound): pods \"nothing-here\" not found\n");
  auto none = troupectl("describe pods -l app=none");
  BOOST_TEST(none.err == "No resources found in default namespace.\n");

  auto node = troupectl("describe node hollow-node-0");
  BOOST_TEST(node.code == 0, node.err);
  BOOST_TEST(matches(node.out, "^Name: +hollow-node-0\n"), node.out);
  BOOST_TEST(matches(node.out, "\nLease:\n  HolderIdentity: +hollow-node-0\n"), node.out);
}

BOOST_AUTO_TEST_CASE(status_times_out_while_a_paused_rollout_waits) {
  BOOST_TEST(troupectl("rollout pause deployment/myapp-deployment").code == 0);
  auto set = troupectl("set image deployment/myapp-deployment '*=nginx:1.25'");
  BOOST_TEST(set.out == "deployment.apps/myapp-deployment image updated\n", set.err);
  auto waited = troupectl("rollout status deployment/myapp-deployment --timeout=2s");
  BOOST_TEST(waited.code == 1);
  BOOST_TEST(waited.out.starts_with("Waiting for "), waited.out);
  BOOST_TEST(waited.err == "error: timed out waiting for the condition\n");
  BOOST_TEST(troupectl("rollout resume deployment/myapp-deployment").code == 0);
  expect_rolled_out(troupectl("rollout status deployment/myapp-deployment --timeout=2m"));
  auto yaml = troupectl("get deployment myapp-deployment -o yaml");
  BOOST_TEST(contains(yaml.out, "image: nginx:1.25\n"), yaml.out);
}

BOOST_AUTO_TEST_CASE(scale_record_becomes_the_current_revision_change_cause) {
  auto scaled = troupectl("scale deployment myapp-deployment --replicas=4 --record");
  BOOST_TEST(scaled.out == "deployment.apps/myapp-deployment scaled\n", scaled.err);
  BOOST_TEST(scaled.err == deprecated);
  const std::string cause =
      "troupectl scale deployment myapp-deployment --replicas=4 --record=true";
  // The controller copies the Deployment's annotations to its current ReplicaSet.
  const std::string want =
      history({{2, set_image_cause}, {3, create_cause}, {4, create_cause}, {5, cause}});
  auto h = until("rollout history deployment/myapp-deployment",
                 [&](const run_result& r) { return r.out == want; });
  BOOST_TEST(h.out == want);
  troupectl("delete deployment myapp-deployment");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
