// The replicated object store's state machine: API objects under
// /<group>/<resource>/<namespace>/<name> with create and mod revisions, the watch event log,
// client sessions and snapshots, all in LMDB. Raft applies committed entries with apply();
// the gateway, controllers and watchers read.
//
// Thread safety: writers (apply, apply_without_command, compact, restore_snapshot) are
// called by one thread at a time, the store actor's apply loop; LMDB would serialize them
// anyway, but the cached indexes assume it. Readers (get, list, events_after,
// write_snapshot, applied_index, compacted_revision, usage, check_invariants) may run on any
// thread concurrently with each other and with the writer: each reads one LMDB snapshot.
//
// Determinism: apply's outcome depends only on the stored state, the index and the command
// (time is the command's proposed_at_ms), so every replica that applies the same log holds
// the same objects, revisions and sessions. Failures that are not the command's fault (a
// full map, corruption) are returned as errors without applying anything; the caller retries
// the same entry later or stops the server. They never become a command's result.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messages/proto/store.pb.h"
#include "store/lmdb_env.hpp"
#include "store/status.hpp"

namespace troupe::messages {
class label_selector;
}

namespace troupe::store {

class event_log;
class session_table;

struct store_options {
  // A session idle (by proposed_at_ms) for longer than this is dropped with its results.
  int64_t session_ttl_ms = 60 * 60 * 1000;
  // compact() drops events older than this, like etcd's default 5-minute compaction...
  int64_t event_max_age_ms = 5 * 60 * 1000;
  // ...but keeps at least this many, so a watcher that paused in a quiet cluster resumes...
  uint64_t event_min_count = 1000;
  // ...and drops the oldest beyond this many whatever their age. 0: no count limit.
  uint64_t event_max_count = 100000;
  // Creates and updates are refused like a full map (errc::unavailable, nothing applied)
  // once less than this is free, at most a 16th of the map: the rest is kept for deletes,
  // which under copy-on-write need fresh pages too, and for their DELETED events.
  uint64_t write_headroom_bytes = uint64_t{64} << 20;
};

struct apply_outcome {
  messages::StoreResult result;
  // The events the entry appended to the log, for watchers already caught up.
  std::vector<messages::WatchEvent> events;
};

// One committed entry for apply_batch.
struct entry_to_apply {
  uint64_t index = 0;
  const messages::StoreCommand* command = nullptr;  // null: an entry without a command
};

struct listed_object {
  std::string key;
  messages::StoredObject object;
};

struct list_options {
  // Null or empty: every object.
  const messages::label_selector* selector = nullptr;
  // An extra condition, e.g. a field selector the caller evaluates on the decoded object.
  std::function<bool(std::string_view key, const messages::StoredObject&)> filter;
  // The most objects to return; 0: all.
  std::size_t limit = 0;
  // From a previous page's `continue_token`: resume after that key.
  std::string continue_token;
};

struct list_page {
  std::vector<listed_object> objects;  // in key order
  // The applied index of the snapshot this page was read from: a watch started from it
  // misses nothing. Each page is consistent; pages of one list may differ in revision.
  uint64_t revision = 0;
  // Non-empty when more objects may follow: pass it back in list_options.
  std::string continue_token;
};

struct event_page {
  std::vector<messages::WatchEvent> events;  // oldest first
  // Every matching event up to this revision is in `events` (the applied index when the log
  // was read to its end): pass it to the next events_after call.
  uint64_t revision = 0;
};

struct compact_outcome {
  uint64_t dropped_events = 0;
  uint64_t compacted_revision = 0;
};

struct snapshot_info {
  uint64_t size = 0;      // bytes written
  uint32_t checksum = 0;  // CRC-32C of those bytes
  uint64_t applied_index = 0;
};

// The state as of one instant, for a snapshot: a read transaction opened by
// object_store::begin_snapshot and written out by write_snapshot later, on any one thread,
// while writers go on (LMDB keeps every page the transaction can see).
struct snapshot_source {
  txn read;
  uint64_t applied_index = 0;
  uint64_t compacted_revision = 0;
};

class object_store {
 public:
  // Opens (creating) the store's databases in `env`, which must outlive the store.
  static result<std::unique_ptr<object_store>> open(lmdb_env& env,
                                                    const store_options& options = {});
  object_store(const object_store&) = delete;
  object_store& operator=(const object_store&) = delete;
  ~object_store();

  // Applies the committed entry at Raft index `index`, which becomes the revision of what it
  // writes. In one write txn: expires idle sessions, deduplicates by session, applies the
  // command, appends its events, records its result and advances the applied index.
  // Command failures (already_exists, not_found, conflict, invalid) are results, and the
  // index advances. An error (unavailable for a full map or disk, corruption) means nothing
  // was applied: retry the same entry once the map has grown, or stop. Creates and updates
  // are refused this way already when the map is down to its write headroom, so that
  // deletes keep working. Precondition: index > applied_index(); a violation aborts.
  result<apply_outcome> apply(uint64_t index, const messages::StoreCommand& command);
  // For Raft entries that carry no command (a leader's no-op, a configuration).
  status apply_without_command(uint64_t index);
  // Applies consecutive committed entries in one write txn, with the same outcomes as
  // apply() and apply_without_command() one by one but one commit for all: the applies'
  // group commit. An error means nothing was applied; apply them one by one to find the
  // entry that fails and apply those before it.
  result<std::vector<apply_outcome>> apply_batch(const std::vector<entry_to_apply>& entries);

  // errc::not_found (or invalid for a malformed key).
  result<messages::StoredObject> get(std::string_view key) const;
  // Objects whose key starts with `prefix` (see keys.hpp for prefixes), from one snapshot.
  result<list_page> list(std::string_view prefix, const list_options& options = {}) const;
  // Events with revision > `revision` under `prefix`, oldest first; about `limit` of them
  // (0: all), rounded up to a whole revision. errc::gone if events after `revision` have
  // been compacted away: the watcher must re-list.
  result<event_page> events_after(uint64_t revision, std::string_view prefix,
                                  std::size_t limit) const;

  // Drops old events (see store_options) and raises the compacted revision. `now_ms` may be
  // the local clock: compaction is per replica, and a watcher that hits its edge re-lists.
  result<compact_outcome> compact(int64_t now_ms);

  // Serializes objects, sessions, the applied index and the compacted revision from one
  // snapshot, for Raft's InstallSnapshot: begin_snapshot then write_snapshot(source, out).
  result<snapshot_info> write_snapshot(std::ostream& out) const;
  result<snapshot_source> begin_snapshot() const;
  result<snapshot_info> write_snapshot(snapshot_source source, std::ostream& out) const;
  // Replaces the whole state with a snapshot in one write txn, after checking it against
  // `expected_checksum`. Corruption (nothing changed) if it does not match or is malformed:
  // discard the snapshot and fetch it again. The event log is cleared and the compacted
  // revision becomes the snapshot's applied index, so older watchers get gone.
  status restore_snapshot(std::istream& in, uint32_t expected_checksum);

  uint64_t applied_index() const;
  // Watches may start at or after this revision.
  uint64_t compacted_revision() const;
  env_usage usage() const { return env_.usage(); }

  // Checks every invariant of the stored state (revisions, event log, sessions); corruption
  // names the first broken one. Reads everything: for tests and offline checks.
  status check_invariants() const;

 private:
  object_store(lmdb_env& env, const store_options& options, dbi objects, dbi meta,
               std::unique_ptr<session_table> sessions, std::unique_ptr<event_log> events);

  // Ok while the map has more than the write headroom free; else the full-map status.
  status check_room_to_grow();
  // Reads the applied index in `t` and aborts unless `index` is above it.
  status check_next_index(const txn& t, uint64_t index) const;
  // apply()'s work inside an open write txn, without committing it.
  status apply_in(txn& t, uint64_t index, const messages::StoreCommand& command,
                  apply_outcome& out);
  // Writes the applied index, commits, and publishes the new index.
  status commit_applied(txn& t, uint64_t index);

  lmdb_env& env_;
  const store_options options_;
  dbi objects_;  // key -> serialized StoredObject
  dbi meta_;     // "applied_index", "compacted_revision" -> be64
  std::unique_ptr<session_table> sessions_;
  std::unique_ptr<event_log> events_;
  // Copies of the committed meta values, published after each commit by the one writer.
  // Invariant: equal to the values in meta_ as of the latest commit.
  std::atomic<uint64_t> applied_index_{0};
  std::atomic<uint64_t> compacted_revision_{0};
};

}  // namespace troupe::store
