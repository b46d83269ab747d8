// A throwaway 3-server Troupe cluster on 127.0.0.1 for the store benchmark: `troupe server`
// processes (test_support::process_cluster) with default timing, fsync on (Troupe always
// syncs its log), and an actor system of its own to talk to them. Destruction kills the
// servers and deletes the data.
// Thread-safety: none; create, query and destroy it from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/system_config.hpp"
#include "tests/support/process_cluster.hpp"

namespace troupe::bench {

struct troupe_cluster_options {
  int members = 3;
  // The temporary data directory is created in here. It must be a real disk for fsync to count.
  std::string data_root = "/tmp";
  // Explicit binary; empty means the one built with this benchmark (TROUPE_SERVER_BINARY).
  std::string binary;
  // How long the servers get to elect a leader and accept a write.
  int start_timeout_ms = 30000;
};

class troupe_cluster {
 public:
  // Starts the servers and waits until a write through a store_client succeeds. On failure
  // returns null and says why in `error` (missing binary, a server that exited, log tails).
  static std::unique_ptr<troupe_cluster> start(const troupe_cluster_options& options,
                                               std::string& error);

  troupe_cluster(const troupe_cluster&) = delete;
  troupe_cluster& operator=(const troupe_cluster&) = delete;
  ~troupe_cluster();

  // The servers' Raft addresses, "127.0.0.1:port", one per server.
  std::vector<std::string> addresses() const { return processes_->addresses(); }
  std::string data_dir() const { return processes_->data_dir().string(); }
  const std::string& binary() const { return binary_; }
  caf::actor_system& system() { return system_; }
  test_support::process_cluster& processes() { return *processes_; }

 private:
  troupe_cluster() = default;
  bool wait_writable(int timeout_ms, std::string& error);

  std::string binary_;
  actors::system_config cfg_;
  caf::actor_system system_{cfg_};
  std::unique_ptr<test_support::process_cluster> processes_;
};

}  // namespace troupe::bench
