// Shared informers: one list+watch per (resource, field selector) for every controller of this
// process, as client-go's SharedInformerFactory gives kube-controller-manager. The hub keeps
// the one cache (object_cache.hpp: serialized objects, indexed, parsed on demand) that every
// subscriber reads, and parses each change once for all of them, instead of each controller
// listing, watching, parsing and holding its own (the leader ran five caches of every pod: two
// replication controllers, the scheduler, the garbage collector, node lifecycle).
//
// Protocol: an informer in shared mode (informer.hpp) sends
//   (subscribe_atom, resource, group, field selector, subscriber, tag)
// and then receives (informer_delta_atom, tag, informer_delta): first everything the hub holds,
// then each batch of changes, in watch order. A delta with `synced` completes the subscriber's
// first list. The hub keeps one informer per stream, so a lost or compacted watch relists there
// and reaches subscribers as ordinary changes. Subscribers that terminate are dropped.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace troupe::actors::controllers {

caf::actor spawn_informer_hub(caf::actor_system& system, gateway_actor gateway);

}  // namespace troupe::actors::controllers
