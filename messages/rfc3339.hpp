// RFC 3339 timestamps ("2018-03-03T06:26:14Z") to and from seconds since the Unix epoch.
// Pure functions with no shared state and no TZ/locale dependence; any thread may call them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::messages {

// An instant as seconds since 1970-01-01T00:00:00Z plus nanoseconds in [0, 1e9), the same
// split as protobuf's Timestamp, so a time before the epoch has negative seconds and
// non-negative nanos.
struct timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;
  friend bool operator==(const timestamp&, const timestamp&) = default;
};

// Exactly one of the two is meaningful: value on success, error (non-empty) on failure.
struct timestamp_parse {
  std::optional<timestamp> value;
  std::string error;
};

// Inputs longer than this are rejected without being echoed back in the error.
inline constexpr std::size_t max_rfc3339_length = 64;

// Parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM); 't' and 'z' may be lower case.
// Every numeric field must have exactly its two (year: four) digits. Like Go's time.Parse,
// digits of the fraction beyond nanoseconds are dropped (truncated), and second 60 (a leap
// second) is rejected. Errors use Go's wording, e.g.
// `parsing time "2018-13-03T06:26:14Z": month out of range`.
timestamp_parse parse_rfc3339(std::string_view text);

// UTC with a "Z", no fraction when nanos == 0, otherwise up to nine fraction digits with
// trailing zeros trimmed (Go's RFC3339Nano). Years outside 0000-9999 still print (with more
// digits, or a leading '-'), though parse_rfc3339 will not read them back. Nanos outside
// [0, 1e9) are first carried into seconds.
std::string format_rfc3339(const timestamp& t);

}  // namespace troupe::messages
