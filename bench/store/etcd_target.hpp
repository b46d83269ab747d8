// The etcd put_target: KV.Put over gRPC's async API, pipelined. Many Puts are in flight at once on
// a few HTTP/2 connections, and one completion-queue thread finishes them and runs `done`.
// Thread-safety: start_put may be called from any thread, until destruction begins. Destruction
// waits for the writes in flight (each has a deadline); their `done` must not start new ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/store/load.hpp"

namespace troupe::bench {

class etcd_target final : public put_target {
 public:
  // Spreads Puts round-robin over `connections_per_endpoint` connections to each endpoint
  // ("127.0.0.1:2379"). Each Put gets `timeout_ms` before it counts as failed.
  etcd_target(const std::vector<std::string>& endpoints, std::size_t connections_per_endpoint,
              int timeout_ms = 10000);
  ~etcd_target() override;

  void start_put(std::string key, std::string value, std::function<void(bool ok)> done) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace troupe::bench
