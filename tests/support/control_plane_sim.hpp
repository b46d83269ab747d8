// A seeded, deterministic simulation of the control plane in one process, after
// FoundationDB's simulator: the store (sim_store.hpp), the leader's gateway with every
// controller and the scheduler, a front-door gateway, and hollow node agents, all on CAF's
// test_coordinator. The driver runs one message at a time, picking the actor at random
// from those with mail, and moves the virtual clock to the next timer only when nothing
// is runnable; every clock the actors read is that virtual clock, and every random draw
// comes from the seed, so a failing seed replays exactly.
//
// Faults the harness offers (scenarios choose them): leader failover with a gap and an old
// leader that keeps running deposed for a while, watches ended by the store, proposals with
// unknown outcome and delayed replies (sim_store_view.hpp), and node agents that die and
// come back.
//
// Test code only; single-threaded: call it from the test thread, never from an actor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/controllers/node_lifecycle_options.hpp"
#include "actors/gateway/gateway_api.hpp"
#include "tests/support/sim_store.hpp"
#include "tests/support/sim_store_view.hpp"

namespace troupe::test_support {

struct control_plane_sim_options {
  uint64_t seed = 1;
  int nodes = 4;  // node-0 .. node-<n-1>
  int64_t node_cpu_milli = 4000;
  int64_t node_memory_bytes = int64_t{8} << 30;
  int64_t node_pods = 24;
  actors::controllers::node_lifecycle_options node_lifecycle;
  // A run that takes more steps than this stops and fails: a livelock fails its seed
  // instead of hanging the suite.
  uint64_t max_steps = 20'000'000;
};

struct control_plane_sim_stats {
  uint64_t steps = 0;  // messages handled
  int64_t virtual_ms = 0;
  uint64_t epochs = 0;  // leaders started
  uint64_t node_deaths = 0;
  uint64_t safety_checks = 0;
};

class control_plane_sim {
 public:
  explicit control_plane_sim(control_plane_sim_options options);
  ~control_plane_sim() { shutdown(); }
  control_plane_sim(const control_plane_sim&) = delete;
  control_plane_sim& operator=(const control_plane_sim&) = delete;

  // -- time and the driver ------------------------------------------------------------------
  // Virtual milliseconds since the start.
  int64_t elapsed_ms() const;
  // The virtual clock in Unix milliseconds: what every actor reads.
  int64_t unix_ms() const;
  std::mt19937_64& rng() { return rng_; }
  // Runs `action` on the test thread once the virtual clock reaches `elapsed_ms`.
  void at(int64_t elapsed_ms, std::function<void()> action);
  // Steps until the clock reaches `until_ms`, or until `done()` holds (asked every
  // `check_every_ms` of virtual time); `checkpoint()` runs as often, for safety checks.
  // True when `done()` held; false at the deadline or past max_steps (see over_budget()).
  bool run_until(int64_t until_ms, const std::function<bool()>& done = {},
                 int64_t check_every_ms = 1000);
  bool over_budget() const { return stats_.steps > options_.max_steps; }
  void set_checkpoint(std::function<void()> checkpoint) { checkpoint_ = std::move(checkpoint); }

  // Stops every actor and lets them see it. Call it while whatever their callbacks touch
  // still exists; the destructor calls it otherwise.
  void shutdown();

  // -- the cluster ----------------------------------------------------------------------------
  caf::actor_system& system() { return system_; }
  // Stops `actor` with the simulation (a user's write, say).
  void adopt(caf::actor actor) { adopted_.push_back(std::move(actor)); }
  // The gateway users and agents talk to: it reaches whichever leader there is.
  const actors::gateway_actor& front_door() const { return front_door_; }
  sim_store_shared& store() { return *store_; }
  // What lies between gateways and the store; heal by resetting it.
  sim_store_faults& store_faults() { return faults_; }
  const control_plane_sim_options& options() const { return options_; }
  const control_plane_sim_stats& stats() const { return stats_; }
  // Actors of the control plane or the nodes that stopped on their own, with why: a crash.
  const std::vector<std::string>& crashes() const { return crashes_; }

  // Deposes the leader: its writes fail from now on. The next leader starts `gap_ms` later;
  // the old one's gateway and controllers stop after `deposed_runs_ms` (0: at once), as a
  // partitioned leader's supervisor notices late.
  void fail_over(int64_t gap_ms, int64_t deposed_runs_ms);
  // Ends one of the store's watches, chosen at random, with `why`.
  void drop_watch(const caf::error& why);
  int node_count() const { return static_cast<int>(nodes_.size()); }
  bool node_up(int i) const { return static_cast<bool>(nodes_[i]); }
  std::string node_name(int i) const { return "node-" + std::to_string(i); }
  // Kills node i's agent (its pods' actors go with it; its lease stops), or starts it again.
  void stop_node(int i);
  void start_node(int i);

 private:
  struct sim_config : caf::actor_system_config {
    sim_config();
  };
  // One leader's gateway, controllers and scheduler, over its epoch's view of the store.
  struct leader {
    uint64_t epoch = 0;
    actors::gateway_actor gateway;
    std::vector<caf::actor> actors;  // the controllers, the scheduler and the gateway
  };

  caf::scheduler::test_coordinator& scheduler();
  // Runs one message of a random runnable actor; false when none is runnable.
  bool step();
  // Moves the clock to `elapsed_ms`, firing the timers due by then.
  void advance_to(int64_t elapsed_ms);
  void run_due_actions();
  void start_leader();
  void stop_actors(const std::vector<caf::actor>& actors);
  // Records `actor` in crashes() if it stops for any reason but being told to.
  void watch_for_crash(const caf::actor& actor, const std::string& what);
  uint64_t derive_seed(uint64_t salt) const;

  control_plane_sim_options options_;
  std::mt19937_64 rng_;
  sim_config config_;
  caf::actor_system system_;
  std::unique_ptr<sim_store_shared> store_;
  sim_store_faults faults_;
  sim_store_actor store_actor_;
  std::vector<caf::actor> views_;  // every store view, kept to the end
  actors::gateway_actor front_door_;
  std::unique_ptr<leader> leader_;                // null between a failover and the next leader
  std::vector<std::vector<caf::actor>> deposed_;  // old leaders still running
  std::vector<caf::actor> nodes_;                 // node agents; null while down
  std::vector<caf::actor> adopted_;
  bool shut_down_ = false;
  std::multimap<int64_t, std::function<void()>> timeline_;
  std::function<void()> checkpoint_;
  std::vector<std::string> crashes_;
  control_plane_sim_stats stats_;
};

}  // namespace troupe::test_support
