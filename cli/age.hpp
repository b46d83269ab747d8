// kubectl's human durations for AGE-style columns ("45s", "5m10s", "3y100d"). Pure functions
// of their arguments (the caller passes "now"), so any thread may call them.
#pragma once

#include <cstdint>
#include <string>

namespace troupe::cli {

// kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration) of a span in milliseconds:
// about two significant units, e.g. 119s, 2m, 9m59s, 10m, 179m, 3h, 3h1m, 7h59m, 8h, 47h,
// 2d, 7d23h, 8d, 729d, 2y, 2y1d, 7y364d, 8y. A span down to -2s (exclusive) reads "0s", to
// tolerate clock skew; anything more negative reads "<invalid>".
std::string human_duration(int64_t ms);

// The AGE of something created at `created_ms` (Unix milliseconds) as of `now_ms`:
// human_duration(now_ms - created_ms), or "<unknown>" when created_ms is 0 (never set).
std::string age(int64_t created_ms, int64_t now_ms);

}  // namespace troupe::cli
