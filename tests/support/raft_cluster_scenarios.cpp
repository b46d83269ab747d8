#include "tests/support/raft_cluster_scenarios.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

#include "tests/support/linearizability.hpp"

namespace troupe::test_support {
namespace {

// One line of what a run did, with TROUPE_SIM_VERBOSE=1 (to see that faults happened).
void report(const raft_cluster& c, std::size_t operations) {
  if (env_number("TROUPE_SIM_VERBOSE", 0) == 0) return;
  const auto& s = c.stats();
  const auto& k = c.clients().stats();
  BOOST_TEST_MESSAGE(
      "seed " << c.options().seed << ": " << c.now() << " ms, " << s.steps << " steps, "
              << c.leaders_seen() << " leaders, " << k.writes_ok << " writes, " << k.reads_ok
              << " reads, " << k.unknown << " unknown of " << operations << ", " << s.crashes
              << " crashes losing " << s.writes_lost << " writes, " << s.snapshots_taken
              << " snapshots taken, " << s.snapshots_installed << " installed, "
              << s.snapshot_checksum_failures << " bad, " << s.corrupted << " corrupted, "
              << s.duplicates_skipped << " retries deduplicated");
}

}  // namespace

sim_options base_options(uint64_t seed, std::size_t members) {
  sim_options o;
  o.seed = seed;
  o.members = members;
  return o;
}

// The end of every run: faults off, then convergence and the safety checks.
void settle_and_check(raft_cluster& c, verdict& v) {
  const std::string problem = c.settle(30'000);
  v.expect(problem.empty(), problem);
  v.expect(c.double_applied() == 0,
           "a command applied twice: " + std::to_string(c.double_applied()));
  const auto history = c.history();
  const auto result = check(history, make_kv_model());
  report(c, history.size());
  v.expect(result.verdict == check_verdict::ok,
           "history of " + std::to_string(history.size()) +
               " operations is not linearizable: " + result.explanation);
}

void expect_progress(raft_cluster& c, verdict& v, uint64_t min_writes) {
  v.expect(c.leaders_seen() >= 1, "no leader was ever elected");
  v.expect(c.clients().stats().writes_ok >= min_writes,
           "only " + std::to_string(c.clients().stats().writes_ok) + " writes completed, " +
               "expected at least " + std::to_string(min_writes) + "\n" + c.describe());
}

// Runs until some member leads; its id, or "" (recorded as a failure).
std::string await_leader(raft_cluster& c, verdict& v, int64_t max_ms) {
  if (!c.run_until([&] { return c.leader().has_value(); }, max_ms)) {
    v.expect(false, "no leader within " + std::to_string(max_ms) + " ms\n" + c.describe());
    return {};
  }
  return *c.leader();
}

std::string pick(raft_cluster& c, const std::vector<std::string>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(c.rng())];
}

int64_t between(raft_cluster& c, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(c.rng());
}

std::vector<std::string> followers(raft_cluster& c, const std::string& leader) {
  std::vector<std::string> out;
  for (const auto& id : c.live())
    if (id != leader) out.push_back(id);
  return out;
}

// One random network fault, held for a while, then healed: a symmetric split, an isolated
// member, or one-way links.
void partition_episode(raft_cluster& c) {
  auto ids = c.ids();
  auto& net = c.network();
  switch (between(c, 0, 3)) {
    case 0: {  // split into two sides
      std::shuffle(ids.begin(), ids.end(), c.rng());
      auto cut = static_cast<std::size_t>(between(c, 1, static_cast<int64_t>(ids.size()) - 1));
      net.partition({{ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(cut)},
                     {ids.begin() + static_cast<std::ptrdiff_t>(cut), ids.end()}});
      break;
    }
    case 1:
      c.isolate(pick(c, ids));
      break;
    case 2:  // a few one-way links
      for (int64_t n = between(c, 1, 4); n > 0; --n) {
        auto from = pick(c, ids), to = pick(c, ids);
        if (from != to) net.block(from, to);
      }
      break;
    default: {  // the leader hears nobody, or nobody hears it
      auto lead = c.leader();
      if (!lead) break;
      for (const auto& other : ids) {
        if (other == *lead) continue;
        if (between(c, 0, 1) == 0) {
          net.block(other, *lead);
        } else {
          net.block(*lead, other);
        }
        // Sometimes the broken link also closes the connection: the follower hears of it
        // while the leader is alive, and must not depose it without a majority.
        if (between(c, 0, 1) == 0) c.report_link_closed(other, *lead);
      }
    }
  }
  c.run_for(between(c, 300, 3'000));
  net.heal();
  c.run_for(between(c, 300, 2'000));
}

// Crashes the member, preferably while its page cache holds unsynced writes (a vote, an
// acknowledged-looking entry) so that the crash loses them.
void crash_mid_write(raft_cluster& c, const std::string& id) {
  c.run_until([&] { return c.unsynced_writes(id) > 0; }, 300);
  c.crash(id);
}

// Waits for a configuration change to commit; false after `max_ms`.
bool await_configuration(raft_cluster& c, int64_t max_ms) {
  return c.run_until([&] { return c.configuration_settled(); }, max_ms);
}

// Stops `id` for good once a committed configuration no longer holds it (its removal may
// also have been lost with a leader change).
void retire_if_removed(raft_cluster& c, const std::string& id, int64_t max_ms) {
  if (!await_configuration(c, max_ms)) return;
  const auto config = c.configuration();
  if (std::find(config.begin(), config.end(), id) == config.end()) c.retire(id);
}

// Stops every member a committed configuration no longer holds.
void retire_removed(raft_cluster& c) {
  for (const auto& id : c.ids())
    retire_if_removed(c, id, 10'000);
}

}  // namespace troupe::test_support
