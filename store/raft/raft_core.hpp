// The Raft consensus core (Ongaro's thesis, after LogCabin's RaftConsensus): elections
// with PreVote and CheckQuorum, pipelined and batched replication, snapshots, single-
// server membership changes, leadership transfer and ReadIndex.
//
// A plain class with no I/O, threads, clock or randomness of its own: handlers take
// messages and the current time, and the driver drains what the core wants done with
// take_ready(). raft_actor drives it on a server; tests and the simulation drive it
// directly. Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "messages/errc.hpp"
#include "messages/proto/raft.pb.h"

namespace troupe::store::raft {

using index_t = uint64_t;
using term_t = uint64_t;
using messages::Configuration;
using messages::HardState;
using messages::LogEntry;
using messages::RaftMessage;
using messages::SnapshotMeta;

struct raft_options {
  std::string self;                        // this member's id
  int64_t heartbeat_ms = 100;              // etcd's default
  int64_t election_timeout_ms = 1000;      // randomized in [this, 2 * this)
  std::size_t max_append_entries = 512;    // entries in one AppendEntries
  std::size_t max_append_bytes = 1 << 20;  // bytes of entry data in one AppendEntries
  std::size_t max_inflight_appends = 16;   // pipelined AppendEntries per follower
  std::size_t snapshot_chunk_bytes = 1 << 20;
  bool pre_vote = true;
  bool check_quorum = true;
};

// What a member had on disk when it started (empty for a new member).
struct persisted_state {
  HardState hard_state;
  SnapshotMeta snapshot;  // last_index 0: no snapshot
  // Contiguous. They start right after the last compacted entry, which is at or
  // before snapshot.last_index (the log may keep a tail the snapshot also covers).
  std::vector<LogEntry> entries;
  // For a member with nothing on disk: the cluster it forms or joins. Ignored once
  // the log or a snapshot holds a configuration.
  Configuration bootstrap;
  index_t applied = 0;  // the state machine's applied index
};

// A read that ReadIndex confirmed: serve it once the state machine applied `index`.
struct read_state {
  uint64_t request_id;
  index_t index;
};

// A chunk of a snapshot arriving from the leader; the driver writes it at `offset`.
struct snapshot_chunk {
  SnapshotMeta meta;
  uint64_t offset;
  std::string data;
  bool done;
};

// Everything the core asks the driver to do, in this order:
//  1. persist hard_state (if set) and entries (truncating the stored log from
//     entries.front().index), with one fsync; then call on_persisted();
//  2. send send_after_persist;
//  3. (any time) send send_now, apply committed, serve reads, write snapshot chunks.
// send_now holds only messages that depend on nothing unpersisted: the leader's
// AppendEntries, so the leader's fsync overlaps replication (thesis §10.2.1).
struct ready {
  std::optional<HardState> hard_state;
  std::vector<LogEntry> entries;
  std::vector<RaftMessage> send_now;
  std::vector<RaftMessage> send_after_persist;
  std::vector<LogEntry> committed;  // in order; apply each exactly once
  std::vector<read_state> reads;
  std::vector<uint64_t> failed_reads;           // leadership was lost before they were confirmed
  std::vector<snapshot_chunk> snapshot_chunks;  // received from the leader, in order
  // Log entries up to here are covered by a snapshot and may be deleted from storage.
  std::optional<index_t> compacted_to;
  // A snapshot replaced a log that disagreed with it: delete every stored entry after
  // this index BEFORE writing `entries`, or a restart would load the stale ones.
  std::optional<index_t> discard_log_after;

  bool empty() const;
};

enum class role { follower, pre_candidate, candidate, leader };
std::string_view to_string(role r);

struct proposal {
  index_t index = 0;
  term_t term = 0;
};

// Reads snapshot data for InstallSnapshot: up to `max` bytes at `offset`.
using snapshot_reader =
    std::function<std::string(const SnapshotMeta&, uint64_t offset, std::size_t max)>;

class raft_core {
 public:
  raft_core(raft_options options, persisted_state state, int64_t now_ms, uint64_t seed);
  raft_core(const raft_core&) = delete;
  raft_core& operator=(const raft_core&) = delete;

  // -- inputs ---------------------------------------------------------------------

  // Advances time: election timeouts, heartbeats, CheckQuorum, transfer timeouts.
  void tick(int64_t now_ms);
  void receive(const RaftMessage& message, int64_t now_ms);

  // The driver saw its connection to member `id` close: the process died, or the link
  // broke. If `id` is this follower's leader, the lease it grants that leader ends now and
  // the member campaigns in its turn among the survivors (an eighth of the election timeout
  // per turn) instead of after a whole timeout: a dead leader is replaced in tens of
  // milliseconds. Safe against a leader that is alive: its PreVote needs a majority that
  // lost the leader too.
  void peer_unreachable(const std::string& id, int64_t now_ms);

  // Appends a command (leader only). not_leader otherwise, or while a leadership
  // transfer is under way; leader_hint() names who might lead.
  std::optional<proposal> propose(std::string data, messages::errc* error = nullptr);

  // Adds or removes one member (leader only, one change at a time). The new
  // configuration takes effect as soon as it is appended (thesis §4.1).
  std::optional<proposal> add_member(const messages::Member& member,
                                     messages::errc* error = nullptr);
  std::optional<proposal> remove_member(const std::string& id, messages::errc* error = nullptr);

  // Starts a linearizable read; its read_state (or failure) appears in a later ready.
  bool read_index(uint64_t request_id, messages::errc* error = nullptr);

  // Hands leadership to `target` (thesis §3.10).
  bool transfer_leadership(const std::string& target, messages::errc* error = nullptr);

  // The driver made entries up to `index` (of `term`) durable.
  void on_persisted(index_t index, term_t term);

  // The state machine took a snapshot covering everything up to meta.last_index; the
  // log before it may be dropped, keeping `keep_trailing` entries for slow followers.
  void on_snapshot_taken(const SnapshotMeta& meta, std::size_t keep_trailing = 1024);

  // The driver installed a snapshot received from the leader (or failed to: a bad
  // checksum), so the log restarts after it.
  void on_snapshot_installed(const SnapshotMeta& meta, bool ok);

  void set_snapshot_reader(snapshot_reader reader) { snapshot_reader_ = std::move(reader); }

  ready take_ready();

  // -- queries --------------------------------------------------------------------

  const std::string& id() const { return options_.self; }
  role current_role() const { return role_; }
  term_t term() const { return hard_state_.term(); }
  const std::string& leader_hint() const { return leader_id_; }
  index_t commit_index() const { return commit_index_; }
  index_t applied_index() const { return applied_index_; }
  index_t last_index() const;
  term_t last_term() const;
  // The first entry still in the log; earlier ones live only in the snapshot.
  index_t first_index() const { return log_offset_ + 1; }
  // The term of `index`, if it is in the log or is the snapshot's last entry.
  std::optional<term_t> term_at(index_t index) const;
  const LogEntry* entry_at(index_t index) const;
  const Configuration& configuration() const { return config_; }
  const SnapshotMeta& snapshot() const { return snapshot_; }
  index_t persisted_index() const { return persisted_index_; }

  // Aborts with a message if a per-member invariant is broken (tests call this after
  // every step; cheap enough to leave on).
  void check_invariants() const;

 private:
  struct peer {
    index_t next_index = 1;
    index_t match_index = 0;
    // Last index of each AppendEntries sent with entries and not yet acknowledged.
    std::deque<index_t> inflight;
    bool probing = true;        // after a rejection: one append at a time
    int64_t last_heard_ms = 0;  // for CheckQuorum
    uint64_t acked_read_context = 0;
    // InstallSnapshot in progress: the snapshot sent and how much was acknowledged.
    std::optional<SnapshotMeta> snapshot;
    uint64_t snapshot_offset = 0;
    int64_t snapshot_sent_ms = 0;
  };
  struct pending_read {
    uint64_t request_id;
    index_t index;
    uint64_t context;
  };

  // raft_core.cpp: roles, elections, terms
  void become_follower(term_t term, const std::string& leader, int64_t now_ms);
  void become_pre_candidate(int64_t now_ms);
  void become_candidate(int64_t now_ms, bool transfer);
  void become_leader(int64_t now_ms);
  void send_vote_requests(bool pre_vote, bool transfer);
  void on_request_vote(const RaftMessage& m, int64_t now_ms);
  void on_request_vote_reply(const RaftMessage& m, int64_t now_ms);
  void on_timeout_now(const RaftMessage& m, int64_t now_ms);
  void reset_election_timer(int64_t now_ms);
  void set_term(term_t term);  // clears the vote; marks hard state dirty
  bool is_voter(const std::string& id) const;
  std::size_t quorum() const;
  bool log_up_to_date(index_t last_index, term_t last_term) const;
  void send(RaftMessage m, bool after_persist);
  void fail_pending_reads();

  // raft_replication.cpp: the leader's side
  void replicate_to_all();
  void replicate_to(const std::string& id, peer& p, bool heartbeat);
  void send_snapshot_chunk(const std::string& id, peer& p);
  void on_append_entries_reply(const RaftMessage& m, int64_t now_ms);
  void on_install_snapshot_reply(const RaftMessage& m, int64_t now_ms);
  void advance_commit_index();
  void confirm_reads();
  std::optional<proposal> append_as_leader(messages::EntryType type, std::string data,
                                           messages::errc* error);
  void check_quorum(int64_t now_ms);
  void apply_configuration_from_log();
  void sync_peers_with_config();

  // raft_follower.cpp: the follower's side
  void on_append_entries(const RaftMessage& m, int64_t now_ms);
  void on_install_snapshot(const RaftMessage& m, int64_t now_ms);
  void truncate_from(index_t index);
  void set_commit_index(index_t index);

  raft_options options_;
  std::mt19937_64 rng_;

  // -- persistent state (thesis Fig. 3.1); persist before acting on a change ------
  // Invariant: term never decreases; voted_for is set at most once per term.
  HardState hard_state_;
  bool hard_state_dirty_ = false;
  // The latest snapshot (last_index 0: none), what InstallSnapshot sends.
  SnapshotMeta snapshot_;
  // The entry before log_.front(): compacted away. Invariant: log_offset_ <=
  // max(snapshot_.last_index(), 0) and log_offset_ <= commit_index_.
  index_t log_offset_ = 0;
  // Its term, when known (the snapshot's own last entry, or index 0).
  std::optional<term_t> log_offset_term_ = 0;
  // Invariant: log_[i].index() == first_index() + i; terms never decrease.
  std::deque<LogEntry> log_;
  // Entries from this index on have not been handed to the driver for persisting.
  index_t unsent_from_ = 1;
  // Entries up to here are durable on this member. Invariant: <= last_index().
  index_t persisted_index_ = 0;

  // -- volatile state --------------------------------------------------------------
  role role_ = role::follower;
  std::string leader_id_;
  // Invariant: commit_index_ never decreases, and applied_index_ <= commit_index_.
  index_t commit_index_ = 0;
  index_t applied_index_ = 0;  // handed to the driver in ready.committed
  // The latest configuration in the log (or the snapshot), in effect once appended.
  Configuration config_;
  index_t config_index_ = 0;  // where config_ came from; 0: snapshot or bootstrap

  int64_t election_deadline_ms_ = 0;
  int64_t heartbeat_due_ms_ = 0;
  int64_t last_leader_contact_ms_ = -1;  // for the leader lease that stops disruption
  int64_t now_ms_ = 0;
  std::map<std::string, bool> votes_;  // granted or not, this round

  // Leader only.
  std::map<std::string, peer> peers_;
  index_t noop_index_ = 0;  // this term's first entry: reads wait for it to commit
  uint64_t read_context_ = 0;
  std::deque<pending_read> pending_reads_;
  // The read_context_ of the heartbeat round sent for reads and not yet acknowledged by a
  // quorum, 0 when none. Reads that arrive meanwhile wait for it to finish and then share one
  // new round (or are confirmed sooner by AppendEntries, which carry read_context_ too): one
  // round per burst of reads, not one per read.
  uint64_t read_round_context_ = 0;
  std::string transfer_target_;
  int64_t transfer_deadline_ms_ = 0;
  int64_t quorum_check_due_ms_ = 0;

  // Follower: a snapshot being received.
  uint64_t incoming_snapshot_offset_ = 0;
  bool installing_snapshot_ = false;

  snapshot_reader snapshot_reader_;
  ready ready_;
};

// CRC-32C of an entry's term, index, type and data; stored in LogEntry.checksum.
uint32_t entry_checksum(const LogEntry& entry);

}  // namespace troupe::store::raft
