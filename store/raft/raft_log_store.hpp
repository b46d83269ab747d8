// Raft's persistent state in the server's LMDB environment: the hard state (term, vote),
// the log, and the metadata of the latest snapshot, in two named databases. It turns a
// raft_core::ready into one write transaction and one fsync (group commit), and loads
// everything back at start, verifying every entry's checksum.
//
// Thread safety: one thread at a time (the raft actor's I/O worker).
#pragma once

#include <memory>

#include "store/lmdb_env.hpp"
#include "store/raft/raft_core.hpp"

namespace troupe::store::raft {

class raft_log_store {
 public:
  // Opens (creating if needed) the Raft databases in `env`.
  static result<std::unique_ptr<raft_log_store>> open(lmdb_env& env);

  raft_log_store(const raft_log_store&) = delete;
  raft_log_store& operator=(const raft_log_store&) = delete;

  // Everything on disk, for raft_core's constructor. A damaged entry or record is a
  // corruption status naming what is damaged: the server must not serve.
  result<persisted_state> load() const;

  // Writes the hard state (if any) and the entries (the stored log is truncated from
  // the first entry's index) in one transaction, then fsyncs. On success every entry
  // is durable and the caller may report on_persisted(last entry).
  status persist(const std::optional<HardState>& hard_state, const std::vector<LogEntry>& entries);

  // Records a snapshot's metadata (its data lives in a file beside the environment).
  status save_snapshot_meta(const SnapshotMeta& meta);

  // Deletes log entries up to and including `index`.
  status compact(index_t index);

  // Deletes log entries after `index`.
  status truncate_after(index_t index);

  explicit raft_log_store(lmdb_env& env, dbi log, dbi meta) : env_(env), log_(log), meta_(meta) {}

 private:
  // Deletes entries with index in [from, to] (to: the end of the log when unset).
  status delete_range(txn& t, index_t from, std::optional<index_t> to);

  lmdb_env& env_;
  dbi log_;   // big-endian index -> LogEntry
  dbi meta_;  // "hard_state" -> HardState, "snapshot" -> SnapshotMeta
};

}  // namespace troupe::store::raft
