// glibc's malloc, set for a server that holds many small long-lived objects (the informer
// cache, the scheduler's pods) among short-lived ones (parses, messages).
//
// By default glibc keeps one arena per thread (up to 8 per core), and an arena returns memory
// only from its top: the pages of freed short-lived objects stayed resident between long-lived
// neighbours, and the leader's resident heap was about twice its live heap. Two arenas, and a
// fixed 128 KiB mmap threshold (glibc otherwise raises it as big blocks are freed, so that big
// messages and parse arenas end up inside arenas too), took the leader's anonymous memory at
// 100,000 pods from 250-380 MiB to about 180. malloc_trim every few seconds gained nothing on
// top of that, and its pauses showed in the API's p99.
#pragma once

namespace troupe::actors {

// Call it first in main, before any thread starts.
void configure_heap();

}  // namespace troupe::actors
