#include "store/event_log.hpp"

#include <limits>
#include <string>

#include "store/encoding.hpp"

namespace troupe::store {
namespace {

constexpr std::size_t event_key_size = 12;
// WatchEvent's field numbers, read without parsing the (possibly large) value.
constexpr int event_key_field = 2;
constexpr int event_at_ms_field = 5;

std::string event_key(uint64_t revision, uint32_t sequence) {
  std::string out = be64(revision);
  append_be32(out, sequence);
  return out;
}

status corrupt(std::string what) {
  return status::corruption("store data is corrupt: " + std::move(what) +
                            " in the watch event log; stop this server and rebuild its data " +
                            "from its peers");
}

// The revision of the event under the cursor.
result<uint64_t> revision_at(const cursor& c) {
  if (c.key().size() != event_key_size) return corrupt("a malformed key");
  return read_be64(c.key());
}

}  // namespace

result<std::unique_ptr<event_log>> event_log::open(lmdb_env& env) {
  auto events = env.open_dbi("events");
  if (!events.ok()) return events.error();
  return std::unique_ptr<event_log>(new event_log(*events));
}

status event_log::append(txn& t, const std::vector<messages::WatchEvent>& events) {
  uint32_t sequence = 0;
  for (const messages::WatchEvent& event : events) {
    status s = t.put(events_, event_key(event.revision(), sequence++), event.SerializeAsString(),
                     put_mode::append);
    // Invariant: revisions only grow (apply refuses an index at or below the applied one).
    if (!s.ok() && s.code() == messages::errc::already_exists && !s.is_corruption()) {
      invariant_failed("watch event appended out of revision order");
    }
    if (!s.ok()) return s;
  }
  return {};
}

result<event_log::page> event_log::read_after(txn& t, uint64_t after, std::string_view prefix,
                                              std::size_t limit) const {
  page out;
  if (after == std::numeric_limits<uint64_t>::max()) return out;
  auto c = t.open_cursor(events_);
  if (!c.ok()) return c.error();
  uint64_t last_returned = 0;
  for (c->seek(be64(after + 1)); c->valid(); c->next()) {
    auto revision = revision_at(*c);
    if (!revision.ok()) return revision.error();
    if (limit != 0 && out.events.size() >= limit && *revision != last_returned) {
      out.truncated = true;
      break;
    }
    std::string_view key;
    if (!peek_bytes_field(c->value(), event_key_field, key)) return corrupt("a malformed event");
    if (!key.starts_with(prefix)) continue;
    messages::WatchEvent& event = out.events.emplace_back();
    if (!event.ParseFromArray(c->value().data(), static_cast<int>(c->value().size()))) {
      return corrupt("a malformed event");
    }
    last_returned = *revision;
  }
  if (!c->error().ok()) return c->error();
  return out;
}

result<event_log::compaction> event_log::compact(txn& t, int64_t now_ms, const limits& limits) {
  auto total = t.entries(events_);
  if (!total.ok()) return total.error();
  // Saturating: a huge max_age means nothing is old enough.
  int64_t cutoff = limits.max_age_ms <= 0 ? std::numeric_limits<int64_t>::max()
                   : now_ms < std::numeric_limits<int64_t>::min() + limits.max_age_ms
                       ? std::numeric_limits<int64_t>::min()
                       : now_ms - limits.max_age_ms;
  compaction out;
  {
    // First pass: find the last revision to drop, deciding one whole revision at a time.
    auto c = t.open_cursor(events_);
    if (!c.ok()) return c.error();
    uint64_t remaining = *total;
    c->seek_to_first();
    while (c->valid()) {
      auto revision = revision_at(*c);
      if (!revision.ok()) return revision.error();
      uint64_t at_ms = 0;
      if (!peek_varint_field(c->value(), event_at_ms_field, at_ms)) {
        return corrupt("a malformed event");
      }
      uint64_t group = 0;
      for (; c->valid(); c->next()) {
        auto r = revision_at(*c);
        if (!r.ok()) return r.error();
        if (*r != *revision) break;
        ++group;
      }
      if (!c->error().ok()) return c->error();
      bool over_count = limits.max_events != 0 && remaining > limits.max_events;
      bool too_old = static_cast<int64_t>(at_ms) < cutoff && remaining - group >= limits.min_events;
      if (!over_count && !too_old) break;
      remaining -= group;
      out.dropped += group;
      out.last_revision = *revision;
    }
    if (!c->error().ok()) return c->error();
  }
  if (out.last_revision == 0) return out;
  auto c = t.open_cursor(events_);
  if (!c.ok()) return c.error();
  for (c->seek_to_first(); c->valid();) {
    auto revision = revision_at(*c);
    if (!revision.ok()) return revision.error();
    if (*revision > out.last_revision) break;
    if (status s = c->del(); !s.ok()) return s;
  }
  if (!c->error().ok()) return c->error();
  return out;
}

status event_log::clear(txn& t) {
  return t.clear(events_);
}

result<uint64_t> event_log::size(txn& t) const {
  return t.entries(events_);
}

status event_log::check_invariants(txn& t, uint64_t compacted_revision,
                                   uint64_t applied_index) const {
  auto c = t.open_cursor(events_);
  if (!c.ok()) return c.error();
  for (c->seek_to_first(); c->valid(); c->next()) {
    auto revision = revision_at(*c);
    if (!revision.ok()) return revision.error();
    messages::WatchEvent event;
    if (!event.ParseFromArray(c->value().data(), static_cast<int>(c->value().size()))) {
      return corrupt("a malformed event");
    }
    // Invariant: compacted_revision < revision <= applied_index, and the key matches.
    if (*revision <= compacted_revision || *revision > applied_index ||
        event.revision() != *revision) {
      return corrupt("an event at revision " + std::to_string(*revision) + " (compacted revision " +
                     std::to_string(compacted_revision) + ", applied index " +
                     std::to_string(applied_index) + ")");
    }
  }
  return c->error();
}

}  // namespace troupe::store
