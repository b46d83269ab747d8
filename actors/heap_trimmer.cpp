#include "actors/heap_trimmer.hpp"

#include <malloc.h>

#include <caf/event_based_actor.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors {
namespace {

caf::behavior heap_trimmer(caf::event_based_actor* self, std::chrono::milliseconds interval) {
  self->delayed_send(self, interval, atoms::tick_atom_v);
  return {
      [self, interval](atoms::tick_atom) {
        malloc_trim(0);
        self->delayed_send(self, interval, atoms::tick_atom_v);
      },
  };
}

}  // namespace

void configure_heap() {
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
}

caf::actor spawn_heap_trimmer(caf::actor_system& system, std::chrono::milliseconds interval) {
  return system.spawn(heap_trimmer, interval);
}

}  // namespace troupe::actors
