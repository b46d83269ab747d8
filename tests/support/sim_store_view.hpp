// One way into the simulation's store (sim_store.hpp), as a gateway sees its store: the
// store_api of one leadership epoch (a leader's own Raft member, whose writes fail once it is
// deposed), or of epoch 0, the front door that always reaches the current leader (a
// store_client). The faults of what lies between a gateway and Raft happen here: replies
// held back for a while, and proposals whose outcome the caller cannot know (lost before
// they applied, or applied with the reply lost).
//
// Test code only; see sim_store.hpp for the threading.
#pragma once

#include <cstdint>

#include <caf/actor_system.hpp>

#include "actors/store_api.hpp"
#include "tests/support/sim_store.hpp"

namespace troupe::test_support {

// Chances in [0, 1], drawn per call; the harness sets them to 0 to heal.
struct sim_store_faults {
  double lost_proposal = 0;  // fails with unavailable, nothing applied
  double lost_reply = 0;     // applied, but the caller hears unavailable or not_leader
  double delayed_reply = 0;  // the reply (of any call) comes up to max_delay_ms later
  int64_t max_delay_ms = 0;
};

// `faults` must outlive the actor; `seed` drives its draws.
actors::store_api spawn_sim_store_view(caf::actor_system& system, sim_store_actor store,
                                       uint64_t epoch, const sim_store_faults& faults,
                                       uint64_t seed);

}  // namespace troupe::test_support
