// The CAF configuration of every Troupe actor system that talks to other processes: the
// type-ID block, the "troupe" error category and the middleman. Construct one per system.
#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors {

struct system_config : caf::actor_system_config {
  system_config() {
    messages::register_caf_types(*this);
    load<caf::io::middleman>();
    // One shared job queue with a condition variable instead of work stealing: stealing's
    // workers poll and then sleep in short steps, which on a 2-core machine with several
    // servers costs CPU and ~1 ms per idle-to-busy wake-up (bench_store: single-client p50
    // 2.1 -> 1.3 ms, 256 clients +50% writes/s).
    set("scheduler.policy", caf::atom("sharing"));
  }
};

}  // namespace troupe::actors
