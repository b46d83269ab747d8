// Serving store_api's reads (store_api.hpp) from a member's own applied state: list pages and
// watches. A server's raft_actor serves them so, and so does the simulations' in-process
// store (tests/support/sim_store.hpp). Not thread-safe: one actor owns a store_watches and
// calls it from its handlers; object_store's readers may run on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/proto/store.pb.h"
#include "store/object_store.hpp"
#include "store/status.hpp"

namespace troupe::actors {

// A store status as the caf::error that store_api replies with.
caf::error to_error(const store::status& s);

// One page of store_list_atom's reply: (keys, objects, revision, continue token).
struct list_reply {
  std::vector<std::string> keys;  // keys[i] is the key of objects[i], in key order
  std::vector<messages::StoredObject> objects;
  uint64_t revision = 0;
  std::string continue_token;
};

caf::expected<list_reply> read_list_page(const store::object_store& objects,
                                         const std::string& prefix, uint64_t limit,
                                         const std::string& continue_token);

// The watches of one member, each fed from the member's applied state.
class store_watches {
 public:
  // Ids start at `first_id`: a random start keeps them unique across members, so a client
  // that moved a watch from one member to another never mixes them up.
  explicit store_watches(uint64_t first_id) : next_id_(first_id) {}
  store_watches(const store_watches&) = delete;
  store_watches& operator=(const store_watches&) = delete;

  // Registers a watch of the keys under `prefix` after revision `after` and sends the
  // subscriber what it missed since, before the caller replies with the id (store_api.hpp:
  // events may arrive before the reply). gone when `after` is compacted away. The caller
  // monitors the subscriber and calls remove_subscriber when it goes.
  caf::expected<uint64_t> add(const store::object_store& objects, std::string prefix,
                              uint64_t after, caf::actor subscriber, uint64_t tag);
  // Ends a watch quietly (unwatch).
  void remove(uint64_t id) { watches_.erase(id); }
  // Forgets the watches of a subscriber that terminated.
  void remove_subscriber(const caf::actor_addr& subscriber);
  // Sends every watch the events applied since it last heard; ends those that cannot go on.
  void pump_all(const store::object_store& objects);
  // Tells the subscriber that watch `id` ended with `why`, and forgets it.
  void end(uint64_t id, const caf::error& why);
  void end_all(const caf::error& why);

  std::vector<uint64_t> ids() const;

 private:
  struct watch {
    uint64_t tag = 0;  // the subscriber's label for it
    std::string prefix;
    caf::actor subscriber;
    uint64_t revision = 0;  // every event up to here has been sent
  };
  // Sends the watch what it has not seen; the error that ends it, if one does.
  std::optional<caf::error> pump(const store::object_store& objects, watch& w);

  std::map<uint64_t, watch> watches_;  // by id
  uint64_t next_id_;
};

}  // namespace troupe::actors
