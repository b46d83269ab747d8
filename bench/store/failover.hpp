// bench_store's failover phase: with a light write load on a Troupe cluster, kill the leader
// with SIGKILL `kills` times (restarting it each time) and time kill -> next acknowledged
// write, with the default timeouts.
#pragma once

#include <string>
#include <vector>

#include "bench/store/troupe_cluster.hpp"

namespace troupe::bench {

struct failover_result {
  std::vector<double> failover_ms;  // one per kill, in order
  double median_ms = 0;
  double max_ms = 0;
  std::string error;  // set when a round did not complete; the figures cover those before it
};

failover_result measure_failover(troupe_cluster& cluster, int kills);

// {"kills":20,"median_ms":..,"max_ms":..,"each_ms":[..]}
std::string to_json(const failover_result& result);

}  // namespace troupe::bench
