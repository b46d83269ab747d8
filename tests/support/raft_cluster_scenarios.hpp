// Building blocks of the Raft simulation's scenarios (tests/sim/): waits, random fault
// episodes and the checks every run ends with. Test code only; each takes the cluster it
// works on and draws randomness from its seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/raft_cluster.hpp"
#include "tests/support/sim_seeds.hpp"

namespace troupe::test_support {

sim_options base_options(uint64_t seed, std::size_t members);

// -- randomness from the cluster's seed ---------------------------------------------------
std::string pick(raft_cluster& c, const std::vector<std::string>& from);
int64_t between(raft_cluster& c, int64_t lo, int64_t hi);
// The live members other than `leader`.
std::vector<std::string> followers(raft_cluster& c, const std::string& leader);

// -- waits ----------------------------------------------------------------------------------
// Runs until some member leads; its id, or "" (recorded as a failure).
std::string await_leader(raft_cluster& c, verdict& v, int64_t max_ms = 5'000);
// Waits for a configuration change to commit; false after `max_ms`.
bool await_configuration(raft_cluster& c, int64_t max_ms);

// -- faults ---------------------------------------------------------------------------------
// One random network fault, held for a while, then healed: a symmetric split, an isolated
// member, one-way links, or a leader that hears nobody (or that nobody hears).
void partition_episode(raft_cluster& c);
// Crashes the member, preferably while its page cache holds unsynced writes.
void crash_mid_write(raft_cluster& c, const std::string& id);
// Stops `id` for good once a committed configuration no longer holds it.
void retire_if_removed(raft_cluster& c, const std::string& id, int64_t max_ms);
// Stops every member a committed configuration no longer holds.
void retire_removed(raft_cluster& c);

// -- checks ---------------------------------------------------------------------------------
// Leaders were elected and at least `min_writes` writes completed.
void expect_progress(raft_cluster& c, verdict& v, uint64_t min_writes);
// The end of every run: faults off, then convergence to identical state machines, no
// command applied twice, and a linearizable history.
void settle_and_check(raft_cluster& c, verdict& v);

}  // namespace troupe::test_support
