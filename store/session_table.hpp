// Internal to store/: client sessions (Raft thesis §6.3), so that a command retried by its
// client applies once. Lives in LMDB and changes only inside object_store's apply txn, so a
// session and the state it protects commit together. Same thread rules as the txn passed in.
//
// Layout, three named databases:
// - "sessions":        client_id -> be64(ordered last_active_ms) be64(acked_below)
// - "session_results": client_id NUL be64(sequence) -> serialized StoreResult
// - "session_expiry":  be64(ordered last_active_ms) client_id -> "" (sessions by idleness)
// Invariants (check_invariants): every session has exactly one expiry entry, at its
// last_active_ms, and no other expiry entries exist; every result belongs to a session and
// has sequence >= the session's acked_below.
//
// Expiry is measured in proposed_at_ms of the commands being applied, never the wall clock,
// so every replica expires the same sessions at the same index.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "messages/proto/store.pb.h"
#include "store/lmdb_env.hpp"

namespace troupe::store {

class session_table {
 public:
  // Opens (creating) the three databases in `env`.
  static result<std::unique_ptr<session_table>> open(lmdb_env& env);
  session_table(const session_table&) = delete;
  session_table& operator=(const session_table&) = delete;

  enum class verdict {
    apply,      // apply the command, then record() its result
    duplicate,  // already applied: return `stored` and record(nullptr) to refresh the session
    reject,     // do not apply; return `stored` (errc::invalid, e.g. "session expired")
  };
  struct decision {
    verdict what = verdict::apply;
    messages::StoreResult stored;
  };

  // What to do with `command` given its client's session. Commands without a client_id
  // always apply. A session starts at sequence 1; a higher sequence from an unknown client
  // means its session expired (or never existed) and is rejected, as is a sequence below
  // acked_below, whose result was discarded. There is no separate registration entry, so a
  // client that retries its sequence 1 after its session expired applies it again; clients
  // give up on a command long before the TTL (an hour by default).
  result<decision> check(txn& t, const messages::StoreCommand& command) const;

  // Stores `applied` (null for a duplicate) under the command's sequence, raises acked_below
  // and drops the results below it, and marks the session active at proposed_at_ms.
  // Precondition: check() returned apply or duplicate, and command.client_id is not empty.
  status record(txn& t, const messages::StoreCommand& command,
                const messages::StoreResult* applied);

  // Removes the sessions idle since before `cutoff_ms`, with their results.
  status expire_idle(txn& t, int64_t cutoff_ms);

  status clear(txn& t);

  // For snapshots: the raw tables, and their reinsertion. restore_session rebuilds the
  // expiry entry from the record; records come in key order.
  dbi sessions_db() const { return sessions_; }
  dbi results_db() const { return results_; }
  status restore_session(txn& t, std::string_view client_id, std::string_view record);
  status restore_result(txn& t, std::string_view key, std::string_view value);

  // Checks the invariants above; corruption names the first one broken.
  status check_invariants(txn& t) const;

 private:
  session_table(dbi sessions, dbi results, dbi expiry)
      : sessions_(sessions), results_(results), expiry_(expiry) {}

  dbi sessions_;
  dbi results_;
  dbi expiry_;
};

}  // namespace troupe::store
