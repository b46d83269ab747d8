// The garbage collector: ownerReferences as Kubernetes' garbage collector reads them, for the
// owners and dependents the workload controllers create (Deployments own ReplicaSets;
// ReplicaSets and ReplicationControllers own pods).
// - Background: a dependent all of whose owners are gone is deleted. "Gone" is checked with a
//   read of the owner by name, not only the cache: a pod seen before its new owner must live.
// - Foreground: an owner being deleted with the foregroundDeletion finalizer has its dependents
//   deleted; once none is left, the finalizer is removed and with it the owner.
// - Orphan: an owner being deleted with the orphan finalizer has its references removed from its
//   dependents, then the finalizer.
// Runs on the Raft leader only.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"

namespace troupe::actors::controllers {

caf::actor spawn_garbage_collector(caf::actor_system& system, controller_context context);

}  // namespace troupe::actors::controllers
