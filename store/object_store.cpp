#include "store/object_store.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <utility>

#include "messages/label_selector.hpp"
#include "store/encoding.hpp"
#include "store/event_log.hpp"
#include "store/keys.hpp"
#include "store/session_table.hpp"
#include "store/snapshot_io.hpp"

namespace troupe::store {
namespace {

using messages::errc;
using messages::StoreCommand;
using messages::StoredObject;
using messages::StoreResult;
using messages::WatchEvent;

constexpr std::string_view applied_index_key = "applied_index";
constexpr std::string_view compacted_revision_key = "compacted_revision";

// Snapshot record types (see write_snapshot).
constexpr char record_header = 'H';   // value: be64 applied index, be64 compacted revision
constexpr char record_object = 'O';   // key -> StoredObject
constexpr char record_session = 'S';  // client_id -> session record
constexpr char record_result = 'R';   // session result key -> StoreResult
constexpr char record_end = 'E';      // value: be64 number of records before it

status corrupt(std::string what) {
  return status::corruption("store data is corrupt: " + std::move(what) +
                            "; stop this server and rebuild its data from its peers");
}

// a - b, clamped to int64's range: proposed times come from the network.
int64_t saturating_sub(int64_t a, int64_t b) {
  if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) {
    return std::numeric_limits<int64_t>::min();
  }
  if (b < 0 && a > std::numeric_limits<int64_t>::max() + b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a - b;
}

result<uint64_t> read_u64(const txn& t, dbi db, std::string_view key) {
  auto found = t.get(db, key);
  if (!found.ok()) return found.error();
  if (!*found) return uint64_t{0};
  if ((*found)->size() != 8) return corrupt("the store's " + std::string(key) + " is malformed");
  return read_be64(**found);
}

status write_u64(txn& t, dbi db, std::string_view key, uint64_t value) {
  return t.put(db, key, be64(value));
}

result<std::optional<StoredObject>> load_object(const txn& t, dbi objects, std::string_view key) {
  auto found = t.get(objects, key);
  if (!found.ok()) return found.error();
  if (!*found) return std::optional<StoredObject>();
  StoredObject object;
  if (!object.ParseFromArray((*found)->data(), static_cast<int>((*found)->size()))) {
    return corrupt("the stored object under " + std::string(key) + " is malformed");
  }
  return std::optional<StoredObject>(std::move(object));
}

StoreResult failure(errc code, std::string message) {
  StoreResult r;
  r.set_code(static_cast<uint32_t>(code));
  r.set_message(std::move(message));
  return r;
}

// `pods "web"`, as Kubernetes names an object in its messages.
std::string describe(const object_key& key) {
  return resource_display_name(key) + " \"" + key.name + "\"";
}

// What one entry is applying: its index is the revision of everything it writes.
struct op_context {
  uint64_t index = 0;
  int64_t at_ms = 0;
  std::vector<WatchEvent>& events;

  void emit(WatchEvent::Type type, std::string_view key, std::string_view value) {
    WatchEvent& e = events.emplace_back();
    e.set_type(type);
    e.set_key(std::string(key));
    e.set_value(std::string(value));
    e.set_revision(index);
    e.set_at_ms(at_ms);
  }
};

// The checks shared by every write: a well-formed key and, for create and update, a value
// that is a serialized API object. Returns the parsed key, or the command's failure.
std::optional<StoreResult> check_write(std::string_view key, const std::string* value,
                                       object_key& parsed) {
  auto k = parse_key(key);
  if (!k.ok()) return failure(errc::invalid, k.error().message());
  parsed = std::move(*k);
  if (value != nullptr) {
    if (auto meta = decode_object_meta(*value); !meta.ok()) {
      return failure(errc::invalid,
                     "cannot store " + describe(parsed) + ": " + meta.error().message());
    }
  }
  return std::nullopt;
}

std::optional<StoreResult> check_precondition(const object_key& key,
                                              const std::optional<StoredObject>& existing,
                                              uint64_t expected_revision) {
  if (!existing) return failure(errc::not_found, describe(key) + " not found");
  if (expected_revision != 0 && expected_revision != existing->mod_revision()) {
    return failure(errc::conflict,
                   "Operation cannot be fulfilled on " + describe(key) +
                       ": the object has been modified (resourceVersion " +
                       std::to_string(expected_revision) + " was expected, it is " +
                       std::to_string(existing->mod_revision()) +
                       "); please apply your changes to the latest version and try again");
  }
  return std::nullopt;
}

result<StoreResult> apply_create(txn& t, dbi objects, op_context& ctx,
                                 const messages::StoreCreate& op) {
  object_key key;
  if (auto bad = check_write(op.key(), &op.value(), key)) return std::move(*bad);
  auto existing = t.get(objects, op.key());
  if (!existing.ok()) return existing.error();
  if (*existing) return failure(errc::already_exists, describe(key) + " already exists");
  StoredObject stored;
  stored.set_value(op.value());
  stored.set_create_revision(ctx.index);
  stored.set_mod_revision(ctx.index);
  if (status s = t.put(objects, op.key(), stored.SerializeAsString()); !s.ok()) return s;
  ctx.emit(WatchEvent::ADDED, op.key(), op.value());
  StoreResult r;
  r.set_revision(ctx.index);
  return r;
}

result<StoreResult> apply_update(txn& t, dbi objects, op_context& ctx,
                                 const messages::StoreUpdate& op) {
  object_key key;
  if (auto bad = check_write(op.key(), &op.value(), key)) return std::move(*bad);
  auto existing = load_object(t, objects, op.key());
  if (!existing.ok()) return existing.error();
  if (auto bad = check_precondition(key, *existing, op.expected_revision())) {
    return std::move(*bad);
  }
  StoredObject stored;
  stored.set_value(op.value());
  stored.set_create_revision((*existing)->create_revision());
  stored.set_mod_revision(ctx.index);
  if (status s = t.put(objects, op.key(), stored.SerializeAsString()); !s.ok()) return s;
  ctx.emit(WatchEvent::MODIFIED, op.key(), op.value());
  StoreResult r;
  r.set_revision(ctx.index);
  r.set_previous(std::move(*(*existing)->mutable_value()));
  return r;
}

result<StoreResult> apply_delete(txn& t, dbi objects, op_context& ctx,
                                 const messages::StoreDelete& op) {
  object_key key;
  if (auto bad = check_write(op.key(), nullptr, key)) return std::move(*bad);
  auto existing = load_object(t, objects, op.key());
  if (!existing.ok()) return existing.error();
  if (auto bad = check_precondition(key, *existing, op.expected_revision())) {
    return std::move(*bad);
  }
  auto removed = t.del(objects, op.key());
  if (!removed.ok()) return removed.error();
  ctx.emit(WatchEvent::DELETED, op.key(), (*existing)->value());
  StoreResult r;
  r.set_revision(ctx.index);
  r.set_previous(std::move(*(*existing)->mutable_value()));
  return r;
}

// What applying `command` (a create, update or delete) would fail with, without applying it:
// the checks of apply_create/apply_update/apply_delete. A result with code 0 when it would
// succeed.
result<StoreResult> check_command(const txn& t, dbi objects, const StoreCommand& command) {
  object_key key;
  switch (command.op_case()) {
    case StoreCommand::kCreate: {
      const auto& op = command.create();
      if (auto bad = check_write(op.key(), &op.value(), key)) return std::move(*bad);
      auto existing = t.get(objects, op.key());
      if (!existing.ok()) return existing.error();
      if (*existing) return failure(errc::already_exists, describe(key) + " already exists");
      return StoreResult();
    }
    case StoreCommand::kUpdate:
    case StoreCommand::kDelete: {
      const bool update = command.has_update();
      const std::string& k = update ? command.update().key() : command.delete_().key();
      const uint64_t expected =
          update ? command.update().expected_revision() : command.delete_().expected_revision();
      if (auto bad = check_write(k, update ? &command.update().value() : nullptr, key))
        return std::move(*bad);
      auto existing = load_object(t, objects, k);
      if (!existing.ok()) return existing.error();
      if (auto bad = check_precondition(key, *existing, expected)) return std::move(*bad);
      return StoreResult();
    }
    default:
      return failure(errc::invalid, "an atomic batch holds only creates, updates and deletes");
  }
}

std::string_view key_of(const StoreCommand& command) {
  switch (command.op_case()) {
    case StoreCommand::kCreate:
      return command.create().key();
    case StoreCommand::kUpdate:
      return command.update().key();
    case StoreCommand::kDelete:
      return command.delete_().key();
    default:
      return {};
  }
}

// The dry run of an atomic batch: the per-operation results, and the first failure (code 0
// when every operation would succeed). Since each key is touched once, the checks made
// against the state before the batch hold for the whole batch.
result<StoreResult> check_atomic_batch(const txn& t, dbi objects,
                                       const messages::StoreBatch& batch) {
  StoreResult r;
  std::vector<std::string_view> keys;
  for (const StoreCommand& sub : batch.commands()) {
    auto one = check_command(t, objects, sub);
    if (!one.ok()) return one.error();
    const auto key = key_of(sub);
    if (one->code() == 0 && std::find(keys.begin(), keys.end(), key) != keys.end())
      *one = failure(errc::invalid, "an atomic batch may touch each key once: " + std::string(key));
    keys.push_back(key);
    if (one->code() != 0 && r.code() == 0) {
      r.set_code(one->code());
      r.set_message(one->message());
    }
    *r.add_batch() = std::move(*one);
  }
  return r;
}

result<StoreResult> apply_command(txn& t, dbi objects, op_context& ctx, const StoreCommand& command,
                                  bool nested) {
  switch (command.op_case()) {
    case StoreCommand::kCreate:
      return apply_create(t, objects, ctx, command.create());
    case StoreCommand::kUpdate:
      return apply_update(t, objects, ctx, command.update());
    case StoreCommand::kDelete:
      return apply_delete(t, objects, ctx, command.delete_());
    case StoreCommand::kBatch: {
      if (nested) return failure(errc::invalid, "a batch may not contain another batch");
      if (command.batch().atomic()) {
        auto checked = check_atomic_batch(t, objects, command.batch());
        if (!checked.ok()) return checked.error();
        if (checked->code() != 0) {
          checked->set_revision(ctx.index);
          return checked;
        }
      }
      // Each operation stands alone: a failed one leaves the others applied. (An atomic
      // batch gets here only when every operation will succeed.)
      StoreResult r;
      r.set_revision(ctx.index);
      for (const StoreCommand& sub : command.batch().commands()) {
        auto one = apply_command(t, objects, ctx, sub, true);
        if (!one.ok()) return one.error();
        *r.add_batch() = std::move(*one);
      }
      return r;
    }
    case StoreCommand::kNoop: {
      StoreResult r;
      r.set_revision(ctx.index);
      return r;
    }
    case StoreCommand::OP_NOT_SET:
      break;
  }
  return failure(errc::invalid, "the store command has no operation");
}

// Whether applying `command` may need room beyond what it frees: a create or an update,
// alone or in a batch.
bool grows(const StoreCommand& command) {
  switch (command.op_case()) {
    case StoreCommand::kCreate:
    case StoreCommand::kUpdate:
      return true;
    case StoreCommand::kBatch:
      for (const StoreCommand& sub : command.batch().commands()) {
        if (sub.has_create() || sub.has_update()) return true;
      }
      return false;
    default:
      return false;
  }
}

status gone(uint64_t requested, uint64_t compacted) {
  return status::error(errc::gone, "the requested revision " + std::to_string(requested) +
                                       " has been compacted; the oldest available is " +
                                       std::to_string(compacted) + ": re-list");
}

}  // namespace

object_store::object_store(lmdb_env& env, const store_options& options, dbi objects, dbi meta,
                           std::unique_ptr<session_table> sessions,
                           std::unique_ptr<event_log> events)
    : env_(env),
      options_(options),
      objects_(objects),
      meta_(meta),
      sessions_(std::move(sessions)),
      events_(std::move(events)) {}

object_store::~object_store() = default;

result<std::unique_ptr<object_store>> object_store::open(lmdb_env& env,
                                                         const store_options& options) {
  if (env.max_key_size() < max_key_length) {
    return status::error(errc::unavailable, "this LMDB build accepts keys of at most " +
                                                std::to_string(env.max_key_size()) +
                                                " bytes; the store needs " +
                                                std::to_string(max_key_length));
  }
  auto objects = env.open_dbi("objects");
  if (!objects.ok()) return objects.error();
  auto meta = env.open_dbi("store_meta");
  if (!meta.ok()) return meta.error();
  auto sessions = session_table::open(env);
  if (!sessions.ok()) return sessions.error();
  auto events = event_log::open(env);
  if (!events.ok()) return events.error();
  std::unique_ptr<object_store> store(
      new object_store(env, options, *objects, *meta, std::move(*sessions), std::move(*events)));
  auto t = env.begin_read();
  if (!t.ok()) return t.error();
  auto applied = read_u64(*t, *meta, applied_index_key);
  if (!applied.ok()) return applied.error();
  auto compacted = read_u64(*t, *meta, compacted_revision_key);
  if (!compacted.ok()) return compacted.error();
  store->applied_index_.store(*applied);
  store->compacted_revision_.store(*compacted);
  return store;
}

status object_store::check_room_to_grow() {
  env_usage usage = env_.usage();
  uint64_t headroom = std::min(options_.write_headroom_bytes, usage.map_size / 16);
  uint64_t tail = usage.map_size > usage.used_bytes ? usage.map_size - usage.used_bytes : 0;
  // The common case costs one mdb_env_info; the freelist is read only near the end.
  if (tail >= headroom) return {};
  auto reusable = env_.freelist_bytes();
  if (!reusable.ok()) return reusable.error();
  if (tail + *reusable >= headroom) return {};
  return env_.map_full();
}

status object_store::check_next_index(const txn& t, uint64_t index) const {
  auto applied = read_u64(t, meta_, applied_index_key);
  if (!applied.ok()) return applied.error();
  // Invariant: Raft applies each index once, in order. Anything else would apply an entry
  // twice or write revisions that go backwards.
  if (index <= *applied) {
    invariant_failed("apply of index " + std::to_string(index) + ", but index " +
                     std::to_string(*applied) + " is already applied");
  }
  return {};
}

status object_store::commit_applied(txn& t, uint64_t index) {
  if (status s = write_u64(t, meta_, applied_index_key, index); !s.ok()) return s;
  if (status s = t.commit(); !s.ok()) return s;
  applied_index_.store(index, std::memory_order_release);
  return {};
}

result<apply_outcome> object_store::apply(uint64_t index, const StoreCommand& command) {
  // Checked before the write txn begins, so that a refusal leaves no trace.
  if (grows(command)) {
    if (status s = check_room_to_grow(); !s.ok()) return s;
  }
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (status s = check_next_index(*t, index); !s.ok()) return s;
  apply_outcome out;
  if (status s = apply_in(*t, index, command, out); !s.ok()) return s;
  if (status s = commit_applied(*t, index); !s.ok()) return s;
  return out;
}

status object_store::apply_in(txn& t, uint64_t index, const StoreCommand& command,
                              apply_outcome& out) {
  // Sessions expire by the time of the entry being applied, the same on every replica.
  int64_t cutoff = saturating_sub(command.proposed_at_ms(), options_.session_ttl_ms);
  if (status s = sessions_->expire_idle(t, cutoff); !s.ok()) return s;
  auto decision = sessions_->check(t, command);
  if (!decision.ok()) return decision.error();
  switch (decision->what) {
    case session_table::verdict::reject:
      out.result = std::move(decision->stored);
      break;
    case session_table::verdict::duplicate:
      // Applied before: the same result, no new events, only the session is refreshed.
      out.result = std::move(decision->stored);
      if (status s = sessions_->record(t, command, nullptr); !s.ok()) return s;
      break;
    case session_table::verdict::apply: {
      op_context ctx{index, command.proposed_at_ms(), out.events};
      auto applied = apply_command(t, objects_, ctx, command, false);
      if (!applied.ok()) return applied.error();
      out.result = std::move(*applied);
      if (!command.client_id().empty()) {
        if (status s = sessions_->record(t, command, &out.result); !s.ok()) return s;
      }
      if (status s = events_->append(t, out.events); !s.ok()) return s;
      break;
    }
  }
  return {};
}

status object_store::apply_without_command(uint64_t index) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (status s = check_next_index(*t, index); !s.ok()) return s;
  return commit_applied(*t, index);
}

result<std::vector<apply_outcome>> object_store::apply_batch(
    const std::vector<entry_to_apply>& entries) {
  std::vector<apply_outcome> outcomes(entries.size());
  if (entries.empty()) return outcomes;
  if (std::any_of(entries.begin(), entries.end(),
                  [](const entry_to_apply& e) { return e.command && grows(*e.command); })) {
    if (status s = check_room_to_grow(); !s.ok()) return s;
  }
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  if (status s = check_next_index(*t, entries.front().index); !s.ok()) return s;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    // Invariant: as for apply(), each index once and in order.
    if (i > 0 && entries[i].index <= entries[i - 1].index)
      invariant_failed("apply_batch of index " + std::to_string(entries[i].index) +
                       " after index " + std::to_string(entries[i - 1].index));
    if (entries[i].command == nullptr) continue;
    if (status s = apply_in(*t, entries[i].index, *entries[i].command, outcomes[i]); !s.ok())
      return s;
  }
  if (status s = commit_applied(*t, entries.back().index); !s.ok()) return s;
  return outcomes;
}

result<StoredObject> object_store::get(std::string_view key) const {
  auto parsed = parse_key(key);
  if (!parsed.ok()) return parsed.error();
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  auto object = load_object(*t, objects_, key);
  if (!object.ok()) return object.error();
  if (!*object) return status::error(errc::not_found, describe(*parsed) + " not found");
  return std::move(**object);
}

result<list_page> object_store::list(std::string_view prefix, const list_options& options) const {
  const std::string& token = options.continue_token;
  if (!token.empty() && (!token.starts_with(prefix) || token.size() == prefix.size())) {
    return status::error(errc::invalid, "the continue token does not belong to a list of " +
                                            std::string(prefix) + ": list again from the start");
  }
  bool select = options.selector != nullptr && !options.selector->empty();
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  list_page page;
  auto applied = read_u64(*t, meta_, applied_index_key);
  if (!applied.ok()) return applied.error();
  page.revision = *applied;
  auto c = t->open_cursor(objects_);
  if (!c.ok()) return c.error();
  c->seek(token.empty() ? prefix : std::string_view(token));
  if (!token.empty() && c->valid() && c->key() == token) c->next();
  for (; c->valid() && c->key().starts_with(prefix); c->next()) {
    if (options.limit != 0 && page.objects.size() >= options.limit) {
      page.continue_token = page.objects.back().key;
      break;
    }
    StoredObject object;
    if (!object.ParseFromArray(c->value().data(), static_cast<int>(c->value().size()))) {
      return corrupt("the stored object under " + std::string(c->key()) + " is malformed");
    }
    if (select) {
      // Labels live in the value's ObjectMeta, checked on every write.
      auto meta = decode_object_meta(object.value());
      if (!meta.ok()) return corrupt("the metadata of " + std::string(c->key()));
      if (!options.selector->matches(meta->labels())) continue;
    }
    if (options.filter && !options.filter(c->key(), object)) continue;
    page.objects.push_back({std::string(c->key()), std::move(object)});
  }
  if (!c->error().ok()) return c->error();
  return page;
}

result<event_page> object_store::events_after(uint64_t revision, std::string_view prefix,
                                              std::size_t limit) const {
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  auto compacted = read_u64(*t, meta_, compacted_revision_key);
  if (!compacted.ok()) return compacted.error();
  // The log holds every event above the compacted revision: a watcher at or above it
  // misses nothing, one below it may have missed a dropped event and must re-list.
  if (revision < *compacted) return gone(revision, *compacted);
  auto applied = read_u64(*t, meta_, applied_index_key);
  if (!applied.ok()) return applied.error();
  auto read = events_->read_after(*t, revision, prefix, limit);
  if (!read.ok()) return read.error();
  event_page page;
  page.events = std::move(read->events);
  // Complete up to the applied index of this snapshot, or, when the limit stopped the scan,
  // up to the last (whole) revision returned.
  page.revision = read->truncated ? page.events.back().revision() : std::max(revision, *applied);
  return page;
}

result<compact_outcome> object_store::compact(int64_t now_ms) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  auto compacted = read_u64(*t, meta_, compacted_revision_key);
  if (!compacted.ok()) return compacted.error();
  auto dropped = events_->compact(
      *t, now_ms, {options_.event_max_age_ms, options_.event_max_count, options_.event_min_count});
  if (!dropped.ok()) return dropped.error();
  compact_outcome out{dropped->dropped, std::max(*compacted, dropped->last_revision)};
  if (out.compacted_revision == *compacted) return out;
  if (status s = write_u64(*t, meta_, compacted_revision_key, out.compacted_revision); !s.ok()) {
    return s;
  }
  if (status s = t->commit(); !s.ok()) return s;
  compacted_revision_.store(out.compacted_revision, std::memory_order_release);
  return out;
}

result<snapshot_info> object_store::write_snapshot(std::ostream& out) const {
  auto source = begin_snapshot();
  if (!source.ok()) return source.error();
  return write_snapshot(std::move(*source), out);
}

result<snapshot_source> object_store::begin_snapshot() const {
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  auto applied = read_u64(*t, meta_, applied_index_key);
  if (!applied.ok()) return applied.error();
  auto compacted = read_u64(*t, meta_, compacted_revision_key);
  if (!compacted.ok()) return compacted.error();
  return snapshot_source{std::move(*t), *applied, *compacted};
}

result<snapshot_info> object_store::write_snapshot(snapshot_source source,
                                                   std::ostream& out) const {
  auto* t = &source.read;
  snapshot_writer writer(out);
  std::string header = be64(source.applied_index) + be64(source.compacted_revision);
  if (status s = writer.write(record_header, "", header); !s.ok()) return s;
  uint64_t records = 1;
  for (auto [type, db] :
       {std::pair{record_object, objects_}, std::pair{record_session, sessions_->sessions_db()},
        std::pair{record_result, sessions_->results_db()}}) {
    auto c = t->open_cursor(db);
    if (!c.ok()) return c.error();
    for (c->seek_to_first(); c->valid(); c->next(), ++records) {
      if (status s = writer.write(type, c->key(), c->value()); !s.ok()) return s;
    }
    if (!c->error().ok()) return c->error();
  }
  if (status s = writer.write(record_end, "", be64(records)); !s.ok()) return s;
  out.flush();
  if (!out) return status::error(errc::unavailable, "flushing the snapshot failed");
  return snapshot_info{writer.size(), writer.checksum(), source.applied_index};
}

status object_store::restore_snapshot(std::istream& in, uint32_t expected_checksum) {
  auto t = env_.begin_write();
  if (!t.ok()) return t.error();
  // Everything below happens in one txn: on any failure it aborts and nothing changes.
  if (status s = t->clear(objects_); !s.ok()) return s;
  if (status s = sessions_->clear(*t); !s.ok()) return s;
  if (status s = events_->clear(*t); !s.ok()) return s;
  snapshot_reader reader(in);
  auto header = reader.next();
  if (!header.ok()) return header.error();
  if (header->type != record_header || header->value.size() != 16) {
    return status::corruption("snapshot is corrupt: it does not begin with its header record");
  }
  uint64_t applied = read_be64(header->value);
  uint64_t records = 1;
  for (bool ended = false; !ended; ++records) {
    auto record = reader.next();
    if (!record.ok()) return record.error();
    status s;
    switch (record->type) {
      case record_object:
        // Keys arrive sorted, so append: out of order fails, as a damaged stream should.
        s = t->put(objects_, record->key, record->value, put_mode::append);
        break;
      case record_session:
        s = sessions_->restore_session(*t, record->key, record->value);
        break;
      case record_result:
        s = sessions_->restore_result(*t, record->key, record->value);
        break;
      case record_end:
        if (record->value != be64(records) || !reader.at_end()) {
          return status::corruption("snapshot is corrupt: its end record does not match");
        }
        ended = true;
        break;
      default:
        return status::corruption("snapshot is corrupt: unknown record type " +
                                  std::to_string(static_cast<unsigned char>(record->type)));
    }
    // A full map or disk is the store's problem; any other refusal (a key out of order, an
    // empty or oversized key) means the stream is damaged.
    if (!s.ok() && !s.is_corruption() && s.code() != errc::unavailable) {
      return status::corruption("snapshot is corrupt: " + s.message());
    }
    if (!s.ok()) return s;
  }
  if (reader.checksum() != expected_checksum) {
    char text[96];
    std::snprintf(text, sizeof text,
                  "checksum 0x%08" PRIx32 " does not match the expected 0x%08" PRIx32,
                  reader.checksum(), expected_checksum);
    return status::corruption("snapshot is corrupt: " + std::string(text) +
                              "; discard it and transfer the snapshot again");
  }
  // Watchers from before the snapshot cannot be served: their events are gone.
  if (status s = write_u64(*t, meta_, compacted_revision_key, applied); !s.ok()) return s;
  if (status s = write_u64(*t, meta_, applied_index_key, applied); !s.ok()) return s;
  if (status s = t->commit(); !s.ok()) return s;
  applied_index_.store(applied, std::memory_order_release);
  compacted_revision_.store(applied, std::memory_order_release);
  return {};
}

uint64_t object_store::applied_index() const {
  return applied_index_.load(std::memory_order_acquire);
}

uint64_t object_store::compacted_revision() const {
  return compacted_revision_.load(std::memory_order_acquire);
}

status object_store::check_invariants() const {
  auto t = env_.begin_read();
  if (!t.ok()) return t.error();
  auto applied = read_u64(*t, meta_, applied_index_key);
  if (!applied.ok()) return applied.error();
  auto compacted = read_u64(*t, meta_, compacted_revision_key);
  if (!compacted.ok()) return compacted.error();
  // Invariant: events are dropped only after they were written.
  if (*compacted > *applied) {
    return corrupt("the compacted revision " + std::to_string(*compacted) +
                   " is above the applied index " + std::to_string(*applied));
  }
  // Invariant: the published copies match the last commit (no writer runs concurrently).
  if (applied_index() != *applied || compacted_revision() != *compacted) {
    return corrupt("the cached applied index or compacted revision is stale");
  }
  {
    auto c = t->open_cursor(objects_);
    if (!c.ok()) return c.error();
    for (c->seek_to_first(); c->valid(); c->next()) {
      std::string key(c->key());
      if (!parse_key(key).ok()) return corrupt("a malformed key " + key);
      StoredObject object;
      if (!object.ParseFromArray(c->value().data(), static_cast<int>(c->value().size()))) {
        return corrupt("the stored object under " + key + " is malformed");
      }
      // Invariant: 0 < create_revision <= mod_revision <= applied index.
      if (object.create_revision() == 0 || object.create_revision() > object.mod_revision() ||
          object.mod_revision() > *applied) {
        return corrupt("the revisions of " + key + " (create " +
                       std::to_string(object.create_revision()) + ", mod " +
                       std::to_string(object.mod_revision()) + ", applied " +
                       std::to_string(*applied) + ")");
      }
      if (!decode_object_meta(object.value()).ok()) return corrupt("the metadata of " + key);
    }
    if (!c->error().ok()) return c->error();
  }
  if (status s = events_->check_invariants(*t, *compacted, *applied); !s.ok()) return s;
  return sessions_->check_invariants(*t);
}

}  // namespace troupe::store
