// End to end: the declarative verbs through `troupe up --hollow-nodes 2` and the real troupectl.
// apply creates, leaves alone and reconfigures a Deployment while keeping what other verbs
// changed (a label added with `troupectl label`); edit round-trips an object through an
// $EDITOR script, and reopens a file that does not decode; expose puts a Service in front of a
// Deployment, and the gateway gives each Service its own ClusterIP from 10.96.0.0/12 and a
// NodePort from 30000-32767, refusing an address that is taken.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
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
using troupe::test_support::temp_dir;

embedded_cluster& cluster() {
  static auto instance = std::make_unique<embedded_cluster>(TROUPE_SERVER_BINARY, TROUPECTL_BINARY,
                                                            "--hollow-nodes 2");
  return *instance;
}

temp_dir& scratch() {
  static temp_dir dir{"troupe-apply-e2e"};
  return dir;
}

// Writes `text` to a file in the scratch directory; its path.
std::string write(const std::string& name, const std::string& text, bool executable = false) {
  auto path = scratch().path() / name;
  std::ofstream(path) << text;
  if (executable)
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path.string();
}

std::string deployment(int replicas, const std::string& image) {
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: applied\n"
         "  labels:\n"
         "    app: applied\n"
         "spec:\n"
         "  replicas: " +
         std::to_string(replicas) +
         "\n"
         "  selector:\n"
         "    matchLabels:\n"
         "      app: applied\n"
         "  template:\n"
         "    metadata:\n"
         "      labels:\n"
         "        app: applied\n"
         "    spec:\n"
         "      containers:\n"
         "      - name: web\n"
         "        image: " +
         image +
         "\n"
         "        ports:\n"
         "        - containerPort: 80\n";
}

std::vector<std::string> columns(const std::string& row) {
  std::vector<std::string> out;
  std::istringstream in(row);
  std::string cell;
  while (in >> cell)
    out.push_back(cell);
  return out;
}

// The columns of `get svc NAME`'s one row: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE.
std::vector<std::string> service_row(const std::string& name) {
  auto r = cluster().troupectl("get svc " + name);
  std::istringstream in(r.out);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  BOOST_TEST(contains(header, "CLUSTER-IP"), r.out << r.err);
  return columns(row);
}

bool in_service_cidr(const std::string& ip) {
  std::smatch m;
  static const std::regex dotted(R"((\d+)\.(\d+)\.(\d+)\.(\d+))");
  if (!std::regex_match(ip, m, dotted)) return false;
  const int second = std::stoi(m[2]);
  return m[1] == "10" && second >= 96 && second <= 111 && ip != "10.96.0.0" && ip != "10.96.0.1";
}

// Runs troupectl with $EDITOR set to `editor` (and $KUBE_EDITOR unset).
run_result with_editor(const std::string& editor, const std::string& args) {
  ::unsetenv("KUBE_EDITOR");
  ::setenv("EDITOR", editor.c_str(), 1);
  auto r = cluster().troupectl(args);
  ::unsetenv("EDITOR");
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_apply)

BOOST_AUTO_TEST_CASE(apply_creates_then_leaves_unchanged_then_configures) {
  const auto file = write("applied.yml", deployment(2, "nginx"));
  auto created = cluster().troupectl("apply -f " + file);
  BOOST_TEST_REQUIRE(created.out == "deployment.apps/applied created\n", created.err);
  BOOST_TEST(created.err.empty(), created.err);
  auto again = cluster().troupectl("apply -f " + file);
  BOOST_TEST(again.out == "deployment.apps/applied unchanged\n", again.err);

  // A label added by another verb is the live object's own: apply keeps it.
  auto labeled = cluster().troupectl("label deployment applied team=web");
  BOOST_TEST(labeled.out == "deployment.apps/applied labeled\n", labeled.err);
  write("applied.yml", deployment(3, "nginx:1.25"));
  auto configured = cluster().troupectl("apply -f " + file);
  BOOST_TEST(configured.out == "deployment.apps/applied configured\n", configured.err);
  auto live = cluster().troupectl("get deployment applied -o json");
  BOOST_TEST(contains(live.out, "\"replicas\": 3"), live.out);
  BOOST_TEST(contains(live.out, "\"team\": \"web\""), live.out);
  BOOST_TEST(contains(live.out, "\"image\": \"nginx:1.25\""), live.out);
  BOOST_TEST(contains(live.out, "kubectl.kubernetes.io/last-applied-configuration"), live.out);

  // Standard input, and a dry run that writes nothing.
  write("applied4.yml", deployment(4, "nginx:1.25"));
  auto dry = cluster().troupectl("apply --dry-run=client -f - <" +
                                 (scratch().path() / "applied4.yml").string());
  BOOST_TEST(dry.out == "deployment.apps/applied configured (dry run)\n", dry.err);
  BOOST_TEST(
      contains(cluster().troupectl("get deployment applied -o json").out, "\"replicas\": 3"));
}

BOOST_AUTO_TEST_CASE(apply_warns_about_an_object_created_without_save_config) {
  const auto plain = write("plain.yml",
                           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n"
                           "  a: \"1\"\n");
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + plain).code == 0);
  auto warned = cluster().troupectl("apply -f " + plain);
  BOOST_TEST(warned.code == 0, warned.err);
  BOOST_TEST(contains(warned.err,
                      "Warning: resource configmaps/plain is missing the "
                      "kubectl.kubernetes.io/last-applied-configuration annotation"),
             warned.err);

  const auto saved = write("saved.yml",
                           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: saved\ndata:\n"
                           "  a: \"1\"\n");
  auto created = cluster().troupectl("create --save-config -f " + saved);
  BOOST_TEST_REQUIRE(created.out == "configmap/saved created\n", created.err);
  auto applied = cluster().troupectl("apply -f " + saved);
  BOOST_TEST(applied.out == "configmap/saved unchanged\n", applied.err);
  BOOST_TEST(applied.err.empty(), applied.err);
}

BOOST_AUTO_TEST_CASE(edit_updates_through_the_editor) {
  const auto file = write("edit-me.yml",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edit-me\ndata:\n"
                          "  color: blue\n");
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + file).code == 0);
  const auto recolor = write("recolor.sh",
                             "#!/bin/sh\n"
                             "grep -q '^# Please edit the object below' \"$1\" || exit 3\n"
                             "sed -i 's/color: blue/color: green/' \"$1\"\n",
                             true);
  auto edited = with_editor(recolor, "edit configmap edit-me");
  BOOST_TEST(edited.out == "configmap/edit-me edited\n", edited.err);
  auto live = cluster().troupectl("get configmap edit-me -o yaml");
  BOOST_TEST(contains(live.out, "color: green"), live.out);

  auto unchanged = with_editor("true", "edit configmap/edit-me");
  BOOST_TEST(unchanged.code == 0);
  BOOST_TEST(unchanged.err == "Edit cancelled, no changes made.\n", unchanged.err);

  // A change that does not decode reopens the file with the error; saving it again as it was
  // gives up and keeps the copy.
  const auto breaker = write("break.sh",
                             "#!/bin/sh\n"
                             "sed -i 's/\"data\":/\"datum\":/' \"$1\"\n",
                             true);
  auto broken = with_editor(breaker, "edit configmap edit-me -o json");
  BOOST_TEST(broken.code == 1);
  BOOST_TEST(contains(broken.err, "A copy of your changes has been stored to \""), broken.err);
  BOOST_TEST(contains(broken.err, "error: Edit cancelled, no valid changes were saved."),
             broken.err);
  std::smatch m;
  const std::regex kept("stored to \"([^\"]+)\"");
  const bool found = std::regex_search(broken.err, m, kept);
  BOOST_TEST_REQUIRE(found, broken.err);
  const auto copy = troupe::test_support::slurp(m[1].str());
  BOOST_TEST(contains(copy, "# The edited file had a syntax error:"), copy);
  fs::remove(m[1].str());
  BOOST_TEST(contains(cluster().troupectl("get configmap edit-me -o yaml").out, "color: green"));
}

BOOST_AUTO_TEST_CASE(expose_gives_each_service_its_own_cluster_ip_and_node_port) {
  auto ready = cluster().troupectl("get deployment applied");
  if (ready.code != 0)
    BOOST_TEST_REQUIRE(
        cluster().troupectl("apply -f " + write("applied.yml", deployment(2, "nginx"))).code == 0);
  auto exposed = cluster().troupectl("expose deployment applied --port=80 --type=NodePort");
  BOOST_TEST_REQUIRE(exposed.out == "service/applied exposed\n", exposed.err);
  auto row = service_row("applied");
  BOOST_TEST_REQUIRE(row.size() == 6u);
  BOOST_TEST(row[1] == "NodePort");
  BOOST_TEST(in_service_cidr(row[2]), row[2]);
  BOOST_TEST(std::regex_match(row[4], std::regex(R"(80:3\d{4}/TCP)")), row[4]);
  const int node_port = std::stoi(row[4].substr(3));
  BOOST_TEST((node_port >= 30000 && node_port <= 32767), row[4]);
  auto yaml = cluster().troupectl("get svc applied -o yaml");
  BOOST_TEST(contains(yaml.out, "app: applied"), yaml.out);  // the deployment's selector
  BOOST_TEST(contains(yaml.out, "targetPort: 80"), yaml.out);

  // Without --port, the template's one container port; each service its own address.
  std::set<std::string> ips{row[2]};
  for (int i = 0; i < 4; ++i) {
    const auto name = "applied-" + std::to_string(i);
    auto more = cluster().troupectl("expose deployment/applied --name=" + name);
    BOOST_TEST_REQUIRE(more.out == "service/" + name + " exposed\n", more.err);
    auto r = service_row(name);
    BOOST_TEST_REQUIRE(r.size() == 6u);
    BOOST_TEST(r[1] == "ClusterIP");
    BOOST_TEST(r[4] == "80/TCP");
    BOOST_TEST(in_service_cidr(r[2]), r[2]);
    ips.insert(r[2]);
  }
  BOOST_TEST(ips.size() == 5u, "five services, five addresses");

  // An address or a port that is taken is refused.
  const auto taken = write("taken.yml",
                           "apiVersion: v1\nkind: Service\nmetadata:\n  name: taken\nspec:\n"
                           "  clusterIP: " +
                               row[2] + "\n  ports:\n  - port: 80\n");
  auto refused = cluster().troupectl("create -f " + taken);
  BOOST_TEST(refused.code == 1);
  BOOST_TEST(contains(refused.err, "provided IP is already allocated"), refused.err);
  const auto same_port = write("same-port.yml",
                               "apiVersion: v1\nkind: Service\nmetadata:\n  name: same-port\n"
                               "spec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: " +
                                   std::to_string(node_port) + "\n");
  refused = cluster().troupectl("create -f " + same_port);
  BOOST_TEST(contains(refused.err, "provided port is already allocated"), refused.err);

  // A deleted service gives its address back: the same one can be requested again.
  BOOST_TEST_REQUIRE(cluster().troupectl("delete svc applied").code == 0);
  auto reused = cluster().troupectl("create -f " + taken);
  BOOST_TEST(reused.out == "service/taken created\n", reused.err);

  // Headless stays headless.
  const auto headless = write("headless.yml",
                              "apiVersion: v1\nkind: Service\nmetadata:\n  name: headless\n"
                              "spec:\n  clusterIP: None\n  ports:\n  - port: 80\n");
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + headless).code == 0);
  BOOST_TEST(service_row("headless").at(2) == "None");
}

BOOST_AUTO_TEST_CASE(expose_reports_what_it_cannot_expose) {
  const auto cm = write("not-exposable.yml",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-exposable\n");
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + cm).code == 0);
  auto r = cluster().troupectl("expose configmap not-exposable --port=80");
  BOOST_TEST(r.err == "error: cannot expose a ConfigMap\n", r.err);
  const auto pod =
      write("portless.yml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: portless\n  labels:\n"
            "    app: portless\nspec:\n  containers:\n  - name: c\n    image: busybox\n");
  BOOST_TEST_REQUIRE(cluster().troupectl("create -f " + pod).code == 0);
  r = cluster().troupectl("expose pod portless");
  BOOST_TEST(r.err == "error: couldn't find port via --port flag or introspection\n", r.err);
  r = cluster().troupectl("expose pod portless --port=8080 --target-port=80");
  BOOST_TEST(r.out == "service/portless exposed\n", r.err);
  auto yaml = cluster().troupectl("get svc portless -o yaml");
  BOOST_TEST(contains(yaml.out, "targetPort: 80\n"), yaml.out);
}

BOOST_AUTO_TEST_SUITE_END()
