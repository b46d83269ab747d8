// The `sim` container runtime of hollow nodes: no processes, only the state changes a real runtime
// would report, on an injected clock and timer, so thousands of nodes fit in one process and a
// seed replays exactly.
//
// Thread safety: as container_runtime. Member functions lock one mutex; the sink is called only
// from timer callbacks, with the lock released. Timer callbacks hold a weak reference to the
// runtime's state, so a callback that fires after the runtime was destroyed does nothing.
// Deterministic for a seed as long as calls and timer callbacks come in the same order.
//
// What a container does (latencies from sim_runtime_options):
//   start_container -> pull (pull_latency_ms; skipped when the node has the image and the
//   imagePullPolicy is not Always) -> create and start (start latency) -> running
//   -> exits on its own only when the annotations below say so, else runs until stopped.
// A failed pull is reported as waiting ErrImagePull; a failed start as terminated, exit code 128,
// reason StartError. stop_container: the process exits with code 0 (Completed) after its
// term-seconds, or is killed with 137 (Error) when that is longer than the grace period, or at
// once for a grace period of 0.
//
// Pod annotations steer the simulation. A key with a ".<container name>" suffix
// (sim.troupe.dev/exit-code.web) applies to that container, init or app; a key without a suffix
// applies to every app container that has no key of its own (never to init containers, which by
// default exit with code 0 as soon as they run, so that pods get past them).
//   sim.troupe.dev/run-seconds      the container exits on its own this long after it started
//                                   (app containers: absent = runs until stopped)
//   sim.troupe.dev/exit-code        ... with this exit code (default 0)
//   sim.troupe.dev/image-pull-error every pull of the image fails with ErrImagePull; the value,
//                                   if not empty, is the message. An image whose name contains
//                                   "doesnotexist" fails the same way without any annotation.
//   sim.troupe.dev/start-error      every start fails with StartError; the value, if not empty,
//                                   is the message
//   sim.troupe.dev/term-seconds     how long the process takes to exit after SIGTERM (default 0)
// A value that is not a number where one is expected fails the start (StartError) with a message
// naming the annotation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "node/container_runtime.hpp"

namespace troupe::node {

inline constexpr std::string_view sim_run_seconds_annotation = "sim.troupe.dev/run-seconds";
inline constexpr std::string_view sim_exit_code_annotation = "sim.troupe.dev/exit-code";
inline constexpr std::string_view sim_image_pull_error_annotation =
    "sim.troupe.dev/image-pull-error";
inline constexpr std::string_view sim_start_error_annotation = "sim.troupe.dev/start-error";
inline constexpr std::string_view sim_term_seconds_annotation = "sim.troupe.dev/term-seconds";

struct sim_runtime_options {
  // From prepare_pod to the sandbox being ready.
  int64_t sandbox_latency_ms = 100;
  // From the image being present to the container running: uniform in
  // [start_latency_ms - start_jitter_ms, start_latency_ms + start_jitter_ms], at least 0.
  int64_t start_latency_ms = 300;
  int64_t start_jitter_ms = 100;
  // One image pull.
  int64_t pull_latency_ms = 2000;
  // Chance in [0, 1] that a start fails with StartError (shown as RunContainerError), drawn per
  // start from the seeded generator.
  double start_failure_probability = 0.0;
  uint64_t seed = 1;
};

class sim_runtime final : public container_runtime {
 public:
  // Runs `callback` once, delay_ms from now, on any thread. Must not run it before returning.
  using timer = std::function<void(int64_t delay_ms, std::function<void()> callback)>;
  // Milliseconds since the Unix epoch.
  using clock = std::function<int64_t()>;

  sim_runtime(sim_runtime_options options, event_sink sink, timer schedule, clock now_ms);
  ~sim_runtime() override;

  void prepare_pod(const messages::Pod& pod) override;
  void start_container(const std::string& pod_uid, const messages::Container& spec,
                       int32_t attempt) override;
  void stop_container(const std::string& pod_uid, const std::string& container,
                      int64_t grace_seconds) override;
  void remove_pod(const std::string& pod_uid) override;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace troupe::node
