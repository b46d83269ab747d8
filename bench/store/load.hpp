// Closed-loop write load for the store benchmark: C virtual clients, each with one write
// outstanding, against any put_target (etcd over gRPC, Troupe over CAF). Knows nothing of either.
// Thread-safety: run_closed_loop blocks its caller; targets call `done` from their own threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace troupe::bench {

// A replicated store that accepts writes. Implementations must be thread-safe: start_put is
// called from the load's thread and from inside `done` callbacks.
class put_target {
 public:
  put_target() = default;
  put_target(const put_target&) = delete;
  put_target& operator=(const put_target&) = delete;
  virtual ~put_target();

  // Starts one durable write of `value` under `key`. `done(ok)` runs exactly once, on a thread of
  // the target and never inside start_put, after the store acknowledged (ok) or gave up (!ok).
  virtual void start_put(std::string key, std::string value, std::function<void(bool ok)> done) = 0;
};

struct load_options {
  // Virtual clients, so also the number of writes in flight.
  std::size_t concurrency = 1;
  // Writes completing in the warm-up are not counted.
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds measure{5000};
  std::size_t value_bytes = 256;
  // Keys are "<key_prefix><client>/<sequence>": distinct across clients and runs.
  std::string key_prefix = "bench/";
  // When not 0: the clients stop once this many writes have started, and the run ends when
  // they are done (or the window closes): a fill of a known size rather than a rate.
  std::uint64_t max_writes = 0;
  // How long to wait for in-flight writes after the window before giving up on them.
  std::chrono::milliseconds drain_timeout{30000};
};

struct load_result {
  std::size_t concurrency = 0;
  // Writes that completed inside the measurement window, and those that failed there.
  std::uint64_t writes = 0;
  std::uint64_t failures = 0;
  double seconds = 0;  // the window, or the fill's duration with max_writes
  double writes_per_s = 0;
  // Latency of the successful writes in the window, start to acknowledgement.
  double p50_ms = 0;
  double p99_ms = 0;
  // False when in-flight writes had not finished drain_timeout after the window.
  bool drained = true;
};

// Runs the closed loop: every client starts its next write when its last one completes.
load_result run_closed_loop(put_target& target, const load_options& options);

// {"c1":{"writes_per_s":..,"p50_ms":..,"p99_ms":..,"writes":..,"failures":..},"c16":...}
std::string to_json(const std::vector<load_result>& results);

}  // namespace troupe::bench
