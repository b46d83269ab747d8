// The CAF configuration of every Troupe actor system that talks to other processes: the
// type-ID block, the "troupe" error category and the middleman. Construct one per system.
#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors {

struct system_config : caf::actor_system_config {
  system_config() {
    messages::register_caf_types(*this);
    load<caf::io::middleman>();
  }
};

}  // namespace troupe::actors
