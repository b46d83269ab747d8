// The replicated key-value state machine of the Raft simulation (tests/sim/): create, update,
// delete and get with revisions (the entry's Raft index), and client sessions (Raft thesis
// §6.3) so that a command its client retries applies once. It mirrors what the store does
// with StoreCommand, in memory, so the simulation needs no LMDB. Test code only; a plain
// value, one per simulated member.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "messages/proto/raft.pb.h"
#include "tests/support/kv_model.hpp"

namespace troupe::test_support {

// A client's command as it travels in a log entry (a serialized StoreCommand).
std::string encode_kv_command(const std::string& client_id, uint64_t sequence,
                              const kv_input& input);

class sim_kv {
 public:
  struct object {
    std::string value;
    uint64_t mod_revision = 0;
    friend bool operator==(const object&, const object&) = default;
  };

  // What applying one entry did.
  struct apply_result {
    kv_output output;
    bool took_effect = false;  // a command that changed (or tried to change) the data
    bool duplicate = false;    // a retry of a command already applied: the stored output
    bool rejected = false;     // below the session's acked_below: its client has moved on
    std::string client_id;     // the command's session
    uint64_t sequence = 0;
  };

  // sessions: false turns deduplication off, only to show that the checks catch the
  // double application that follows.
  explicit sim_kv(bool sessions = true) : sessions_(sessions) {}

  // Applies the next committed entry. Invariant: entry.index() == applied_index() + 1.
  apply_result apply(const messages::LogEntry& entry);
  kv_output get(const std::string& key) const;

  uint64_t applied_index() const { return applied_index_; }
  uint64_t applied_term() const { return applied_term_; }

  // Deterministic bytes of the whole state: equal states serialize equally.
  std::string serialize() const;
  static std::optional<sim_kv> parse(const std::string& bytes, bool sessions);

 private:
  struct session {
    uint64_t acked_below = 1;               // results below were discarded
    std::map<uint64_t, kv_output> results;  // by sequence
  };
  kv_output execute(const kv_input& input, uint64_t index);

  bool sessions_;
  uint64_t applied_index_ = 0;
  uint64_t applied_term_ = 0;
  std::map<std::string, object> objects_;
  std::map<std::string, session> sessions_by_client_;
};

}  // namespace troupe::test_support
