#include "bench/store/failover.hpp"

#include <algorithm>
#include <cstdio>
#include <variant>

#include <caf/send.hpp>

#include "actors/store_client.hpp"
#include "bench/store/troupe_target.hpp"
#include "tests/support/failover_drill.hpp"

namespace troupe::bench {

failover_result measure_failover(troupe_cluster& cluster, int kills) {
  failover_result out;
  actors::store_client_options options;
  options.servers = cluster.addresses();
  options.client_id = "bench-store-failover";
  options.give_up_after = std::chrono::seconds(20);
  auto client = actors::spawn_store_client(cluster.system(), options);
  {
    // Four writers, as an application's steady trickle; the time to the next acknowledged
    // write includes the client noticing, retrying and finding the new leader.
    test_support::write_load load{
        cluster.system(), client, 4, [](int key) {
          messages::StoreCommand c;
          c.mutable_create()->set_key("/bench/failover/x/k" + std::to_string(key));
          c.mutable_create()->set_value(troupe_target::wrap_value(std::string(256, 'f'), 256));
          return c;
        }};
    std::printf("%6s %8s %10s %12s %12s\n", "kill", "leader", "new leader", "failover ms",
                "elected ms");
    for (int round = 1; round <= kills; ++round) {
      auto outcome = test_support::kill_leader_once(cluster.processes(), load);
      if (auto* error = std::get_if<std::string>(&outcome)) {
        out.error = "kill " + std::to_string(round) + ": " + *error;
        break;
      }
      const auto& r = std::get<test_support::failover_round>(outcome);
      out.failover_ms.push_back(r.failover_ms);
      std::printf("%6d %8s %10s %12.1f %12.1f\n", round, r.killed.c_str(),
                  r.new_leader.empty() ? "-" : r.new_leader.c_str(), r.failover_ms, r.election_ms);
      std::fflush(stdout);
    }
    load.stop();
  }
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  if (!out.failover_ms.empty()) {
    auto sorted = out.failover_ms;
    std::sort(sorted.begin(), sorted.end());
    out.median_ms = sorted[sorted.size() / 2];
    out.max_ms = sorted.back();
  }
  return out;
}

std::string to_json(const failover_result& result) {
  std::string each;
  for (double ms : result.failover_ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.1f", each.empty() ? "" : ",", ms);
    each += buf;
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "{\"kills\":%zu,\"median_ms\":%.1f,\"max_ms\":%.1f,\"each_ms\":[",
                result.failover_ms.size(), result.median_ms, result.max_ms);
  return buf + each + "]}";
}

}  // namespace troupe::bench
