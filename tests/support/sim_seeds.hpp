// Runs a seeded simulation scenario over many seeds, for tests/sim/: CI's fixed list, a
// soak's range, or one seed to replay. A failing seed is reported with the command that
// replays it. Test code only (Boost.Test); include it from a test file.
//
// TROUPE_SIM_SEEDS=N runs N seeds per test case from TROUPE_SIM_FIRST_SEED (default 1);
// TROUPE_SIM_SEED=S runs only seed S.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace troupe::test_support {

inline uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::strtoull(v, nullptr, 10);
}

// The seeds to run: `ci_count` of them unless the environment says otherwise.
inline std::vector<uint64_t> sim_seeds(std::size_t ci_count) {
  if (std::getenv("TROUPE_SIM_SEED") != nullptr) return {env_number("TROUPE_SIM_SEED", 1)};
  const uint64_t first = env_number("TROUPE_SIM_FIRST_SEED", 1);
  const uint64_t count = env_number("TROUPE_SIM_SEEDS", ci_count);
  std::vector<uint64_t> out;
  for (uint64_t s = first; s < first + count; ++s)
    out.push_back(s);
  return out;
}

// The command line that runs the current test case with this seed alone.
inline std::string replay_command(uint64_t seed) {
  namespace utf = boost::unit_test;
  const auto& master = utf::framework::master_test_suite();
  const auto& test = utf::framework::current_test_case();
  const auto& suite = utf::framework::get<utf::test_suite>(test.p_parent_id);
  const std::string exe = master.argc > 0 ? master.argv[0] : "sim_tests";
  return "TROUPE_SIM_SEED=" + std::to_string(seed) + " " + exe +
         " --run_test=" + suite.p_name.get() + "/" + test.p_name.get();
}

// What one seed's run found wrong.
struct verdict {
  std::vector<std::string> failures;
  void expect(bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  }
};

// Runs `scenario(seed, verdict&)` over the seeds; reports each failing seed with its replay
// command. A check_all() abort names the seed through the checkpoint.
template <class Scenario>
void for_each_seed(std::size_t ci_count, Scenario scenario) {
  std::size_t failed = 0;
  for (uint64_t seed : sim_seeds(ci_count)) {
    BOOST_TEST_CHECKPOINT("seed " << seed << "; replay with: " << replay_command(seed));
    verdict v;
    scenario(seed, v);
    std::ostringstream out;
    for (const auto& f : v.failures)
      out << "\n  " << f;
    BOOST_CHECK_MESSAGE(v.failures.empty(), "seed " << seed << " failed:" << out.str()
                                                    << "\nreplay with: " << replay_command(seed));
    if (!v.failures.empty() && ++failed == 5) return;  // enough to start with
  }
}

}  // namespace troupe::test_support
