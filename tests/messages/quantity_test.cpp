#include "messages/quantity.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace {

using troupe::messages::format_quantity;
using troupe::messages::parse_quantity;
using troupe::messages::quantity;
using troupe::messages::quantity_format;
using troupe::messages::to_string;

constexpr auto dec_si = quantity_format::decimal_si;
constexpr auto bin_si = quantity_format::binary_si;
constexpr auto dec_exp = quantity_format::decimal_exponent;

constexpr std::string_view format_wrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view suffix_wrong = "unable to parse quantity's suffix";

constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();

struct parse_case {
  std::string_view input;
  int64_t milli;
  quantity_format format;
  std::string_view canonical;
};

// Expected values are worked out by hand from Kubernetes' rules, not from this code.
constexpr parse_case parse_cases[] = {
    {"0", 0, dec_si, "0"},
    {"500m", 500, dec_si, "500m"},
    {"1", 1000, dec_si, "1"},
    {"100", 100000, dec_si, "100"},
    {"1000", 1000000, dec_si, "1k"},
    {"1024", 1024000, dec_si, "1024"},
    {"123456789", 123456789000, dec_si, "123456789"},
    {"007", 7000, dec_si, "7"},
    {"+5", 5000, dec_si, "5"},
    {"-1", -1000, dec_si, "-1"},
    {".5", 500, dec_si, "500m"},
    {"0.1", 100, dec_si, "100m"},
    {"1.", 1000, dec_si, "1"},
    {"1.5", 1500, dec_si, "1500m"},
    {"1500m", 1500, dec_si, "1500m"},
    {"1000m", 1000, dec_si, "1"},
    {"1.5k", 1500000, dec_si, "1500"},
    {"100k", 100000000, dec_si, "100k"},
    {"1M", 1000000000, dec_si, "1M"},
    {"10G", 10000000000000, dec_si, "10G"},
    {"1.G", 1000000000000, dec_si, "1G"},
    {"1T", 1000000000000000, dec_si, "1T"},
    {"1P", 1000000000000000000, dec_si, "1P"},
    {"9P", 9000000000000000000, dec_si, "9P"},
    {"0.001E", 1000000000000000000, dec_si, "1P"},
    {"1000000n", 1, dec_si, "1m"},
    {"1000u", 1, dec_si, "1m"},
    {"-1.5m", -1, dec_si, "-1m"},
    {"9223372036854775807m", int64_max, dec_si, "9223372036854775807m"},
    {"9223372036854775.807", int64_max, dec_si, "9223372036854775807m"},
    {"-9223372036854775807m", -int64_max, dec_si, "-9223372036854775807m"},
    {"1Ki", 1024000, bin_si, "1Ki"},
    {"5Ki", 5120000, bin_si, "5Ki"},
    {"1023Ki", 1047552000, bin_si, "1023Ki"},
    {"1000Ki", 1024000000, bin_si, "1000Ki"},
    {"1024Ki", 1048576000, bin_si, "1Mi"},
    {"128Mi", 134217728000, bin_si, "128Mi"},
    {"-128Mi", -134217728000, bin_si, "-128Mi"},
    {"1Gi", 1073741824000, bin_si, "1Gi"},
    {"1.5Gi", 1610612736000, bin_si, "1536Mi"},
    {"1Ti", 1099511627776000, bin_si, "1Ti"},
    {"1Pi", 1125899906842624000, bin_si, "1Pi"},
    {"8Pi", 9007199254740992000, bin_si, "8Pi"},
    {"1.5Ki", 1536000, bin_si, "1536"},      // whole but not a multiple of 1024
    {"0.5Ki", 512000, bin_si, "512"},        // below 1024: decimal SI, as Kubernetes
    {"1.1Ki", 1126400, bin_si, "1126400m"},  // fractional: decimal SI rather than rounding
    {"0Mi", 0, bin_si, "0"},
    {"1e3", 1000000, dec_exp, "1e3"},
    {"1E3", 1000000, dec_exp, "1e3"},
    {"1e+3", 1000000, dec_exp, "1e3"},
    {"12e6", 12000000000, dec_exp, "12e6"},
    {"1.5e3", 1500000, dec_exp, "1500"},
    {"2E-3", 2, dec_exp, "2e-3"},
    {"1e-3", 1, dec_exp, "1e-3"},
    {"0.5e0", 500, dec_exp, "500e-3"},
    {"0e5", 0, dec_exp, "0"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_quantity)

BOOST_AUTO_TEST_CASE(parse_table) {
  BOOST_TEST(std::size(parse_cases) >= 40u);
  for (const parse_case& c : parse_cases) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto parsed = parse_quantity(c.input);
      BOOST_TEST_REQUIRE(parsed.value.has_value());
      BOOST_TEST(parsed.error.empty());
      BOOST_TEST(parsed.value->milli == c.milli);
      BOOST_TEST(to_string(parsed.value->format) == to_string(c.format));
      BOOST_TEST(format_quantity(*parsed.value) == c.canonical);
    }
  }
}

BOOST_AUTO_TEST_CASE(canonical_form_reparses_to_same_value) {
  for (const parse_case& c : parse_cases) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto again = parse_quantity(c.canonical);
      BOOST_TEST_REQUIRE(again.value.has_value());
      BOOST_TEST(again.value->milli == c.milli);
      // Canonical text is a fixed point of parse-then-format.
      BOOST_TEST(format_quantity(*again.value) == c.canonical);
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_binary_suffix) {
  BOOST_TEST((parse_quantity("1Ki").value == quantity{1024 * 1000, bin_si}));
  BOOST_TEST((parse_quantity("2Mi").value == quantity{2 * 1024 * 1024 * 1000LL, bin_si}));
  BOOST_TEST((parse_quantity("3Gi").value == quantity{3LL * 1024 * 1024 * 1024 * 1000, bin_si}));
  // A fraction of a binary unit is exact as long as it lands on whole milli-units.
  BOOST_TEST((parse_quantity("0.25Ki").value == quantity{256000, bin_si}));
  // 0.001Ki = 1.024 = 1024m exactly; 0.0001Ki = 0.1024 = 102.4m rounds up to 103m.
  BOOST_TEST((parse_quantity("0.001Ki").value == quantity{1024, bin_si}));
  BOOST_TEST((parse_quantity("0.0001Ki").value == quantity{103, bin_si}));
}

BOOST_AUTO_TEST_CASE(format_canonical_binary) {
  BOOST_TEST(format_quantity({1610612736000, bin_si}) == "1536Mi");
  BOOST_TEST(format_quantity({1073741824000, bin_si}) == "1Gi");
  BOOST_TEST(format_quantity({134217728000, bin_si}) == "128Mi");
  // Kubernetes prints binary values below 1024 in decimal SI: 1000 becomes "1k".
  BOOST_TEST(format_quantity({1000000, bin_si}) == "1k");
  BOOST_TEST(format_quantity({1023000, bin_si}) == "1023");
  BOOST_TEST(format_quantity({-500, bin_si}) == "-500m");
  BOOST_TEST(format_quantity({1025000, bin_si}) == "1025");
  BOOST_TEST(format_quantity({2048000, bin_si}) == "2Ki");
  BOOST_TEST(format_quantity({-2048000, bin_si}) == "-2Ki");
  BOOST_TEST(format_quantity({1024500, bin_si}) == "1024500m");
  BOOST_TEST(format_quantity({0, bin_si}) == "0");
}

BOOST_AUTO_TEST_CASE(format_canonical_decimal) {
  BOOST_TEST(format_quantity({500, dec_si}) == "500m");
  BOOST_TEST(format_quantity({1500, dec_si}) == "1500m");
  BOOST_TEST(format_quantity({1500000, dec_si}) == "1500");
  BOOST_TEST(format_quantity({10000, dec_si}) == "10");
  BOOST_TEST(format_quantity({10000000, dec_si}) == "10k");
  BOOST_TEST(format_quantity({100000000, dec_si}) == "100k");
  BOOST_TEST(format_quantity({-100000000, dec_si}) == "-100k");
  BOOST_TEST(format_quantity({1, dec_si}) == "1m");
  BOOST_TEST(format_quantity({1500, dec_exp}) == "1500e-3");
  BOOST_TEST(format_quantity({1000000000, dec_exp}) == "1e6");
  BOOST_TEST(format_quantity({10000000000, dec_exp}) == "10e6");
  // Values parse_quantity never produces must still print without overflow.
  BOOST_TEST(format_quantity({std::numeric_limits<int64_t>::min(), dec_si}) ==
             "-9223372036854775808m");
  BOOST_TEST(format_quantity({std::numeric_limits<int64_t>::min(), bin_si}) ==
             "-9223372036854775808m");
}

BOOST_AUTO_TEST_CASE(parse_rounds_up_sub_milli) {
  // Toward +infinity: positive values grow to the next milli-unit, negative ones shrink.
  BOOST_TEST((parse_quantity("0.1m").value == quantity{1, dec_si}));
  BOOST_TEST((parse_quantity("1n").value == quantity{1, dec_si}));
  BOOST_TEST((parse_quantity("1u").value == quantity{1, dec_si}));
  BOOST_TEST((parse_quantity("1.0001m").value == quantity{2, dec_si}));
  BOOST_TEST((parse_quantity("1.0000m").value == quantity{1, dec_si}));
  BOOST_TEST((parse_quantity("0.0001").value == quantity{1, dec_si}));
  BOOST_TEST((parse_quantity("1e-4").value == quantity{1, dec_exp}));
  BOOST_TEST((parse_quantity("-0.1m").value == quantity{0, dec_si}));
  BOOST_TEST((parse_quantity("-1n").value == quantity{0, dec_si}));
  BOOST_TEST((parse_quantity("-1.9m").value == quantity{-1, dec_si}));
  BOOST_TEST((parse_quantity("1.000000000000000000000000000001").value == quantity{1001, dec_si}));
  BOOST_TEST((parse_quantity("1e-999999999999999999").value == quantity{1, dec_exp}));
  BOOST_TEST((parse_quantity("-1e-999999999999999999").value == quantity{0, dec_exp}));
  BOOST_TEST(format_quantity(*parse_quantity("-0.1m").value) == "0");
}

BOOST_AUTO_TEST_CASE(parse_overflow) {
  for (std::string_view text :
       {"9223372036854775808m", "9223372036854775.808", "9223372036854776", "1E", "8Ei", "10Pi",
        "1e16", "10000000000000000000000000", "-9223372036854775808m", "1e999999999999999999",
        "9223372036854775.8071"}) {
    BOOST_TEST_CONTEXT("input " << text) {
      auto parsed = parse_quantity(text);
      BOOST_TEST(!parsed.value.has_value());
      BOOST_TEST(parsed.error.find("too large") != std::string::npos);
    }
  }
  // Zero times any scale is still zero, not an overflow.
  BOOST_TEST((parse_quantity("0e999999").value == quantity{0, dec_exp}));
  BOOST_TEST((parse_quantity("0Ei").value == quantity{0, bin_si}));
}

BOOST_AUTO_TEST_CASE(parse_rejects_garbage) {
  for (std::string_view text : {"", "Mi", "1Qi", "1 Mi", " 1", "1 ", "--1", "+-1", "+", "-",
                                "1.2.3", "1e2.3", "1kb", "abc", "1_000", "0x10", "1,5", "1Mi "}) {
    BOOST_TEST_CONTEXT("input '" << text << "'") {
      auto parsed = parse_quantity(text);
      BOOST_TEST(!parsed.value.has_value());
      BOOST_TEST(parsed.error == format_wrong);
    }
  }
  // These match Kubernetes' pattern but name no suffix it knows.
  for (std::string_view text : {"1e", "1e-", "1E+", "1mi", "1K", "1GGi", "1Ki3", "1ki", "1Mm"}) {
    BOOST_TEST_CONTEXT("input '" << text << "'") {
      auto parsed = parse_quantity(text);
      BOOST_TEST(!parsed.value.has_value());
      BOOST_TEST(parsed.error == suffix_wrong);
    }
  }
  auto dot = parse_quantity(".");
  BOOST_TEST(!dot.value.has_value());
  BOOST_TEST(dot.error == "unable to parse numeric part of quantity");
}

BOOST_AUTO_TEST_CASE(parse_rejects_long_input) {
  // Thousands of digits are refused up front, before any arithmetic.
  auto huge = parse_quantity(std::string(5000, '9'));
  BOOST_TEST(!huge.value.has_value());
  BOOST_TEST(huge.error.find("too long") != std::string::npos);
  auto long_zeros = parse_quantity("0." + std::string(63, '0'));
  BOOST_TEST(!long_zeros.value.has_value());
  // Exactly at the limit is still read.
  std::string at_limit = "0." + std::string(61, '0') + "1";
  BOOST_TEST(at_limit.size() == troupe::messages::max_quantity_length);
  BOOST_TEST((parse_quantity(at_limit).value == quantity{1, dec_si}));
}

BOOST_AUTO_TEST_CASE(value_ceil) {
  using troupe::messages::quantity_value_ceil;
  BOOST_TEST(quantity_value_ceil({0, dec_si}) == 0);
  BOOST_TEST(quantity_value_ceil({1, dec_si}) == 1);
  BOOST_TEST(quantity_value_ceil({1000, dec_si}) == 1);
  BOOST_TEST(quantity_value_ceil({1500, dec_si}) == 2);
  BOOST_TEST(quantity_value_ceil({-1, dec_si}) == 0);
  BOOST_TEST(quantity_value_ceil({-1500, dec_si}) == -1);
  BOOST_TEST(quantity_value_ceil({-2000, dec_si}) == -2);
  BOOST_TEST(quantity_value_ceil({int64_max, dec_si}) == 9223372036854776);
  BOOST_TEST(quantity_value_ceil(*parse_quantity("1.5Gi").value) == 1610612736);
  BOOST_TEST(quantity_value_ceil(*parse_quantity("0.0001Ki").value) == 1);
}

BOOST_AUTO_TEST_CASE(format_names) {
  using troupe::messages::quantity_format_from_string;
  BOOST_TEST(to_string(dec_si) == "DecimalSI");
  BOOST_TEST(to_string(bin_si) == "BinarySI");
  BOOST_TEST(to_string(dec_exp) == "DecimalExponent");
  for (quantity_format f : {dec_si, bin_si, dec_exp}) {
    BOOST_TEST((quantity_format_from_string(to_string(f)) == f));
  }
  BOOST_TEST(!quantity_format_from_string("decimalSI").has_value());
  BOOST_TEST(!quantity_format_from_string("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
