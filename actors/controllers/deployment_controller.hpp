// The Deployment controller: rolls each Deployment out through ReplicaSets (deployment_logic.hpp
// holds the decisions: RollingUpdate within maxSurge/maxUnavailable, Recreate, revisions,
// history limit, pause, conditions). It keeps Deployments and ReplicaSets by list+watch and
// reconciles a Deployment whenever it or one of its ReplicaSets changes. Every write carries the
// cached resourceVersion, so a pass on a stale cache fails with Conflict and is redone when the
// watch catches up. Runs on the Raft leader only.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"

namespace troupe::actors::controllers {

caf::actor spawn_deployment_controller(caf::actor_system& system, controller_context context);

}  // namespace troupe::actors::controllers
