#include "messages/rfc3339.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using troupe::messages::format_rfc3339;
using troupe::messages::parse_rfc3339;
using troupe::messages::timestamp;

struct valid_case {
  std::string_view input;
  int64_t seconds;
  int32_t nanos;
  std::string_view formatted;
};

// Seconds cross-checked with GNU `date -u -d <input> +%s`.
constexpr valid_case valid_cases[] = {
    {"1970-01-01T00:00:00Z", 0, 0, "1970-01-01T00:00:00Z"},
    {"2018-03-03T06:26:14Z", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03T14:26:14+08:00", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-02T22:26:14-08:00", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03t06:26:14z", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03T06:26:14+00:00", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03T06:26:14-00:00", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03T06:26:14.123456789Z", 1520058374, 123456789, "2018-03-03T06:26:14.123456789Z"},
    {"2018-03-03T06:26:14.5Z", 1520058374, 500000000, "2018-03-03T06:26:14.5Z"},
    {"2018-03-03T06:26:14.000Z", 1520058374, 0, "2018-03-03T06:26:14Z"},
    {"2018-03-03T06:26:14.120Z", 1520058374, 120000000, "2018-03-03T06:26:14.12Z"},
    // Go keeps nine digits and drops the rest without rounding.
    {"2018-03-03T06:26:14.1234567899Z", 1520058374, 123456789, "2018-03-03T06:26:14.123456789Z"},
    {"2018-03-03T00:00:00+23:59", 1519948860, 0, "2018-03-02T00:01:00Z"},
    {"1969-12-31T23:59:59Z", -1, 0, "1969-12-31T23:59:59Z"},
    {"1969-12-31T23:59:59.5Z", -1, 500000000, "1969-12-31T23:59:59.5Z"},
    {"2000-02-29T00:00:00Z", 951782400, 0, "2000-02-29T00:00:00Z"},
    {"1900-03-01T00:00:00Z", -2203891200, 0, "1900-03-01T00:00:00Z"},
    {"1600-02-29T12:00:00-05:30", -11670935400, 0, "1600-02-29T17:30:00Z"},
    {"2016-12-31T23:59:59Z", 1483228799, 0, "2016-12-31T23:59:59Z"},
    {"2038-01-19T03:14:08Z", 2147483648, 0, "2038-01-19T03:14:08Z"},
    {"0000-01-01T00:00:00Z", -62167219200, 0, "0000-01-01T00:00:00Z"},
    {"9999-12-31T23:59:59.999999999Z", 253402300799, 999999999, "9999-12-31T23:59:59.999999999Z"},
};

struct invalid_case {
  std::string_view input;
  std::string_view error;
};

// Error texts as Go's time.Parse(time.RFC3339, ...) words them.
constexpr invalid_case invalid_cases[] = {
    {"2018-13-03T06:26:14Z", R"(parsing time "2018-13-03T06:26:14Z": month out of range)"},
    {"2018-00-03T06:26:14Z", R"(parsing time "2018-00-03T06:26:14Z": month out of range)"},
    {"2018-03-32T06:26:14Z", R"(parsing time "2018-03-32T06:26:14Z": day out of range)"},
    {"2018-03-00T06:26:14Z", R"(parsing time "2018-03-00T06:26:14Z": day out of range)"},
    {"2019-02-29T00:00:00Z", R"(parsing time "2019-02-29T00:00:00Z": day out of range)"},
    {"1900-02-29T00:00:00Z", R"(parsing time "1900-02-29T00:00:00Z": day out of range)"},
    {"2018-04-31T00:00:00Z", R"(parsing time "2018-04-31T00:00:00Z": day out of range)"},
    {"2018-03-03T24:00:00Z", R"(parsing time "2018-03-03T24:00:00Z": hour out of range)"},
    {"2018-03-03T06:60:14Z", R"(parsing time "2018-03-03T06:60:14Z": minute out of range)"},
    {"2016-12-31T23:59:60Z", R"(parsing time "2016-12-31T23:59:60Z": second out of range)"},
    {"2018-03-03T06:26:14+24:00",
     R"(parsing time "2018-03-03T06:26:14+24:00": timezone hour out of range)"},
    {"2018-03-03T06:26:14+08:60",
     R"(parsing time "2018-03-03T06:26:14+08:60": timezone minute out of range)"},
    {"2018-03-03T06:26:14Zjunk", R"(parsing time "2018-03-03T06:26:14Zjunk": extra text: "junk")"},
    {"2018-03-03T06:26:14Z\n", R"(parsing time "2018-03-03T06:26:14Z\x0a": extra text: "\x0a")"},
    {"2018-03-03 06:26:14Z", R"(parsing time "2018-03-03 06:26:14Z" as )"
                             R"("2006-01-02T15:04:05Z07:00": cannot parse " 06:26:14Z" as "T")"},
    {"", R"(parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006")"},
    {"18-03-03T06:26:14Z", R"(parsing time "18-03-03T06:26:14Z" as )"
                           R"("2006-01-02T15:04:05Z07:00": cannot parse "18-03-03T06:26:14Z" as )"
                           R"("2006")"},
    {"2018-3-03T06:26:14Z", R"(parsing time "2018-3-03T06:26:14Z" as )"
                            R"("2006-01-02T15:04:05Z07:00": cannot parse "3-03T06:26:14Z" as )"
                            R"("01")"},
    {"2018-03-03T6:26:14Z", R"(parsing time "2018-03-03T6:26:14Z" as )"
                            R"("2006-01-02T15:04:05Z07:00": cannot parse "6:26:14Z" as "15")"},
    {"2018-03-03T06:26", R"(parsing time "2018-03-03T06:26" as )"
                         R"("2006-01-02T15:04:05Z07:00": cannot parse "" as ":")"},
    {"2018-03-03T06:26:14", R"(parsing time "2018-03-03T06:26:14" as )"
                            R"("2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00")"},
    {"2018-03-03T06:26:14+0800", R"(parsing time "2018-03-03T06:26:14+0800" as )"
                                 R"("2006-01-02T15:04:05Z07:00": cannot parse "+0800" as )"
                                 R"("Z07:00")"},
    {"2018-03-03T06:26:14.Z", R"(parsing time "2018-03-03T06:26:14.Z" as )"
                              R"("2006-01-02T15:04:05Z07:00": cannot parse ".Z" as "Z07:00")"},
    {"2018-03-03T06:26:14,5Z", R"(parsing time "2018-03-03T06:26:14,5Z" as )"
                               R"("2006-01-02T15:04:05Z07:00": cannot parse ",5Z" as "Z07:00")"},
    {"2018-03-03T06:26:14 +08:00",
     R"(parsing time "2018-03-03T06:26:14 +08:00" as )"
     R"("2006-01-02T15:04:05Z07:00": cannot parse " +08:00" as "Z07:00")"},
    {"2018-03-03T06:26:14+08:0x",
     R"(parsing time "2018-03-03T06:26:14+08:0x" as )"
     R"("2006-01-02T15:04:05Z07:00": cannot parse "+08:0x" as "Z07:00")"},
    {"\"2018\"", R"(parsing time "\"2018\"" as )"
                 R"("2006-01-02T15:04:05Z07:00": cannot parse "\"2018\"" as "2006")"},
};

// Days in a month by the plain textbook rule, independent of the code under test.
int month_length(int year, int month) {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

std::string pad(int value, int width) {
  std::string s = std::to_string(value);
  return std::string(width - s.size(), '0') + s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_rfc3339)

BOOST_AUTO_TEST_CASE(parse_valid_table) {
  for (const valid_case& c : valid_cases) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto parsed = parse_rfc3339(c.input);
      BOOST_TEST(parsed.error == "");
      BOOST_TEST_REQUIRE(parsed.value.has_value());
      BOOST_TEST(parsed.value->seconds == c.seconds);
      BOOST_TEST(parsed.value->nanos == c.nanos);
      BOOST_TEST(format_rfc3339(*parsed.value) == c.formatted);
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_rejects_with_go_messages) {
  BOOST_TEST(std::size(valid_cases) + std::size(invalid_cases) >= 15u);
  for (const invalid_case& c : invalid_cases) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto parsed = parse_rfc3339(c.input);
      BOOST_TEST(!parsed.value.has_value());
      BOOST_TEST(parsed.error == c.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_rejects_long_input) {
  std::string text = "2018-03-03T06:26:14." + std::string(60, '1') + "Z";
  auto parsed = parse_rfc3339(text);
  BOOST_TEST(!parsed.value.has_value());
  BOOST_TEST(parsed.error.find("longer than the 64") != std::string::npos);
  // The error does not echo an arbitrarily long input.
  BOOST_TEST(parsed.error.size() < 100u);
}

BOOST_AUTO_TEST_CASE(format_utc) {
  BOOST_TEST(format_rfc3339({}) == "1970-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339({1520058374, 1}) == "2018-03-03T06:26:14.000000001Z");
  BOOST_TEST(format_rfc3339({1520058374, 100000000}) == "2018-03-03T06:26:14.1Z");
  BOOST_TEST(format_rfc3339({-62167219200, 0}) == "0000-01-01T00:00:00Z");
  // Out-of-range nanos carry into seconds.
  BOOST_TEST(format_rfc3339({0, -1}) == "1969-12-31T23:59:59.999999999Z");
  BOOST_TEST(format_rfc3339({0, 1500000000}) == "1970-01-01T00:00:01.5Z");
  // Beyond four-digit years the text is still unambiguous, though not parseable back.
  BOOST_TEST(format_rfc3339({253402300800, 0}) == "10000-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339({-62167219201, 0}) == "-0001-12-31T23:59:59Z");
  // The int64 extremes must not overflow.
  BOOST_TEST(!format_rfc3339({INT64_MAX, 999999999}).empty());
  BOOST_TEST(!format_rfc3339({INT64_MIN, -999999999}).empty());
}

BOOST_AUTO_TEST_CASE(every_day_round_trips) {
  // Walk the calendar day by day with an independent month-length rule: each midnight must be
  // exactly 86400 s after the previous one and print back the same text. Two 400-year cycles
  // cover every kind of century and leap year.
  int64_t expected = -11676096000;  // 1600-01-01T00:00:00Z, from GNU date
  int checked = 0;
  for (int year = 1600; year <= 2400; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (int day = 1; day <= month_length(year, month); ++day) {
        std::string text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T00:00:00Z";
        auto parsed = parse_rfc3339(text);
        if (!parsed.value || parsed.value->seconds != expected ||
            format_rfc3339(*parsed.value) != text) {
          BOOST_ERROR("round trip failed for " << text);
          return;
        }
        expected += 86400;
        ++checked;
      }
    }
  }
  BOOST_TEST(checked == 2 * 146097 + 366);
  BOOST_TEST(expected == 13601001600 + 86400);  // 2400-12-31T00:00:00Z, from GNU date, + 1 day
}

BOOST_AUTO_TEST_CASE(format_then_parse_round_trips) {
  // Instants spread over the whole 0000-9999 range, at odd times of day.
  int failures = 0;
  for (int64_t s = -62167219200; s <= 253402300799; s += 99999989) {
    for (int32_t nanos : {0, 1, 999999999, 120000000}) {
      timestamp t{s, nanos};
      std::string text = format_rfc3339(t);
      auto parsed = parse_rfc3339(text);
      if (!parsed.value || !(*parsed.value == t)) {
        BOOST_ERROR("round trip failed for " << text);
        ++failures;
      }
    }
  }
  BOOST_TEST(failures == 0);
}

BOOST_AUTO_TEST_SUITE_END()
