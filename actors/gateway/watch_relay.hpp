// One API watch: an actor between the store's watch (raw stored values under a key prefix)
// and the API subscriber, who gets objects as the API shows them (resourceVersion set)
// filtered by its label and field selectors. It ends when the store ends the watch (it
// passes the end on), when its subscriber terminates, or when the gateway stops it.
#pragma once

#include <cstdint>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"

namespace troupe::actors {

struct watch_relay_spec {
  const messages::kind_info* kind = nullptr;
  messages::label_selector labels;
  messages::field_selector fields;
  caf::actor subscriber;
  uint64_t tag = 0;  // the subscriber's label for this watch
};

caf::actor spawn_watch_relay(caf::actor_system& system, watch_relay_spec spec);

}  // namespace troupe::actors
