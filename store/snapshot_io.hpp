// Internal to store/: the framing of state-machine snapshots, a stream of length-prefixed
// records behind a magic header, checksummed with CRC-32C as it is written and read. One
// writer or reader per stream; no shared state.
//
// Format: "TRPSNAP1", then records of [u8 type][be32 key length][be32 value length][key]
// [value]. The checksum and size cover every byte, header included. What the records mean
// is object_store's business (see write_snapshot there).
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "store/status.hpp"

namespace troupe::store {

inline constexpr std::string_view snapshot_magic = "TRPSNAP1";
// Bounds that a corrupt length field cannot make the reader exceed.
inline constexpr uint32_t snapshot_max_key = 4096;
inline constexpr uint32_t snapshot_max_value = uint32_t{1} << 30;

class snapshot_writer {
 public:
  // Writes the magic header.
  explicit snapshot_writer(std::ostream& out);
  snapshot_writer(const snapshot_writer&) = delete;
  snapshot_writer& operator=(const snapshot_writer&) = delete;

  // errc::unavailable if the stream fails.
  status write(char type, std::string_view key, std::string_view value);

  uint64_t size() const { return size_; }
  uint32_t checksum() const { return checksum_; }

 private:
  void emit(std::string_view bytes);

  std::ostream& out_;
  uint64_t size_ = 0;
  uint32_t checksum_ = 0;
};

struct snapshot_record {
  char type = 0;
  std::string key;
  std::string value;
};

class snapshot_reader {
 public:
  explicit snapshot_reader(std::istream& in) : in_(in) {}
  snapshot_reader(const snapshot_reader&) = delete;
  snapshot_reader& operator=(const snapshot_reader&) = delete;

  // The next record; reads and checks the magic header first. Corruption on a bad header,
  // an oversized length or a stream that ends inside a record.
  result<snapshot_record> next();
  // Whether the stream has no byte left.
  bool at_end();

  uint64_t size() const { return size_; }
  uint32_t checksum() const { return checksum_; }

 private:
  bool read(std::string& out, std::size_t n);

  std::istream& in_;
  bool header_read_ = false;
  uint64_t size_ = 0;
  uint32_t checksum_ = 0;
};

}  // namespace troupe::store
