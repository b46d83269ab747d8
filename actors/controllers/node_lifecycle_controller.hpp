// The node lifecycle controller: notices lost nodes and moves their pods away, as Kubernetes'
// node lifecycle controller and its taint manager do, with shorter defaults
// (node_lifecycle_options).
// - Every monitor period it compares each node's Lease (kube-node-lease/<node>) renewTime with
//   the grace period. A node past it gets Ready=Unknown ("Kubelet stopped posting node
//   status.") and the node.kubernetes.io/unreachable taints, NoSchedule (the scheduler avoids
//   it) and NoExecute (its pods are evicted). A node whose lease is fresh again and that
//   reports Ready loses the taints.
// - Eviction: a pod on a node with a NoExecute taint it does not tolerate is deleted; one that
//   tolerates it for tolerationSeconds is deleted that long after the taint was added. Its
//   owner then replaces it, and the scheduler places the replacement elsewhere.
// Runs on the Raft leader only. A leader that just took over waits one grace period before it
// judges leases, since the previous leader's view of them is lost.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"
#include "actors/controllers/node_lifecycle_options.hpp"

namespace troupe::actors::controllers {

caf::actor spawn_node_lifecycle_controller(caf::actor_system& system, controller_context context,
                                           node_lifecycle_options options);

}  // namespace troupe::actors::controllers
