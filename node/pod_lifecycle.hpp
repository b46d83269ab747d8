// The kubelet's per-pod logic without the kubelet: which containers to start and stop and when
// (init containers in order, restart policy, CrashLoopBackOff and image pull backoff, graceful
// termination), and the PodStatus Kubernetes would report for it.
//
// Not thread-safe: one owner (the pod actor) calls it. No clock and no timers of its own: every
// call that may change something takes the time (milliseconds since the Unix epoch, from the
// node's clock), and due() says when it wants to be called next. The owner's loop:
//   - on a runtime_event for the pod: on_event(event, now), then due(now)
//   - on a watch update of the pod: on_pod_update(pod, now), then due(now);
//     when the pod is gone from the API: on_pod_deleted(now), then due(now)
//   - at the wake-up time the last due() returned: due(now)
//   - after each: carry_out(lifecycle, step, runtime) and schedule the wake-up; when
//     status_revision() moved, write status() to the API server (keeping the conditions that
//     others own, such as readiness gates); when step.done, finish the deletion.
//
// Times in status() are whole seconds, as Kubernetes serializes them. hostIP and podIP come from
// the caller (set_ips). Not modelled yet: probes (a running container is ready and started),
// sidecars (init containers with restartPolicy Always), activeDeadlineSeconds, in-place spec
// updates, re-adopting containers after an agent restart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/container_runtime.hpp"

namespace troupe::messages {
class ContainerState;
class ContainerStatus;
class PodStatus;
}  // namespace troupe::messages

namespace troupe::node {

struct lifecycle_options {
  // Kubernetes' container restart backoff (and, with the same numbers, its image pull backoff):
  // the first restart of a container that exited is immediate, the next waits initial, then
  // twice as long each time up to max. It starts over when the container ran for longer than
  // 2 * max (ten minutes) since its last restart.
  int64_t backoff_initial_ms = 10'000;
  int64_t backoff_max_ms = 300'000;
  // How long after an attempt ended (exited, or failed before running) the lifecycle decides
  // whether and when to start the container again. Meanwhile status() shows what happened
  // (terminated, ErrImagePull, RunContainerError); then CrashLoopBackOff or ImagePullBackOff
  // while backing off. The kubelet notices an exit with its 1s PLEG relist.
  int64_t resync_delay_ms = 1'000;
};

// One thing for the owner to do on the runtime.
struct pod_action {
  enum class kind { prepare_pod, start_container, stop_container };
  kind what = kind::prepare_pod;
  // start and stop: the container's name, and its spec (valid while the lifecycle lives).
  std::string container;
  const messages::Container* spec = nullptr;
  // start: the restart count the new container carries.
  int32_t attempt = 0;
  // stop: SIGKILL after this long.
  int64_t grace_seconds = 0;
};

// What due() asks for.
struct lifecycle_step {
  std::vector<pod_action> actions;
  // Call due() again at this time; absent: only after the next event or pod update.
  std::optional<int64_t> wake_at_ms;
  // True once, when the pod's termination completed: every container has stopped and status()
  // is final. The owner removes the pod from the runtime and finishes the deletion.
  bool done = false;
};

class pod_lifecycle {
 public:
  // `pod` as bound to this node. Its spec is fixed from here on; its status seeds startTime and
  // the conditions' transition times (so that an agent restart does not move them).
  pod_lifecycle(const messages::Pod& pod, int64_t now_ms, lifecycle_options options = {});
  ~pod_lifecycle();
  pod_lifecycle(const pod_lifecycle&) = delete;
  pod_lifecycle& operator=(const pod_lifecycle&) = delete;

  // A newer version of the pod from the watch. Only its deletion is read: a deletionTimestamp
  // starts termination with deletionGracePeriodSeconds (else the spec's
  // terminationGracePeriodSeconds, else 30); a later, shorter grace period shortens it.
  void on_pod_update(const messages::Pod& pod, int64_t now_ms);
  // The pod is gone from the API (force deletion): terminate with no grace period.
  void on_pod_deleted(int64_t now_ms);
  // A report from the runtime about this pod. Stale and duplicate reports are ignored.
  void on_event(const runtime_event& event, int64_t now_ms);
  // Decides what to do now; see lifecycle_step.
  lifecycle_step due(int64_t now_ms);

  // The node's and the pod's addresses for status (hostIP(s), podIP(s)); empty: not reported.
  void set_ips(std::string host_ip, std::string pod_ip);

  // The status to report, kept up to date by every call above.
  const messages::PodStatus& status() const { return *status_; }
  // Grows by one whenever status() changes; starts at 1.
  uint64_t status_revision() const { return status_revision_; }

  const messages::Pod& pod() const { return *pod_; }
  bool terminating() const { return termination_grace_s_.has_value(); }
  // The termination completed (due() returned done).
  bool finished() const { return finished_; }

 private:
  // Kubernetes' flowcontrol.Backoff for one key, without jitter (the kubelet uses none).
  struct backoff {
    int64_t delay_ms = 0;  // the current delay; 0: no entry yet
    int64_t last_update_ms = 0;
    // An entry last updated more than 2 * max before event_ms counts as none.
    bool expired(int64_t event_ms, int64_t max_ms) const;
    // IsInBackOffSince: less than the delay has passed since event_ms.
    bool in_backoff_since(int64_t event_ms, int64_t now_ms, int64_t max_ms) const;
    // IsInBackOffSinceUpdate: less than the delay has passed since the last update.
    bool in_backoff_since_update(int64_t now_ms, int64_t max_ms) const;
    // Next: the initial delay for a new or expired entry, else twice the last up to the maximum.
    void next(int64_t event_ms, int64_t now_ms, const lifecycle_options& options);
  };

  enum class run_state {
    idle,         // may be started by the next due() (never started, or due to start again)
    starting,     // start_container issued; waiting for its outcome
    running,      // the runtime reported it running
    settling,     // its attempt ended at settled_at_ms; due() decides what next after resync
    backing_off,  // waiting until retry_at_ms (CrashLoopBackOff, ImagePullBackOff)
    finished,     // will not start again: done, not restarted by policy, or the pod terminates
  };

  // A container the runtime created: what its status shows.
  struct observed {
    std::string id;
    std::string image;
    std::string image_id;
    container_state state;  // running or terminated
  };

  struct container_track {
    const messages::Container* spec = nullptr;  // into *pod_
    bool init = false;
    run_state state = run_state::idle;
    // The attempt of the latest start issued.
    int32_t attempt = 0;
    // Containers the runtime created under this name; restartCount is created - 1.
    int32_t created = 0;
    std::optional<observed> latest;    // the newest created container
    std::optional<observed> previous;  // the one before it (terminated): lastState
    // The kubelet's reason cache: shown as the waiting state, instead of latest's, while the
    // container is to be started again and its next attempt has no outcome yet. Invariant: empty
    // when the state is running or finished.
    std::optional<container_waiting> reason;
    // settling: whether the attempt failed before a container was created (vs. exited).
    bool failed_before_creation = false;
    int64_t settled_at_ms = 0;
    int64_t retry_at_ms = 0;
    backoff crash_backoff;
    backoff pull_backoff;
    // Termination: the grace period of the stop already sent to the running container.
    std::optional<int64_t> stop_grace_s;
  };

  enum class sandbox_state { none, preparing, ready, failed };

  // The conditions this lifecycle owns, in the order Kubernetes reports them.
  static constexpr std::array<const char*, 5> condition_types = {
      "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"};
  struct condition_memory {
    std::string status;  // "True", "False"; empty before the first report
    int64_t since_ms = 0;
  };

  void note_time(int64_t now_ms);
  void begin_termination(int64_t grace_seconds);
  container_track* find(const std::string& name);
  void on_sandbox_event(const runtime_event& event);
  void on_failure_before_creation(container_track& c, const container_waiting& w);
  void record_container(container_track& c, const runtime_event& event);
  void on_running(container_track& c, const runtime_event& event);
  void on_terminated(container_track& c, const runtime_event& event);
  bool restarts_after_exit(const container_track& c, int32_t exit_code) const;
  void settle(container_track& c);
  void decide(container_track& c);
  void tend_sandbox(lifecycle_step& step);
  bool init_succeeded(const container_track& c) const;
  void start_eligible(lifecycle_step& step);
  void stop_for_termination(lifecycle_step& step);
  std::optional<int64_t> next_wake() const;
  static void fill_state(messages::ContainerState& out, const observed& container);
  void fill_container_status(const container_track& c, messages::ContainerStatus& out) const;
  int64_t transition_time(size_t index, const std::string& status);
  void rebuild_status();

  std::unique_ptr<const messages::Pod> pod_;
  lifecycle_options options_;
  // Init containers first, in spec order, then app containers in spec order.
  std::vector<container_track> containers_;
  sandbox_state sandbox_ = sandbox_state::none;
  backoff sandbox_backoff_;
  int64_t sandbox_retry_at_ms_ = 0;
  // Set once termination began: the grace period for stops. Only ever shortened.
  std::optional<int64_t> termination_grace_s_;
  // The termination completed: status() is final.
  bool finished_ = false;
  // The latest time any call was given; times never run backwards here.
  int64_t now_ms_ = 0;
  int64_t start_time_ms_ = 0;
  std::string host_ip_;
  std::string pod_ip_;
  // Once Succeeded or Failed, the phase stays.
  std::string phase_;
  std::array<condition_memory, condition_types.size()> conditions_;
  std::unique_ptr<messages::PodStatus> status_;
  uint64_t status_revision_ = 0;
};

// Carries out step's actions on `runtime`, and on step.done removes the pod from it.
void carry_out(const pod_lifecycle& lifecycle, const lifecycle_step& step,
               container_runtime& runtime);

}  // namespace troupe::node
