// pflag-style parsing details beyond cli/troupectl's tests: the flags in the order given, and
// Go's durations for --timeout.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::cli::parse_go_duration;

BOOST_AUTO_TEST_SUITE(cli_flags)

BOOST_AUTO_TEST_CASE(parse_flags_keeps_the_order_given) {
  constexpr troupe::cli::flag_spec specs[] = {
      {"filename", 'f', true, {}, ""}, {"all", 'A', false, {}, ""}, {"record", 0, false, {}, ""}};
  std::vector<std::string> args = {"-A", "x", "--record=false", "-f", "a", "--filename=b"};
  auto flags = troupe::cli::parse_flags(args, specs);
  BOOST_TEST_REQUIRE(!flags.error);
  using entry = std::pair<std::string, std::string>;
  BOOST_TEST((flags.given ==
              std::vector<entry>{
                  {"all", "true"}, {"record", "false"}, {"filename", "a"}, {"filename", "b"}}));
  BOOST_TEST(flags.positional == std::vector<std::string>{"x"});
}

// Nanoseconds of a duration that parses, -1 for one that does not (printable for Boost.Test).
int64_t nanos(std::string_view text) {
  auto parsed = parse_go_duration(text);
  return parsed.value ? parsed.value->count() : -1;
}

BOOST_AUTO_TEST_CASE(parse_go_duration_reads_go_durations) {
  BOOST_TEST(nanos("0") == std::chrono::nanoseconds(0).count());
  BOOST_TEST(nanos("30s") == std::chrono::nanoseconds(30s).count());
  BOOST_TEST(nanos("1m30s") == std::chrono::nanoseconds(90s).count());
  BOOST_TEST(nanos("1.5h") == std::chrono::nanoseconds(90min).count());
  BOOST_TEST(nanos("300ms") == std::chrono::nanoseconds(300ms).count());
  BOOST_TEST(nanos("-2m") == std::chrono::nanoseconds(-120s).count());
}

BOOST_AUTO_TEST_CASE(parse_go_duration_errors_as_go) {
  BOOST_TEST(parse_go_duration("x").error == "time: invalid duration \"x\"");
  BOOST_TEST(parse_go_duration("").error == "time: invalid duration \"\"");
  BOOST_TEST(parse_go_duration("5").error == "time: missing unit in duration \"5\"");
  BOOST_TEST(parse_go_duration("5d").error == "time: unknown unit \"d\" in duration \"5d\"");
  BOOST_TEST(!parse_go_duration("5d").value);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
