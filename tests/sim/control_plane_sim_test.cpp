// Seeded simulations of the control plane (tests/support/control_plane_sim.hpp): the gateway,
// every controller, the scheduler and hollow node agents in one process on CAF's
// deterministic scheduler, with leader failovers, lost watches, proposals of unknown outcome,
// delayed replies and dying nodes. Safety is checked every virtual second; every run ends
// with the faults healed and the cluster converged to what its objects ask for.
//
// Seeds: CI runs a fixed list per case. TROUPE_SIM_SEEDS=N runs N seeds per case from
// TROUPE_SIM_FIRST_SEED (default 1); TROUPE_SIM_SEED=S replays exactly one. A failing seed
// prints the command that replays it. TROUPE_SIM_VERBOSE=1 prints each seed's statistics.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include "tests/support/control_plane_scenario.hpp"
#include "tests/support/sim_seeds.hpp"

namespace troupe::test_support {
namespace {

void run_seeds(std::size_t ci_seeds, const chaos_plan& chaos) {
  const bool verbose = std::getenv("TROUPE_SIM_VERBOSE") != nullptr;
  for_each_seed(ci_seeds, [&](uint64_t seed, verdict& v) {
    auto report = run_control_plane_scenario(seed, chaos);
    if (verbose) BOOST_TEST_MESSAGE("seed " << seed << ": " << report.summary());
    for (const auto& f : report.failures)
      v.expect(false, f);
    if (!report.failures.empty()) v.expect(false, "(" + report.summary() + ")");
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sim_control_plane)

// Only the interleaving varies: the baseline every fault scenario builds on.
BOOST_AUTO_TEST_CASE(workload_converges) {
  run_seeds(12, {});
}

BOOST_AUTO_TEST_CASE(leader_failovers) {
  run_seeds(12, {.failovers = true});
}

BOOST_AUTO_TEST_CASE(lost_watches_and_replies) {
  run_seeds(12, {.watch_loss = true, .unknown_outcomes = true, .reply_delays = true});
}

BOOST_AUTO_TEST_CASE(node_deaths) {
  run_seeds(12, {.node_deaths = true});
}

BOOST_AUTO_TEST_CASE(everything_at_once) {
  run_seeds(12, {true, true, true, true, true});
}

// A seed is a replayable recording: two runs take the same steps to the same store.
BOOST_AUTO_TEST_CASE(same_seed_replays_exactly) {
  const chaos_plan all{true, true, true, true, true};
  for (uint64_t seed : sim_seeds(1)) {
    auto first = run_control_plane_scenario(seed, all);
    auto second = run_control_plane_scenario(seed, all);
    BOOST_CHECK_MESSAGE(first.stats.steps == second.stats.steps &&
                            first.revision == second.revision &&
                            first.stats.virtual_ms == second.stats.virtual_ms,
                        "seed " << seed << " ran differently twice:\n  " << first.summary()
                                << "\n  " << second.summary());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace troupe::test_support
