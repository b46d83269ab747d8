// --record's change-cause: kubectl's parseCommandArguments over troupectl's parsed flags.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cli/change_cause.hpp"
#include "cli/cluster.hpp"
#include "messages/proto/apps.pb.h"

namespace {

using troupe::cli::flag_spec;
using troupe::cli::parsed_flags;

constexpr flag_spec specs[] = {
    {"filename", 'f', true, {}, ""},
    troupe::cli::record_flag,
    troupe::cli::namespace_flag,
    {"dry-run", 0, true, "client", ""},
};

parsed_flags parse(const std::string& path, std::vector<std::string> args) {
  auto flags = troupe::cli::parse_flags(args, specs);
  flags.command_path = path;
  return flags;
}

BOOST_AUTO_TEST_SUITE(cli_change_cause)

BOOST_AUTO_TEST_CASE(change_cause_names_flags_by_long_name_in_order) {
  auto flags = parse("create", {"-f", "deployment.yml", "--record"});
  BOOST_TEST(troupe::cli::change_cause("troupectl", flags) ==
             "troupectl create --filename=deployment.yml --record=true");
}

BOOST_AUTO_TEST_CASE(change_cause_puts_arguments_before_flags) {
  auto flags = parse("set image", {"--record", "deployment/myapp-deployment", "-n", "default",
                                   "nginx=nginx:1.9.1"});
  BOOST_TEST(troupe::cli::change_cause("troupectl", flags) ==
             "troupectl set image deployment/myapp-deployment nginx=nginx:1.9.1 --record=true "
             "--namespace=default");
}

BOOST_AUTO_TEST_CASE(change_cause_keeps_values_as_typed) {
  auto flags = parse("create", {"--filename=a.yml", "--record=True", "--dry-run", "-fb.yml"});
  BOOST_TEST(troupe::cli::change_cause("troupectl", flags) ==
             "troupectl create --filename=a.yml --record=True --dry-run=client --filename=b.yml");
}

BOOST_AUTO_TEST_CASE(change_cause_to_record_warns_and_honours_false) {
  std::istringstream in;
  std::ostringstream out, err;
  troupe::cli::cli_io io{in, out, err};
  auto on = parse("create", {"-f", "d.yml", "--record=true"});
  BOOST_TEST(troupe::cli::change_cause_to_record(on, io) ==
             "troupectl create --filename=d.yml --record=true");
  BOOST_TEST(err.str() ==
             "Flag --record has been deprecated, --record will be removed in the future\n");
  err.str("");
  BOOST_TEST(troupe::cli::change_cause_to_record(parse("create", {"--record=false"}), io) == "");
  BOOST_TEST(err.str() ==
             "Flag --record has been deprecated, --record will be removed in the future\n");
  err.str("");
  BOOST_TEST(troupe::cli::change_cause_to_record(parse("create", {"-f", "x"}), io) == "");
  BOOST_TEST(err.str() == "");
}

BOOST_AUTO_TEST_CASE(record_change_cause_sets_the_annotation) {
  troupe::messages::Deployment d;
  (*d.mutable_metadata()->mutable_annotations())["kubernetes.io/change-cause"] = "old";
  troupe::cli::record_change_cause(d, "troupectl scale --replicas=5");
  BOOST_TEST(d.metadata().annotations().at("kubernetes.io/change-cause") ==
             "troupectl scale --replicas=5");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
