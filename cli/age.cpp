#include "cli/age.hpp"

namespace troupe::cli {

std::string human_duration(int64_t ms) {
  using std::to_string;
  // Integer division truncates toward zero, as Go's int(d.Seconds()) does: -1.9s is -1.
  const int64_t seconds = ms / 1000;
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 2 * 60) return to_string(seconds) + "s";

  const int64_t minutes = seconds / 60;
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    return s == 0 ? to_string(minutes) + "m" : to_string(minutes) + "m" + to_string(s) + "s";
  }
  if (minutes < 3 * 60) return to_string(minutes) + "m";

  const int64_t hours = minutes / 60;
  if (hours < 8) {
    const int64_t m = minutes % 60;
    return m == 0 ? to_string(hours) + "h" : to_string(hours) + "h" + to_string(m) + "m";
  }
  if (hours < 48) return to_string(hours) + "h";

  const int64_t days = hours / 24;
  if (hours < 8 * 24) {
    const int64_t h = hours % 24;
    return h == 0 ? to_string(days) + "d" : to_string(days) + "d" + to_string(h) + "h";
  }
  if (hours < 2 * 365 * 24) return to_string(days) + "d";

  // Years are 365 days; kubectl ignores leap days.
  const int64_t years = days / 365;
  if (hours < 8 * 365 * 24) {
    const int64_t d = days % 365;
    return d == 0 ? to_string(years) + "y" : to_string(years) + "y" + to_string(d) + "d";
  }
  return to_string(years) + "y";
}

std::string age(int64_t created_ms, int64_t now_ms) {
  if (created_ms == 0) return "<unknown>";
  return human_duration(now_ms - created_ms);
}

}  // namespace troupe::cli
