#include "messages/validation/names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <set>

namespace troupe::messages {
namespace {

// Kubernetes' wording; each format is the regular expression Kubernetes names in its message.
constexpr std::string_view qualified_name_fmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view qualified_name_msg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view label_value_fmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view label_value_msg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view dns1123_label_fmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view dns1123_label_msg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view dns1123_subdomain_fmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view dns1123_subdomain_msg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view dns1035_label_fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view dns1035_label_msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view env_var_fmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
constexpr std::string_view env_var_msg =
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit";
constexpr std::string_view config_key_fmt = "[-._a-zA-Z0-9]+";
constexpr std::string_view config_key_msg =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
constexpr std::string_view percent_fmt = "[0-9]+%";
constexpr std::string_view percent_msg =
    "a valid percent string must be a numeric string followed by an ending '%'";

// Kubernetes' RegexError: "<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')".
// The doubled space before "or" is Kubernetes' own.
std::string regex_error(std::string_view msg, std::string_view fmt,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (auto example : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(example) + "', ";
  }
  out += "regex used for validation is '" + std::string(fmt) + "')";
  return out;
}

std::string max_len_error(std::size_t length) {
  return "must be no more than " + std::to_string(length) + " characters";
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}

bool all_of(std::string_view s, const std::function<bool(char)>& pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

// ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
bool matches_dns1123_label(std::string_view s) {
  return !s.empty() && is_lower_alnum(s.front()) && is_lower_alnum(s.back()) &&
         all_of(s, [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool matches_dns1123_subdomain(std::string_view s) {
  for (std::size_t start = 0;;) {
    std::size_t dot = s.find('.', start);
    if (!matches_dns1123_label(s.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$
bool matches_qualified_name(std::string_view s) {
  return !s.empty() && is_alnum(s.front()) && is_alnum(s.back()) &&
         all_of(s, [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// Kubernetes' hasChDirPrefix: keys become file names, so "." and ".." are reserved.
void add_chdir_prefix_errors(std::string_view value, reasons& out) {
  if (value == ".") {
    out.emplace_back("must not be '.'");
  } else if (value == "..") {
    out.emplace_back("must not be '..'");
  } else if (value.substr(0, 2) == "..") {
    out.emplace_back("must not start with '..'");
  }
}

// Kubernetes' maskTrailingDash, quirk included: it drops two characters, not one.
std::string mask_trailing_dash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') {
    return std::string(name.substr(0, name.size() - 2)) + "a";
  }
  return std::string(name);
}

// Go's dtoi: a run of decimal digits, rejected beyond 0xFFFFFF.
bool parse_decimal(std::string_view s, std::size_t& pos, int64_t& n) {
  std::size_t start = pos;
  n = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    n = n * 10 + (s[pos] - '0');
    if (n >= 0xFFFFFF) return false;
    ++pos;
  }
  return pos > start;
}

bool is_ipv4_sloppy(std::string_view s) {
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
    int64_t n = 0;
    if (!parse_decimal(s, pos, n) || n > 0xFF) return false;
  }
  return pos == s.size();
}

bool is_ipv6(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  std::string text(s);
  unsigned char buffer[16];
  return inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// An address as Go holds it: 4 bytes for IPv4 (also when written IPv4-mapped), else 16.
struct ip_bytes {
  std::array<unsigned char, 16> b{};
  int size = 0;
};

std::optional<ip_bytes> parse_ip(std::string_view text) {
  ip_bytes ip;
  if (is_ipv4_sloppy(text)) {
    std::size_t pos = 0;
    for (int part = 0; part < 4; ++part, ++pos) {
      int64_t n = 0;
      parse_decimal(text, pos, n);
      ip.b[part] = static_cast<unsigned char>(n);
    }
    ip.size = 4;
    return ip;
  }
  if (!is_ipv6(text)) return std::nullopt;
  std::string s(text);
  inet_pton(AF_INET6, s.c_str(), ip.b.data());
  ip.size = 16;
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.b.data(), mapped, 12) == 0) {
    std::memmove(ip.b.data(), ip.b.data() + 12, 4);
    ip.size = 4;
  }
  return ip;
}

struct cidr_net {
  ip_bytes ip;
  int prefix = 0;
};

std::optional<cidr_net> parse_cidr(std::string_view text) {
  if (!is_cidr(text)) return std::nullopt;
  std::size_t slash = text.find('/');
  std::size_t pos = slash + 1;
  int64_t prefix = 0;
  parse_decimal(text, pos, prefix);
  cidr_net net{*parse_ip(text.substr(0, slash)), static_cast<int>(prefix)};
  // An IPv4-mapped IPv6 network counts its prefix over 128 bits.
  if (net.ip.size == 4 && text.substr(0, slash).find(':') != std::string_view::npos) {
    net.prefix -= 96;
  }
  return net;
}

}  // namespace

reasons is_dns1123_label(std::string_view value) {
  reasons out;
  if (value.size() > dns1123_label_max_length) {
    out.push_back(max_len_error(dns1123_label_max_length));
  }
  if (!matches_dns1123_label(value)) {
    // A valid subdomain that is not a valid label can only have failed on its dots.
    if (matches_dns1123_subdomain(value)) {
      out.emplace_back("must not contain dots");
    } else {
      out.push_back(regex_error(dns1123_label_msg, dns1123_label_fmt, {"my-name", "123-abc"}));
    }
  }
  return out;
}

reasons is_dns1123_subdomain(std::string_view value) {
  reasons out;
  if (value.size() > dns1123_subdomain_max_length) {
    out.push_back(max_len_error(dns1123_subdomain_max_length));
  }
  if (!matches_dns1123_subdomain(value)) {
    out.push_back(regex_error(dns1123_subdomain_msg, dns1123_subdomain_fmt, {"example.com"}));
  }
  return out;
}

reasons is_dns1035_label(std::string_view value) {
  reasons out;
  if (value.size() > dns1035_label_max_length) {
    out.push_back(max_len_error(dns1035_label_max_length));
  }
  bool ok = !value.empty() && value.front() >= 'a' && value.front() <= 'z' &&
            matches_dns1123_label(value);
  if (!ok) out.push_back(regex_error(dns1035_label_msg, dns1035_label_fmt, {"my-name", "abc-123"}));
  return out;
}

reasons is_qualified_name(std::string_view value) {
  reasons out;
  std::string_view name = value;
  std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      out.push_back(
          "a qualified name " +
          regex_error(qualified_name_msg, qualified_name_fmt, {"MyName", "my.name", "123-abc"}) +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return out;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      out.emplace_back("prefix part must be non-empty");
    } else {
      for (auto& msg : is_dns1123_subdomain(prefix)) {
        out.push_back("prefix part " + msg);
      }
    }
  }
  if (name.empty()) {
    out.emplace_back("name part must be non-empty");
  } else if (name.size() > qualified_name_max_length) {
    out.push_back("name part " + max_len_error(qualified_name_max_length));
  }
  if (!matches_qualified_name(name)) {
    out.push_back("name part " + regex_error(qualified_name_msg, qualified_name_fmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return out;
}

reasons is_valid_label_value(std::string_view value) {
  reasons out;
  if (value.size() > label_value_max_length) out.push_back(max_len_error(label_value_max_length));
  if (!value.empty() && !matches_qualified_name(value)) {
    out.push_back(regex_error(label_value_msg, label_value_fmt, {"MyValue", "my_value", "12345"}));
  }
  return out;
}

reasons is_valid_port_name(std::string_view value) {
  reasons out;
  if (value.size() > 15) out.push_back(max_len_error(15));
  bool charset =
      !value.empty() && all_of(value, [](char c) { return is_lower_alnum(c) || c == '-'; });
  if (!charset) {
    out.emplace_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (std::none_of(value.begin(), value.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    out.emplace_back("must contain at least one letter (a-z)");
  }
  if (value.find("--") != std::string_view::npos) {
    out.emplace_back("must not contain consecutive hyphens");
  }
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) {
    out.emplace_back("must not begin or end with a hyphen");
  }
  return out;
}

reasons is_valid_port_num(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {inclusive_range_error(1, 65535)};
}

reasons is_env_var_name(std::string_view value) {
  reasons out;
  bool ok = !value.empty() && !is_digit(value.front()) &&
            all_of(value, [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; });
  if (!ok) {
    out.push_back(
        regex_error(env_var_msg, env_var_fmt, {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  add_chdir_prefix_errors(value, out);
  return out;
}

reasons is_config_map_key(std::string_view value) {
  reasons out;
  if (value.size() > dns1123_subdomain_max_length) {
    out.push_back(max_len_error(dns1123_subdomain_max_length));
  }
  bool ok = !value.empty() &&
            all_of(value, [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; });
  if (!ok) {
    out.push_back(
        regex_error(config_key_msg, config_key_fmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  add_chdir_prefix_errors(value, out);
  return out;
}

reasons is_valid_percent(std::string_view value) {
  bool ok = value.size() >= 2 && value.back() == '%' &&
            all_of(value.substr(0, value.size() - 1), is_digit);
  if (ok) return {};
  return {regex_error(percent_msg, percent_fmt, {"1%", "93%"})};
}

reasons is_valid_path_segment_name(std::string_view value) {
  if (value == "." || value == "..") return {"may not be '" + std::string(value) + "'"};
  reasons out;
  if (value.find('/') != std::string_view::npos) out.emplace_back("may not contain '/'");
  if (value.find('%') != std::string_view::npos) out.emplace_back("may not contain '%'");
  return out;
}

reasons name_is_dns_subdomain(std::string_view name, bool prefix) {
  return prefix ? is_dns1123_subdomain(mask_trailing_dash(name)) : is_dns1123_subdomain(name);
}

reasons name_is_dns_label(std::string_view name, bool prefix) {
  return prefix ? is_dns1123_label(mask_trailing_dash(name)) : is_dns1123_label(name);
}

reasons name_is_dns1035_label(std::string_view name, bool prefix) {
  return prefix ? is_dns1035_label(mask_trailing_dash(name)) : is_dns1035_label(name);
}

reasons name_is_path_segment(std::string_view name, bool prefix) {
  if (!prefix) return is_valid_path_segment_name(name);
  reasons out;
  if (name.find('/') != std::string_view::npos) out.emplace_back("may not contain '/'");
  if (name.find('%') != std::string_view::npos) out.emplace_back("may not contain '%'");
  return out;
}

bool is_ip_address(std::string_view value) {
  return is_ipv4_sloppy(value) || is_ipv6(value);
}

bool is_cidr(std::string_view value) {
  std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view address = value.substr(0, slash);
  std::string_view mask = value.substr(slash + 1);
  int64_t bits = 0;
  if (is_ipv4_sloppy(address)) {
    bits = 32;
  } else if (is_ipv6(address)) {
    bits = 128;
  } else {
    return false;
  }
  std::size_t pos = 0;
  int64_t n = 0;
  return parse_decimal(mask, pos, n) && pos == mask.size() && n <= bits;
}

reasons non_special_ip_reasons(std::string_view value) {
  auto ip = parse_ip(value);
  if (!ip) return {"must be a valid IP address"};
  const auto& b = ip->b;
  bool v4 = ip->size == 4;
  auto zero = [&](int from, int to) {
    return std::all_of(b.begin() + from, b.begin() + to, [](unsigned char c) { return c == 0; });
  };
  reasons out;
  if (zero(0, ip->size)) out.push_back("may not be unspecified (" + std::string(value) + ")");
  if (v4 ? b[0] == 127 : zero(0, 15) && b[15] == 1) {
    out.emplace_back("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  }
  if (v4 ? b[0] == 169 && b[1] == 254 : b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
    out.emplace_back("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  }
  if (v4 ? b[0] == 224 && b[1] == 0 && b[2] == 0 : b[0] == 0xff && (b[1] & 0x0f) == 0x02) {
    out.emplace_back("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  }
  return out;
}

bool cidr_is_strict_subset(std::string_view outer, std::string_view inner) {
  auto a = parse_cidr(outer);
  auto b = parse_cidr(inner);
  if (!a || !b || a->ip.size != b->ip.size || a->prefix < 0 || a->prefix >= b->prefix) return false;
  for (int bit = 0; bit < a->prefix; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((a->ip.b[bit / 8] & mask) != (b->ip.b[bit / 8] & mask)) return false;
  }
  return true;
}

bool is_hugepages_resource(std::string_view name) {
  return name.substr(0, 10) == "hugepages-";
}

bool is_native_resource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find("kubernetes.io/") != std::string_view::npos;
}

bool is_extended_resource(std::string_view name) {
  if (is_native_resource(name) || name.substr(0, 9) == "requests.") return false;
  return is_qualified_name("requests." + std::string(name)).empty();
}

bool is_standard_resource_name(std::string_view name) {
  static const std::set<std::string_view> standard = {"cpu",
                                                      "memory",
                                                      "ephemeral-storage",
                                                      "requests.cpu",
                                                      "requests.memory",
                                                      "requests.ephemeral-storage",
                                                      "limits.cpu",
                                                      "limits.memory",
                                                      "limits.ephemeral-storage",
                                                      "pods",
                                                      "services",
                                                      "replicationcontrollers",
                                                      "resourcequotas",
                                                      "secrets",
                                                      "configmaps",
                                                      "persistentvolumeclaims",
                                                      "storage",
                                                      "requests.storage",
                                                      "services.nodeports",
                                                      "services.loadbalancers"};
  return standard.count(name) > 0 || is_hugepages_resource(name) ||
         name.substr(0, 19) == "requests.hugepages-";
}

bool is_standard_container_resource(std::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         is_hugepages_resource(name);
}

bool is_overcommit_allowed(std::string_view name) {
  return is_native_resource(name) && !is_hugepages_resource(name);
}

bool is_sysctl_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  auto edge = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (std::size_t start = 0;;) {
    std::size_t end = name.find_first_of("./", start);
    std::string_view segment = name.substr(start, end - start);
    if (segment.empty() || !edge(segment.front()) || !edge(segment.back())) return false;
    for (char c : segment) {
      if (!edge(c) && c != '-' && c != '_') return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

std::string inclusive_range_error(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

}  // namespace troupe::messages
