#include "store/encoding.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace troupe::store {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

CodedInputStream stream_over(std::string_view bytes) {
  return CodedInputStream(reinterpret_cast<const uint8_t*>(bytes.data()),
                          static_cast<int>(bytes.size()));
}

// Calls `on_field(number, wire_type, input)` for each field of `message` until it returns
// true (it must consume the field when it returns false); skips the others. Returns whether
// the message was well-formed up to where the walk stopped.
template <class OnField>
bool walk_fields(std::string_view message, OnField on_field) {
  CodedInputStream input = stream_over(message);
  while (true) {
    uint32_t tag = input.ReadTag();
    if (tag == 0) return input.CurrentPosition() == static_cast<int>(message.size());
    int number = WireFormatLite::GetTagFieldNumber(tag);
    auto type = WireFormatLite::GetTagWireType(tag);
    bool handled = false;
    if (!on_field(number, type, input, tag, handled)) return false;
    if (!handled && !WireFormatLite::SkipField(&input, tag)) return false;
  }
}

}  // namespace

void append_be64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

void append_be32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

uint64_t read_be64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

uint32_t read_be32(std::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string be64(uint64_t value) {
  std::string out;
  append_be64(out, value);
  return out;
}

bool peek_bytes_field(std::string_view message, int field, std::string_view& out) {
  return walk_fields(message, [&](int number, WireFormatLite::WireType type,
                                  CodedInputStream& input, uint32_t, bool& handled) {
    if (number != field || type != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) return true;
    handled = true;
    uint32_t length = 0;
    if (!input.ReadVarint32(&length)) return false;
    int start = input.CurrentPosition();
    if (!input.Skip(static_cast<int>(length))) return false;
    out = message.substr(static_cast<std::size_t>(start), length);
    return true;
  });
}

bool peek_varint_field(std::string_view message, int field, uint64_t& out) {
  return walk_fields(message, [&](int number, WireFormatLite::WireType type,
                                  CodedInputStream& input, uint32_t, bool& handled) {
    if (number != field || type != WireFormatLite::WIRETYPE_VARINT) return true;
    handled = true;
    return input.ReadVarint64(&out);
  });
}

result<messages::ObjectMeta> decode_object_meta(std::string_view value) {
  messages::ObjectMeta meta;
  std::string why;
  bool ok = walk_fields(value, [&](int number, WireFormatLite::WireType type,
                                   CodedInputStream& input, uint32_t, bool& handled) {
    if (number != 1) return true;
    handled = true;
    if (type != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      why = "field 1 (metadata) is not a message";
      return false;
    }
    uint32_t length = 0;
    if (!input.ReadVarint32(&length)) return false;
    // Repeated occurrences of a message field merge, as protobuf parsing does.
    auto limit = input.PushLimit(static_cast<int>(length));
    if (!meta.MergePartialFromCodedStream(&input) || !input.ConsumedEntireMessage()) {
      why = "field 1 (metadata) is not an ObjectMeta";
      return false;
    }
    input.PopLimit(limit);
    return true;
  });
  if (!ok) {
    return status::error(messages::errc::invalid,
                         "the value is not a serialized API object: " +
                             (why.empty() ? std::string("malformed protobuf") : why));
  }
  return meta;
}

}  // namespace troupe::store
