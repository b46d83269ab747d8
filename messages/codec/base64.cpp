#include "messages/codec/base64.hpp"

namespace troupe::messages::codec {
namespace {
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  auto pos = alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out += alphabet[(v >> shift) & 0x3F];
  }
  if (auto rest = bytes.size() - i; rest > 0) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (rest == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += rest == 2 ? alphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

base64_decoded base64_decode(std::string_view text) {
  auto illegal = [](std::size_t at) {
    return base64_decoded{std::nullopt, "illegal base64 data at input byte " + std::to_string(at)};
  };
  // Report the first character outside the alphabet before any length problem.
  auto first_bad = text.find_first_not_of(alphabet);
  if (first_bad != std::string_view::npos &&
      text.substr(first_bad).find_first_not_of('=') != std::string_view::npos)
    return illegal(first_bad + text.substr(first_bad).find_first_not_of('='));
  if (text.size() % 4 != 0) return illegal(text.size() / 4 * 4);
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        ++pad;
        v <<= 6;
        continue;
      }
      int s = sextet(c);
      if (s < 0 || pad > 0) return illegal(i + k);
      v = (v << 6) | static_cast<uint32_t>(s);
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return {std::move(out), {}};
}

}  // namespace troupe::messages::codec
