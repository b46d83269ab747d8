// A controller's cache of one resource, kept by list+watch through the API gateway, as
// client-go's informers keep theirs. It lives inside one actor and is used from its handlers
// only (not thread-safe): the actor forwards its (watch_events_atom, tag, events) and
// (watch_end_atom, tag, error) messages to `on_events` / `on_end`.
//
// Shared: given an informer hub (informer_hub.hpp), the informer does no list+watch of its own;
// it subscribes to the hub, which lists and watches once per resource for every controller of
// the process and keeps the one cache they all read; it parses each change once and hands every
// subscriber the same immutable parses. The actor then forwards (informer_delta_atom, tag,
// informer_delta) to `on_delta`, and reads the hub's cache.
//
// The cache holds serialized objects and parses them on demand (object_cache.hpp): what a
// lookup returns is the caller's own parse, valid as long as the caller keeps it.
//
// Invariants: after `synced()`, the cache equals the store at some revision R plus every event
// after R that the actor has handled, in order (shared: that the hub has handled, which may be
// more than the actor has been told of); a watch that ends (its server died, or its
// revision was compacted away) is replaced by a new list, whose differences to the cache are
// reported as changes, so no change is ever missed, only coalesced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

#include "actors/controllers/object_cache.hpp"
#include "actors/gateway/gateway_api.hpp"

namespace troupe::messages {
struct kind_info;
class label_selector;
}  // namespace troupe::messages

namespace troupe::actors::controllers {

// "namespace/name", or "name" for a cluster-scoped object: the cache's key, ordered so that a
// namespace's objects are one range.
std::string cache_key(const google::protobuf::Message& object);

// One change an informer hub passes on. The parses are there when the hub kept them (a delta
// of ordinary size); a relist's or a late subscriber's delta carries only bytes, which the
// subscriber parses one change at a time, so no delta ever holds a parse of every object.
struct informer_change {
  std::string key;
  object_bytes before_bytes, after_bytes;  // null: an addition / a deletion
  object_ptr before, after;                // the same, parsed, or null when not kept
};

// What an informer hub sends a subscriber: the changes since the last delta, in watch order.
// The first delta a subscriber gets holds every object of the hub's cache.
struct informer_delta {
  std::shared_ptr<const object_cache> cache;  // the hub's, which subscribers read
  std::vector<informer_change> changes;
  // The hub's cache holds a full list: once these changes are handled, the subscriber has
  // been told of every object.
  bool synced = false;
};

// Where an informer's objects come from: its own list+watch through the gateway, or, when `hub`
// is set, the process's informer hub.
struct informer_source {
  informer_source(gateway_actor g) : gateway(std::move(g)) {}  // NOLINT: implicit on purpose
  informer_source(gateway_actor g, caf::actor h) : gateway(std::move(g)), hub(std::move(h)) {}
  gateway_actor gateway;
  caf::actor hub;
};

class informer {
 public:
  // A change seen: `before` null for an addition, `after` null for a deletion.
  using change_handler = std::function<void(const object_ptr& before, const object_ptr& after)>;

  // `tag` tells this informer's watch messages apart from the actor's other informers'.
  // `field_selector` narrows the cache, e.g. "spec.nodeName=n1" for an agent's pods.
  informer(caf::event_based_actor* self, informer_source source, const messages::kind_info& kind,
           uint64_t tag, change_handler on_change, std::string field_selector = {});
  informer(const informer&) = delete;
  informer& operator=(const informer&) = delete;
  ~informer();

  // Lists and then watches. Calls on_synced once, after the first list is in the cache.
  void start(std::function<void()> on_synced = {});

  // The actor's watch messages: false when `tag` is not this informer's.
  bool on_events(uint64_t tag, std::vector<messages::WatchEvent>& events);
  bool on_end(uint64_t tag, const caf::error& why);
  // The hub's deltas (shared informers only).
  bool on_delta(uint64_t tag, const informer_delta& delta);

  bool synced() const { return synced_; }
  // The cache read by the lookups below: this informer's own, or the hub's. Null in a shared
  // informer before the hub's first delta.
  const std::shared_ptr<const object_cache>& cache() const { return cache_; }

  // -- lookups: each returns fresh parses (empty before the cache exists) ------------------
  object_ptr find(const std::string& key) const;  // null when absent
  std::vector<std::string> keys() const;
  std::vector<object_ptr> in_namespace(const std::string& ns) const;
  std::vector<object_ptr> indexed(std::string_view index, const std::string& value) const;
  // Pods: summaries, not parses (object_cache::claimable_pods).
  std::vector<pod_summary_ptr> claimable_pods(const std::string& owner_uid, const std::string& ns,
                                              const messages::label_selector& selector) const;

  template <class T>
  std::shared_ptr<const T> get(const std::string& key) const {
    return std::static_pointer_cast<const T>(find(key));
  }

 private:
  void list();
  void watch_from(const std::string& revision);
  // Stores `bytes` (parsed: `after`; both null for a deletion) under `key` in the own cache.
  void apply(const std::string& key, object_bytes bytes, object_ptr after);

  caf::event_based_actor* self_;
  gateway_actor gateway_;
  caf::actor hub_;  // null: this informer lists and watches itself
  const messages::kind_info& kind_;
  uint64_t tag_;
  change_handler on_change_;
  std::string field_selector_;
  std::function<void()> on_synced_;
  std::shared_ptr<object_cache> own_;  // null in a shared informer
  std::shared_ptr<const object_cache> cache_;
  bool synced_ = false;
  uint64_t watch_id_ = 0;  // the gateway's id of the current watch, 0 when none
  // Bumped by every list: replies to an older list or watch are ignored.
  uint64_t generation_ = 0;
};

// The handlers of the watch and hub messages for an actor's informers, each message going to
// the informer whose tag it carries: add them to the actor's behavior with or_else.
// `informers` returns them (null entries, not yet started ones, are skipped).
caf::message_handler informer_messages(std::function<std::vector<informer*>()> informers);

}  // namespace troupe::actors::controllers

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::actors::controllers::informer_delta)
