// One seeded run of the control-plane simulation: the workload (control_plane_workload.hpp)
// under the chosen faults for a minute of virtual time, safety checked every virtual second,
// then the faults healed and the cluster given until a deadline to converge
// (control_plane_checks.hpp). A run that does not converge fails with what still differs.
//
// Test code only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/control_plane_sim.hpp"

namespace troupe::test_support {

// The faults of one scenario; each is drawn from the seed when on.
struct chaos_plan {
  bool failovers = false;         // leaders deposed, some left running deposed for a while
  bool watch_loss = false;        // the store ends watches (unavailable, or gone)
  bool unknown_outcomes = false;  // proposals lost before or after they applied
  bool reply_delays = false;      // store replies held back
  bool node_deaths = false;       // agents killed; most come back
};

struct scenario_report {
  control_plane_sim_stats stats;
  uint64_t revision = 0;  // the store's applied index at the end
  std::size_t pods = 0;   // pods in the store at the end
  uint64_t user_writes = 0;
  uint64_t fenced_writes = 0;
  uint64_t watches_dropped = 0;
  uint64_t compactions = 0;
  int64_t converged_at_ms = -1;  // virtual; -1 when it did not
  std::vector<std::string> failures;

  std::string summary() const;  // one line of statistics
};

scenario_report run_control_plane_scenario(uint64_t seed, const chaos_plan& chaos);

}  // namespace troupe::test_support
