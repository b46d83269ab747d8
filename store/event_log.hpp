// Internal to store/: the watch event log, one LMDB database "events" keyed by
// be64(revision) be32(sequence within the revision), valued by a serialized WatchEvent.
// Appended inside object_store's apply txn; read and compacted in txns of their own. Same
// thread rules as the txn passed in.
//
// Invariants: keys strictly increase with (revision, sequence); every event's revision field
// equals its key's revision; compaction drops whole revisions, oldest first, so the log
// always holds every event with a revision above the compacted revision (kept by
// object_store) and at most the applied index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "messages/proto/store.pb.h"
#include "store/lmdb_env.hpp"

namespace troupe::store {

class event_log {
 public:
  static result<std::unique_ptr<event_log>> open(lmdb_env& env);
  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;

  // Appends the events of one applied entry. Preconditions: all carry the same revision,
  // above every revision in the log.
  status append(txn& t, const std::vector<messages::WatchEvent>& events);

  struct page {
    std::vector<messages::WatchEvent> events;
    bool truncated = false;  // the limit stopped the scan (after a whole revision)
  };
  // Events with revision > `after` whose key starts with `prefix`, oldest first. Stops once
  // `limit` events are gathered (0: no limit), but only at the end of a revision, so a
  // caller that resumes after the last revision it got never misses an event.
  result<page> read_after(txn& t, uint64_t after, std::string_view prefix, std::size_t limit) const;

  struct limits {
    int64_t max_age_ms = 0;
    uint64_t max_events = 0;
    uint64_t min_events = 0;
  };
  struct compaction {
    uint64_t dropped = 0;        // events removed
    uint64_t last_revision = 0;  // the highest revision removed; 0 if none
  };
  // Drops the oldest revisions while the log holds more than `max_events` events, or while
  // a revision is older than now_ms - max_age_ms and dropping it keeps at least
  // `min_events` events.
  result<compaction> compact(txn& t, int64_t now_ms, const limits& limits);

  status clear(txn& t);
  result<uint64_t> size(txn& t) const;

  // Checks the invariants above against the compacted revision and the applied index.
  status check_invariants(txn& t, uint64_t compacted_revision, uint64_t applied_index) const;

 private:
  explicit event_log(dbi events) : events_(events) {}

  dbi events_;
};

}  // namespace troupe::store
