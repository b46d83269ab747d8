// CRC-32C (Castagnoli), as iSCSI, ext4 and LevelDB compute it: checksums of snapshots and of
// Raft log entries. Software, table-driven; pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace troupe::store {

// The CRC-32C of `data`: crc32c("123456789") == 0xe3069283.
uint32_t crc32c(std::string_view data);

// The CRC-32C of A followed by `data`, given `crc` == crc32c(A). Streams checksum chunk by
// chunk: crc32c_extend(crc32c(a), b) == crc32c(a + b), and crc32c_extend(0, x) == crc32c(x).
uint32_t crc32c_extend(uint32_t crc, const void* data, std::size_t size);
inline uint32_t crc32c_extend(uint32_t crc, std::string_view data) {
  return crc32c_extend(crc, data.data(), data.size());
}

}  // namespace troupe::store
