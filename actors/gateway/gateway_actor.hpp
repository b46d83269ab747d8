// The API gateway: the Kubernetes API server's behaviour over the replicated store. It
// resolves the resource, decodes the object, fills the server-owned metadata
// (object_rules.hpp), defaults and validates, checks the namespace, and turns the call
// into store operations through a store client, which finds the Raft leader: a gateway on
// a follower forwards that way. Answers carry the object as stored, its resourceVersion
// set to the revision that last changed it.
//
// Namespaces: `default` and `kube-system` are created when the gateway starts (if
// missing) and may not be deleted; deleting another namespace deletes what it holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "actors/store_api.hpp"

namespace troupe::actors {

struct gateway_options {
  store_api store;  // a store_client over every server, or a raft actor in tests
  // The clock for creationTimestamp, Unix milliseconds; the system clock when unset.
  std::function<int64_t()> unix_ms;
  uint64_t seed = 0;  // uids and generateName suffixes; random when 0
  std::chrono::milliseconds store_timeout{30000};
  // The tolerationSeconds of the not-ready/unreachable tolerations every pod gets unless it
  // has its own (object_rules.hpp: add_default_tolerations). Kubernetes: 300.
  int64_t default_toleration_seconds = 10;
};

gateway_actor spawn_gateway(caf::actor_system& system, gateway_options options);

}  // namespace troupe::actors
