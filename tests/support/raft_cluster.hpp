// A seeded, deterministic simulation of a Raft cluster in one process, after FoundationDB's
// simulator: N raft_core members driven as raft_actor drives one on a server, over a
// simulated network (delays, drops, duplicates, partitions) and simulated disks (page cache,
// fsync latency, crashes that lose unsynced writes), with clients whose histories are checked
// for linearizability. All time is virtual and all randomness comes from one seed, so a
// failing seed replays exactly. cluster_invariants::check_all runs after every step (a
// delivered message, a tick, an fsync completion, a client request).
//
// Test code only; single-threaded. Scenarios (tests/sim/) call the fault and membership
// functions between run_for() calls.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "store/raft/cluster_invariants.hpp"
#include "store/raft/raft_core.hpp"
#include "tests/support/kv_model.hpp"
#include "tests/support/sim_clients.hpp"
#include "tests/support/sim_network.hpp"

namespace troupe::test_support {

struct sim_options {
  uint64_t seed = 1;
  std::size_t members = 3;  // s1..sN, all in the first configuration

  // Raft.
  int64_t heartbeat_ms = 50;
  int64_t election_timeout_ms = 500;
  int64_t tick_ms = 10;  // how often each member's tick() runs
  std::size_t max_append_entries = 64;
  std::size_t snapshot_chunk_bytes = 1024;  // small, so transfers take several chunks
  bool pre_vote = true;
  bool check_quorum = true;

  // Disks: an fsync finishes this long after it starts, in order, one per ready batch.
  int64_t min_fsync_ms = 1;
  int64_t max_fsync_ms = 3;
  // A crash keeps a random prefix of the unsynced writes (the kernel flushed them on its
  // own) instead of losing them all.
  bool crash_keeps_random_prefix = true;

  // State machine.
  std::size_t snapshot_every = 64;  // applied entries between snapshots; 0: never
  std::size_t keep_trailing = 16;   // log entries kept behind a snapshot for slow followers
  bool sessions = true;             // false only to show that the checks catch duplicates

  network_faults network;
  client_options clients;

  // Steps one run may take; past it the run stops and settle() fails, so a message storm
  // (a livelock amplified by duplicates) fails its seed instead of hanging the suite.
  uint64_t max_steps = 1'000'000;
};

struct sim_stats {
  uint64_t steps = 0;
  uint64_t delivered = 0;  // Raft messages handed to a member
  uint64_t fsyncs = 0;
  uint64_t crashes = 0;
  uint64_t writes_lost = 0;  // unsynced disk writes that crashes destroyed
  uint64_t snapshots_taken = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_checksum_failures = 0;
  uint64_t corrupted = 0;           // messages that had a byte flipped in transit
  uint64_t duplicates_skipped = 0;  // retried commands that sessions kept from applying again
};

class raft_cluster : private sim_clients::transport {
 public:
  explicit raft_cluster(sim_options options);
  ~raft_cluster() override;
  raft_cluster(const raft_cluster&) = delete;
  raft_cluster& operator=(const raft_cluster&) = delete;

  // -- time -------------------------------------------------------------------------
  int64_t now() const { return now_; }
  std::mt19937_64& rng() { return rng_; }
  const sim_options& options() const { return options_; }
  // Runs every event due in the next `ms`, checking the invariants after each.
  void run_for(int64_t ms);
  // Runs until `done` holds (tested after every step) or `max_ms` pass; whether it held.
  bool run_until(const std::function<bool()>& done, int64_t max_ms);

  // -- members ----------------------------------------------------------------------
  std::vector<std::string> ids() const;   // every member not retired, live or down
  std::vector<std::string> live() const;  // those running
  bool is_live(const std::string& id) const;
  const store::raft::raft_core* core(const std::string& id) const;  // null while down
  // The live leader of the highest term, if any.
  std::optional<std::string> leader() const;
  // Power loss: the member stops and its unsynced writes are lost.
  void crash(const std::string& id);
  // Starts it again from what its disk made durable.
  void restart(const std::string& id);
  // Tells `observer`'s core, a few milliseconds from now, that its connection to `lost`
  // closed (raft_core::peer_unreachable). A crash tells every live member; a scenario may
  // tell members while `lost` is alive, as a broken link would.
  void report_link_closed(const std::string& observer, const std::string& lost);
  // Stops a removed member for good.
  void retire(const std::string& id);
  // Faults at the worst moments: right after a member sends a message that `trigger`
  // selects (a granted vote, an acknowledgement), it crashes, and restarts up to
  // `max_downtime_ms` later. An empty trigger turns this off.
  void crash_after_sending(std::function<bool(const store::raft::RaftMessage&)> trigger,
                           int64_t max_downtime_ms);
  std::size_t snapshots_installed(const std::string& id) const;
  // Disk writes of a live member not yet covered by an fsync: what a crash now would lose.
  std::size_t unsynced_writes(const std::string& id) const;

  // -- membership and leadership, through the current leader ------------------------
  // Starts a new member with an empty disk and proposes to add it; its id, or nullopt if
  // there is no leader or it refused (a change is still pending).
  std::optional<std::string> add_member();
  bool remove_member(const std::string& id);
  bool transfer_leadership(const std::string& target);
  // The members of the leader's configuration (empty without a leader).
  std::vector<std::string> configuration() const;
  // Whether the leader's latest configuration is committed and applied there, so that
  // another change may start.
  bool configuration_settled() const;

  // -- network ----------------------------------------------------------------------
  sim_network& network() { return network_; }
  // Cuts `id` off from every other member, both ways.
  void isolate(const std::string& id);

  // -- clients ----------------------------------------------------------------------
  void start_clients();
  void stop_clients() { clients_.stop(); }
  const sim_clients& clients() const { return clients_; }
  kv_history history() const { return clients_.history(); }

  // -- checks -----------------------------------------------------------------------
  // Ends the faults: heals the network, stops drops, restarts crashed members, stops the
  // clients, then runs until a leader has committed its log and every live member of its
  // configuration applied all of it, and the clients are done. Returns what is wrong, or
  // an empty string once those state machines are identical.
  std::string settle(int64_t max_ms);
  // The state machine's bytes: equal on members that applied the same entries.
  std::string state_of(const std::string& id) const;
  // Commands that took effect at two different log indices: exactly-once broken. Zero with
  // sessions.
  uint64_t double_applied() const { return double_applied_; }
  std::size_t leaders_seen() const { return invariants_.leaders_seen(); }
  const sim_stats& stats() const { return stats_; }
  // The step budget ran out: the run stopped early.
  bool exhausted() const { return stats_.steps >= options_.max_steps; }
  // A digest of every step so far: two runs of one seed must agree.
  uint64_t trace_hash() const { return trace_; }
  // One line per member (role, term, log, commit, applied), for failure messages.
  std::string describe() const;

 private:
  struct member;
  struct raft_delivery {
    store::raft::RaftMessage message;
  };
  struct tick_due {
    std::string member;
    uint64_t incarnation;
  };
  struct fsync_done {
    std::string member;
    uint64_t incarnation;
  };
  struct request_delivery {
    client_request request;
  };
  struct reply_delivery {
    client_reply reply;
  };
  struct client_timer {
    std::size_t client;
    uint64_t token;
  };
  // What a real driver learns when a TCP connection closes: `observer` lost `lost`.
  struct link_closed {
    std::string observer;
    std::string lost;
  };
  struct crash_due {
    std::string member;
    uint64_t incarnation;
    bool restart;  // false: crash it; true: bring it back
  };
  using sim_event = std::variant<raft_delivery, tick_due, fsync_done, request_delivery,
                                 reply_delivery, client_timer, crash_due, link_closed>;

  // sim_clients::transport
  void send_request(const client_request& request) override;
  void set_client_timer(std::size_t client, int64_t delay_ms, uint64_t token) override;

  void schedule(int64_t at_ms, sim_event event);
  bool step(int64_t until_ms);
  void dispatch(sim_event& event);
  void check();
  void mix_trace(uint64_t value);

  member& start_member(const std::string& id, store::raft::Configuration bootstrap);
  void boot(member& m);
  void send(const store::raft::RaftMessage& message);
  void reply(member& m, const client_request& request, client_reply::kind what,
             const kv_output& output = {});
  void on_request(member& m, const client_request& request);
  void drain(member& m);
  void handle_ready(member& m, store::raft::ready& r);
  void start_fsync(member& m, uint64_t write, std::optional<store::raft::proposal> last);
  void on_fsync_done(member& m);
  void apply(member& m, const store::raft::LogEntry& entry);
  void serve_reads(member& m);
  void receive_chunk(member& m, const store::raft::snapshot_chunk& chunk);
  void install_snapshot(member& m, const store::raft::SnapshotMeta& meta, const std::string& data);
  void take_snapshot(member& m);
  member* find(const std::string& id) const;
  int64_t uniform(int64_t lo, int64_t hi);

  sim_options options_;
  std::mt19937_64 rng_;
  int64_t now_ = 0;
  uint64_t next_event_ = 0;  // ties on time go by scheduling order
  std::map<std::pair<int64_t, uint64_t>, sim_event> queue_;
  std::map<std::string, std::unique_ptr<member>> members_;
  std::size_t next_member_ = 1;
  uint64_t next_read_ = 1;  // ReadIndex request ids, unique across members
  sim_network network_;
  sim_clients clients_;
  store::raft::cluster_invariants invariants_;
  sim_stats stats_;
  std::function<bool(const store::raft::RaftMessage&)> crash_trigger_;
  int64_t crash_downtime_ms_ = 0;
  uint64_t trace_ = 0xcbf29ce484222325ULL;
  // Where each (client, sequence) took effect, over all members and restarts.
  std::map<std::pair<std::string, uint64_t>, store::raft::index_t> effects_;
  uint64_t double_applied_ = 0;
};

}  // namespace troupe::test_support
