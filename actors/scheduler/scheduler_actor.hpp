// The scheduler: binds every pending pod to a node (kube-scheduler's job). It keeps nodes and
// pods by list+watch in scheduling_logic's cache, runs one scheduling cycle per pending pod,
// assumes each decision at once (so the next cycle sees the node's new load) and commits the
// decisions in batches: one BIND request, one Raft entry, per batch. A pod that fits nowhere
// gets PodScheduled=False with kube-scheduler's reason and a FailedScheduling event, and is
// tried again, with backoff, once the cluster changed. Runs on the Raft leader only.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"

namespace troupe::actors::scheduler {

caf::actor spawn_scheduler(caf::actor_system& system, controllers::controller_context context);

}  // namespace troupe::actors::scheduler
