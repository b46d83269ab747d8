#include "messages/rfc3339.hpp"

#include <cstddef>

namespace troupe::messages {
namespace {

// Go names the parts of a layout by its reference time; errors quote these names.
constexpr std::string_view go_layout = "2006-01-02T15:04:05Z07:00";

constexpr int64_t seconds_per_day = 86400;
constexpr int32_t nanos_per_second = 1000000000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Go's time.quote: ASCII control bytes and every non-ASCII byte become \xNN, so an error
// message is printable whatever the input held.
std::string go_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += ch;
    }
  }
  out += '"';
  return out;
}

bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar. Howard Hinnant's algorithm:
// shifting the year to start in March puts the leap day last, so each 400-year era has the
// same 146097-day shape and no table is needed.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                   // [0, 399]
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  // [0, 365]
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct civil_date {
  int64_t year;
  int month;
  int day;
};

// The inverse of days_from_civil, valid for every day an int64 count of seconds can reach.
civil_date civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Walks the input field by field in layout order, remembering the first failure in Go's
// words. Every step is a no-op once an error is set, so the caller checks once per group.
class scanner {
 public:
  explicit scanner(std::string_view text) : text_(text) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  std::string_view rest() const { return text_.substr(pos_); }
  bool at_end() const { return pos_ == text_.size(); }

  // Exactly `count` digits forming the field Go calls `element` ("2006", "01" ...).
  int digits(std::size_t count, std::string_view element) {
    if (failed()) return 0;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (pos_ + i >= text_.size() || !is_digit(text_[pos_ + i])) {
        cannot_parse(element);
        return 0;
      }
      value = value * 10 + (text_[pos_ + i] - '0');
    }
    pos_ += count;
    return value;
  }

  // One separator; `lower` is an accepted alternative spelling (RFC 3339 §5.6 allows 't').
  void literal(char expected, char lower = '\0') {
    if (failed()) return;
    if (pos_ < text_.size() && (text_[pos_] == expected || (lower && text_[pos_] == lower))) {
      ++pos_;
      return;
    }
    cannot_parse(std::string_view(&expected, 1));
  }

  bool take(char c) {
    if (failed() || pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Consumes one digit and returns its value, or returns -1 and consumes nothing.
  int take_digit() {
    if (failed() || pos_ >= text_.size() || !is_digit(text_[pos_])) return -1;
    return text_[pos_++] - '0';
  }

  // Like Go: `parsing time "<input>" as "<layout>": cannot parse "<rest>" as "<element>"`.
  void cannot_parse(std::string_view element) {
    if (failed()) return;
    error_ = "parsing time " + go_quote(text_) + " as " + go_quote(go_layout) + ": cannot parse " +
             go_quote(rest()) + " as " + go_quote(element);
  }

  // Like Go: `parsing time "<input>": <what>`.
  void fail(std::string_view what) {
    if (failed()) return;
    error_ = "parsing time " + go_quote(text_) + ": " + std::string(what);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

timestamp_parse fail_with(const scanner& s) {
  return {std::nullopt, s.error()};
}

}  // namespace

timestamp_parse parse_rfc3339(std::string_view text) {
  if (text.size() > max_rfc3339_length) {
    return {std::nullopt, "parsing time: input of " + std::to_string(text.size()) +
                              " bytes is longer than the " + std::to_string(max_rfc3339_length) +
                              " accepted"};
  }
  scanner s(text);

  // Range checks come straight after each field, as in Go, so the first bad field is named.
  int year = s.digits(4, "2006");
  s.literal('-');
  int month = s.digits(2, "01");
  if (month < 1 || month > 12) s.fail("month out of range");
  s.literal('-');
  int day = s.digits(2, "02");
  // Go checks 1..31 here and the month's real length once the whole input has been read.
  if (day > 31) s.fail("day out of range");
  s.literal('T', 't');
  int hour = s.digits(2, "15");
  if (hour > 23) s.fail("hour out of range");
  s.literal(':');
  int minute = s.digits(2, "04");
  if (minute > 59) s.fail("minute out of range");
  s.literal(':');
  int second = s.digits(2, "05");
  // 60 would be a leap second; Go (and so Kubernetes) rejects it rather than folding it.
  if (second > 59) s.fail("second out of range");
  if (s.failed()) return fail_with(s);

  // The fraction is optional. Digits beyond the ninth are read but dropped, as Go does.
  int32_t nanos = 0;
  std::string_view after_seconds = s.rest();
  if (after_seconds.size() >= 2 && after_seconds[0] == '.' && is_digit(after_seconds[1])) {
    s.take('.');
    int32_t place = nanos_per_second;
    for (int digit = s.take_digit(); digit >= 0; digit = s.take_digit()) {
      if (place > 1) {
        place /= 10;
        nanos += digit * place;
      }
    }
  }

  int64_t offset_seconds = 0;
  if (!s.take('Z') && !s.take('z')) {
    // Check the shape first so that, as in Go, the error quotes the zone from its start.
    std::string_view zone = s.rest();
    if (zone.size() < 6 || (zone[0] != '+' && zone[0] != '-') || !is_digit(zone[1]) ||
        !is_digit(zone[2]) || zone[3] != ':' || !is_digit(zone[4]) || !is_digit(zone[5])) {
      s.cannot_parse("Z07:00");
      return fail_with(s);
    }
    bool negative = zone[0] == '-';
    s.take(zone[0]);
    int zone_hour = s.digits(2, "Z07:00");
    s.literal(':');
    int zone_minute = s.digits(2, "Z07:00");
    if (zone_hour > 23) s.fail("timezone hour out of range");
    if (zone_minute > 59) s.fail("timezone minute out of range");
    if (s.failed()) return fail_with(s);
    offset_seconds = (zone_hour * 3600 + zone_minute * 60) * (negative ? -1 : 1);
  }
  if (!s.at_end()) s.fail("extra text: " + go_quote(s.rest()));
  if (s.failed()) return fail_with(s);

  if (day < 1 || day > days_in_month(year, month)) s.fail("day out of range");
  if (s.failed()) return fail_with(s);

  // Years 0000-9999 keep every term far from int64 limits.
  int64_t seconds = days_from_civil(year, month, day) * seconds_per_day + hour * 3600 +
                    minute * 60 + second - offset_seconds;
  return {timestamp{seconds, nanos}, {}};
}

std::string format_rfc3339(const timestamp& t) {
  int64_t seconds = t.seconds;
  int32_t nanos = t.nanos % nanos_per_second;
  int64_t carry = t.nanos / nanos_per_second;
  if (nanos < 0) {
    nanos += nanos_per_second;
    --carry;
  }
  // Only an input within seconds of the int64 limits can overflow here; it keeps its seconds.
  if (__builtin_add_overflow(seconds, carry, &seconds)) seconds = t.seconds;

  int64_t days = seconds / seconds_per_day;
  int64_t second_of_day = seconds % seconds_per_day;
  if (second_of_day < 0) {
    second_of_day += seconds_per_day;
    --days;
  }
  civil_date date = civil_from_days(days);

  auto two = [](int64_t v) {
    return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  };
  std::string out;
  if (date.year < 0) out += '-';
  // The magnitude cannot overflow: |year| stays near 3e11 for any int64 seconds.
  std::string year = std::to_string(date.year < 0 ? -date.year : date.year);
  if (year.size() < 4) out.append(4 - year.size(), '0');
  out += year;
  out += '-' + two(date.month) + '-' + two(date.day) + 'T' + two(second_of_day / 3600) + ':' +
         two(second_of_day / 60 % 60) + ':' + two(second_of_day % 60);
  if (nanos != 0) {
    std::string fraction = std::to_string(nanos);
    fraction.insert(0, 9 - fraction.size(), '0');
    fraction.erase(fraction.find_last_not_of('0') + 1);
    out += '.' + fraction;
  }
  out += 'Z';
  return out;
}

}  // namespace troupe::messages
