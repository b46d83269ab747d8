#include "store/crc32c.hpp"

#include <array>

namespace troupe::store {
namespace {

// The Castagnoli polynomial 0x1edc6f41, bit-reversed because the CRC is computed LSB first.
constexpr uint32_t polynomial = 0x82f63b78;

// Slicing-by-8: table[0] is the classic byte table; table[k][b] is the CRC of byte b followed
// by k zero bytes, so eight bytes fold in with eight lookups instead of eight dependent steps.
using crc_tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr crc_tables make_tables() {
  crc_tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1) ? polynomial : 0);
    t[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (std::size_t k = 1; k < 8; ++k)
      t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

constexpr crc_tables tables = make_tables();

uint32_t load_le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

uint32_t crc32c_extend(uint32_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  // The stored CRC is the complement of the register, so pre- and post-invert.
  uint32_t c = ~crc;
  while (size >= 8) {
    uint32_t lo = load_le32(p) ^ c;
    uint32_t hi = load_le32(p + 4);
    c = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^
        tables[4][lo >> 24] ^ tables[3][hi & 0xff] ^ tables[2][(hi >> 8) & 0xff] ^
        tables[1][(hi >> 16) & 0xff] ^ tables[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0)
    c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xff];
  return ~c;
}

uint32_t crc32c(std::string_view data) {
  return crc32c_extend(0, data.data(), data.size());
}

}  // namespace troupe::store
