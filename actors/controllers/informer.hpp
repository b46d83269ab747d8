// A controller's cache of one resource, kept by list+watch through the API gateway, as
// client-go's informers keep theirs. It lives inside one actor and is used from its handlers
// only (not thread-safe): the actor forwards its (watch_events_atom, tag, events) and
// (watch_end_atom, tag, error) messages to `on_events` / `on_end`.
//
// Invariants: after `synced()`, the cache equals the store at some revision R plus every event
// after R that the actor has handled, in order; a watch that ends (its server died, or its
// revision was compacted away) is replaced by a new list, whose differences to the cache are
// reported as changes, so no change is ever missed, only coalesced.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
struct kind_info;
}  // namespace troupe::messages

namespace troupe::actors::controllers {

using object_ptr = std::shared_ptr<const google::protobuf::Message>;

// "namespace/name", or "name" for a cluster-scoped object: the cache's key, ordered so that a
// namespace's objects are one range.
std::string cache_key(const google::protobuf::Message& object);

class informer {
 public:
  // A change seen: `before` null for an addition, `after` null for a deletion.
  using change_handler = std::function<void(const object_ptr& before, const object_ptr& after)>;

  // `tag` tells this informer's watch messages apart from the actor's other informers'.
  // `field_selector` narrows the cache, e.g. "spec.nodeName=n1" for an agent's pods.
  informer(caf::event_based_actor* self, gateway_actor gateway, const messages::kind_info& kind,
           uint64_t tag, change_handler on_change, std::string field_selector = {});
  informer(const informer&) = delete;
  informer& operator=(const informer&) = delete;
  ~informer();

  // Lists and then watches. Calls on_synced once, after the first list is in the cache.
  void start(std::function<void()> on_synced = {});

  // The actor's watch messages: false when `tag` is not this informer's.
  bool on_events(uint64_t tag, std::vector<messages::WatchEvent>& events);
  bool on_end(uint64_t tag, const caf::error& why);

  bool synced() const { return synced_; }
  const std::map<std::string, object_ptr>& objects() const { return objects_; }
  // The object under `key`, or null.
  object_ptr find(const std::string& key) const;
  // The objects of one namespace.
  std::vector<object_ptr> in_namespace(const std::string& ns) const;

  template <class T>
  const T* get(const std::string& key) const {
    return static_cast<const T*>(find(key).get());
  }

 private:
  void list();
  void watch_from(const std::string& revision);
  void apply(const std::string& key, object_ptr after);

  caf::event_based_actor* self_;
  gateway_actor gateway_;
  const messages::kind_info& kind_;
  uint64_t tag_;
  change_handler on_change_;
  std::string field_selector_;
  std::function<void()> on_synced_;
  std::map<std::string, object_ptr> objects_;
  bool synced_ = false;
  uint64_t watch_id_ = 0;  // the gateway's id of the current watch, 0 when none
  // Bumped by every list: replies to an older list or watch are ignored.
  uint64_t generation_ = 0;
};

}  // namespace troupe::actors::controllers
