// Internal to store/: byte encodings shared by the store's tables. Fixed-width big-endian
// integers, which sort bytewise in numeric order (LMDB compares keys with memcmp), and reads
// of single protobuf fields without parsing a whole message. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/proto/meta.pb.h"
#include "store/status.hpp"

namespace troupe::store {

void append_be64(std::string& out, uint64_t value);
void append_be32(std::string& out, uint32_t value);
// Preconditions: at least 8 (4) bytes.
uint64_t read_be64(std::string_view bytes);
uint32_t read_be32(std::string_view bytes);
std::string be64(uint64_t value);

// Signed milliseconds as an order-preserving unsigned key: flips the sign bit.
inline uint64_t ordered_ms(int64_t ms) {
  return static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
}
inline int64_t from_ordered_ms(uint64_t key) {
  return static_cast<int64_t>(key ^ (uint64_t{1} << 63));
}

// Reads the last occurrence of length-delimited field `field` of a serialized message into
// `out`, a view into `message`; `out` is left alone when the field is absent (proto3 omits
// empty fields). Returns false if the message is malformed.
bool peek_bytes_field(std::string_view message, int field, std::string_view& out);
// The same for varint field `field`.
bool peek_varint_field(std::string_view message, int field, uint64_t& out);

// The ObjectMeta of a serialized API object: every API kind has it as field 1. An object
// without field 1 has empty metadata. errc::invalid if `value` is not well-formed protobuf or
// field 1 is not a message.
result<messages::ObjectMeta> decode_object_meta(std::string_view value);

}  // namespace troupe::store
