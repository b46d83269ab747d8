// The Troupe side of the store benchmark: a put_target that writes through an in-process CAF
// actor system and a store_client (the failover proxy the CLI and agents use). Each put is a
// StoreCommand create of the key; the value is wrapped as a well-formed API object of exactly
// the requested size (the store only accepts serialized API objects).
// Thread-safety: start_put may be called from any thread, including from `done` callbacks; the
// callbacks run on the helper actor's thread, never inside start_put.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/store/load.hpp"

namespace troupe::bench {

class troupe_target : public put_target {
 public:
  explicit troupe_target(std::vector<std::string> servers);
  // Stops the helper and the client and shuts the actor system down; callbacks of writes still
  // in flight are dropped, so drain the load first.
  ~troupe_target() override;

  void start_put(std::string key, std::string value, std::function<void(bool ok)> done) override;

  // The wrapped value that is stored for a `value_bytes`-byte payload: a protobuf message with
  // one unknown length-delimited field, no metadata, exactly `value_bytes` long (>= 3).
  static std::string wrap_value(const std::string& payload, std::size_t value_bytes);

  struct request {
    std::string key;
    std::string value;
    std::function<void(bool)> done;
  };

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace troupe::bench
