// The field-error builders with Kubernetes' wording and Go's %q; and, for the validators, the
// field paths, Go-style printing of values, and the checks of a single value.
#include "messages/validation/field_errors.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "messages/quantity.hpp"
#include "messages/validation/validators.hpp"

namespace troupe::messages {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += hex_digits[(value >> shift) & 0xf];
  }
}

// Decodes one UTF-8 sequence at `s[i]`; returns its length, or 0 when the bytes are not valid
// UTF-8 (Go then escapes the single byte as \xNN).
std::size_t decode_utf8(std::string_view s, std::size_t i, uint32_t& rune) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
  if (length == 0 || i + length > s.size()) return 0;
  rune = lead & (0x7f >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    rune = (rune << 6) | (byte(i + k) & 0x3f);
  }
  // Overlong forms, surrogates and out-of-range values are invalid, as in Go.
  static constexpr uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (rune < minimum[length] || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) return 0;
  return length;
}

// Go's unicode.IsPrint, reduced to the ranges that matter in API values: C1 controls, the soft
// hyphen, the line/paragraph separators and the byte-order mark are not printable.
bool is_printable(uint32_t rune) {
  if (rune < 0x20 || rune == 0x7f) return false;
  if (rune >= 0x80 && rune < 0xa0) return false;
  return rune != 0xad && rune != 0x2028 && rune != 0x2029 && rune != 0xfeff;
}

// Kubernetes' %v of a []string inside a generated String(): "[a b]".
std::string go_plain_strings(const validation::strings& values) {
  std::string out = "[";
  for (int i = 0; i < values.size(); ++i) {
    out += (i ? " " : "") + values[i];
  }
  return out + "]";
}

}  // namespace

field_error required(std::string path) {
  return {std::move(path), "Required value"};
}

field_error invalid(std::string path, std::string_view value, std::string_view why) {
  std::string detail = "Invalid value: ";
  detail += value;
  if (!why.empty()) {
    detail += ": ";
    detail += why;
  }
  return {std::move(path), std::move(detail)};
}

field_error not_supported(std::string path, std::string_view value,
                          const std::vector<std::string_view>& supported) {
  std::string detail = "Unsupported value: ";
  detail += value;
  if (!supported.empty()) {
    detail += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += quoted(supported[i]);
    }
  }
  return {std::move(path), std::move(detail)};
}

field_error duplicate(std::string path, std::string_view value) {
  return {std::move(path), "Duplicate value: " + std::string(value)};
}

field_error forbidden(std::string path, std::string_view why) {
  std::string detail = "Forbidden";
  if (!why.empty()) {
    detail += ": ";
    detail += why;
  }
  return {std::move(path), std::move(detail)};
}

// Kubernetes omits the value of a too-long field: it may be megabytes.
field_error too_long(std::string path, std::string_view /*value*/, std::size_t max_length) {
  std::string detail = "Too long: may not be more than " + std::to_string(max_length);
  detail += max_length == 1 ? " byte" : " bytes";
  return {std::move(path), std::move(detail)};
}

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size();) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (is_printable(c)) {
            out += static_cast<char>(c);
          } else {
            out += "\\x";
            append_hex(out, c, 2);
          }
      }
      ++i;
      continue;
    }
    uint32_t rune = 0;
    std::size_t length = decode_utf8(value, i, rune);
    if (length == 0) {
      out += "\\x";
      append_hex(out, c, 2);
      ++i;
      continue;
    }
    if (is_printable(rune)) {
      out.append(value.substr(i, length));
    } else if (rune < 0x10000) {
      out += "\\u";
      append_hex(out, rune, 4);
    } else {
      out += "\\U";
      append_hex(out, rune, 8);
    }
    i += length;
  }
  out += '"';
  return out;
}

// ---- Paths, values and single-value checks for the validators (validators.hpp) ------------

namespace validation {

std::string child(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return std::string(path) + "." + std::string(name);
}

std::string at(std::string_view path, int index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string key(std::string_view path, std::string_view map_key) {
  return std::string(path) + "[" + std::string(map_key) + "]";
}

field_error required_with(std::string path, std::string_view why) {
  return {std::move(path), "Required value: " + std::string(why)};
}

field_error not_found(std::string path, std::string_view printed_value) {
  return {std::move(path), "Not found: " + std::string(printed_value)};
}

std::string go_int(int64_t value) {
  return std::to_string(value);
}

std::string go_string_map(const string_map& map) {
  if (map.empty()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& k : sorted_keys(map)) {
    out += (first ? "" : ", ") + quoted(k) + ":" + quoted(map.at(k));
    first = false;
  }
  return out + "}";
}

std::string go_strings(const strings& values) {
  if (values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (int i = 0; i < values.size(); ++i) {
    out += (i ? ", " : "") + quoted(values[i]);
  }
  return out + "}";
}

std::string quantity_text(const Quantity& q) {
  auto format = quantity_format_from_string(q.format()).value_or(quantity_format::decimal_si);
  return format_quantity(quantity{q.milli(), format});
}

std::string int_or_string_text(const IntOrString& v) {
  if (v.value_case() == IntOrString::kStrVal) return v.str_val();
  return std::to_string(v.int_val());
}

std::string selector_text(const LabelSelector& s) {
  std::string out = "&LabelSelector{MatchLabels:map[string]string{";
  for (const auto& k : sorted_keys(s.match_labels())) {
    out += k + ": " + s.match_labels().at(k) + ",";
  }
  out += "},MatchExpressions:[]LabelSelectorRequirement{";
  for (const auto& r : s.match_expressions()) {
    out += "LabelSelectorRequirement{Key:" + r.key() + ",Operator:" + r.operator_() +
           ",Values:" + go_plain_strings(r.values()) + ",},";
  }
  return out + "},}";
}

void add_invalid(const std::string& path, std::string_view printed_value, const reasons& why,
                 field_errors& out) {
  for (const auto& reason : why) {
    out.push_back(invalid(path, printed_value, reason));
  }
}

void validate_nonnegative(int64_t value, const std::string& path, field_errors& out) {
  if (value < 0) out.push_back(invalid(path, go_int(value), "must be greater than or equal to 0"));
}

void validate_name_value(std::string_view name, name_check check, const std::string& path,
                         field_errors& out) {
  add_invalid(path, quoted(name), check(name, false), out);
}

void validate_enum(std::string_view value, if_empty empty,
                   const std::vector<std::string_view>& allowed, const std::string& path,
                   field_errors& out) {
  if (value.empty() && empty == if_empty::unset) return;
  if (value.empty() && empty == if_empty::required) {
    out.push_back(required(path));
  } else if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    out.push_back(not_supported(path, quoted(value), allowed));
  }
}

void validate_protocol(std::string_view protocol, const std::string& path, field_errors& out) {
  validate_enum(protocol, if_empty::required, {"SCTP", "TCP", "UDP"}, path, out);
}

void validate_ip(std::string_view value, const std::string& path, field_errors& out) {
  if (!is_ip_address(value)) out.push_back(invalid(path, quoted(value), invalid_ip_reason));
}

void validate_cidr(std::string_view value, const std::string& path, field_errors& out) {
  if (!is_cidr(value)) out.push_back(invalid(path, quoted(value), invalid_cidr_reason));
}

void validate_port_num_or_name(const IntOrString& port, const std::string& path,
                               field_errors& out) {
  // An unset IntOrString is the integer 0 in Kubernetes.
  if (port.value_case() == IntOrString::kStrVal) {
    add_invalid(path, quoted(port.str_val()), is_valid_port_name(port.str_val()), out);
  } else {
    add_invalid(path, go_int(port.int_val()), is_valid_port_num(port.int_val()), out);
  }
}

void validate_path_no_backsteps(std::string_view value, const std::string& path,
                                field_errors& out) {
  for (std::size_t start = 0;;) {
    std::size_t slash = value.find('/', start);
    if (value.substr(start, slash - start) == "..") {
      out.push_back(invalid(path, quoted(value), "must not contain '..'"));
      return;
    }
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

}  // namespace validation
}  // namespace troupe::messages
