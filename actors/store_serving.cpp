#include "actors/store_serving.hpp"

#include <utility>

#include <caf/send.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors {

using messages::errc;

caf::error to_error(const store::status& s) {
  return caf::make_error(s.code(), s.message());
}

caf::expected<list_reply> read_list_page(const store::object_store& objects,
                                         const std::string& prefix, uint64_t limit,
                                         const std::string& continue_token) {
  store::list_options options;
  options.limit = limit;
  options.continue_token = continue_token;
  auto page = objects.list(prefix, options);
  if (!page.ok()) return to_error(page.error());
  list_reply out;
  out.keys.reserve(page->objects.size());
  out.objects.reserve(page->objects.size());
  for (auto& o : page->objects) {
    out.keys.push_back(std::move(o.key));
    out.objects.push_back(std::move(o.object));
  }
  out.revision = page->revision;
  out.continue_token = std::move(page->continue_token);
  return out;
}

caf::expected<uint64_t> store_watches::add(const store::object_store& objects, std::string prefix,
                                           uint64_t after, caf::actor subscriber, uint64_t tag) {
  if (!subscriber) return caf::make_error(errc::invalid, "a watch needs a subscriber");
  if (after < objects.compacted_revision())
    return caf::make_error(errc::gone, "revision " + std::to_string(after) +
                                           " is older than the compacted revision " +
                                           std::to_string(objects.compacted_revision()) +
                                           ": list again and watch from the list's revision");
  const uint64_t id = next_id_++;
  auto& w = watches_[id] = watch{tag, std::move(prefix), std::move(subscriber), after};
  if (auto error = pump(objects, w)) {
    watches_.erase(id);
    return std::move(*error);
  }
  return id;
}

void store_watches::remove_subscriber(const caf::actor_addr& subscriber) {
  for (auto it = watches_.begin(); it != watches_.end();)
    it = it->second.subscriber.address() == subscriber ? watches_.erase(it) : std::next(it);
}

void store_watches::pump_all(const store::object_store& objects) {
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (auto error = pump(objects, it->second)) {
      caf::anon_send(it->second.subscriber, atoms::watch_end_atom_v, it->second.tag,
                     std::move(*error));
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<caf::error> store_watches::pump(const store::object_store& objects, watch& w) {
  // Reading LMDB directly (not the caller's idea of the applied index) keeps revisions
  // gap-free: each page ends at the applied index it was read at, and the next read starts
  // there.
  while (w.revision < objects.applied_index()) {
    auto page = objects.events_after(w.revision, w.prefix, 1000);
    if (!page.ok()) return to_error(page.error());
    if (page->revision <= w.revision) break;
    w.revision = page->revision;
    if (!page->events.empty())
      caf::anon_send(w.subscriber, atoms::watch_events_atom_v, w.tag, std::move(page->events));
  }
  return std::nullopt;
}

void store_watches::end(uint64_t id, const caf::error& why) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  caf::anon_send(it->second.subscriber, atoms::watch_end_atom_v, it->second.tag, why);
  watches_.erase(it);
}

void store_watches::end_all(const caf::error& why) {
  for (const auto& [id, w] : watches_)
    caf::anon_send(w.subscriber, atoms::watch_end_atom_v, w.tag, why);
  watches_.clear();
}

std::vector<uint64_t> store_watches::ids() const {
  std::vector<uint64_t> out;
  out.reserve(watches_.size());
  for (const auto& [id, _] : watches_)
    out.push_back(id);
  return out;
}

}  // namespace troupe::actors
