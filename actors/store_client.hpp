// The client-side proxy of the replicated store, for the CLI, node agents, controllers and
// tests. It answers store_api like a server's raft actor, and behind it finds the leader
// among the configured servers, follows not_leader hints, fails over when a server dies
// and retries until a bounded deadline, after which it fails with errc::unavailable.
//
// Exactly once: the proxy owns one client session (client_id, sequence) and numbers every
// proposal itself; a retry resends the same sequence, so the store applies it once and
// answers a retry with the first result. Callers' client_id and sequence are overwritten.
//
// Spawn it in any actor system that has the middleman loaded; it never blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/backoff.hpp"
#include "actors/raft_actor.hpp"
#include "actors/store_api.hpp"

namespace troupe::actors {

using store_client_actor = store_api;

// What the proxy sends itself (an operation's next attempt) and what servers send it for the
// watches it keeps on its subscribers' behalf.
using store_client_impl = store_api::extend<
    caf::reacts_to<atoms::retry_atom, uint64_t>,
    caf::reacts_to<atoms::watch_events_atom, uint64_t, std::vector<messages::WatchEvent>>,
    caf::reacts_to<atoms::watch_end_atom, uint64_t, caf::error>>;

struct store_client_options {
  std::vector<std::string> servers;  // host:port of the servers' raft actors
  // Unique per client; a random one when empty. A session lives in the store until it has
  // been idle for the session TTL (an hour by default).
  std::string client_id;
  // One attempt at one server; then the next attempt goes elsewhere.
  std::chrono::milliseconds attempt_timeout{3000};
  // A call that has not succeeded by then fails with errc::unavailable.
  std::chrono::milliseconds give_up_after{15000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds retry_initial{20};
  std::chrono::milliseconds retry_max{500};
  uint64_t seed = 0;  // backoff jitter
};

struct store_client_state {
  static inline const char* name = "store_client";

  // A server as the proxy sees it.
  struct server_link {
    std::string address;
    raft_actor handle;  // null while not connected
    bool connecting = false;
    std::vector<uint64_t> waiting;  // operations waiting for the connection
  };

  // One call, tried until it succeeds, fails for good, or its deadline passes.
  struct operation {
    // Sends one attempt to the server; its handlers end in finish() or on_error().
    std::function<void(const raft_actor&, uint64_t op, std::size_t server)> send;
    std::function<void(caf::error)> fail;
    caf::actor_clock::time_point deadline;
    actors::backoff retry{std::chrono::milliseconds{20}, std::chrono::milliseconds{500}, 0};
    // Proposals only: the command, numbered when it is first sent.
    std::shared_ptr<messages::StoreCommand> command;
    bool redirected = false;  // the last attempt followed a not_leader hint at once
    caf::error last_error;
    // The attempt in flight: its number (replies to older attempts are stale) and the
    // server it went to, so that a server's death fails it over at once.
    uint64_t attempt = 0;
    std::optional<std::size_t> in_flight_at;
  };

  store_client_impl::stateful_pointer<store_client_state> self = nullptr;
  store_client_options options;
  std::vector<server_link> servers;
  std::size_t target = 0;  // the server believed to lead. Invariant: < servers.size()

  std::map<uint64_t, operation> operations;
  uint64_t next_operation = 1;

  // A watch kept alive across servers: registered at one server at a time (its id here is
  // the tag that server labels events with) and moved to another, from the last revision
  // passed on, when that one dies or gives up. Events a server sends twice (an old
  // registration that outlived its timeout) are dropped by revision.
  struct client_watch {
    std::string prefix;
    caf::actor subscriber;
    uint64_t subscriber_tag = 0;
    uint64_t revision = 0;              // the subscriber has every event up to here
    std::optional<std::size_t> server;  // where it is registered, once it is
    uint64_t server_watch = 0;          // its id there, for unwatch
  };
  std::map<uint64_t, client_watch> watches;  // by id
  uint64_t next_watch = 1;

  // The session. Until its first command has a result, the store does not know the
  // session, so later proposals wait (a sequence above 1 from an unknown client is
  // refused) in `held`.
  std::string client_id;
  uint64_t session_generation = 0;
  uint64_t next_sequence = 1;
  bool session_open = false;
  std::set<uint64_t> outstanding;  // sequences sent and not answered: acked_below
  std::deque<uint64_t> held;       // operations waiting for the session to open

  void init(store_client_impl::stateful_pointer<store_client_state> self,
            store_client_options options);

  caf::typed_response_promise<messages::StoreResult> on_propose(messages::StoreCommand command);
  caf::typed_response_promise<messages::StoredObject> on_get(std::string key, bool serializable);
  raft_state::list_promise on_list(std::string prefix, uint64_t limit, std::string token,
                                   bool serializable);
  caf::typed_response_promise<uint64_t> on_watch(std::string prefix, uint64_t after,
                                                 caf::actor subscriber, uint64_t tag);
  void on_unwatch(uint64_t id);
  void on_watch_events(uint64_t id, std::vector<messages::WatchEvent>& events);
  void on_watch_end(uint64_t id, caf::error error);
  // Registers watch `id` at the target server, retrying like any call; `rp` learns the id
  // once it is registered, or the error if that never happens (then the watch is gone).
  void register_watch(uint64_t id, std::optional<caf::typed_response_promise<uint64_t>> rp);
  // Tells the subscriber that watch `id` ended and forgets it.
  void end_watch(uint64_t id, caf::error why);
  void on_retry(uint64_t op);
  void on_down(const caf::down_msg& down);

  uint64_t add(operation op);
  // Sends the next attempt to the target server, or gives up after the deadline.
  void run(uint64_t op);
  // The operation succeeded (its promise is delivered): forget it.
  void finish(uint64_t op);
  // The operation failed for good: deliver `error` and forget it.
  void fail(uint64_t op, caf::error error);
  void on_error(uint64_t op, std::size_t server, caf::error error);
  // An attempt's error handler: ignores a reply to an attempt that was superseded.
  void on_attempt_error(uint64_t op, uint64_t attempt, std::size_t server, caf::error error);
  void retry_later(uint64_t op);
  void connect(std::size_t server);
  // Numbers and sends held proposals while the session allows it.
  void pump();
  // The session's first command ended without a result: start a new session.
  void restart_session();
  std::size_t server_index(const std::string& address);
  std::string describe_servers() const;
};

store_client_actor spawn_store_client(caf::actor_system& system, store_client_options options);

}  // namespace troupe::actors
