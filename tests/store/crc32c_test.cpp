#include "store/crc32c.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>

namespace {

using troupe::store::crc32c;
using troupe::store::crc32c_extend;

// The textbook bit-at-a-time CRC-32C, to check the table-driven one against.
uint32_t reference_crc32c(const std::string& data) {
  uint32_t crc = 0xffffffff;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78 : 0);
  }
  return ~crc;
}

std::string bytes_from(int first, int step, int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += static_cast<char>(first + i * step);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_crc32c)

// The check value of the CRC catalogue and the test vectors of RFC 3720 (iSCSI), B.4.
BOOST_AUTO_TEST_CASE(crc32c_matches_published_vectors) {
  BOOST_TEST(crc32c("") == 0u);
  BOOST_TEST(crc32c("123456789") == 0xe3069283u);
  BOOST_TEST(crc32c(std::string(32, '\0')) == 0x8a9136aau);
  BOOST_TEST(crc32c(std::string(32, '\xff')) == 0x62a8ab43u);
  BOOST_TEST(crc32c(bytes_from(0, 1, 32)) == 0x46dd794eu);
  BOOST_TEST(crc32c(bytes_from(31, -1, 32)) == 0x113fdb5cu);
}

BOOST_AUTO_TEST_CASE(crc32c_matches_bitwise_reference_at_every_length) {
  std::mt19937 rng(7);
  for (std::size_t length = 0; length < 300; ++length) {
    std::string data;
    for (std::size_t i = 0; i < length; ++i)
      data += static_cast<char>(rng());
    BOOST_TEST_CONTEXT("length " << length) {
      BOOST_TEST(crc32c(data) == reference_crc32c(data));
    }
  }
}

BOOST_AUTO_TEST_CASE(crc32c_extend_equals_crc_of_concatenation_at_every_split) {
  std::string data = bytes_from(3, 7, 100);
  uint32_t whole = crc32c(data);
  for (std::size_t split = 0; split <= data.size(); ++split) {
    uint32_t first = crc32c(data.substr(0, split));
    BOOST_TEST(crc32c_extend(first, data.substr(split)) == whole);
  }
}

BOOST_AUTO_TEST_CASE(crc32c_detects_every_single_bit_flip) {
  std::string data = bytes_from(0, 13, 64);
  uint32_t good = crc32c(data);
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = data;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      BOOST_TEST(crc32c(flipped) != good);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
