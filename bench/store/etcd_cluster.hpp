// A throwaway 3-member etcd cluster on 127.0.0.1 for the store benchmark: Debian's etcd binary,
// free ports, data under a fresh temporary directory, fsync on (etcd's default), default heartbeat
// and election timeouts. Destruction stops the members and deletes the data.
// Thread-safety: none; create, query and destroy it from one thread.
#pragma once

#include <sys/types.h>
#include <memory>
#include <string>
#include <vector>

namespace troupe::bench {

struct etcd_cluster_options {
  std::size_t members = 3;
  // The temporary data directory is created in here. It must be a real disk for fsync to count.
  std::string data_root = "/tmp";
  // Explicit binary; empty means `etcd` on PATH, then /usr/bin/etcd.
  std::string binary;
  // How long the members get to elect a leader and accept a Put.
  int start_timeout_ms = 30000;
};

class etcd_cluster {
 public:
  // Starts the members and waits until every one of them has accepted a Put. On failure returns
  // null and says why in `error` (missing binary, a member that exited, with its log's tail).
  static std::unique_ptr<etcd_cluster> start(const etcd_cluster_options& options,
                                             std::string& error);

  etcd_cluster(const etcd_cluster&) = delete;
  etcd_cluster& operator=(const etcd_cluster&) = delete;
  // Kills the members and removes the data directory.
  ~etcd_cluster();

  // Client endpoints as "127.0.0.1:port", one per member.
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // The endpoint of the member that leads now, asked through Maintenance.Status; empty if none
  // answers as leader.
  std::string leader_endpoint() const;
  // The server version that the members report, e.g. "3.4.23".
  const std::string& version() const { return version_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  etcd_cluster() = default;
  bool wait_healthy(int timeout_ms, std::string& error);
  void stop();

  std::string data_dir_;
  std::vector<std::string> endpoints_;
  std::vector<pid_t> pids_;
  std::vector<std::string> logs_;
  std::string version_;
};

}  // namespace troupe::bench
