// A server's durable state behind its raft actor: one LMDB environment holding the Raft log
// and hard state (raft_log_store) and the object store (the state machine). It turns the
// durable part of a raft_core::ready into one write transaction and one fsync, then applies
// the committed entries.
//
// Thread safety: execute() and finish_snapshot() run on one thread at a time, the raft actor's
// detached I/O worker (raft_io_actor), because they fsync and write. objects() is for readers,
// which object_store allows on any thread concurrently with that writer. A snapshot is written
// on a thread of its own (see take_snapshot).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "messages/proto/raft.pb.h"
#include "messages/proto/store.pb.h"
#include "store/lmdb_env.hpp"
#include "store/object_store.hpp"
#include "store/raft/raft_core.hpp"
#include "store/raft/raft_log_store.hpp"

namespace troupe::actors {

// The durable work of one ready batch, in the order raft_core.hpp requires.
struct io_batch {
  std::optional<messages::HardState> hard_state;
  std::vector<messages::LogEntry> entries;    // to persist, truncating the log where they land
  std::vector<messages::LogEntry> committed;  // to apply, in order, each once
  // A snapshot arriving from the leader, in order; the last one (done) installs it.
  std::vector<store::raft::snapshot_chunk> snapshot_chunks;
  // Snapshot the state machine at its applied index once the rest of the batch is done: the
  // snapshot is written meanwhile, and finish_snapshot() records it (io_done.snapshot_started).
  bool take_snapshot = false;
  std::optional<store::raft::index_t> compacted_to;
  std::optional<store::raft::index_t> discard_log_after;  // done before `entries` are written
};

// Folds `next` into `into`, so that executing the result equals executing `into` and then
// `next`: the group commit of batches that queued behind a running one. False (nothing
// changed) for batches with snapshot or log-truncation work, which keep their own turn.
bool merge_io_batches(io_batch& into, io_batch& next);

// One entry the state machine applied.
struct applied_entry {
  store::raft::index_t index = 0;
  store::raft::term_t term = 0;
  messages::EntryType type = messages::ENTRY_NOOP;
  messages::StoreResult result;  // for commands; ok for no-ops and configurations
};

struct io_done {
  // The last entry made durable, when the batch had entries; raft_core::on_persisted.
  std::optional<store::raft::proposal> persisted;
  std::vector<applied_entry> applied;
  // Entries committed but not applied yet because the map is full (errc::unavailable):
  // they are retried in order before the next batch's, or by retry_applies().
  std::size_t apply_backlog = 0;
  // take_snapshot: its file is being written; finish_snapshot() answers once it is.
  bool snapshot_started = false;
  // finish_snapshot: the snapshot now on disk; raft_core::on_snapshot_taken.
  std::optional<messages::SnapshotMeta> snapshot_taken;
  // The last chunk of a snapshot arrived: installed (true) or discarded as corrupt (false);
  // raft_core::on_snapshot_installed.
  std::optional<std::pair<messages::SnapshotMeta, bool>> snapshot_installed;
  // Why take_snapshot or an installation failed, when it did: worth a log line, not a stop
  // (the log keeps growing until a later snapshot succeeds; the leader resends).
  store::status snapshot_failure;
  // Not ok: the log could not be made durable, or the data is corrupt. The server must
  // stop: going on would acknowledge entries that are not on disk or serve bad data.
  store::status failure;
};

struct storage_options {
  store::env_options env;
  store::store_options objects;
};

class raft_storage {
 public:
  // Opens (creating) the environment in `dir` with the Raft and object databases.
  static store::result<std::unique_ptr<raft_storage>> open(const std::string& dir,
                                                           const storage_options& options = {});
  raft_storage(const raft_storage&) = delete;
  raft_storage& operator=(const raft_storage&) = delete;
  // Precondition: no reader of objects() is still running. Waits for a snapshot being written.
  ~raft_storage();

  // What a restarting member had: the log, hard state, snapshot and applied index, for
  // raft_core's constructor (bootstrap left empty for the caller).
  store::result<store::raft::persisted_state> load() const;
  // Learns the term and configuration as of the applied index from what load() returned
  // (with its bootstrap filled in), for the snapshots it will take. Call before execute().
  void recover(const store::raft::persisted_state& state);

  // Persists (one fsync) and applies one batch. Writer thread only.
  io_done execute(io_batch batch);
  // Called on the snapshot's own thread once its file is written (or failed to be): the
  // writer thread should call finish_snapshot() next. Set before execute().
  void on_snapshot_written(std::function<void()> notify) { snapshot_written_ = std::move(notify); }
  // Publishes the snapshot that a take_snapshot batch started and records it in the Raft
  // metadata: io_done.snapshot_taken, or snapshot_failure (nothing when no snapshot was
  // started, or a snapshot installed from the leader meanwhile is newer). Waits for the file
  // if it is not written yet. Writer thread only.
  io_done finish_snapshot();
  // Retries the applies that a full map held back. Writer thread only.
  io_done retry_applies() { return execute({}); }

  const store::object_store& objects() const { return *objects_; }
  const store::lmdb_env& env() const { return *env_; }

  // Up to `max` bytes at `offset` of the snapshot that `meta` describes, for InstallSnapshot;
  // empty when that snapshot is gone (a newer one replaced it) or unreadable. Any thread:
  // snapshot files never change once written.
  std::string read_snapshot(const messages::SnapshotMeta& meta, uint64_t offset,
                            std::size_t max) const;

 private:
  explicit raft_storage(std::string dir) : dir_(std::move(dir)) {}
  // Applies the backlog, oldest first, in as few write transactions as it can, moving each
  // applied entry to done.applied. An error leaves that entry and those after it queued.
  store::status apply_backlog(io_done& done);
  // Tracks the term and configuration as of the applied index.
  void note_applied(const messages::LogEntry& entry);
  // Opens a read of the state machine at the applied index and writes it to a snapshot file on
  // a thread of its own: the file (tens of MB at 100,000 objects) took 60-350 ms to write and
  // fsync, and on this thread every write of the cluster waited meanwhile.
  void take_snapshot(io_done& done);
  // Appends a chunk to the incoming snapshot; on the last one, checks and installs it.
  void receive_chunk(const store::raft::snapshot_chunk& chunk, io_done& done);
  store::status install(const messages::SnapshotMeta& meta, const std::string& file);
  std::string snapshot_path(const messages::SnapshotMeta& meta) const;
  // Removes snapshot files older than the two newest (a leader may still be sending one).
  void remove_old_snapshots();

  std::string dir_;  // the data directory: data.mdb, lock.mdb and snapshots/

  // Declared first so that it is destroyed last: the stores use it.
  std::unique_ptr<store::lmdb_env> env_;
  std::unique_ptr<store::raft::raft_log_store> log_;
  std::unique_ptr<store::object_store> objects_;
  // Committed entries not yet applied (a full map held them back), oldest first.
  std::deque<messages::LogEntry> backlog_;
  // As of the applied index, for the snapshot metadata: the entry's term and the
  // configuration in effect (raft_core's may be newer and uncommitted).
  store::raft::term_t applied_term_ = 0;
  messages::Configuration applied_config_;
  // Bytes of the incoming snapshot written so far to its temporary file.
  uint64_t incoming_size_ = 0;
  // The last index of the newest snapshot installed from a leader.
  store::raft::index_t installed_index_ = 0;

  // A snapshot being written: its metadata as of the applied index when it began (size and
  // checksum come with the file), the writing thread, and its outcome once joined.
  struct snapshot_in_progress {
    messages::SnapshotMeta meta;
    store::status outcome;
    std::thread writer;
  };
  std::unique_ptr<snapshot_in_progress> taking_;
  std::function<void()> snapshot_written_;
};

}  // namespace troupe::actors
