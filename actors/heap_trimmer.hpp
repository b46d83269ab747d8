// Hands the heap's free memory back to the kernel every `interval`. glibc returns free memory
// only from the top of each malloc arena; a process whose actors run on several threads has
// one arena per thread, and memory freed in the middle of one (a relist, a burst of watch
// events) stayed resident: the leader held 2.6x its live heap. malloc_trim walks every arena
// and releases each whole free page in it (madvise), at the cost of a pass over the free lists.
#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace troupe::actors {

// Runs until it is sent an exit (the actor system waits for it, like any actor).
caf::actor spawn_heap_trimmer(caf::actor_system& system,
                              std::chrono::milliseconds interval = std::chrono::seconds(10));

}  // namespace troupe::actors
