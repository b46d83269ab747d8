// One pod watch for many agents in one process (hollow nodes): it keeps every bound pod by
// list+watch and sends each change to the agent of the pod's node, as (pod_update_atom, Pod)
// or (pod_gone_atom, Pod). Thousands of hollow nodes would otherwise mean thousands of watches
// on the servers, each filtering every pod event.
#pragma once

#include <map>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace troupe::node {

// `agents`: node name -> its agent. Pods of other nodes are ignored.
caf::actor spawn_pod_router(caf::actor_system& system, actors::gateway_actor gateway,
                            std::map<std::string, caf::actor> agents);

}  // namespace troupe::node
