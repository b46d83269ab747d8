// The node agent (the kubelet's control loop): registers its Node with capacity and
// allocatable and Ready=True, renews its Lease in kube-node-lease (the heartbeat the node
// lifecycle controller watches), watches the pods bound to it and runs one pod actor per pod.
// A hollow node is this agent over the `sim` runtime; many fit in one process.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "node/sim_runtime.hpp"

namespace troupe::node {

struct node_agent_options {
  std::string node_name;
  actors::gateway_actor gateway;
  // What the node offers: cpu in millicores, memory in bytes, pods.
  int64_t cpu_milli = 4000;
  int64_t memory_bytes = int64_t{16} << 30;
  int64_t pods = 110;
  std::map<std::string, std::string> labels;
  // This node's address, and the /24 its pods' addresses come from ("10.244.1.0/24").
  std::string internal_ip = "127.0.0.1";
  std::string pod_cidr = "10.244.0.0/24";
  // Heartbeat: the lease is renewed this often and says it lasts lease_duration.
  std::chrono::milliseconds lease_renew{2000};
  std::chrono::seconds lease_duration{8};
  sim_runtime_options runtime;
  std::function<int64_t()> unix_ms;  // the system clock when unset
  // False: the agent keeps no pod watch of its own; a pod router (below) sends it
  // (pod_update_atom, Pod) and (pod_gone_atom, Pod) for its pods instead.
  bool own_pod_watch = true;
  // Where its pods' events go in batches (event_sink.hpp); unset: the agent starts its own.
  caf::actor event_sink;
};

caf::actor spawn_node_agent(caf::actor_system& system, node_agent_options options);

struct hollow_node_options {
  int count = 0;
  std::string prefix = "hollow-node";  // node i is "<prefix>-<i>"
  // Node i gets the (first_cidr + i)-th /24 from 10.244.0.0 (10.244.1.0/24, ...; past
  // 10.255.255.0 it wraps to 10.0.0.0).
  int first_cidr = 1;
  sim_runtime_options runtime;
  std::chrono::milliseconds lease_renew{2000};
  // False: the nodes register and heartbeat but run nothing (no pod router), as the nodes of
  // kube-scheduler's scheduler_perf: a scheduler benchmark without the kubelets' load.
  bool run_pods = true;
  std::function<int64_t()> unix_ms;  // every agent's clock; the system clock when unset
};

// Hollow nodes for demos and scale tests: agents on the sim runtime in this process, and one
// pod router that watches the pods of them all (one watch instead of one per node) and hands
// each agent its own. The router, when the nodes run pods, is the last actor returned.
std::vector<caf::actor> spawn_hollow_nodes(caf::actor_system& system,
                                           const actors::gateway_actor& gateway,
                                           const hollow_node_options& options);

}  // namespace troupe::node
