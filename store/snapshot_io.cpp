#include "store/snapshot_io.hpp"

#include "store/crc32c.hpp"
#include "store/encoding.hpp"

namespace troupe::store {
namespace {

constexpr std::size_t record_header_size = 9;

status corrupt(const std::string& what) {
  return status::corruption("snapshot is corrupt: " + what +
                            "; discard it and transfer the snapshot again");
}

}  // namespace

snapshot_writer::snapshot_writer(std::ostream& out) : out_(out) {
  emit(snapshot_magic);
}

void snapshot_writer::emit(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  size_ += bytes.size();
  checksum_ = crc32c_extend(checksum_, bytes);
}

status snapshot_writer::write(char type, std::string_view key, std::string_view value) {
  if (key.size() > snapshot_max_key || value.size() > snapshot_max_value) {
    invariant_failed("snapshot record larger than the format allows");
  }
  std::string header(1, type);
  append_be32(header, static_cast<uint32_t>(key.size()));
  append_be32(header, static_cast<uint32_t>(value.size()));
  emit(header);
  emit(key);
  emit(value);
  if (!out_) {
    return status::error(messages::errc::unavailable,
                         "writing the snapshot failed after " + std::to_string(size_) + " bytes");
  }
  return {};
}

bool snapshot_reader::read(std::string& out, std::size_t n) {
  out.resize(n);
  in_.read(out.data(), static_cast<std::streamsize>(n));
  auto got = static_cast<std::size_t>(in_.gcount());
  size_ += got;
  checksum_ = crc32c_extend(checksum_, out.data(), got);
  return got == n;
}

result<snapshot_record> snapshot_reader::next() {
  std::string bytes;
  if (!header_read_) {
    if (!read(bytes, snapshot_magic.size()) || bytes != snapshot_magic) {
      return corrupt("it does not start with " + std::string(snapshot_magic));
    }
    header_read_ = true;
  }
  if (!read(bytes, record_header_size)) {
    return corrupt("it ends inside a record header at byte " + std::to_string(size_));
  }
  snapshot_record record;
  record.type = bytes[0];
  uint32_t key_size = read_be32(std::string_view(bytes).substr(1));
  uint32_t value_size = read_be32(std::string_view(bytes).substr(5));
  if (key_size > snapshot_max_key || value_size > snapshot_max_value) {
    return corrupt("a record length is out of range at byte " + std::to_string(size_));
  }
  if (!read(record.key, key_size) || !read(record.value, value_size)) {
    return corrupt("it ends inside a record at byte " + std::to_string(size_));
  }
  return record;
}

bool snapshot_reader::at_end() {
  return in_.peek() == std::istream::traits_type::eof();
}

}  // namespace troupe::store
