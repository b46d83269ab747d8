#include "cli/flags.hpp"

#include <algorithm>
#include <iterator>

namespace troupe::cli {
namespace {

const flag_spec* by_name(std::span<const flag_spec> specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

const flag_spec* by_shorthand(std::span<const flag_spec> specs, char c) {
  for (const auto& s : specs)
    if (s.shorthand != 0 && s.shorthand == c) return &s;
  return nullptr;
}

}  // namespace

std::string parsed_flags::get(std::string_view name, std::string fallback) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& parsed_flags::all(std::string_view name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

parsed_flags parse_flags(std::span<const std::string> args, std::span<const flag_spec> specs) {
  parsed_flags out;
  auto fail = [&](std::string message) {
    out.error = std::move(message);
    return out;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i) + 1,
                            args.end());
      break;
    }
    if (arg.rfind("--", 0) == 0) {
      auto eq = arg.find('=');
      std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const flag_spec* spec = by_name(specs, name);
      if (spec == nullptr) return fail("unknown flag: --" + name);
      std::string value;
      if (eq != std::string::npos) {
        if (!spec->takes_value && !spec->bare_value.empty()) return fail("unknown flag: --" + name);
        value = arg.substr(eq + 1);
        out.given.emplace_back(spec->name, value);
        if (!spec->takes_value) {
          // A switch given a value, --show-labels=false: pflag's booleans, stored canonically.
          auto on = parse_bool(value);
          if (!on)
            return fail("invalid argument \"" + value + "\" for \"--" + name +
                        "\" flag: strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
          value = *on ? "true" : "false";
        }
      } else if (!spec->takes_value) {
        value = "true";
      } else if (!spec->bare_value.empty()) {
        value = std::string(spec->bare_value);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return fail("flag needs an argument: --" + name);
      }
      if (eq == std::string::npos) out.given.emplace_back(spec->name, value);
      out.values[std::string(spec->name)].push_back(std::move(value));
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      // A cluster of shorthands: -it, or -f FILE, or -fFILE.
      for (std::size_t k = 1; k < arg.size(); ++k) {
        const flag_spec* spec = by_shorthand(specs, arg[k]);
        if (spec == nullptr)
          return fail(std::string("unknown shorthand flag: '") + arg[k] + "' in " + arg);
        if (!spec->takes_value) {
          out.given.emplace_back(spec->name, "true");
          out.values[std::string(spec->name)].push_back("true");
          continue;
        }
        std::string value;
        if (k + 1 < arg.size()) {
          value = arg.substr(arg[k + 1] == '=' ? k + 2 : k + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return fail(std::string("flag needs an argument: '") + arg[k] + "' in " + arg);
        }
        out.given.emplace_back(spec->name, value);
        out.values[std::string(spec->name)].push_back(std::move(value));
        break;
      }
      continue;
    }
    out.positional.push_back(arg);
  }
  return out;
}

std::string describe_flags(std::span<const flag_spec> specs) {
  std::string out;
  for (const auto& s : specs) {
    out += "    ";
    out += s.shorthand ? std::string("-") + s.shorthand + ", " : std::string("    ");
    out += "--" + std::string(s.name);
    if (s.takes_value) out += s.bare_value.empty() ? "=''" : "='" + std::string(s.bare_value) + "'";
    out += ":\n\t" + std::string(s.usage) + "\n\n";
  }
  return out;
}

duration_parse parse_go_duration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  duration_parse out;
  auto invalid = [&] {
    out.error = "time: invalid duration " + quoted;
    return out;
  };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") {
    out.value = std::chrono::nanoseconds(0);
    return out;
  }
  if (rest.empty()) return invalid();
  // Units in nanoseconds; Go accepts both micro signs.
  const std::pair<std::string_view, double> units[] = {
      {"ns", 1},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
      {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
  double total = 0;
  while (!rest.empty()) {
    std::size_t digits = 0;
    double number = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9')
      number = number * 10 + (rest[digits++] - '0');
    std::size_t at = digits;
    bool fraction_digits = false;
    if (at < rest.size() && rest[at] == '.') {
      double scale = 0.1;
      for (++at; at < rest.size() && rest[at] >= '0' && rest[at] <= '9'; ++at, scale /= 10) {
        number += (rest[at] - '0') * scale;
        fraction_digits = true;
      }
    }
    if (digits == 0 && !fraction_digits) return invalid();
    std::size_t unit_end = at;
    while (unit_end < rest.size() && rest[unit_end] != '.' &&
           (rest[unit_end] < '0' || rest[unit_end] > '9'))
      ++unit_end;
    const std::string_view unit = rest.substr(at, unit_end - at);
    if (unit.empty()) {
      out.error = "time: missing unit in duration " + quoted;
      return out;
    }
    const auto* found = std::find_if(std::begin(units), std::end(units),
                                     [&](const auto& u) { return u.first == unit; });
    if (found == std::end(units)) {
      out.error = "time: unknown unit \"" + std::string(unit) + "\" in duration " + quoted;
      return out;
    }
    total += number * found->second;
    if (total > 9.2e18) return invalid();
    rest.remove_prefix(unit_end);
  }
  out.value = std::chrono::nanoseconds(static_cast<int64_t>(negative ? -total : total));
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"})
    if (text == yes) return true;
  for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False"})
    if (text == no) return false;
  return std::nullopt;
}

}  // namespace troupe::cli
