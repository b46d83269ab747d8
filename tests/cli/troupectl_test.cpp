// troupectl verbs run in-process against the real manifests in manifests/.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "cli/troupectl.hpp"

#include "cli/flags.hpp"

#include <stdlib.h>

#include "tests/support/temp_dir.hpp"

namespace {

struct run_result {
  int code;
  std::string out;
  std::string err;
};

run_result troupectl(std::vector<std::string> args, std::string input = {}) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = troupe::cli::run_troupectl(args, {in, out, err});
  return {code, out.str(), err.str()};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_troupectl)

BOOST_AUTO_TEST_CASE(create_dry_run_prints_created_names) {
  auto r = troupectl({"create", "--dry-run=client", "-f", "manifests/deployment-definition.yml"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out == "deployment.apps/myapp-deployment created (dry run)\n");
  BOOST_TEST(r.err == "");
}

BOOST_AUTO_TEST_CASE(create_dry_run_directory_yaml_prints_every_object_defaulted) {
  auto r = troupectl({"create", "--dry-run=client", "-f", "manifests/", "-o", "yaml"});
  BOOST_TEST(r.code == 0, r.err);
  // One document per top-level manifest, separated as kubectl separates them.
  BOOST_TEST(contains(r.out, "kind: Pod\n"));
  BOOST_TEST(contains(r.out, "kind: ReplicationController\n"));
  BOOST_TEST(contains(r.out, "kind: PersistentVolumeClaim\n"));
  BOOST_TEST(contains(r.out, "---\n"));
  // Defaults the API server would add.
  BOOST_TEST(contains(r.out, "restartPolicy: Always\n"));
  BOOST_TEST(contains(r.out, "imagePullPolicy: Always\n"));
  BOOST_TEST(contains(r.out, "maxSurge: 25%\n"));
  BOOST_TEST(contains(r.out, "namespace: default\n"));
}

BOOST_AUTO_TEST_CASE(create_dry_run_name_output) {
  auto r =
      troupectl({"create", "--dry-run=client", "-o", "name", "-f", "manifests/service-nodeport.yml",
                 "-f", "manifests/replicaset-definition.yml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out == "service/myapp-service\nreplicaset.apps/myapp-replicaset\n");
}

BOOST_AUTO_TEST_CASE(create_reads_standard_input) {
  auto r = troupectl(
      {"create", "--dry-run=client", "-f", "-", "-o", "json"},
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(contains(r.out, "\"kind\": \"ConfigMap\""));
  BOOST_TEST(contains(r.out, "\"a\": \"1\""));
}

BOOST_AUTO_TEST_CASE(create_reports_typo_with_position_and_exit_code) {
  auto r = troupectl(
      {"create", "--dry-run=client", "-f", "tests/fixtures/tutorial-typos/kind-beplogment.yml"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out == "");
  BOOST_TEST(contains(r.err,
                      "kind-beplogment.yml:2:7: no matches for kind \"Beplogment\" in "
                      "version \"apps/v1\""),
             r.err);
}

BOOST_AUTO_TEST_CASE(create_without_filename_is_an_error) {
  auto r = troupectl({"create", "--dry-run=client"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err == "error: must specify one of -f and -k\n");
}

BOOST_AUTO_TEST_CASE(create_rejects_unknown_flag_and_output) {
  auto r = troupectl({"create", "--filname", "x"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "error: unknown flag: --filname\n"));
  r = troupectl({"create", "--dry-run=client", "-f", "manifests/", "-o", "xml"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "output format \"xml\""));
  r = troupectl({"create", "--dry-run=maybe", "-f", "manifests/"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "Invalid dry-run value (maybe)"));
}

BOOST_AUTO_TEST_CASE(create_refuses_namespace_mismatch) {
  auto r = troupectl({"create", "--dry-run=client", "-n", "prod", "-f", "-"},
                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: dev\n");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "does not match the namespace \"prod\""));
}

BOOST_AUTO_TEST_CASE(create_without_a_configured_cluster_says_how_to_start_one) {
  troupe::test_support::temp_dir home{"troupe-home"};
  ::setenv("TROUPE_HOME", home.path().c_str(), 1);
  auto r = troupectl({"create", "-f", "manifests/pod-definition.yml"});
  ::unsetenv("TROUPE_HOME");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "/config is missing. Start one with `troupe up`"), r.err);
}

BOOST_AUTO_TEST_CASE(unknown_verb_and_version) {
  auto r = troupectl({"frobnicate"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err == "error: unknown command \"frobnicate\" for \"troupectl\"\n");
  r = troupectl({"version", "--client"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(contains(r.out, "Client Version: v"));
}

BOOST_AUTO_TEST_CASE(switches_take_pflag_booleans) {
  using troupe::cli::flag_spec;
  constexpr flag_spec specs[] = {{"show-labels", 0, false, {}, ""}};
  auto parse = [&](std::vector<std::string> args) { return troupe::cli::parse_flags(args, specs); };
  BOOST_TEST(parse({"--show-labels"}).enabled("show-labels"));
  BOOST_TEST(parse({"--show-labels=true"}).enabled("show-labels"));
  BOOST_TEST(parse({"--show-labels=T"}).enabled("show-labels"));
  BOOST_TEST(!parse({"--show-labels=false"}).enabled("show-labels"));
  BOOST_TEST(!parse({"--show-labels=0"}).enabled("show-labels"));
  BOOST_TEST(!parse({}).enabled("show-labels"));
  auto bad = parse({"--show-labels=maybe"});
  BOOST_TEST_REQUIRE(bad.error.has_value());
  BOOST_TEST(*bad.error ==
             "invalid argument \"maybe\" for \"--show-labels\" flag: strconv.ParseBool: parsing "
             "\"maybe\": invalid syntax");
}

BOOST_AUTO_TEST_CASE(create_record_stores_the_command_line_as_change_cause) {
  auto r = troupectl({"create", "--dry-run=client", "-f", "manifests/deployment-definition.yml",
                      "--record", "-o", "yaml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(contains(r.out,
                      "kubernetes.io/change-cause: troupectl create --dry-run=client "
                      "--filename=manifests/deployment-definition.yml --record=true "
                      "--output=yaml\n"),
             r.out);
  BOOST_TEST(r.err ==
             "Flag --record has been deprecated, --record will be removed in the future\n");
}

BOOST_AUTO_TEST_CASE(rollout_and_set_are_groups_of_subcommands) {
  auto r = troupectl({"rollout"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err, "Available Commands:\n  history"), r.err);
  r = troupectl({"rollout", "frob", "deploy/x"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err ==
             "error: unknown command \"frob\"\nSee 'troupectl rollout -h' for help and examples\n");
  r = troupectl({"rollout", "status", "--bogus"});
  BOOST_TEST(r.err ==
             "error: unknown flag: --bogus\nSee 'troupectl rollout status --help' for usage.\n");
  r = troupectl({"set", "--help"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(contains(r.out, "  image"), r.out);
}

BOOST_AUTO_TEST_CASE(verbs_check_their_arguments_before_connecting) {
  auto r = troupectl({"rollout", "status"});
  BOOST_TEST(r.err == "error: required resource not specified\n");
  r = troupectl({"rollout", "history", "deploy/x", "--revision=two"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.err,
                      "invalid argument \"two\" for \"--revision\" flag: strconv.ParseInt: "
                      "parsing \"two\": invalid syntax"),
             r.err);
  r = troupectl({"rollout", "status", "deploy/x", "--timeout=5d"});
  BOOST_TEST(contains(r.err, "time: unknown unit \"d\" in duration \"5d\""), r.err);
  r = troupectl({"set", "image", "deployment/x"});
  BOOST_TEST(r.err == "error: at least one image update is required\n");
  r = troupectl({"set", "image", "nginx=nginx:1.9.1", "deployment/x"});
  BOOST_TEST(r.err ==
             "error: all resources must be specified before image changes: deployment/x\n");
  r = troupectl({"set", "image", "deployment/x", "*=a", "b=c"});
  BOOST_TEST(contains(r.err, "all containers are already specified by *"), r.err);
  r = troupectl({"describe"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err ==
             "error: You must specify the type of resource to describe. Use \"troupectl "
             "api-resources\" for a complete list of supported resources.\n\n");
}

BOOST_AUTO_TEST_SUITE_END()
