#include "actors/control_plane.hpp"

#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include "actors/controllers/leader_supervisor.hpp"
#include "actors/gateway/gateway_actor.hpp"

namespace troupe::actors {

caf::expected<control_plane> start_control_plane(caf::actor_system& system,
                                                 control_plane_options options) {
  auto api = split_host_port(options.api_listen);
  if (!api) return api.error();
  // The gateway reaches the store through every known member: it follows not_leader hints
  // to the leader, which is how a follower's gateway forwards.
  store_client_options client;
  // No fixed client id: a session id must never be reused by a restarted process, whose
  // sequence numbers start again at 1 and would be answered with the old session's results.
  client.servers.push_back(options.raft.listen);
  for (const auto& m : options.raft.bootstrap)
    if (m.address() != options.raft.listen) client.servers.push_back(m.address());
  auto raft = spawn_raft_actor(system, std::move(options.raft));
  if (!raft) return raft.error();
  control_plane plane;
  plane.raft = raft->actor;
  plane.store = spawn_store_client(system, std::move(client));
  gateway_options gateway;
  gateway.store = plane.store;
  gateway.default_toleration_seconds = options.node_lifecycle.toleration_seconds();
  plane.gateway = spawn_gateway(system, std::move(gateway));
  auto port = system.middleman().publish(plane.gateway, api->second,
                                         api->first.empty() ? nullptr : api->first.c_str(), true);
  if (!port) {
    stop_control_plane(plane);
    return port.error();
  }
  plane.api_port = *port;
  if (options.controllers) {
    controllers::leader_supervisor_options supervisor;
    supervisor.raft = plane.raft;
    supervisor.node_lifecycle = options.node_lifecycle;
    plane.supervisor = controllers::spawn_leader_supervisor(system, std::move(supervisor));
  }
  return plane;
}

void stop_control_plane(const control_plane& plane) {
  if (plane.supervisor) caf::anon_send_exit(plane.supervisor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(plane.gateway, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(plane.store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(plane.raft, caf::exit_reason::user_shutdown);
}

}  // namespace troupe::actors
