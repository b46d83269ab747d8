#include "store/raft/raft_log_store.hpp"

#include "store/crc32c.hpp"

namespace troupe::store::raft {
namespace {

constexpr std::string_view hard_state_key = "hard_state";
constexpr std::string_view snapshot_key = "snapshot";

// Big-endian, so LMDB's byte order is index order.
std::string index_key(index_t index) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, index >>= 8)
    key[static_cast<std::size_t>(i)] = static_cast<char>(index & 0xFF);
  return key;
}

index_t index_of(std::string_view key) {
  index_t index = 0;
  for (unsigned char c : key)
    index = (index << 8) | c;
  return index;
}

template <class Message>
status read_record(const txn& t, dbi db, std::string_view key, Message& out) {
  auto value = t.get(db, key);
  if (!value.ok()) return value.error();
  if (!*value) return {};
  if (!out.ParseFromArray((*value)->data(), static_cast<int>((*value)->size())))
    return status::corruption("the Raft " + std::string(key) + " record does not parse");
  return {};
}

}  // namespace

result<std::unique_ptr<raft_log_store>> raft_log_store::open(lmdb_env& env) {
  auto log = env.open_dbi("raft_log");
  if (!log.ok()) return log.error();
  auto meta = env.open_dbi("raft_meta");
  if (!meta.ok()) return meta.error();
  return std::make_unique<raft_log_store>(env, *log, *meta);
}

result<persisted_state> raft_log_store::load() const {
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  persisted_state state;
  if (auto s = read_record(*t, meta_, hard_state_key, state.hard_state); !s.ok()) return s;
  if (auto s = read_record(*t, meta_, snapshot_key, state.snapshot); !s.ok()) return s;
  auto c = t->open_cursor(log_);
  if (!c.ok()) return c.error();
  for (c->seek_to_first(); c->valid(); c->next()) {
    LogEntry e;
    index_t index = index_of(c->key());
    if (!e.ParseFromArray(c->value().data(), static_cast<int>(c->value().size())) ||
        e.index() != index || e.checksum() != entry_checksum(e))
      return status::corruption("Raft log entry " + std::to_string(index) +
                                " is damaged (checksum mismatch); this member's data cannot be "
                                "trusted: restore it from a snapshot or re-add the member");
    if (!state.entries.empty() && index != state.entries.back().index() + 1)
      return status::corruption("the Raft log has a gap before entry " + std::to_string(index));
    state.entries.push_back(std::move(e));
  }
  if (!c->error().ok()) return c->error();
  return state;
}

status raft_log_store::persist(const std::optional<HardState>& hard_state,
                               const std::vector<LogEntry>& entries) {
  if (!hard_state && entries.empty()) return {};
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (hard_state) {
    if (auto s = t->put(meta_, hard_state_key, hard_state->SerializeAsString()); !s.ok()) return s;
  }
  if (!entries.empty()) {
    // A leader's new entries may replace a conflicting suffix: drop it first.
    if (auto s = delete_range(*t, entries.front().index(), std::nullopt); !s.ok()) return s;
  }
  for (const auto& e : entries)
    if (auto s = t->put(log_, index_key(e.index()), e.SerializeAsString(), put_mode::append);
        !s.ok())
      return s;
  if (auto s = t->commit(); !s.ok()) return s;
  // One fsync for the whole batch: the group commit.
  return env_.sync();
}

status raft_log_store::save_snapshot_meta(const SnapshotMeta& meta) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (auto s = t->put(meta_, snapshot_key, meta.SerializeAsString()); !s.ok()) return s;
  if (auto s = t->commit(); !s.ok()) return s;
  return env_.sync();
}

status raft_log_store::compact(index_t index) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (auto s = delete_range(*t, 0, index); !s.ok()) return s;
  return t->commit();
}

status raft_log_store::truncate_after(index_t index) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (auto s = delete_range(*t, index + 1, std::nullopt); !s.ok()) return s;
  if (auto s = t->commit(); !s.ok()) return s;
  return env_.sync();
}

status raft_log_store::delete_range(txn& t, index_t from, std::optional<index_t> to) {
  // The cursor must end before the transaction does.
  auto c = t.open_cursor(log_);
  if (!c.ok()) return c.error();
  for (c->seek(index_key(from)); c->valid() && (!to || index_of(c->key()) <= *to);)
    if (auto s = c->del(); !s.ok()) return s;
  return c->error();
}

}  // namespace troupe::store::raft
