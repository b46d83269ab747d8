// The ReplicaSet controller and the ReplicationController manager: one actor per kind, one
// implementation (replica_set_logic.hpp holds the decisions). It keeps ReplicaSets (or
// ReplicationControllers) and pods by list+watch and reconciles an owner whenever the owner or
// one of its pods changes: adopt and release by selector, create and delete pods to match
// spec.replicas, and write the status. Runs on the Raft leader only (leader_supervisor).
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"

namespace troupe::actors::controllers {

enum class replica_kind { replica_set, replication_controller };

caf::actor spawn_replication_controller(caf::actor_system& system, controller_context context,
                                        replica_kind kind);

}  // namespace troupe::actors::controllers
