// The benchmark's client: an actor system of its own and a gateway proxy over the servers' APIs,
// with blocking calls that many threads may make at once (each uses its own scoped actor).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "actors/system_config.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::bench {

class api_driver {
 public:
  explicit api_driver(std::vector<std::string> servers);
  ~api_driver();

  // One call; nullopt (and `error` set, when given) on failure.
  std::optional<messages::ApiResponse> call(const messages::ApiRequest& request,
                                            std::string* error = nullptr);

  // Runs every request over `threads` threads; the latency of each in milliseconds (failures
  // counted in `failures`).
  std::vector<double> run_all(const std::vector<messages::ApiRequest>& requests, int threads,
                              uint64_t& failures);

  // Issues `make(i)` at `per_second` for `count` requests (open loop: a late reply does not
  // delay the next request), over `threads` threads; the latencies in milliseconds.
  std::vector<double> run_paced(const std::function<messages::ApiRequest(int)>& make, int count,
                                int per_second, int threads, uint64_t& failures);

  // How many objects a LIST returns.
  std::size_t count(messages::ApiRequest list);

 private:
  actors::system_config cfg_;
  caf::actor_system system_{cfg_};
  actors::gateway_actor gateway_;
};

// The p-th percentile (0..100) of `values` (sorted here), or 0 when empty.
double percentile(std::vector<double> values, double p);

}  // namespace troupe::bench
