// End to end: the real troupectl binary runs the verbs beyond create/get/delete (scale,
// replace, label, annotate, run, cluster-info, api-resources) against an embedded cluster that
// `troupe up` starts under a private TROUPE_HOME, and the exact lines a user reads are checked.
// One cluster serves every case of the suite: the first case that needs it starts it, and the
// suite's fixture stops it. Cases that need no cluster run under a TROUPE_HOME without one, so
// a verb that connects before checking its arguments fails them.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "tests/support/cli_run.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using troupe::test_support::contains;
namespace fs = std::filesystem;
using troupe::test_support::embedded_cluster;
using troupe::test_support::run;
using troupe::test_support::run_result;
using troupe::test_support::slurp;

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// `text` with its one occurrence of `from` replaced; the test fails if there is none.
std::string edited(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos, "no \"" << from << "\" in:\n" << text);
  return text.replace(at, from.size(), to);
}

run_result troupectl_without_cluster(const std::string& args) {
  troupe::test_support::temp_dir home{"troupe-home"};
  return run(home.path(), TROUPECTL_BINARY, args);
}

// The block of a top-level YAML key ("spec"): its lines, each ending in '\n'.
std::string yaml_section(const std::string& yaml, const std::string& key) {
  auto start = yaml.find("\n" + key + ":\n");
  if (start == std::string::npos) return {};
  start += key.size() + 3;
  auto end = start;
  while (end < yaml.size() && yaml[end] == ' ')
    end = yaml.find('\n', end) + 1;
  return yaml.substr(start, end - start);
}

// Owns the suite's one cluster; its destructor, at the end of the suite, stops it.
struct suite_cluster {
  static std::unique_ptr<embedded_cluster>& instance() {
    static std::unique_ptr<embedded_cluster> cluster;
    return cluster;
  }
  ~suite_cluster() { instance().reset(); }
};

embedded_cluster& shared_cluster() {
  auto& cluster = suite_cluster::instance();
  if (!cluster)
    cluster = std::make_unique<embedded_cluster>(TROUPE_SERVER_BINARY, TROUPECTL_BINARY);
  return *cluster;
}

// Checks one failing command: exit code 1, nothing on stdout, exactly `err` on stderr.
void expect_error(const run_result& r, const std::string& err) {
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out == "");
  BOOST_TEST(r.err == err);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_troupectl_verbs, *boost::unit_test::fixture<suite_cluster>())

BOOST_AUTO_TEST_CASE(api_resources_prints_kubectl_table_without_a_cluster,
                     *boost::unit_test::timeout(60)) {
  auto table = troupectl_without_cluster("api-resources");
  BOOST_TEST(table.code == 0, table.err);
  BOOST_TEST(table.err == "");
  BOOST_TEST(table.out.starts_with(
                 "NAME                       SHORTNAMES   APIVERSION                     NAMESPACED"
                 "   KIND\n"
                 "configmaps                 cm           v1                             true"
                 "         ConfigMap\n"),
             table.out);
  BOOST_TEST(contains(table.out,
                      "\npods                       po           v1                             "
                      "true         Pod\n"),
             table.out);
  BOOST_TEST(contains(table.out,
                      "\nservices                   svc          v1                             "
                      "true         Service\n"),
             table.out);
  BOOST_TEST(contains(table.out,
                      "\ndeployments                deploy       apps/v1                        "
                      "true         Deployment\n"),
             table.out);
  // The preferred version only: autoscaling/v2, not v1 as well.
  BOOST_TEST(contains(table.out,
                      "\nhorizontalpodautoscalers   hpa          autoscaling/v2                 "
                      "true         HorizontalPodAutoscaler\n"),
             table.out);
  BOOST_TEST(!contains(table.out, "autoscaling/v1"), table.out);

  // kubectl's order: by API group, the core group first, then by name.
  auto names = troupectl_without_cluster("api-resources -o name");
  BOOST_TEST(names.out ==
             "configmaps\nendpoints\nevents\nnamespaces\nnodes\npersistentvolumeclaims\n"
             "persistentvolumes\npods\nreplicationcontrollers\nsecrets\nserviceaccounts\nservices\n"
             "deployments.apps\nreplicasets.apps\nhorizontalpodautoscalers.autoscaling\n"
             "leases.coordination.k8s.io\n"
             "networkpolicies.networking.k8s.io\n"
             "clusterrolebindings.rbac.authorization.k8s.io\n"
             "clusterroles.rbac.authorization.k8s.io\n"
             "rolebindings.rbac.authorization.k8s.io\nroles.rbac.authorization.k8s.io\n");

  auto cluster_scoped = troupectl_without_cluster("api-resources --namespaced=false -o name");
  BOOST_TEST(cluster_scoped.out ==
             "namespaces\nnodes\npersistentvolumes\n"
             "clusterrolebindings.rbac.authorization.k8s.io\n"
             "clusterroles.rbac.authorization.k8s.io\n");
  auto apps = troupectl_without_cluster("api-resources --api-group=apps --no-headers");
  BOOST_TEST(apps.out ==
             "deployments   deploy   apps/v1   true   Deployment\n"
             "replicasets   rs       apps/v1   true   ReplicaSet\n");
  // An empty column still takes tabwriter's minimum width of 6.
  auto rbac = troupectl_without_cluster(
      "api-resources --api-group=rbac.authorization.k8s.io --namespaced=false --no-headers");
  BOOST_TEST(
      rbac.out ==
      "clusterrolebindings         rbac.authorization.k8s.io/v1   false   ClusterRoleBinding\n"
      "clusterroles                rbac.authorization.k8s.io/v1   false   ClusterRole\n");
  auto by_kind = troupectl_without_cluster("api-resources --sort-by=kind -o name");
  BOOST_TEST(by_kind.out.starts_with("clusterroles.rbac.authorization.k8s.io\n"
                                     "clusterrolebindings.rbac.authorization.k8s.io\n"
                                     "configmaps\ndeployments.apps\n"),
             by_kind.out);

  expect_error(troupectl_without_cluster("api-resources pods"),
               "error: unexpected arguments: [pods]\n"
               "See 'troupectl api-resources -h' for help and examples\n");
  expect_error(troupectl_without_cluster("api-resources --sort-by=age"),
               "error: --sort-by accepts only name or kind\n");
  expect_error(troupectl_without_cluster("api-resources -o wide"),
               "error: unable to match a printer suitable for the output format \"wide\", "
               "allowed formats are: name\n");
  expect_error(
      troupectl_without_cluster("api-resources --namespaced=maybe"),
      "error: invalid argument \"maybe\" for \"--namespaced\" flag: "
      "strconv.ParseBool: parsing \"maybe\": invalid syntax\nSee 'troupectl api-resources --help' "
      "for usage.\n");
}

BOOST_AUTO_TEST_CASE(argument_errors_are_reported_before_any_cluster_is_needed,
                     *boost::unit_test::timeout(120)) {
  const std::string name_needed =
      "error: You must provide one or more resources by argument or filename.\n"
      "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
      "   '<resource> <name>'\n   '<resource>'\n";
  // scale
  expect_error(troupectl_without_cluster("scale rs myapp-replicaset"),
               "error: required flag(s) \"replicas\" not set\n");
  expect_error(troupectl_without_cluster("scale --replicas=-1 rs myapp-replicaset"),
               "error: The --replicas=COUNT flag is required, and COUNT must be greater than or "
               "equal to 0\n");
  expect_error(troupectl_without_cluster("scale --replicas=three rs myapp-replicaset"),
               "error: invalid argument \"three\" for \"--replicas\" flag: not an integer\n"
               "See 'troupectl scale --help' for usage.\n");
  expect_error(troupectl_without_cluster("scale --replicas=3000000000 rs myapp-replicaset"),
               "error: invalid argument \"3000000000\" for \"--replicas\" flag: value out of "
               "range\nSee 'troupectl scale --help' for usage.\n");
  expect_error(troupectl_without_cluster("scale --replicas=2 --current-replicas=-2 rs x"),
               "error: The --current-replicas must specify an integer of -1 or greater\n");
  expect_error(troupectl_without_cluster("scale --replicas=2 pod myapp-pod"),
               "error: cannot scale pods \"myapp-pod\": only deployments, replicasets and "
               "replicationcontrollers can be scaled\n");
  expect_error(troupectl_without_cluster("scale --replicas=2 -f manifests/pod-definition.yml"),
               "error: cannot scale pods \"myapp-pod\": only deployments, replicasets and "
               "replicationcontrollers can be scaled\n");
  expect_error(troupectl_without_cluster("scale --replicas=2"), name_needed);
  expect_error(troupectl_without_cluster("scale --replicas=2 rs"),
               "error: resource(s) were provided, but no name was specified\n");
  expect_error(troupectl_without_cluster("scale --replicas=2 widgets x"),
               "error: the server doesn't have a resource type \"widgets\"\n");
  // replace
  expect_error(troupectl_without_cluster("replace"),
               "error: Must specify --filename to replace\n"
               "See 'troupectl replace -h' for help and examples\n");
  expect_error(troupectl_without_cluster("replace -f manifests/pod-definition.yml -o xml"),
               "error: unable to match a printer suitable for the output format \"xml\", "
               "allowed formats are: json,name,yaml\n");
  // label and annotate
  expect_error(troupectl_without_cluster("label pod myapp-pod"),
               "error: at least one label update is required\n");
  expect_error(troupectl_without_cluster("annotate pod myapp-pod"),
               "error: at least one annotation update is required\n");
  expect_error(troupectl_without_cluster("label app=web"),
               "error: one or more resources must be specified as <resource> <name> or "
               "<resource>/<name>\n");
  expect_error(troupectl_without_cluster("label pod myapp-pod a=b=c"),
               "error: invalid label spec: a=b=c\n");
  auto bad_value = troupectl_without_cluster("label pod myapp-pod 'tier=front end'");
  BOOST_TEST(bad_value.code == 1);
  BOOST_TEST(bad_value.err.starts_with("error: invalid label value: \"tier=front end\": a valid "
                                       "label must be an empty string or consist of alphanumeric "
                                       "characters"),
             bad_value.err);
  expect_error(troupectl_without_cluster("label pod myapp-pod app=web app-"),
               "error: can not both modify and remove a label in the same command\n");
  expect_error(troupectl_without_cluster("annotate pod myapp-pod a=1 b=2 a- b-"),
               "error: can not both modify and remove the following annotation(s) in the same "
               "command: a, b\n");
  expect_error(troupectl_without_cluster("label pod app=web myapp-pod"),
               "error: all resources must be specified before label changes: myapp-pod\n");
  expect_error(troupectl_without_cluster("annotate pods --all -l app=web a=1"),
               "error: cannot set --all and --selector at the same time\n");
  expect_error(troupectl_without_cluster("annotate pods -l 'tier in (' a=1"),
               "error: unable to parse requirement: found '', expected: ',', ')' or identifier\n");
  expect_error(troupectl_without_cluster("label --overwrite=maybe pod myapp-pod app=web"),
               "error: invalid argument \"maybe\" for \"--overwrite\" flag: "
               "strconv.ParseBool: parsing \"maybe\": invalid syntax\nSee 'troupectl label --help' "
               "for usage.\n");
  // run
  expect_error(troupectl_without_cluster("run nginx"),
               "error: required flag(s) \"image\" not set\n");
  expect_error(troupectl_without_cluster("run --image=nginx"), "error: NAME is required for run\n");
  expect_error(troupectl_without_cluster("run web --image=Nginx:latest"),
               "error: invalid image name \"Nginx:latest\": invalid reference format\n");
  expect_error(troupectl_without_cluster("run web --image=nginx --restart=Sometimes"),
               "error: invalid restart policy: Sometimes, valid values are: Always, OnFailure, "
               "Never\n");
  expect_error(troupectl_without_cluster("run web --image=nginx --port=http"),
               "error: --port must be a number\n");
  expect_error(troupectl_without_cluster("run web --image=nginx --labels=app"),
               "error: unexpected label spec: app\n");
  expect_error(troupectl_without_cluster("run web --image=nginx --env=1X=y"),
               "error: invalid env: 1X=y\n");
  expect_error(troupectl_without_cluster("run web --image=nginx --dry-run=maybe"),
               "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or "
               "\"client\".\n");
  // cluster-info
  expect_error(troupectl_without_cluster("cluster-info dump"),
               "error: \"troupectl cluster-info dump\" is not supported\n");
  expect_error(troupectl_without_cluster("cluster-info nodes"),
               "error: unknown command \"nodes\" for \"troupectl cluster-info\"\n");
}

BOOST_AUTO_TEST_CASE(run_dry_run_prints_the_pod_kubectl_generates, *boost::unit_test::timeout(60)) {
  auto plain = troupectl_without_cluster("run nginx --image=nginx --dry-run=client");
  BOOST_TEST(plain.code == 0, plain.err);
  BOOST_TEST(plain.out == "pod/nginx created (dry run)\n");

  auto yaml = troupectl_without_cluster("run nginx --image=nginx --dry-run=client -o yaml");
  BOOST_TEST(yaml.code == 0, yaml.err);
  BOOST_TEST(yaml.out ==
             "apiVersion: v1\n"
             "kind: Pod\n"
             "metadata:\n"
             "  labels:\n"
             "    run: nginx\n"
             "  name: nginx\n"
             "spec:\n"
             "  containers:\n"
             "  - image: nginx\n"
             "    name: nginx\n"
             "    resources: {}\n"
             "  dnsPolicy: ClusterFirst\n"
             "  restartPolicy: Always\n"
             "status: {}\n");

  auto custom = troupectl_without_cluster(
      "run web --image=registry.example.com:5000/team/web:1.2 --labels=app=web,tier=front "
      "--port=8080 --restart=Never --env=MODE=prod -n shop --dry-run=client -o yaml -- --verbose");
  BOOST_TEST(custom.code == 0, custom.err);
  BOOST_TEST(custom.out ==
             "apiVersion: v1\n"
             "kind: Pod\n"
             "metadata:\n"
             "  labels:\n"
             "    app: web\n"
             "    tier: front\n"
             "  name: web\n"
             "  namespace: shop\n"
             "spec:\n"
             "  containers:\n"
             "  - args:\n"
             "    - --verbose\n"
             "    env:\n"
             "    - name: MODE\n"
             "      value: prod\n"
             "    image: registry.example.com:5000/team/web:1.2\n"
             "    name: web\n"
             "    ports:\n"
             "    - containerPort: 8080\n"
             "    resources: {}\n"
             "  dnsPolicy: ClusterFirst\n"
             "  restartPolicy: Never\n"
             "status: {}\n");
}

BOOST_AUTO_TEST_CASE(scale_and_replace_the_tutorial_replicaset, *boost::unit_test::timeout(180)) {
  auto& cluster = shared_cluster();
  const std::string manifest = "manifests/replicaset-definition.yml";
  auto created = cluster.troupectl("create -f " + manifest);
  BOOST_TEST_REQUIRE(created.code == 0, created.err);
  BOOST_TEST(created.out == "replicaset.apps/myapp-replicaset created\n");
  auto spec_replicas = [&] {
    auto yaml = cluster.troupectl("get rs myapp-replicaset -o yaml");
    BOOST_TEST(yaml.code == 0, yaml.err);
    return yaml_section(yaml.out, "spec");
  };
  BOOST_TEST(spec_replicas().starts_with("  replicas: 3\n"));

  auto scaled = cluster.troupectl("scale --replicas=6 rs myapp-replicaset");
  BOOST_TEST(scaled.code == 0, scaled.err);
  BOOST_TEST(scaled.out == "replicaset.apps/myapp-replicaset scaled\n");
  BOOST_TEST(spec_replicas().starts_with("  replicas: 6\n"));

  expect_error(cluster.troupectl("scale --current-replicas=5 --replicas=2 rs/myapp-replicaset"),
               "error: Expected replicas to be 5, was 6\n");
  BOOST_TEST(spec_replicas().starts_with("  replicas: 6\n"));

  // Back to 3 through the file, then to 6 again with an edited copy of it.
  auto by_file = cluster.troupectl("scale --replicas=3 --current-replicas=6 -f " + manifest);
  BOOST_TEST(by_file.code == 0, by_file.err);
  BOOST_TEST(by_file.out == "replicaset.apps/myapp-replicaset scaled\n");
  BOOST_TEST(spec_replicas().starts_with("  replicas: 3\n"));

  const std::string original = slurp(manifest);
  const auto six = cluster.home.path() / "replicaset-6.yml";
  write_file(six, edited(original, "replicas: 3", "replicas: 6"));
  auto replaced = cluster.troupectl("replace -f '" + six.string() + "'");
  BOOST_TEST(replaced.code == 0, replaced.err);
  BOOST_TEST(replaced.out == "replicaset.apps/myapp-replicaset replaced\n");
  auto yaml = cluster.troupectl("get rs myapp-replicaset -o yaml");
  BOOST_TEST(yaml_section(yaml.out, "spec").starts_with("  replicas: 6\n"), yaml.out);
  // A replace keeps what the server owns.
  BOOST_TEST(contains(yaml_section(yaml.out, "metadata"), "  uid: "), yaml.out);

  auto as_name = cluster.troupectl("replace -o name -f " + manifest);
  BOOST_TEST(as_name.out == "replicaset.apps/myapp-replicaset\n", as_name.err);
  BOOST_TEST(spec_replicas().starts_with("  replicas: 3\n"));

  const auto missing = cluster.home.path() / "missing.yml";
  write_file(missing, edited(original, "name: myapp-replicaset", "name: missing-replicaset"));
  expect_error(cluster.troupectl("replace -f '" + missing.string() + "'"),
               "Error from server (NotFound): error when replacing \"" + missing.string() +
                   "\": replicasets.apps \"missing-replicaset\" not found\n");
  const auto stale = cluster.home.path() / "stale.yml";
  write_file(stale, edited(original, "metadata:\n", "metadata:\n  resourceVersion: \"1\"\n"));
  expect_error(cluster.troupectl("replace -f '" + stale.string() + "'"),
               "Error from server (Conflict): error when replacing \"" + stale.string() +
                   "\": Operation cannot be fulfilled on replicasets.apps \"myapp-replicaset\": "
                   "the object has been modified; please apply your changes to the latest "
                   "version and try again\n");
  expect_error(cluster.troupectl("scale --replicas=2 deploy nope"),
               "Error from server (NotFound): deployments.apps \"nope\" not found\n");
  BOOST_TEST(spec_replicas().starts_with("  replicas: 3\n"));
}

BOOST_AUTO_TEST_CASE(label_and_annotate_a_pod, *boost::unit_test::timeout(180)) {
  auto& cluster = shared_cluster();
  // A namespace of its own: no replica set of another case selects or adopts this pod.
  const auto ns_file = cluster.home.path() / "namespace.yml";
  write_file(ns_file, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labels\n");
  auto ns = cluster.troupectl("create -f '" + ns_file.string() + "'");
  BOOST_TEST_REQUIRE(ns.code == 0, ns.err);
  auto troupectl = [&](const std::string& args) { return cluster.troupectl(args + " -n labels"); };
  auto created = troupectl("create -f manifests/pod-definition.yml");
  BOOST_TEST_REQUIRE(created.code == 0, created.err);
  auto labels = [&] {
    auto table = troupectl("get pod myapp-pod --show-labels --no-headers");
    BOOST_TEST(table.code == 0, table.err);
    auto last_space = table.out.rfind(' ');
    return last_space == std::string::npos ? table.out : table.out.substr(last_space + 1);
  };
  BOOST_TEST(labels() == "app=myapp,type=front-end\n");

  auto added = troupectl("label pod myapp-pod tier=web");
  BOOST_TEST(added.code == 0, added.err);
  BOOST_TEST(added.out == "pod/myapp-pod labeled\n");
  expect_error(troupectl("label pod myapp-pod app=other"),
               "error: 'app' already has a value (myapp), and --overwrite is false\n");
  expect_error(troupectl("label pod myapp-pod app=other type=back-end"),
               "error: ['app' already has a value (myapp), and --overwrite is false, 'type' "
               "already has a value (front-end), and --overwrite is false]\n");
  auto same = troupectl("label pod myapp-pod app=myapp");
  BOOST_TEST(same.out == "pod/myapp-pod not labeled\n", same.err);
  auto overwritten = troupectl("label --overwrite pod myapp-pod app=frontend");
  BOOST_TEST(overwritten.out == "pod/myapp-pod labeled\n", overwritten.err);
  BOOST_TEST(labels() == "app=frontend,tier=web,type=front-end\n");

  auto removed = troupectl("label pod myapp-pod type-");
  BOOST_TEST(removed.out == "pod/myapp-pod unlabeled\n", removed.err);
  auto again = troupectl("label pod myapp-pod type-");
  BOOST_TEST(again.code == 0, again.err);
  BOOST_TEST(again.out == "label \"type\" not found.\npod/myapp-pod not labeled\n");
  auto both = troupectl("label pod/myapp-pod env=prod tier-");
  BOOST_TEST(both.out == "pod/myapp-pod label(s) changed\n", both.err);
  BOOST_TEST(labels() == "app=frontend,env=prod\n");

  // A second pod, which the selector must leave alone and --all must not.
  auto other = troupectl("run other --image=nginx");
  BOOST_TEST_REQUIRE(other.code == 0, other.err);
  auto selected = troupectl("label pods -l env=prod stage=beta");
  BOOST_TEST(selected.out == "pod/myapp-pod labeled\n", selected.err);
  auto all = troupectl("label pods --all stage-");
  BOOST_TEST(
      all.out == "pod/myapp-pod unlabeled\nlabel \"stage\" not found.\npod/other not labeled\n",
      all.err);
  BOOST_TEST(labels() == "app=frontend,env=prod\n");

  auto annotated = troupectl("annotate pod myapp-pod 'description=my frontend'");
  BOOST_TEST(annotated.out == "pod/myapp-pod annotated\n", annotated.err);
  expect_error(troupectl("annotate pod myapp-pod description=other"),
               "error: --overwrite is false but found the following declared annotation(s): "
               "'description' already has a value (my frontend)\n");
  auto metadata = [&] {
    return yaml_section(troupectl("get pod myapp-pod -o yaml").out, "metadata");
  };
  BOOST_TEST(contains(metadata(), "  annotations:\n    description: my frontend\n"), metadata());
  auto replaced = troupectl("annotate --overwrite pod myapp-pod description=other");
  BOOST_TEST(replaced.out == "pod/myapp-pod annotated\n", replaced.err);
  BOOST_TEST(contains(metadata(), "  annotations:\n    description: other\n"), metadata());
  auto cleared = troupectl("annotate pod myapp-pod description-");
  BOOST_TEST(cleared.out == "pod/myapp-pod annotated\n", cleared.err);
  BOOST_TEST(!contains(metadata(), "description"), metadata());

  expect_error(troupectl("label pod nope app=web"),
               "Error from server (NotFound): pods \"nope\" not found\n");
  auto bad_key = troupectl("label pod myapp-pod 'bad key=x'");
  BOOST_TEST(bad_key.code == 1);
  BOOST_TEST(bad_key.err.starts_with("The Pod \"myapp-pod\" is invalid: metadata.labels: Invalid "
                                     "value: \"bad key\""),
             bad_key.err);
}

BOOST_AUTO_TEST_CASE(run_creates_the_pod_kubectl_creates, *boost::unit_test::timeout(180)) {
  auto& cluster = shared_cluster();
  auto created = cluster.troupectl("run nginx --image=nginx");
  BOOST_TEST(created.code == 0, created.err);
  BOOST_TEST(created.out == "pod/nginx created\n");
  auto yaml = cluster.troupectl("get pod nginx -o yaml");
  BOOST_TEST(contains(yaml_section(yaml.out, "metadata"), "  labels:\n    run: nginx\n"), yaml.out);
  auto spec = yaml_section(yaml.out, "spec");
  BOOST_TEST(contains(spec, "  containers:\n  - image: nginx\n"), yaml.out);
  BOOST_TEST(contains(spec, "    name: nginx\n"), yaml.out);
  BOOST_TEST(contains(spec, "  restartPolicy: Always\n"), yaml.out);
  expect_error(cluster.troupectl("run nginx --image=nginx"),
               "Error from server (AlreadyExists): pods \"nginx\" already exists\n");

  auto custom = cluster.troupectl(
      "run web --image=nginx:1.27 --labels=app=web --port=80 --restart=Never -o name");
  BOOST_TEST(custom.code == 0, custom.err);
  BOOST_TEST(custom.out == "pod/web\n");
  auto web = cluster.troupectl("get pod web -o yaml");
  BOOST_TEST(contains(yaml_section(web.out, "metadata"), "  labels:\n    app: web\n  name: web\n"),
             web.out);
  BOOST_TEST(contains(web.out, "    - containerPort: 80\n"), web.out);
  BOOST_TEST(contains(web.out, "  restartPolicy: Never\n"), web.out);
}

BOOST_AUTO_TEST_CASE(cluster_info_names_the_server_that_answers, *boost::unit_test::timeout(120)) {
  auto& cluster = shared_cluster();
  auto info = cluster.troupectl("cluster-info");
  BOOST_TEST(info.code == 0, info.err);
  BOOST_TEST(info.out == "Troupe control plane is running at " + cluster.api + "\n");
  BOOST_TEST(info.err == "");

  const std::string nobody = "127.0.0.1:" + std::to_string(troupe::test_support::free_port());
  expect_error(troupectl_without_cluster("cluster-info --server " + nobody),
               "The connection to the server " + nobody +
                   " was refused - did you specify the right host or port?\n");
}

BOOST_AUTO_TEST_SUITE_END()
