// Internal to the Raft simulation: one simulated member, shared by raft_cluster.cpp (event
// loop, crashes, membership) and raft_cluster_driver.cpp (what it does with ready batches).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/raft_cluster.hpp"
#include "tests/support/sim_disk.hpp"
#include "tests/support/sim_kv.hpp"

namespace troupe::test_support {

struct raft_cluster::member {
  member(std::string name, store::raft::Configuration bootstrap, bool sessions)
      : id(std::move(name)), disk(bootstrap), bootstrap(std::move(bootstrap)), kv(sessions) {}

  // An fsync under way and what waits for it.
  struct pending_fsync {
    uint64_t write = 0;                               // durable through this write when done
    std::optional<store::raft::proposal> persisted;   // the batch's last entry, if any
    std::vector<store::raft::RaftMessage> then_send;  // send_after_persist
  };
  struct pending_write {
    store::raft::term_t term = 0;
    client_request request;
  };

  std::string id;
  sim_disk disk;  // survives crashes
  store::raft::Configuration bootstrap;
  bool retired = false;
  uint64_t incarnation = 0;  // events of an earlier incarnation are void
  std::size_t snapshots_installed = 0;

  // -- volatile: lost in a crash ------------------------------------------------------
  std::unique_ptr<store::raft::raft_core> core;  // null while down
  sim_kv kv;
  store::raft::Configuration applied_config;  // the configuration as of kv.applied_index()
  store::raft::index_t last_snapshot = 0;
  // Snapshot data by last index, for InstallSnapshot. All are kept: a transfer in progress
  // reads the snapshot it started with even after newer ones were taken.
  std::map<store::raft::index_t, std::string> snapshots;
  std::deque<pending_fsync> fsyncs;  // in order of completion
  int64_t last_fsync_ms = 0;
  std::map<store::raft::index_t, pending_write> proposals;              // by log index
  std::map<uint64_t, client_request> reads_started;                     // by ReadIndex request id
  std::multimap<store::raft::index_t, client_request> reads_confirmed;  // by read index
  std::optional<sim_snapshot> incoming;  // InstallSnapshot data received so far
  bool incoming_mixed = false;           // chunks of different snapshots were mixed
};

}  // namespace troupe::test_support
