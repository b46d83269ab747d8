#include "tests/support/control_plane_scenario.hpp"

#include <algorithm>
#include <random>

#include "messages/caf_types.hpp"
#include "tests/support/control_plane_checks.hpp"
#include "tests/support/control_plane_workload.hpp"

namespace troupe::test_support {
namespace {

using messages::errc;

constexpr int64_t chaos_until_ms = 60'000;
// After the faults heal: long enough for a dead node's pods to be evicted and replaced, and
// for rollouts held up by the faults to finish.
constexpr int64_t settle_deadline_ms = chaos_until_ms + 150'000;
constexpr std::size_t max_listed_failures = 20;

int64_t uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

void plan_failovers(control_plane_sim& sim) {
  auto& rng = sim.rng();
  for (int64_t n = uniform(rng, 1, 3); n > 0; --n) {
    const int64_t gap = uniform(rng, 0, 3000);
    // Half the time the old leader runs on deposed for a while: its writes must fail.
    const int64_t deposed_runs = uniform(rng, 0, 1) == 0 ? 0 : uniform(rng, 500, 8000);
    sim.at(uniform(rng, 3000, chaos_until_ms - 5000),
           [&sim, gap, deposed_runs] { sim.fail_over(gap, deposed_runs); });
  }
}

void plan_watch_loss(control_plane_sim& sim) {
  auto& rng = sim.rng();
  for (int64_t t = uniform(rng, 1000, 3000); t < chaos_until_ms; t += uniform(rng, 500, 3000)) {
    const bool gone = uniform(rng, 0, 1) == 0;
    sim.at(t, [&sim, gone] {
      sim.drop_watch(gone ? caf::make_error(errc::gone, "sim: compacted")
                          : caf::make_error(errc::unavailable, "sim: the member went away"));
    });
  }
}

// Kills one or two agents; all come back but, sometimes, the first, whose pods must then
// move elsewhere for good.
void plan_node_deaths(control_plane_sim& sim) {
  auto& rng = sim.rng();
  const int64_t deaths = uniform(rng, 1, 2);
  for (int64_t d = 0; d < deaths; ++d) {
    const int node = static_cast<int>(uniform(rng, 0, sim.node_count() - 1));
    const int64_t at = uniform(rng, 5000, 45000);
    sim.at(at, [&sim, node] { sim.stop_node(node); });
    if (d == 0 && uniform(rng, 0, 2) == 0) continue;
    sim.at(at + uniform(rng, 3000, 25000), [&sim, node] { sim.start_node(node); });
  }
}

}  // namespace

std::string scenario_report::summary() const {
  return "virtual " + std::to_string(stats.virtual_ms / 1000) + " s, " +
         std::to_string(stats.steps) + " steps, revision " + std::to_string(revision) + ", " +
         std::to_string(pods) + " pods, " + std::to_string(user_writes) + " user writes, " +
         std::to_string(stats.epochs) + " leaders, " + std::to_string(fenced_writes) +
         " fenced writes, " + std::to_string(watches_dropped) + " watches dropped, " +
         std::to_string(compactions) + " compactions, " + std::to_string(stats.node_deaths) +
         " node deaths, converged at " +
         (converged_at_ms < 0 ? std::string("never")
                              : std::to_string(converged_at_ms / 1000) + " s");
}

scenario_report run_control_plane_scenario(uint64_t seed, const chaos_plan& chaos) {
  scenario_report report;
  control_plane_sim_options options;
  options.seed = seed;
  control_plane_sim sim(options);
  control_plane_workload workload(sim, {});
  workload.plan();

  auto& faults = sim.store_faults();
  if (chaos.unknown_outcomes) {
    faults.lost_proposal = 0.02;
    faults.lost_reply = 0.02;
  }
  if (chaos.reply_delays) {
    faults.delayed_reply = 0.05;
    faults.max_delay_ms = 2000;
  }
  if (chaos.failovers) plan_failovers(sim);
  if (chaos.watch_loss) plan_watch_loss(sim);
  if (chaos.node_deaths) plan_node_deaths(sim);
  sim.at(chaos_until_ms, [&sim] { sim.store_faults() = {}; });

  auto& failures = report.failures;
  sim.set_checkpoint([&] {
    if (!failures.empty()) return;  // the first violations tell the story
    for (const auto& crash : sim.crashes())
      failures.push_back("at " + std::to_string(sim.elapsed_ms()) + " ms: " + crash);
    for (auto& v : safety_violations(cluster_view::read(*sim.store().objects), sim.store()))
      failures.push_back("at " + std::to_string(sim.elapsed_ms()) + " ms: " + v);
  });
  sim.run_until(chaos_until_ms, [&] { return !failures.empty(); });

  std::vector<std::string> gaps;
  auto converged = [&] {
    if (!failures.empty()) return true;
    if (!workload.done()) {
      gaps = {"the users' writes are not all done"};
      return false;
    }
    convergence_expectations expected;
    for (int i = 0; i < sim.node_count(); ++i)
      if (sim.node_up(i)) expected.live_nodes.insert(sim.node_name(i));
    expected.unschedulable_pods = workload.unschedulable_pods();
    gaps = convergence_gaps(cluster_view::read(*sim.store().objects), expected);
    return gaps.empty();
  };
  if (failures.empty()) {
    if (sim.run_until(settle_deadline_ms, converged) && failures.empty()) {
      report.converged_at_ms = sim.elapsed_ms();
    } else if (failures.empty()) {
      failures.push_back(sim.over_budget()
                             ? "over the step budget (a livelock?)"
                             : "did not converge by " + std::to_string(settle_deadline_ms / 1000) +
                                   " s of virtual time:");
      for (std::size_t i = 0; i < gaps.size() && i < max_listed_failures; ++i)
        failures.push_back("  " + gaps[i]);
    }
  }
  for (const auto& f : workload.failures())
    failures.push_back("a user's write failed: " + f);

  report.stats = sim.stats();
  report.revision = sim.store().objects->applied_index();
  report.pods = cluster_view::read(*sim.store().objects).pods.size();
  report.user_writes = workload.writes();
  report.fenced_writes = sim.store().fenced_writes;
  report.watches_dropped = sim.store().watches_dropped;
  report.compactions = sim.store().compactions;
  sim.shutdown();
  return report;
}

}  // namespace troupe::test_support
