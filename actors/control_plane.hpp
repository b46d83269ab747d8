// One control-plane member as a process runs it: the raft actor (Raft and the store), a
// store client over the cluster's members, and the API gateway published where clients
// reach it. `troupe server` and `troupe up` both start one.
#pragma once

#include <string>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include "actors/controllers/node_lifecycle_options.hpp"
#include "actors/gateway/gateway_api.hpp"
#include "actors/raft_actor.hpp"
#include "actors/store_client.hpp"

namespace troupe::actors {

struct control_plane_options {
  raft_server_options raft;
  std::string api_listen;  // host:port of the gateway
  controllers::node_lifecycle_options node_lifecycle;
  // Run the scheduler and controllers while this server leads (tests of the bare API turn
  // them off).
  bool controllers = true;
};

struct control_plane {
  raft_actor raft;
  store_client_actor store;  // the gateway's way to the leader
  gateway_actor gateway;
  caf::actor supervisor;  // starts the controllers while this server leads; null when off
  uint16_t api_port = 0;  // where the gateway listens (the bound port for port 0)
};

// Blocking (opens LMDB, binds ports): call it from main or a test thread.
caf::expected<control_plane> start_control_plane(caf::actor_system& system,
                                                 control_plane_options options);

// Stops what start_control_plane started.
void stop_control_plane(const control_plane& plane);

}  // namespace troupe::actors
