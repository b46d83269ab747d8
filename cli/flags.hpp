// kubectl-style flag parsing (pflag rules): --name=value, --name value, -f value, -fvalue,
// boolean flags, flags that take an optional value (--dry-run), and "--" to end flags.
// Errors use kubectl's phrasing. Pure; used only by the CLI binaries.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace troupe::cli {

struct flag_spec {
  std::string_view name;    // long name, without "--"
  char shorthand = 0;       // 'f' for -f, or 0
  bool takes_value = true;  // false: a boolean switch
  // For a flag whose value is optional: the value a bare --name means ("client").
  std::string_view bare_value = {};
  std::string_view usage = {};
};

struct parsed_flags {
  std::map<std::string, std::vector<std::string>, std::less<>> values;  // by long name
  std::vector<std::string> positional;
  // Every flag in the order given: its long name and its value as typed ("true" for a bare
  // switch), as pflag's ParseAll reports them; --record's change-cause is built from these.
  std::vector<std::pair<std::string, std::string>> given;
  // The verb as typed, "create" or "set image"; set by run_troupectl, empty otherwise.
  std::string command_path;
  std::optional<std::string> error;  // "unknown flag: --foo"

  bool has(std::string_view name) const { return values.find(name) != values.end(); }
  // A switch is on: given bare (--show-labels) or as --show-labels=true, not =false.
  bool enabled(std::string_view name) const { return has(name) && get(name) == "true"; }
  // The last value given, or `fallback`.
  std::string get(std::string_view name, std::string fallback = {}) const;
  const std::vector<std::string>& all(std::string_view name) const;
};

parsed_flags parse_flags(std::span<const std::string> args, std::span<const flag_spec> specs);

// pflag's boolean values (Go's strconv.ParseBool): 1/t/T/true/TRUE/True and their
// opposites; nullopt for anything else.
std::optional<bool> parse_bool(std::string_view text);

// Go's time.ParseDuration ("30s", "1m30s", "1.5h", "300ms", "0"): the duration, or Go's error
// (`time: invalid duration "x"`, `time: missing unit in duration "5"`,
// `time: unknown unit "d" in duration "5d"`).
struct duration_parse {
  std::optional<std::chrono::nanoseconds> value;
  std::string error;
};
duration_parse parse_go_duration(std::string_view text);

// parse_go_duration in whole milliseconds; nullopt when the text does not parse.
inline std::optional<std::chrono::milliseconds> duration_ms(std::string_view text) {
  auto parsed = parse_go_duration(text);
  if (!parsed.value) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed.value);
}

// "  -f, --filename=[]: Filename, directory, or URL to files ..." lines for --help.
std::string describe_flags(std::span<const flag_spec> specs);

}  // namespace troupe::cli
