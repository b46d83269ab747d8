// Runs the scheduler and the controllers while this server is the Raft leader, and only then
// (DESIGN.md §2). It asks its raft actor for its role every `poll`; on winning leadership it
// starts a gateway over this server's own Raft member (no forwarding: once deposed, their
// writes fail, which is the fencing) and every controller on it; on losing it, it stops them.
// Each rebuilds its caches by list+watch when it starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/node_lifecycle_options.hpp"
#include "actors/raft_actor.hpp"

namespace troupe::actors::controllers {

struct leader_supervisor_options {
  raft_actor raft;
  std::function<int64_t()> unix_ms;  // the system clock when unset
  std::chrono::milliseconds poll{50};
  node_lifecycle_options node_lifecycle;
};

caf::actor spawn_leader_supervisor(caf::actor_system& system, leader_supervisor_options options);

}  // namespace troupe::actors::controllers
