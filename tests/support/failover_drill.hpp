// The leader-kill drill shared by the end-to-end failover test and bench_store: writers keep
// creates in flight through a store client and record every answer, while the drill kills
// the agreed leader with SIGKILL, times kill -> next acknowledged write, and restarts the
// member from its data directory.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/store_client.hpp"
#include "tests/support/process_cluster.hpp"

namespace troupe::test_support {

// Threads that each keep one create in flight until stopped; create `key` is make(key).
class write_load {
 public:
  using clock_type = std::chrono::steady_clock;
  struct ack {
    int key;
    uint64_t revision;
    clock_type::time_point sent;
    clock_type::time_point acked;
  };
  struct record {
    std::vector<ack> acks;
    std::vector<std::string> failures;  // "key: why", for errors and non-ok results
    std::set<int> already_exists;       // keys answered already_exists: applied twice?
    int keys_issued = 0;
  };

  write_load(caf::actor_system& system, actors::store_client_actor client, int writers,
             std::function<messages::StoreCommand(int key)> make);
  ~write_load();  // stops
  write_load(const write_load&) = delete;
  write_load& operator=(const write_load&) = delete;

  // Stops and joins the writers; the record is complete afterwards.
  void stop();
  std::size_t ack_count();
  // When the first write sent at or after `t` was acknowledged, if one was.
  std::optional<clock_type::time_point> first_ack_sent_after(clock_type::time_point t);
  record snapshot();

 private:
  std::mutex mutex_;
  record record_;
  std::atomic<bool> stop_{false};
  std::atomic<int> next_key_{0};
  std::vector<std::thread> threads_;
};

struct failover_round {
  std::string killed;      // the leader's id
  std::string new_leader;  // empty when the survivors had not agreed when measured
  double failover_ms = 0;  // kill -> first acknowledged write sent after the kill
  double election_ms = 0;  // kill -> the survivors agree on a leader
};

// One round: waits for an agreed leader, lets writes flow through it for `settle`, kills
// it, measures, restarts it and waits until it has caught up. An error says which step
// did not happen in time, with the members' log tails.
std::variant<failover_round, std::string> kill_leader_once(
    process_cluster& cluster, write_load& load,
    std::chrono::milliseconds settle = std::chrono::milliseconds(300));

}  // namespace troupe::test_support
