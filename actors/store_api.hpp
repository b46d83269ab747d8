// The replicated store's client interface: what a server's raft_actor answers for its
// clients, and what store_client (the failover proxy that the CLI, agents, controllers and
// tests use) answers in its place. Include where actors are defined or spawned only: it
// pulls in CAF.
//
// Errors are caf::error in the "troupe" category (messages/errc.hpp):
// - not_leader: this server does not lead; the context holds the leader's Raft address
//   ("host:port"), empty when no leader is known. The outcome of a proposal that failed
//   with not_leader after it was accepted is unknown: retry it with the same session
//   sequence, and it applies once.
// - not_found (get), invalid (a malformed request), unavailable (no quorum, a full map,
//   or store_client gave up), gone (a watch from a compacted revision: list again).
//
// Watches. (watch_atom, prefix, after revision, subscriber, tag) registers a watch and
// replies with its id; the subscriber then receives, in revision order and without gaps,
// labelled with its own tag (events may arrive before the reply):
//   (watch_events_atom, tag, std::vector<WatchEvent>)  every event after the revision whose
//                                                       key starts with the prefix, each
//                                                       revision's events in one message;
//   (watch_end_atom, tag, caf::error)                   once, when the watch can go on no
//                                                       more (gone: list again; unavailable).
// A server answers watches from its own applied state, leader or not; store_client moves
// its watches to another server when one dies. (unwatch_atom, id) ends a watch quietly; a
// subscriber that terminates ends its own.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors {

// Reads are linearizable (ReadIndex) unless the caller asks for a serializable read, which
// any member answers from its own state and which may be stale.
enum class read_consistency : bool { linearizable = false, serializable = true };

using store_api = caf::typed_actor<
    // Applies a command through Raft and returns its result once it is applied on the
    // leader. The command's client_id and sequence make a retry apply once (raft_actor
    // takes them as given; store_client assigns its own). proposed_at_ms is overwritten
    // with the leader's clock.
    caf::replies_to<atoms::propose_atom, messages::StoreCommand>::with<messages::StoreResult>,
    // (key, serializable) -> the object; not_found when absent.
    caf::replies_to<atoms::store_get_atom, std::string, bool>::with<messages::StoredObject>,
    // (key prefix, limit (0: all), continue token, serializable)
    //   -> (keys, objects, revision, continue token)
    // keys[i] is the key of objects[i], in key order. A non-empty continue token means
    // that more may follow: pass it back. revision is the applied index the page was read
    // at: a watch from there misses nothing.
    caf::replies_to<atoms::store_list_atom, std::string, uint64_t, std::string, bool>::with<
        std::vector<std::string>, std::vector<messages::StoredObject>, uint64_t, std::string>,
    caf::replies_to<atoms::watch_atom, std::string, uint64_t, caf::actor, uint64_t>::with<uint64_t>,
    caf::reacts_to<atoms::unwatch_atom, uint64_t>>;

// The store_api handlers of an actor whose state has on_propose, on_get, on_list, on_watch
// and on_unwatch: the raft actor and store_client answer the same interface. Returns them
// as a tuple, for with_store_api below.
template <class Self>
auto store_api_handlers(Self* self) {
  return std::make_tuple(
      [self](atoms::propose_atom, messages::StoreCommand& command) {
        return self->state.on_propose(std::move(command));
      },
      [self](atoms::store_get_atom, std::string& key, bool serializable) {
        return self->state.on_get(std::move(key), serializable);
      },
      [self](atoms::store_list_atom, std::string& prefix, uint64_t limit, std::string& token,
             bool serializable) {
        return self->state.on_list(std::move(prefix), limit, std::move(token), serializable);
      },
      [self](atoms::watch_atom, std::string& prefix, uint64_t after, caf::actor& subscriber,
             uint64_t tag) {
        return self->state.on_watch(std::move(prefix), after, std::move(subscriber), tag);
      },
      [self](atoms::unwatch_atom, uint64_t id) { self->state.on_unwatch(id); });
}

// A behavior of `self`'s type: the store_api handlers followed by `others`.
template <class Self, class... Handlers>
auto with_store_api(Self* self, Handlers... others) {
  using behavior = typename std::remove_pointer_t<Self>::behavior_type;
  return std::apply(
      [](auto... all) { return behavior{std::move(all)...}; },
      std::tuple_cat(store_api_handlers(self), std::make_tuple(std::move(others)...)));
}

}  // namespace troupe::actors
