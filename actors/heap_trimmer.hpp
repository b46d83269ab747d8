// Hands the heap's free memory back to the kernel every `interval`. glibc returns free memory
// only from the top of each malloc arena; a process whose actors run on several threads has
// one arena per thread, and memory freed in the middle of one (a relist, a burst of watch
// events) stayed resident: the leader held 2.6x its live heap. malloc_trim walks every arena
// and releases each whole free page in it (madvise), at the cost of a pass over the free lists.
// See also configure_heap.
#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace troupe::actors {

// glibc's malloc set for a server holding many small long-lived objects among short-lived
// ones: two arenas instead of one per thread (8 per core), and allocations of 128 KiB and
// more (big messages, parse arenas) mapped and unmapped on their own instead of carved from
// an arena, where their pages stayed resident between long-lived neighbours. At 100,000
// pods the leader's anonymous memory fell from 250-330 MiB to about 180. Call it first in
// main, before any thread starts.
void configure_heap();

// Runs until it is sent an exit (the actor system waits for it, like any actor).
caf::actor spawn_heap_trimmer(caf::actor_system& system,
                              std::chrono::milliseconds interval = std::chrono::seconds(2));

}  // namespace troupe::actors
