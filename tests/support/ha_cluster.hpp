// The HA shape for end-to-end tests: three real `troupe server` processes and `troupe agent`
// processes with hollow nodes, with a private TROUPE_HOME whose config names all three API
// servers, so troupectl fails over as a user's would. For tests only (cli_run.hpp's rules:
// Boost.Test, TROUPE_SERVER_BINARY and TROUPECTL_BINARY).
#pragma once

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/system_config.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/process_cluster.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace troupe::test_support {

// One `troupe agent` process: `nodes` hollow nodes named "<prefix>-0" ... whose pod CIDRs
// start at the `cidr_offset`-th /24 (agents in one cluster need disjoint ranges).
struct hollow_agent {
  std::string prefix;
  int nodes = 1;
  int cidr_offset = 1;
};

struct ha_cluster {
  actors::system_config cfg;
  caf::actor_system system{cfg};
  process_cluster servers{
      system, {.binary = TROUPE_SERVER_BINARY, .members = 3, .data_root = {}, .extra_args = {}}};
  temp_dir home{"troupe-ha-home"};
  std::vector<std::unique_ptr<server_process>> agents;

  explicit ha_cluster(const std::vector<hollow_agent>& hollow) {
    std::string apis;
    std::ofstream config(home.path() / "config");
    config << "servers:\n";
    for (int i = 0; i < servers.size(); ++i) {
      config << "  - " << servers.api_address(i) << "\n";
      apis += (i ? "," : "") + servers.api_address(i);
    }
    config << "namespace: default\n";
    config.close();
    for (const auto& a : hollow)
      agents.push_back(start_agent(apis, a));
  }

  run_result troupectl(const std::string& args) { return run(home.path(), TROUPECTL_BINARY, args); }

  run_result until(const std::string& args, const std::function<bool(const run_result&)>& done,
                   std::chrono::seconds within = std::chrono::seconds(60)) {
    return run_until([&] { return troupectl(args); }, done, within);
  }

  // The servers' and agents' log tails, for failure messages.
  std::string logs() {
    std::string all = servers.logs();
    for (const auto& agent : agents)
      all += "\n" + agent->log_path() + ":\n" + slurp(agent->log_path());
    return all;
  }

 private:
  std::unique_ptr<server_process> start_agent(const std::string& apis, const hollow_agent& a) {
    auto p = std::make_unique<server_process>(
        TROUPE_SERVER_BINARY,
        std::vector<std::string>{"agent", "--server", apis, "--hollow-nodes",
                                 std::to_string(a.nodes), "--hollow-prefix", a.prefix,
                                 "--hollow-cidr-offset", std::to_string(a.cidr_offset)},
        (home.path() / ("agent-" + a.prefix + ".log")).string());
    p->start();
    return p;
  }
};

// A suite's one cluster: made on first use and stopped by stop(), which the suite calls when it
// ends (a suite fixture whose destructor calls it). Left to static destruction, the cluster's
// actor_system would be destroyed after CAF statics it uses, and corrupt the heap at exit.
class suite_ha_cluster {
 public:
  explicit suite_ha_cluster(std::vector<hollow_agent> agents) : agents_(std::move(agents)) {}

  ha_cluster& get() {
    if (!cluster_) cluster_ = std::make_unique<ha_cluster>(agents_);
    return *cluster_;
  }
  void stop() { cluster_.reset(); }

 private:
  std::vector<hollow_agent> agents_;
  std::unique_ptr<ha_cluster> cluster_;
};

}  // namespace troupe::test_support
