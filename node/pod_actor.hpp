// One pod on a node: the kubelet's pod worker. It drives the pod's lifecycle (pod_lifecycle.hpp)
// over a container runtime, writes the status whenever it changes (one write in flight, later
// changes coalesce into the next), and, once a deleted pod's containers stopped, finishes the
// deletion (DELETE with grace 0) and exits. It records the kubelet's events about the pod
// (kubelet_events.hpp).
//
// Its agent sends it (pod_update, Pod) for every newer version of the pod from the watch and
// (pod_gone) when the pod left the API.
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "node/sim_runtime.hpp"

namespace troupe::node {

struct pod_actor_options {
  actors::gateway_actor gateway;
  std::string node_name;  // the source of the kubelet's events
  caf::actor event_sink;  // where they go (event_sink.hpp)
  std::string host_ip;
  std::string pod_ip;
  // The sim runtime's behaviour (a hollow node's runtime); each pod actor runs its own.
  sim_runtime_options runtime;
  std::function<int64_t()> unix_ms;
};

caf::actor spawn_pod_actor(caf::actor_system& system, const messages::Pod& pod,
                           pod_actor_options options);

}  // namespace troupe::node
