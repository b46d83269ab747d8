#include "actors/heap_config.hpp"

#include <malloc.h>

namespace troupe::actors {

void configure_heap() {
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
}

}  // namespace troupe::actors
