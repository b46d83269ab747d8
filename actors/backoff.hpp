// Exponential backoff with seeded jitter, for reconnecting to peers and retrying requests.
// A plain value: one owner, no threads, no clock (the caller schedules the delay).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace troupe::actors {

class backoff {
 public:
  using duration = std::chrono::milliseconds;

  backoff(duration initial, duration max, uint64_t seed)
      : initial_(initial), max_(std::max(initial, max)), current_(initial), rng_(seed) {}

  // The next delay: the current one with up to 50% jitter subtracted (so that peers that
  // lost each other at the same moment do not retry in lock step), after which the
  // current delay doubles up to the maximum.
  duration next() {
    auto base = current_.count();
    current_ = std::min(max_, current_ * 2);
    if (base <= 1) return duration{base};
    std::uniform_int_distribution<int64_t> jitter(0, base / 2);
    return duration{base - jitter(rng_)};
  }

  // After a success: the next failure waits the initial delay again.
  void reset() { current_ = initial_; }

 private:
  duration initial_;
  duration max_;
  duration current_;  // Invariant: initial_ <= current_ <= max_.
  std::mt19937_64 rng_;
};

}  // namespace troupe::actors
