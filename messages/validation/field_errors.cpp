#include "messages/validation/field_errors.hpp"

#include <cstdint>

namespace troupe::messages {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex_digits[(value >> shift) & 0xf];
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
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
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

}  // namespace troupe::messages
