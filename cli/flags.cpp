#include "cli/flags.hpp"

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

std::optional<bool> parse_bool(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"})
    if (text == yes) return true;
  for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False"})
    if (text == no) return false;
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total_ms = 0;
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
      ++digits;
    if (digits == 0 || digits > 12) return std::nullopt;
    const int64_t value = std::stoll(std::string(text.substr(0, digits)));
    text.remove_prefix(digits);
    int64_t unit = 0;
    for (auto [name, ms] : {std::pair<std::string_view, int64_t>{"ms", 1},
                            {"h", 3'600'000},
                            {"m", 60'000},
                            {"s", 1000}}) {
      if (text.starts_with(name)) {
        unit = ms;
        text.remove_prefix(name.size());
        break;
      }
    }
    if (unit == 0) return std::nullopt;
    total_ms += value * unit;
  }
  return std::chrono::milliseconds(total_ms);
}

}  // namespace troupe::cli
