#include "tests/support/control_plane_sim.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <caf/atom.hpp>
#include <caf/send.hpp>

#include "actors/controllers/controller_set.hpp"
#include "actors/gateway/gateway_actor.hpp"
#include "messages/caf_types.hpp"
#include "node/node_agent.hpp"

namespace troupe::test_support {
namespace {

// The virtual clock's Unix time at the start: any fixed day will do (2025-01-01).
constexpr int64_t start_unix_ms = 1'735'689'600'000;

}  // namespace

control_plane_sim::sim_config::sim_config() {
  messages::register_caf_types(*this);
  // CAF's deterministic scheduler: nothing runs unless the driver says so, and the clock
  // only moves when the driver moves it. No middleman: nothing leaves the process.
  set("scheduler.policy", caf::atom("testing"));
}

control_plane_sim::control_plane_sim(control_plane_sim_options options)
    : options_(std::move(options)), rng_(options_.seed), system_(config_) {
  // Actors still alive at the end are stopped by the destructor; none must keep the
  // system's destructor waiting for a scheduler that no longer runs.
  system_.await_actors_before_shutdown(false);
  store_ = sim_store_shared::open([this] { return unix_ms(); });
  store_actor_ = spawn_sim_store(system_, *store_);
  store_->epoch = 1;
  store_->leading = true;
  views_.push_back(caf::actor_cast<caf::actor>(
      spawn_sim_store_view(system_, store_actor_, 0, faults_, derive_seed(1))));
  actors::gateway_options front;
  front.store = caf::actor_cast<actors::store_api>(views_.back());
  front.unix_ms = [this] { return unix_ms(); };
  front.seed = derive_seed(2);
  front.default_toleration_seconds = options_.node_lifecycle.toleration_seconds();
  front_door_ = actors::spawn_gateway(system_, std::move(front));
  watch_for_crash(caf::actor_cast<caf::actor>(front_door_), "front door");
  start_leader();
  nodes_.resize(static_cast<std::size_t>(options_.nodes));
  for (int i = 0; i < options_.nodes; ++i)
    start_node(i);
}

void control_plane_sim::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  timeline_.clear();
  checkpoint_ = nullptr;
  stop_actors(adopted_);
  if (leader_) stop_actors(leader_->actors);
  for (const auto& old : deposed_)
    stop_actors(old);
  for (int i = 0; i < node_count(); ++i)
    if (node_up(i)) stop_node(i);
  stop_actors(views_);
  caf::anon_send_exit(front_door_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store_actor_, caf::exit_reason::user_shutdown);
  // Let everything see its exit; what is left are timers for actors that are gone. Bounded:
  // an actor nobody stopped may keep retrying, and the system's destructor does not wait.
  auto& sched = scheduler();
  for (int rounds = 0; rounds < 1000 && (sched.run() > 0 || sched.trigger_timeouts() > 0);
       ++rounds) {
  }
}

// -- time and the driver ----------------------------------------------------------------------

caf::scheduler::test_coordinator& control_plane_sim::scheduler() {
  return dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler());
}

int64_t control_plane_sim::elapsed_ms() const {
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(
      const_cast<caf::actor_system&>(system_).scheduler());
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             sched.clock().now().time_since_epoch())
      .count();
}

int64_t control_plane_sim::unix_ms() const {
  return start_unix_ms + elapsed_ms();
}

uint64_t control_plane_sim::derive_seed(uint64_t salt) const {
  // splitmix64 of (seed, salt): independent streams for the actors that draw their own.
  uint64_t z = options_.seed * 0x9E3779B97F4A7C15ull + salt;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) | 1;  // never 0: the gateway reads 0 as "random"
}

void control_plane_sim::at(int64_t when_ms, std::function<void()> action) {
  timeline_.emplace(when_ms, std::move(action));
}

bool control_plane_sim::step() {
  auto& jobs = scheduler().jobs;
  if (jobs.empty()) return false;
  // The interleaving is the seed's: any runnable actor may go next.
  std::swap(jobs.front(), jobs[rng_() % jobs.size()]);
  scheduler().run_once();
  ++stats_.steps;
  return true;
}

void control_plane_sim::advance_to(int64_t when_ms) {
  const int64_t now = elapsed_ms();
  scheduler().advance_time(std::chrono::milliseconds(std::max<int64_t>(0, when_ms - now)));
  stats_.virtual_ms = elapsed_ms();
}

void control_plane_sim::run_due_actions() {
  while (!timeline_.empty() && timeline_.begin()->first <= elapsed_ms()) {
    auto action = std::move(timeline_.begin()->second);
    timeline_.erase(timeline_.begin());
    action();
  }
}

bool control_plane_sim::run_until(int64_t until_ms, const std::function<bool()>& done,
                                  int64_t check_every_ms) {
  int64_t next_check = elapsed_ms();
  for (;;) {
    run_due_actions();
    if (elapsed_ms() >= next_check) {
      if (checkpoint_) {
        ++stats_.safety_checks;
        checkpoint_();
      }
      if (done && done()) return true;
      next_check = elapsed_ms() + check_every_ms;
    }
    if (elapsed_ms() >= until_ms || over_budget()) return false;
    if (step()) continue;
    // Nothing runnable: the clock moves to whatever comes first.
    int64_t next = std::min(until_ms, next_check);
    if (!timeline_.empty()) next = std::min(next, timeline_.begin()->first);
    const auto& timers = scheduler().clock().schedule();
    if (!timers.empty()) {
      const int64_t timer_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   timers.begin()->first.time_since_epoch())
                                   .count();
      // A timer due within this millisecond fires now, and the clock does not go back.
      next = std::min(next, std::max(timer_ms, elapsed_ms()));
    }
    advance_to(next);
  }
}

// -- the cluster --------------------------------------------------------------------------------

void control_plane_sim::start_leader() {
  auto next = std::make_unique<leader>();
  next->epoch = store_->epoch;
  store_->leading = true;
  views_.push_back(caf::actor_cast<caf::actor>(spawn_sim_store_view(
      system_, store_actor_, next->epoch, faults_, derive_seed(100 + next->epoch))));
  // As leader_supervisor starts them: a gateway over this leader's own store (its writes
  // fail once it is deposed), and every controller on that gateway.
  actors::gateway_options gateway;
  gateway.store = caf::actor_cast<actors::store_api>(views_.back());
  gateway.unix_ms = [this] { return unix_ms(); };
  gateway.seed = derive_seed(200 + next->epoch);
  gateway.default_toleration_seconds = options_.node_lifecycle.toleration_seconds();
  next->gateway = actors::spawn_gateway(system_, std::move(gateway));
  actors::controllers::controller_context context{
      next->gateway, [this] { return unix_ms(); }, {}, {}};
  next->actors = actors::controllers::start_controllers(system_, context, options_.node_lifecycle);
  next->actors.push_back(caf::actor_cast<caf::actor>(next->gateway));
  // In start_controllers' order, then the gateway.
  for (std::size_t i = 0; i < next->actors.size(); ++i)
    watch_for_crash(next->actors[i], "epoch " + std::to_string(next->epoch) + "'s actor #" +
                                         std::to_string(i) + " of the leader");
  leader_ = std::move(next);
  ++stats_.epochs;
}

void control_plane_sim::stop_actors(const std::vector<caf::actor>& actors) {
  for (const auto& actor : actors)
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

void control_plane_sim::watch_for_crash(const caf::actor& actor, const std::string& what) {
  actor->attach_functor([this, what, id = actor.id()](const caf::error& why) {
    if (why != caf::exit_reason::user_shutdown && why != caf::exit_reason::kill && !shut_down_)
      crashes_.push_back(what + " (actor " + std::to_string(id) +
                         ") stopped: " + caf::to_string(why));
  });
}

void control_plane_sim::fail_over(int64_t gap_ms, int64_t deposed_runs_ms) {
  if (!leader_) return;  // a failover is under way already
  ++store_->epoch;
  store_->leading = false;
  auto old = std::move(leader_->actors);
  leader_.reset();
  if (deposed_runs_ms <= 0) {
    stop_actors(old);
  } else {
    const std::size_t slot = deposed_.size();
    deposed_.push_back(std::move(old));
    at(elapsed_ms() + deposed_runs_ms, [this, slot] {
      stop_actors(deposed_[slot]);
      deposed_[slot].clear();
    });
  }
  at(elapsed_ms() + std::max<int64_t>(1, gap_ms), [this] { start_leader(); });
}

void control_plane_sim::drop_watch(const caf::error& why) {
  caf::anon_send(store_actor_, sim_drop_watch_atom::value, uint64_t{rng_()}, why);
}

void control_plane_sim::stop_node(int i) {
  auto& agent = nodes_[static_cast<std::size_t>(i)];
  if (!agent) return;
  caf::anon_send_exit(agent, caf::exit_reason::kill);
  agent = nullptr;
  ++stats_.node_deaths;
}

void control_plane_sim::start_node(int i) {
  auto& agent = nodes_[static_cast<std::size_t>(i)];
  if (agent) return;
  node::node_agent_options node;
  node.node_name = node_name(i);
  node.gateway = front_door_;
  node.cpu_milli = options_.node_cpu_milli;
  node.memory_bytes = options_.node_memory_bytes;
  node.pods = options_.node_pods;
  node.internal_ip = "10.0.0." + std::to_string(10 + i);
  node.pod_cidr = "10.244." + std::to_string(1 + i) + ".0/24";
  node.labels["node.troupe.dev/hollow"] = "true";
  node.runtime.seed = derive_seed(300 + static_cast<uint64_t>(i) * 1000 + stats_.node_deaths);
  node.unix_ms = [this] { return unix_ms(); };
  agent = node::spawn_node_agent(system_, std::move(node));
  watch_for_crash(agent, node_name(i));
}

}  // namespace troupe::test_support
