// A simulated member's disk for the Raft simulation (tests/sim/): writes land in a page
// cache and become durable only when an fsync covers them; a crash loses what was not
// synced (as LevelDB's fault-injecting Env does). Test code only; one per member, and it
// outlives the member's crashes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "store/raft/raft_core.hpp"

namespace troupe::test_support {

struct sim_snapshot {
  store::raft::SnapshotMeta meta;  // last_index 0: none
  std::string data;
};

// One batch the driver writes for one ready (or one snapshot), applied in this order.
struct disk_write {
  std::optional<store::raft::SnapshotMeta> snapshot;  // its data is in `snapshot_data`
  std::string snapshot_data;
  // A snapshot received from the leader: the stored log survives only if it holds the
  // snapshot's last entry, as raft_core::on_snapshot_installed keeps its log.
  bool installed = false;
  std::optional<store::raft::HardState> hard_state;
  std::vector<store::raft::LogEntry> entries;  // the log is truncated from the first one
  std::optional<store::raft::index_t> compacted_to;
};

class sim_disk {
 public:
  // `bootstrap`: the configuration a member with an empty disk starts from.
  explicit sim_disk(store::raft::Configuration bootstrap) : bootstrap_(std::move(bootstrap)) {}

  // Into the page cache; returns the write's number for sync().
  uint64_t write(disk_write w);
  // An fsync finished: writes up to `through` are durable.
  void sync(uint64_t through);
  // Power loss. Unsynced writes are lost, except that with `keep_random_prefix` the
  // kernel may have flushed some of the oldest ones on its own (in order). Returns how
  // many writes were lost.
  std::size_t crash(std::mt19937_64& rng, bool keep_random_prefix);

  // What a restarting member reads: durable state only.
  store::raft::persisted_state recover() const;
  const sim_snapshot& durable_snapshot() const { return snapshot_; }
  std::size_t unsynced_writes() const { return page_cache_.size(); }

 private:
  void apply(const disk_write& w);

  store::raft::Configuration bootstrap_;
  // Durable state.
  store::raft::HardState hard_state_;
  sim_snapshot snapshot_;
  std::map<store::raft::index_t, store::raft::LogEntry> log_;
  // Written but not yet synced, oldest first, with their numbers.
  std::deque<std::pair<uint64_t, disk_write>> page_cache_;
  uint64_t next_write_ = 1;
};

}  // namespace troupe::test_support
