// A control-plane server's Raft member: raft_core driven by CAF. It owns the core's clock
// (a tick every few milliseconds), talks to the other members' raft actors through the
// middleman, hands the durable work of every ready batch to its detached I/O worker
// (raft_io_actor: LMDB writes and fsync, state-machine applies) and answers the store's
// clients (store_api) and administrators (status, membership, leadership transfer).
//
// Every handler is non-blocking. Reads run here: LMDB readers never wait for the writer.
// spawn_raft_actor blocks (it opens LMDB and publishes the actor): call it from main or a
// test thread, never from inside an actor.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/backoff.hpp"
#include "actors/raft_io_actor.hpp"
#include "actors/raft_storage.hpp"
#include "actors/store_api.hpp"
#include "actors/store_serving.hpp"
#include "messages/caf_types.hpp"
#include "store/raft/raft_core.hpp"

namespace troupe::actors {

// (id, role, term, leader id or "", commit index, applied index)
using raft_status = std::tuple<std::string, std::string, uint64_t, std::string, uint64_t, uint64_t>;

using raft_actor = store_api::extend<
    // A Raft RPC or reply from another member (one-way: replies travel the same way).
    caf::reacts_to<messages::RaftMessage>,
    caf::replies_to<atoms::raft_status_atom>::with<std::string, std::string, uint64_t, std::string,
                                                   uint64_t, uint64_t>,
    // Adds or removes one member (leader only); replies with the index of the configuration
    // entry once it is applied here.
    caf::replies_to<atoms::add_member_atom, messages::Member>::with<uint64_t>,
    caf::replies_to<atoms::remove_member_atom, std::string>::with<uint64_t>,
    // Hands leadership to the member with this id (leader only); replies with the term in
    // which the transfer started. Watch status to see it complete.
    caf::replies_to<atoms::transfer_atom, std::string>::with<uint64_t>>;

// What the actor sends itself: timers and retries. Not part of the published interface.
using raft_actor_impl =
    raft_actor::extend<caf::reacts_to<atoms::tick_atom>,
                       caf::reacts_to<atoms::reconnect_atom, std::string>,
                       caf::reacts_to<atoms::retry_atom>, caf::reacts_to<atoms::flush_atom>>;

struct raft_server_options {
  std::string id;      // this member's stable id, e.g. "s1"
  std::string listen;  // host:port where it listens and where the others reach it
  // The members of a new cluster (this one may be listed or not). Ignored once the data
  // directory holds a configuration.
  std::vector<messages::Member> bootstrap;
  // A member about to be added to a running cluster (add_member): it bootstraps nothing and
  // waits for the leader to reach it. Ignored, like `bootstrap`, once the data directory
  // holds a configuration.
  bool join = false;
  std::string data_dir;
  storage_options storage;
  int64_t heartbeat_ms = 100;
  int64_t election_timeout_ms = 1000;
  std::chrono::milliseconds tick_interval{10};
  // A batch that the I/O worker has not finished by then means a stalled disk: stop.
  std::chrono::milliseconds io_timeout{60000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_initial{50};
  std::chrono::milliseconds reconnect_max{2000};
  // How often applies that a full map held back are retried.
  std::chrono::milliseconds apply_retry{1000};
  // A snapshot of the state machine every this many applied entries; the log before it is
  // dropped but for `keep_trailing` entries, which a briefly slow follower may still need.
  uint64_t snapshot_every = 10000;
  // ...or sooner, once the entries committed since the last one hold this many bytes: every
  // entry since the last snapshot is also kept in memory, and entries that batch thousands of
  // bindings or events are megabytes each, so a count alone let the log grow to hundreds of
  // MiB on every member.
  uint64_t snapshot_bytes = uint64_t{32} << 20;
  std::size_t keep_trailing = 1024;
  uint64_t seed = 0;  // elections' randomness and backoff jitter
  // The leader's clock for StoreCommand.proposed_at_ms, in Unix milliseconds.
  std::function<int64_t()> unix_ms;
  // One line per event worth an operator's attention; stderr when unset.
  std::function<void(const std::string&)> log;
};

struct raft_state {
  static inline const char* name = "raft";

  using list_promise =
      caf::typed_response_promise<std::vector<std::string>, std::vector<messages::StoredObject>,
                                  uint64_t, std::string>;

  // A proposal of this leader, waiting for its entry to apply.
  struct waiter {
    store::raft::term_t term = 0;
    std::function<void(const applied_entry&)> done;
    std::function<void(caf::error)> fail;
  };
  // A linearizable read, waiting for ReadIndex and then for the applies to reach it.
  struct read_waiter {
    std::function<void()> serve;
    std::function<void(caf::error)> fail;
  };
  // The link to another member's raft actor.
  struct peer_link {
    std::string address;
    raft_actor handle;  // null while not connected
    bool connecting = false;
    bool retry_scheduled = false;
    uint64_t generation = 0;  // bumped when the address changes: stale replies are ignored
    actors::backoff retry{std::chrono::milliseconds{50}, std::chrono::milliseconds{2000}, 0};
  };

  raft_actor_impl::stateful_pointer<raft_state> self = nullptr;
  raft_server_options options;
  std::shared_ptr<raft_storage> storage;
  std::unique_ptr<store::raft::raft_core> core;
  raft_io_actor io;

  std::map<std::string, peer_link> peers;  // by member id; every member but this one
  // Who sent us Raft messages without being in our configuration yet (a leader reaching a
  // joining member): replies go back the way the messages came.
  std::map<std::string, raft_actor> reply_paths;
  std::string peers_config;  // the configuration `peers` reflects, serialized

  // A batch with the I/O worker.
  struct inflight_batch {
    // What may go out only once the batch is durable (send_after_persist, in order).
    std::vector<messages::RaftMessage> after_persist;
    bool take_snapshot = false;
    std::chrono::steady_clock::time_point sent;  // for a snapshot's log line
  };
  std::deque<inflight_batch> io_inflight;  // oldest first: the worker answers in order
  // Group commit: while a batch is with the I/O worker, what the core asks for meanwhile
  // waits here, merged into as few batches as merge_io_batches allows, oldest first.
  struct queued_batch {
    io_batch batch;
    std::vector<messages::RaftMessage> after_persist;
  };
  std::deque<queued_batch> io_queue;
  // A flush_atom is in the mailbox: the core is drained once the messages before it have
  // been handled, so that a burst of proposals or acknowledgements makes one ready.
  bool drain_scheduled = false;
  bool apply_retry_scheduled = false;
  // The latest snapshot's index, and whether the I/O worker is taking a newer one.
  store::raft::index_t snapshot_index = 0;
  bool snapshot_pending = false;
  store::raft::index_t next_snapshot_at = 0;  // the applied index that calls for the next one
  uint64_t bytes_since_snapshot = 0;          // of the entries committed since the last one
  // Invariant: the applied index as the I/O worker last reported it; never decreases.
  store::raft::index_t applied = 0;

  std::map<store::raft::index_t, waiter> waiters;  // by the proposal's log index
  uint64_t next_read_id = 1;
  std::map<uint64_t, read_waiter> reads_started;                     // by request id
  std::multimap<store::raft::index_t, read_waiter> reads_confirmed;  // by read index

  // Watches served from this member's applied state (store_api.hpp). Its ids start at
  // random (store_watches' constructor says why).
  std::unique_ptr<store_watches> watches;

  store::raft::role last_role = store::raft::role::follower;
  std::string last_leader;

  void init(raft_actor_impl::stateful_pointer<raft_state> self, raft_server_options options,
            std::shared_ptr<raft_storage> storage, store::raft::persisted_state persisted);

  // -- handlers --------------------------------------------------------------------------
  caf::typed_response_promise<messages::StoreResult> on_propose(messages::StoreCommand command);
  caf::typed_response_promise<messages::StoredObject> on_get(std::string key, bool serializable);
  list_promise on_list(std::string prefix, uint64_t limit, std::string token, bool serializable);
  caf::result<uint64_t> on_watch(std::string prefix, uint64_t after, caf::actor subscriber,
                                 uint64_t tag);
  void on_unwatch(uint64_t id);
  void on_raft_message(const messages::RaftMessage& message);
  raft_status on_status() const;
  caf::typed_response_promise<uint64_t> on_add_member(const messages::Member& member);
  caf::typed_response_promise<uint64_t> on_remove_member(const std::string& id);
  caf::typed_response_promise<uint64_t> on_transfer(const std::string& target);
  void on_tick();
  void on_reconnect(const std::string& id);
  void on_retry_applies();
  void on_down(const caf::down_msg& down);

  // -- driving the core ------------------------------------------------------------------
  void drain();
  // Drains once the mailbox's current messages are handled (see drain_scheduled).
  void schedule_drain();
  void handle_ready(store::raft::ready& r);
  // Hands a batch to the I/O worker; `after` goes out once it (and all before it) is durable.
  void send_io(io_batch batch, std::vector<messages::RaftMessage> after);
  void dispatch_io(io_batch batch, std::vector<messages::RaftMessage> after);
  void on_io_done(io_done& done);
  // A batch started a snapshot (sent at `since`): asks the worker for it, and hands it to the
  // core once its file is written.
  void await_snapshot(std::chrono::steady_clock::time_point since);
  // A snapshot did not start or failed: the next one comes after a quarter of snapshot_every.
  void snapshot_later();
  void on_applied(io_done& done);
  void serve_reads();
  void start_read(read_waiter waiter);
  // Waits for the proposal's entry to apply; fails it at once when `p` is empty.
  void await_proposal(std::optional<store::raft::proposal> p, messages::errc error, waiter w);
  // Logs role and leader changes, fails a deposed leader's proposals, follows membership.
  void notice_changes();
  // The server cannot go on (a failed fsync, corrupt data): log, fail everything, stop.
  void fatal(const std::string& what);

  // -- peers -----------------------------------------------------------------------------
  void send(const messages::RaftMessage& message);
  void reconcile_peers();
  void connect(const std::string& id);
  void schedule_reconnect(const std::string& id, peer_link& link);

  // -- helpers ---------------------------------------------------------------------------
  int64_t now_ms() const;
  std::string address_of(const std::string& member_id) const;
  caf::error not_leader() const;
  void log(const std::string& line) const;
};

struct started_raft_actor {
  raft_actor actor;
  uint16_t port = 0;  // where it listens (the bound port when `listen` asked for port 0)
};

// Opens (creating) the storage in options.data_dir, recovers what it holds, spawns the raft
// actor with its I/O worker and publishes it at options.listen. Blocking (see above).
caf::expected<started_raft_actor> spawn_raft_actor(caf::actor_system& system,
                                                   raft_server_options options);

// "host:port" -> (host, port); errc::invalid names what is wrong.
caf::expected<std::pair<std::string, uint16_t>> split_host_port(const std::string& address);

}  // namespace troupe::actors
