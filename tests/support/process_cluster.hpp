// A cluster of real `troupe server` processes on 127.0.0.1 for end-to-end tests and
// benchmarks: free ports, data under a fresh directory, default timing unless told
// otherwise. It kills and restarts members and asks their raft actors for status through
// the caller's actor system. Destruction kills the servers and removes the data.
// Thread-safety: none; use it from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/raft_actor.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace troupe::test_support {

struct process_cluster_options {
  std::string binary;  // the troupe executable
  int members = 3;
  // The data directory is created in here; empty: the system temp dir. It must be a real
  // disk for fsync to mean anything.
  std::string data_root;
  // Appended to every member's `troupe server` arguments, e.g. {"--store-map-size", "1Gi"}.
  std::vector<std::string> extra_args;
};

class process_cluster {
 public:
  using duration = std::chrono::steady_clock::duration;

  // Starts every member; throws std::runtime_error when a process cannot start.
  process_cluster(caf::actor_system& system, process_cluster_options options);
  ~process_cluster();
  process_cluster(const process_cluster&) = delete;
  process_cluster& operator=(const process_cluster&) = delete;

  int size() const { return static_cast<int>(ids_.size()); }
  std::string address(int i) const;
  std::string api_address(int i) const;  // member i's API gateway, for troupectl
  std::vector<std::string> addresses() const;
  const std::string& id(int i) const { return ids_[i]; }
  server_process& process(int i) { return *servers_[i]; }
  const std::filesystem::path& data_dir() const { return dir_->path(); }

  void kill9(int i);
  void restart(int i);

  // The member's status, or nothing when it does not answer within a second.
  std::optional<actors::raft_status> status(int i);
  // The member that leads with every running member naming it, once they agree.
  std::optional<int> await_leader(duration within);
  // Member i answers, follows a leader and has applied everything the leader had committed
  // when it came back.
  bool await_rejoined(int i, duration within);
  // Every running member has applied what the leader had committed when this was called.
  bool await_all_applied(duration within);

  // The tail of every member's log, for failure messages.
  std::string logs() const;

 private:
  caf::actor_system& system_;
  std::unique_ptr<temp_dir> dir_;
  std::vector<std::string> ids_;
  std::vector<uint16_t> ports_;
  std::vector<uint16_t> api_ports_;
  std::vector<std::unique_ptr<server_process>> servers_;
  std::vector<actors::raft_actor> handles_;
};

}  // namespace troupe::test_support
