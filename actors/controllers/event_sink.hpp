// The event broadcaster of a process (client-go's EventBroadcaster): event recorders hand it
// their writes, and it sends them on in batches. The creates queued for one namespace go as one
// CREATE of many objects (one Raft entry instead of one per event: thirty thousand Scheduled
// events were what held the scheduler's committed bindings back); updates (a repeated event's
// count) follow, one by one, after the creates they may refer to.
//
// Batching needs no timer: one flush is in flight at a time, and what arrives meanwhile goes
// out with the next. Writes are fire-and-forget, as Kubernetes' are: a failed batch is dropped.
//
// Protocol: (api_atom, ApiRequest) one-way, a CREATE or UPDATE of an Event.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace troupe::actors::controllers {

caf::actor spawn_event_sink(caf::actor_system& system, gateway_actor gateway);

}  // namespace troupe::actors::controllers
