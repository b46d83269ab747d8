// A gateway in another process, with failover: what agents and other out-of-process clients
// hold instead of one server's gateway. It speaks the gateway's interface and forwards each
// call to the gateway of one of `servers` (connecting asynchronously, moving to the next
// server when one cannot be reached or goes down). Calls in flight when a server dies fail
// (the caller retries, as every control loop does); watches running through it end with
// watch_end, so their informers list again, through the next server.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace troupe::actors {

struct gateway_proxy_options {
  std::vector<std::string> servers;  // host:port of the servers' gateways
  std::chrono::milliseconds connect_timeout{2000};
  // How long a call waits for some server to be reachable before it fails.
  std::chrono::milliseconds call_timeout{30000};
};

gateway_actor spawn_gateway_proxy(caf::actor_system& system, gateway_proxy_options options);

}  // namespace troupe::actors
