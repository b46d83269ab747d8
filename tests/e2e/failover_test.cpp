// End to end: three real `troupe server` processes on loopback take a continuous write load
// from an in-process store_client while the test kills the leader with SIGKILL five times,
// restarting it from its data directory each time. Every acknowledged write must survive and
// apply once; each failover (kill to the next acknowledged write) must take under 5 s.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/store_client.hpp"
#include "actors/system_config.hpp"
#include "messages/proto/core_pod.pb.h"
#include "tests/support/failover_drill.hpp"
#include "tests/support/process_cluster.hpp"

#ifndef TROUPE_SERVER_BINARY
#error "TROUPE_SERVER_BINARY must name the troupe executable"
#endif

namespace {

using namespace std::chrono_literals;
using troupe::messages::StoreCommand;
using troupe::messages::StoredObject;
using troupe::test_support::failover_round;
using troupe::test_support::process_cluster;
using troupe::test_support::write_load;
namespace atoms = troupe::atoms;

constexpr int kills = 5;
constexpr int writers = 4;  // writes in flight at once
constexpr double failover_bound_ms = 5000;
const std::string key_prefix = "/core/pods/e2e/";

std::string pod_key(int i) {
  return key_prefix + "p-" + std::to_string(i);
}

StoreCommand create(int i) {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name("p-" + std::to_string(i));
  pod.mutable_metadata()->set_namespace_("e2e");
  StoreCommand c;
  c.mutable_create()->set_key(pod_key(i));
  c.mutable_create()->set_value(pod.SerializeAsString());
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_failover)

BOOST_AUTO_TEST_CASE(leader_kill9_five_times_keeps_every_write_once,
                     *boost::unit_test::timeout(150)) {
  const std::filesystem::path binary = TROUPE_SERVER_BINARY;
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(binary) && ::access(binary.c_str(), X_OK) == 0,
                        "the troupe server binary is missing or not executable: "
                            << binary << " (build the `troupe` target first)");

  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  // Default timing (100 ms heartbeat, 1 s election timeout), as a user runs it.
  troupe::test_support::process_cluster_options cluster_options;
  cluster_options.binary = TROUPE_SERVER_BINARY;
  cluster_options.extra_args = {"--store-map-size", "256Mi"};
  process_cluster cluster{system, cluster_options};
  auto first = cluster.await_leader(20s);
  BOOST_REQUIRE_MESSAGE(first, "no leader among the three servers within 20 s\n" << cluster.logs());

  troupe::actors::store_client_options options;
  options.servers = cluster.addresses();
  options.client_id = "e2e-failover";
  options.give_up_after = 20s;
  auto client = troupe::actors::spawn_store_client(system, options);
  write_load load{system, client, writers, create};

  // Let the load settle before the first kill.
  auto warm = std::chrono::steady_clock::now() + 10s;
  while (load.ack_count() < 50 && std::chrono::steady_clock::now() < warm)
    std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE_MESSAGE(load.ack_count() > 0, "no write acknowledged within 10 s\n"
                                                  << cluster.logs());

  std::vector<double> failovers;
  for (int round = 0; round < kills; ++round) {
    auto outcome = troupe::test_support::kill_leader_once(cluster, load);
    if (auto* error = std::get_if<std::string>(&outcome))
      BOOST_FAIL("round " << round + 1 << ": " << *error);
    const auto& r = std::get<failover_round>(outcome);
    failovers.push_back(r.failover_ms);
    BOOST_TEST_MESSAGE("round " << round + 1 << ": killed leader " << r.killed
                                << ", next acknowledged write after " << r.failover_ms
                                << " ms (new leader "
                                << (r.new_leader.empty() ? "none" : r.new_leader)
                                << " agreed after " << r.election_ms << " ms)");
    BOOST_TEST(r.failover_ms < failover_bound_ms,
               "round " << round + 1 << ": failover took " << r.failover_ms << " ms");
  }
  load.stop();
  const auto log = load.snapshot();

  // Every acknowledged write is there, once: read the whole prefix back linearizably.
  caf::scoped_actor self{system};
  std::map<std::string, StoredObject> stored;
  std::string token;
  do {
    caf::error error;
    self->request(client, 30s, atoms::store_list_atom_v, key_prefix, uint64_t{1000}, token, false)
        .receive(
            [&](std::vector<std::string>& keys, std::vector<StoredObject>& objects, uint64_t,
                std::string& next) {
              for (std::size_t i = 0; i < keys.size(); ++i)
                stored[keys[i]] = objects[i];
              token = next;
            },
            [&](caf::error& e) { error = e; });
    BOOST_REQUIRE_MESSAGE(!error, "list failed: " << system.render(error));
  } while (!token.empty());

  for (const auto& f : log.failures)
    BOOST_ERROR("write failed: " << f);
  BOOST_TEST(log.already_exists.empty(), log.already_exists.size()
                                             << " writes of keys created once answered "
                                                "already_exists: a retry applied twice");
  std::size_t missing = 0, wrong_revision = 0;
  for (const auto& a : log.acks) {
    auto it = stored.find(pod_key(a.key));
    if (it == stored.end()) {
      if (++missing <= 10) BOOST_ERROR("acknowledged write " << pod_key(a.key) << " is missing");
    } else if (it->second.create_revision() != a.revision) {
      if (++wrong_revision <= 10)
        BOOST_ERROR(pod_key(a.key) << " was created at revision " << it->second.create_revision()
                                   << ", acknowledged at " << a.revision);
    }
  }
  BOOST_TEST(missing == 0u);
  BOOST_TEST(wrong_revision == 0u);
  // Nothing but this client's writes is there, and each key at most once (map keys).
  BOOST_TEST(stored.size() >= log.acks.size());
  BOOST_TEST(stored.size() <= static_cast<std::size_t>(log.keys_issued));

  auto sorted = failovers;
  std::sort(sorted.begin(), sorted.end());
  std::ostringstream summary;
  summary << "failover times (ms):";
  for (double f : failovers)
    summary << " " << f;
  summary << "; median " << sorted[sorted.size() / 2] << ", max " << sorted.back() << "; "
          << log.acks.size() << " writes acknowledged, " << stored.size() << " stored";
  BOOST_TEST_MESSAGE(summary.str());
  std::cout << summary.str() << std::endl;

  caf::anon_send_exit(client, caf::exit_reason::kill);
}

BOOST_AUTO_TEST_SUITE_END()
