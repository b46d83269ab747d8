#include "store/session_table.hpp"

#include <algorithm>
#include <optional>

#include "store/encoding.hpp"

namespace troupe::store {
namespace {

using messages::errc;

// Leaves room in LMDB's 511-byte keys for the NUL and the sequence of a result key.
constexpr std::size_t max_client_id_length = 256;
constexpr std::size_t session_record_size = 16;
constexpr std::size_t sequence_size = 8;

struct session_record {
  int64_t last_active_ms = 0;  // proposed_at_ms of the session's latest command
  uint64_t acked_below = 0;    // results of lower sequences are discarded
};

std::string encode(const session_record& r) {
  std::string out;
  append_be64(out, ordered_ms(r.last_active_ms));
  append_be64(out, r.acked_below);
  return out;
}

std::optional<session_record> decode(std::string_view bytes) {
  if (bytes.size() != session_record_size) return std::nullopt;
  return session_record{from_ordered_ms(read_be64(bytes)), read_be64(bytes.substr(8))};
}

std::string results_prefix(std::string_view client_id) {
  std::string out(client_id);
  out += '\0';
  return out;
}

std::string result_key(std::string_view client_id, uint64_t sequence) {
  std::string out = results_prefix(client_id);
  append_be64(out, sequence);
  return out;
}

std::string expiry_key(int64_t last_active_ms, std::string_view client_id) {
  std::string out = be64(ordered_ms(last_active_ms));
  out += client_id;
  return out;
}

session_table::decision rejection(std::string message) {
  session_table::decision d;
  d.what = session_table::verdict::reject;
  d.stored.set_code(static_cast<uint32_t>(errc::invalid));
  d.stored.set_message(std::move(message));
  return d;
}

status corrupt(std::string what) {
  return status::corruption("store data is corrupt: " + std::move(what) +
                            "; stop this server and rebuild its data from its peers");
}

result<std::optional<session_record>> load(const txn& t, dbi sessions, std::string_view client) {
  auto found = t.get(sessions, client);
  if (!found.ok()) return found.error();
  if (!*found) return std::optional<session_record>();
  std::optional<session_record> record = decode(**found);
  if (!record) return corrupt("the session record of client \"" + std::string(client) + "\"");
  return record;
}

// Deletes the results of `client` with a sequence below `below` (all of them if nullopt).
status erase_results(txn& t, dbi results, std::string_view client, std::optional<uint64_t> below) {
  std::string prefix = results_prefix(client);
  auto c = t.open_cursor(results);
  if (!c.ok()) return c.error();
  for (c->seek(prefix); c->valid() && c->key().starts_with(prefix);) {
    if (below && read_be64(c->key().substr(prefix.size())) >= *below) break;
    if (status s = c->del(); !s.ok()) return s;
  }
  return c->error();
}

}  // namespace

result<std::unique_ptr<session_table>> session_table::open(lmdb_env& env) {
  auto sessions = env.open_dbi("sessions");
  if (!sessions.ok()) return sessions.error();
  auto results = env.open_dbi("session_results");
  if (!results.ok()) return results.error();
  auto expiry = env.open_dbi("session_expiry");
  if (!expiry.ok()) return expiry.error();
  return std::unique_ptr<session_table>(new session_table(*sessions, *results, *expiry));
}

result<session_table::decision> session_table::check(txn& t,
                                                     const messages::StoreCommand& command) const {
  const std::string& client = command.client_id();
  if (client.empty()) return decision{};
  if (client.size() > max_client_id_length || client.find('\0') != std::string::npos) {
    return rejection("invalid client_id: at most " + std::to_string(max_client_id_length) +
                     " bytes, without NUL");
  }
  uint64_t sequence = command.sequence();
  if (sequence == 0) {
    return rejection("invalid sequence 0 for client \"" + client + "\": sequences start at 1");
  }
  auto session = load(t, sessions_, client);
  if (!session.ok()) return session.error();
  if (!*session) {
    if (sequence == 1) return decision{};
    return rejection("session expired: client \"" + client + "\" has no session (it was idle " +
                     "longer than the session TTL, or never began), so sequence " +
                     std::to_string(sequence) +
                     " may already have applied; start a new session with a new client_id");
  }
  auto stored = t.get(results_, result_key(client, sequence));
  if (!stored.ok()) return stored.error();
  if (*stored) {
    decision d;
    d.what = verdict::duplicate;
    if (!d.stored.ParseFromArray((*stored)->data(), static_cast<int>((*stored)->size()))) {
      return corrupt("the stored result of client \"" + client + "\" sequence " +
                     std::to_string(sequence));
    }
    return d;
  }
  if (sequence < (*session)->acked_below) {
    return rejection("session expired: client \"" + client + "\" sequence " +
                     std::to_string(sequence) + " is below its acked_below " +
                     std::to_string((*session)->acked_below) +
                     ", so its result was discarded; start a new session with a new client_id");
  }
  return decision{};
}

status session_table::record(txn& t, const messages::StoreCommand& command,
                             const messages::StoreResult* applied) {
  const std::string& client = command.client_id();
  auto existing = load(t, sessions_, client);
  if (!existing.ok()) return existing.error();
  session_record session;
  if (*existing) {
    session = **existing;
    // The index entry moves to the new activity time below.
    auto removed = t.del(expiry_, expiry_key(session.last_active_ms, client));
    if (!removed.ok()) return removed.error();
    // Leaders' clocks may disagree slightly; activity never moves backwards.
    session.last_active_ms = std::max(session.last_active_ms, command.proposed_at_ms());
  } else {
    session.last_active_ms = command.proposed_at_ms();
  }
  session.acked_below = std::max(session.acked_below, command.acked_below());
  if (applied != nullptr) {
    status s =
        t.put(results_, result_key(client, command.sequence()), applied->SerializeAsString());
    if (!s.ok()) return s;
  }
  if (status s = erase_results(t, results_, client, session.acked_below); !s.ok()) return s;
  if (status s = t.put(expiry_, expiry_key(session.last_active_ms, client), ""); !s.ok()) return s;
  return t.put(sessions_, client, encode(session));
}

status session_table::expire_idle(txn& t, int64_t cutoff_ms) {
  auto c = t.open_cursor(expiry_);
  if (!c.ok()) return c.error();
  for (c->seek_to_first(); c->valid();) {
    if (c->key().size() < 8) return corrupt("a session expiry entry is malformed");
    if (from_ordered_ms(read_be64(c->key())) >= cutoff_ms) break;
    std::string client(c->key().substr(8));
    auto removed = t.del(sessions_, client);
    if (!removed.ok()) return removed.error();
    if (status s = erase_results(t, results_, client, std::nullopt); !s.ok()) return s;
    if (status s = c->del(); !s.ok()) return s;
  }
  return c->error();
}

status session_table::clear(txn& t) {
  for (dbi db : {sessions_, results_, expiry_}) {
    if (status s = t.clear(db); !s.ok()) return s;
  }
  return {};
}

status session_table::restore_session(txn& t, std::string_view client_id, std::string_view record) {
  std::optional<session_record> session = decode(record);
  if (!session || client_id.empty()) {
    return status::corruption("snapshot is corrupt: a session record is malformed");
  }
  if (status s = t.put(sessions_, client_id, record); !s.ok()) return s;
  return t.put(expiry_, expiry_key(session->last_active_ms, client_id), "");
}

status session_table::restore_result(txn& t, std::string_view key, std::string_view value) {
  std::size_t nul = key.find('\0');
  if (nul == std::string_view::npos || nul == 0 || key.size() != nul + 1 + sequence_size) {
    return status::corruption("snapshot is corrupt: a session result key is malformed");
  }
  return t.put(results_, key, value);
}

status session_table::check_invariants(txn& t) const {
  uint64_t sessions = 0;
  {
    auto c = t.open_cursor(sessions_);
    if (!c.ok()) return c.error();
    for (c->seek_to_first(); c->valid(); c->next()) {
      ++sessions;
      std::optional<session_record> record = decode(c->value());
      if (!record) return corrupt("the session record of client \"" + std::string(c->key()) + "\"");
      auto indexed = t.get(expiry_, expiry_key(record->last_active_ms, c->key()));
      if (!indexed.ok()) return indexed.error();
      // Invariant: each session is indexed at its last activity.
      if (!*indexed) {
        return corrupt("session \"" + std::string(c->key()) + "\" has no expiry index entry");
      }
    }
    if (!c->error().ok()) return c->error();
  }
  auto indexed = t.entries(expiry_);
  if (!indexed.ok()) return indexed.error();
  // Invariant: no expiry entry without its session (with the loop above: a bijection).
  if (*indexed != sessions) {
    return corrupt(std::to_string(*indexed) + " session expiry entries for " +
                   std::to_string(sessions) + " sessions");
  }
  auto c = t.open_cursor(results_);
  if (!c.ok()) return c.error();
  for (c->seek_to_first(); c->valid(); c->next()) {
    std::string_view key = c->key();
    std::size_t nul = key.find('\0');
    if (nul == std::string_view::npos || key.size() != nul + 1 + sequence_size) {
      return corrupt("a session result key is malformed");
    }
    std::string_view client = key.substr(0, nul);
    auto session = load(t, sessions_, client);
    if (!session.ok()) return session.error();
    // Invariant: results belong to live sessions and are not below acked_below.
    uint64_t sequence = read_be64(key.substr(nul + 1));
    if (!*session || sequence < (*session)->acked_below) {
      return corrupt("a stored result of client \"" + std::string(client) + "\" sequence " +
                     std::to_string(sequence) + " outlived its session or acked_below");
    }
  }
  return c->error();
}

}  // namespace troupe::store
