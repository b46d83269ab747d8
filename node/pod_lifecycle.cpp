#include "node/pod_lifecycle.hpp"

#include <algorithm>
#include <utility>

#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"
#include "node/kubelet_format.hpp"

namespace troupe::node {
namespace {

using messages::ContainerState;
using messages::ContainerStatus;
using messages::Pod;
using messages::PodStatus;

constexpr int64_t millis_per_second = 1000;
constexpr int64_t default_grace_seconds = 30;
constexpr int32_t sigkill_exit_code = 137;

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// metav1.Time serializes whole seconds, so the status carries no more.
void set_time(messages::Time& t, int64_t ms) {
  t.set_seconds(floor_div(ms, millis_per_second));
  t.set_nanos(0);
}

int64_t ms_of(const messages::Time& t) {
  return t.seconds() * millis_per_second + t.nanos() / 1'000'000;
}

// Go's fmt %s of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : " ") + names[i];
  return out + "]";
}

std::string restart_policy_of(const Pod& pod) {
  const std::string& policy = pod.spec().restart_policy();
  return policy.empty() ? "Always" : policy;
}

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

bool terminated_with(const ContainerState& state, int32_t exit_code) {
  return state.has_terminated() && state.terminated().exit_code() == exit_code;
}

// ---------------------------------------------------------------------------
// Ports of the kubelet's status rules, over the container statuses already built.
// ---------------------------------------------------------------------------

// kubecontainer.HasAnyRegularContainerStarted.
bool any_app_container_started(const PodStatus& status) {
  const auto& all = status.container_statuses();
  return std::any_of(all.begin(), all.end(), [](const ContainerStatus& s) {
    return s.state().has_running() || s.state().has_terminated();
  });
}

// The kubelet's getPhase. Every container has a status here, so none counts as unknown.
std::string pod_phase(const PodStatus& status, const std::string& restart_policy,
                      bool pod_is_terminal) {
  int pending_init = 0;
  int failed_init = 0;
  for (const ContainerStatus& s : status.init_container_statuses()) {
    const ContainerState& state = s.state();
    if (state.has_running()) {
      ++pending_init;
    } else if (state.has_terminated()) {
      if (state.terminated().exit_code() != 0) ++failed_init;
    } else if (s.last_state().has_terminated()) {
      if (s.last_state().terminated().exit_code() != 0) ++failed_init;
    } else {
      ++pending_init;
    }
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const ContainerStatus& s : status.container_statuses()) {
    const ContainerState& state = s.state();
    if (state.has_running()) {
      ++running;
    } else if (state.has_terminated()) {
      ++stopped;
      if (state.terminated().exit_code() == 0) ++succeeded;
    } else if (s.last_state().has_terminated()) {
      ++stopped;  // waiting to restart
    } else {
      ++waiting;
    }
  }
  if (failed_init > 0 && restart_policy == "Never") return "Failed";
  if ((pending_init > 0 && !any_app_container_started(status)) || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped == 0) return "Pending";
  if (pod_is_terminal) return stopped == succeeded ? "Succeeded" : "Failed";
  if (restart_policy == "Always") return "Running";  // all restarting
  if (stopped == succeeded) return "Succeeded";
  return restart_policy == "Never" ? "Failed" : "Running";
}

struct condition_value {
  std::string status;
  std::string reason;
  std::string message;
};

// GeneratePodInitializedCondition.
condition_value initialized_condition(const PodStatus& status, const std::string& phase) {
  if (phase == "Succeeded") return {"True", "PodCompleted", ""};
  if (any_app_container_started(status)) return {"True", "", ""};
  std::vector<std::string> incomplete;
  for (const ContainerStatus& s : status.init_container_statuses()) {
    if (!terminated_with(s.state(), 0)) incomplete.push_back(s.name());
  }
  if (incomplete.empty()) return {"True", "", ""};
  return {"False", "ContainersNotInitialized",
          "containers with incomplete status: " + go_list(incomplete)};
}

// GenerateContainersReadyCondition; GeneratePodReadyCondition gives the same without readiness
// gates.
condition_value containers_ready_condition(const PodStatus& status, const std::string& phase) {
  if (phase == "Succeeded") return {"False", "PodCompleted", ""};
  if (phase == "Failed") return {"False", "PodFailed", ""};
  std::vector<std::string> unready;
  for (const ContainerStatus& s : status.container_statuses()) {
    if (!s.ready()) unready.push_back(s.name());
  }
  if (unready.empty()) return {"True", "", ""};
  return {"False", "ContainersNotReady", "containers with unready status: " + go_list(unready)};
}

// The status manager's hasPodInitialized.
bool has_pod_initialized(const PodStatus& status) {
  if (status.init_container_statuses().empty()) return true;
  for (const ContainerStatus& s : status.container_statuses()) {
    if (s.last_state().has_terminated() || !s.state().has_waiting()) return true;
  }
  const ContainerStatus& last = *status.init_container_statuses().rbegin();
  return terminated_with(last.state(), 0) || terminated_with(last.last_state(), 0);
}

void mark_status_unknown(ContainerStatus& s) {
  if (s.state().has_terminated()) return;
  s.mutable_state()->Clear();
  auto& terminated = *s.mutable_state()->mutable_terminated();
  terminated.set_exit_code(sigkill_exit_code);
  terminated.set_reason("ContainerStatusUnknown");
  terminated.set_message("The container could not be located when the pod was terminated");
}

// The status manager's TerminatePod: once the pod is done, no container may look as if it could
// still run. Initialized pods: every app container; init containers: all up to the last one
// with evidence of a start.
void settle_final_statuses(PodStatus& status) {
  if (has_pod_initialized(status)) {
    for (ContainerStatus& s : *status.mutable_container_statuses())
      mark_status_unknown(s);
  }
  auto& inits = *status.mutable_init_container_statuses();
  int last_started = -1;
  for (int i = 0; i < inits.size(); ++i) {
    if (!inits[i].state().has_waiting() || inits[i].last_state().has_terminated()) last_started = i;
  }
  for (int i = 0; i <= last_started; ++i)
    mark_status_unknown(inits[i]);
}

}  // namespace

// ---------------------------------------------------------------------------
// Backoff
// ---------------------------------------------------------------------------

bool pod_lifecycle::backoff::expired(int64_t event_ms, int64_t max_ms) const {
  return delay_ms == 0 || event_ms - last_update_ms > 2 * max_ms;
}

bool pod_lifecycle::backoff::in_backoff_since(int64_t event_ms, int64_t now_ms,
                                              int64_t max_ms) const {
  return !expired(event_ms, max_ms) && now_ms - event_ms < delay_ms;
}

bool pod_lifecycle::backoff::in_backoff_since_update(int64_t now_ms, int64_t max_ms) const {
  return !expired(now_ms, max_ms) && now_ms - last_update_ms < delay_ms;
}

void pod_lifecycle::backoff::next(int64_t event_ms, int64_t now_ms,
                                  const lifecycle_options& options) {
  delay_ms = expired(event_ms, options.backoff_max_ms)
                 ? options.backoff_initial_ms
                 : std::min(2 * delay_ms, options.backoff_max_ms);
  last_update_ms = now_ms;
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

pod_lifecycle::pod_lifecycle(const messages::Pod& pod, int64_t now_ms, lifecycle_options options)
    : pod_(std::make_unique<const Pod>(pod)),
      options_(options),
      now_ms_(now_ms),
      start_time_ms_(pod.status().has_start_time() ? ms_of(pod.status().start_time()) : now_ms),
      status_(std::make_unique<PodStatus>()) {
  auto track = [this](const messages::Container& spec, bool init) {
    container_track& c = containers_.emplace_back();
    c.spec = &spec;
    c.init = init;
  };
  for (const messages::Container& spec : pod_->spec().init_containers())
    track(spec, true);
  for (const messages::Container& spec : pod_->spec().containers())
    track(spec, false);
  for (const messages::PodCondition& c : pod.status().conditions()) {
    auto type = std::find(condition_types.begin(), condition_types.end(), c.type());
    if (type == condition_types.end()) continue;
    conditions_[type - condition_types.begin()] = {c.status(), ms_of(c.last_transition_time())};
  }
  rebuild_status();
}

pod_lifecycle::~pod_lifecycle() = default;

void pod_lifecycle::note_time(int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
}

void pod_lifecycle::on_pod_update(const messages::Pod& pod, int64_t now_ms) {
  note_time(now_ms);
  if (finished_ || !pod.metadata().has_deletion_timestamp()) return;
  const auto& spec = pod.spec();
  int64_t grace = pod.metadata().has_deletion_grace_period_seconds()
                      ? pod.metadata().deletion_grace_period_seconds()
                  : spec.has_termination_grace_period_seconds()
                      ? spec.termination_grace_period_seconds()
                      : default_grace_seconds;
  begin_termination(grace);
}

void pod_lifecycle::on_pod_deleted(int64_t now_ms) {
  note_time(now_ms);
  if (!finished_) begin_termination(0);
}

// From here on nothing starts again: what is not running is finished; due() stops the rest.
void pod_lifecycle::begin_termination(int64_t grace_seconds) {
  grace_seconds = std::max<int64_t>(0, grace_seconds);
  if (termination_grace_s_ && *termination_grace_s_ <= grace_seconds) return;
  termination_grace_s_ = grace_seconds;
  for (container_track& c : containers_) {
    c.reason.reset();  // the kubelet shows no restart reason for a pod being deleted
    if (c.state == run_state::idle || c.state == run_state::settling ||
        c.state == run_state::backing_off) {
      c.state = run_state::finished;
    }
  }
  rebuild_status();
}

pod_lifecycle::container_track* pod_lifecycle::find(const std::string& name) {
  auto it = std::find_if(containers_.begin(), containers_.end(),
                         [&](const container_track& c) { return c.spec->name() == name; });
  return it == containers_.end() ? nullptr : &*it;
}

void pod_lifecycle::on_event(const runtime_event& event, int64_t now_ms) {
  note_time(now_ms);
  if (finished_) return;
  if (event.container.empty()) {
    on_sandbox_event(event);
  } else if (container_track* c = find(event.container); c && c->attempt == event.attempt) {
    // The state checks drop duplicates and reports that arrive after a later one.
    std::visit(overloaded{[&](const container_waiting& w) {
                            if (c->state == run_state::starting) on_failure_before_creation(*c, w);
                          },
                          [&](const container_running&) {
                            if (c->state == run_state::starting) on_running(*c, event);
                          },
                          [&](const container_terminated&) {
                            if (c->state == run_state::starting || c->state == run_state::running) {
                              on_terminated(*c, event);
                            }
                          }},
               event.state);
  }
  rebuild_status();
}

void pod_lifecycle::on_sandbox_event(const runtime_event& event) {
  if (sandbox_ != sandbox_state::preparing) return;
  if (std::holds_alternative<container_running>(event.state)) {
    sandbox_ = sandbox_state::ready;
    return;
  }
  sandbox_ = sandbox_state::failed;
  sandbox_backoff_.next(now_ms_, now_ms_, options_);
  sandbox_retry_at_ms_ = now_ms_ + sandbox_backoff_.delay_ms;
}

// No container was created: the image pull (or the configuration) failed. It is retried whatever
// the restart policy, after the image pull backoff.
void pod_lifecycle::on_failure_before_creation(container_track& c, const container_waiting& w) {
  c.pull_backoff.next(now_ms_, now_ms_, options_);
  if (terminating()) {
    c.state = run_state::finished;
    return;
  }
  c.reason = w;
  c.failed_before_creation = true;
  settle(c);
}

// Notes the container the event reports; a new container id is a new container.
void pod_lifecycle::record_container(container_track& c, const runtime_event& event) {
  if (c.latest && c.latest->id == event.container_id) {
    c.latest->state = event.state;
    return;
  }
  if (c.latest) c.previous = std::move(c.latest);
  c.latest = observed{event.container_id, event.image, event.image_id, event.state};
  ++c.created;
}

void pod_lifecycle::on_running(container_track& c, const runtime_event& event) {
  record_container(c, event);
  c.reason.reset();
  c.state = run_state::running;
}

void pod_lifecycle::on_terminated(container_track& c, const runtime_event& event) {
  record_container(c, event);
  c.reason.reset();
  const auto& exit = std::get<container_terminated>(event.state);
  if (!restarts_after_exit(c, exit.exit_code)) {
    c.state = run_state::finished;
    return;
  }
  if (exit.reason == "StartError") c.reason = container_waiting{"RunContainerError", exit.message};
  c.failed_before_creation = false;
  settle(c);
}

// The kubelet's ShouldContainerBeRestarted for a container that exited; init containers that
// failed restart unless the policy is Never, and never once they succeeded.
bool pod_lifecycle::restarts_after_exit(const container_track& c, int32_t exit_code) const {
  if (terminating()) return false;
  std::string policy = restart_policy_of(*pod_);
  if (c.init) return exit_code != 0 && policy != "Never";
  if (policy == "Always") return true;
  return policy == "OnFailure" && exit_code != 0;
}

void pod_lifecycle::settle(container_track& c) {
  c.state = run_state::settling;
  c.settled_at_ms = now_ms_;
}

// ---------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------

lifecycle_step pod_lifecycle::due(int64_t now_ms) {
  note_time(now_ms);
  lifecycle_step step;
  if (finished_) return step;
  if (terminating()) {
    stop_for_termination(step);
    auto active = [](const container_track& c) {
      return c.state == run_state::starting || c.state == run_state::running;
    };
    if (std::none_of(containers_.begin(), containers_.end(), active)) {
      finished_ = true;
      step.done = true;
    }
  } else {
    for (container_track& c : containers_) {
      if ((c.state == run_state::settling &&
           now_ms_ >= c.settled_at_ms + options_.resync_delay_ms) ||
          (c.state == run_state::backing_off && now_ms_ >= c.retry_at_ms)) {
        decide(c);
      }
    }
    if (!is_terminal(phase_)) {
      tend_sandbox(step);
      if (sandbox_ == sandbox_state::ready) start_eligible(step);
    }
    step.wake_at_ms = next_wake();
  }
  rebuild_status();
  return step;
}

// Whether the container that settled starts again now or backs off first: the kubelet's
// doBackOff for an exited container (measured from when it finished), its image puller's
// backoff for a failed pull (measured from the failure).
void pod_lifecycle::decide(container_track& c) {
  const int64_t max_ms = options_.backoff_max_ms;
  if (c.failed_before_creation) {
    if (c.pull_backoff.in_backoff_since_update(now_ms_, max_ms)) {
      c.state = run_state::backing_off;
      c.retry_at_ms = c.pull_backoff.last_update_ms + c.pull_backoff.delay_ms;
      if (c.reason && c.reason->reason == "ErrImagePull") {
        c.reason = container_waiting{"ImagePullBackOff",
                                     "Back-off pulling image \"" + c.spec->image() + "\""};
      }
      return;
    }
  } else {
    int64_t finished_at = std::get<container_terminated>(c.latest->state).finished_at_ms;
    if (c.crash_backoff.in_backoff_since(finished_at, now_ms_, max_ms)) {
      c.state = run_state::backing_off;
      c.retry_at_ms = finished_at + c.crash_backoff.delay_ms;
      c.reason = container_waiting{"CrashLoopBackOff",
                                   "back-off " + go_duration(c.crash_backoff.delay_ms) +
                                       " restarting failed container=" + c.spec->name() +
                                       " pod=" + pod_reference(*pod_)};
      return;
    }
    c.crash_backoff.next(finished_at, now_ms_, options_);
  }
  c.state = run_state::idle;
}

void pod_lifecycle::tend_sandbox(lifecycle_step& step) {
  bool retry = sandbox_ == sandbox_state::failed && now_ms_ >= sandbox_retry_at_ms_;
  if (sandbox_ != sandbox_state::none && !retry) return;
  sandbox_ = sandbox_state::preparing;
  step.actions.emplace_back().what = pod_action::kind::prepare_pod;
}

bool pod_lifecycle::init_succeeded(const container_track& c) const {
  return c.state == run_state::finished && c.latest &&
         std::get_if<container_terminated>(&c.latest->state) != nullptr &&
         std::get<container_terminated>(c.latest->state).exit_code == 0;
}

// Init containers one at a time in order, each after the previous one succeeded; then every app
// container at once.
void pod_lifecycle::start_eligible(lifecycle_step& step) {
  for (container_track& c : containers_) {
    if (c.init && init_succeeded(c)) continue;
    if (c.state == run_state::idle) {
      c.state = run_state::starting;
      c.attempt = c.created;
      pod_action& start = step.actions.emplace_back();
      start.what = pod_action::kind::start_container;
      start.container = c.spec->name();
      start.spec = c.spec;
      start.attempt = c.attempt;
    }
    if (c.init) return;  // the rest wait for this one
  }
}

// Stops every running container with the pod's grace period, again when it got shorter.
void pod_lifecycle::stop_for_termination(lifecycle_step& step) {
  const int64_t grace = *termination_grace_s_;
  for (container_track& c : containers_) {
    if (c.state != run_state::running || (c.stop_grace_s && *c.stop_grace_s <= grace)) continue;
    c.stop_grace_s = grace;
    pod_action& stop = step.actions.emplace_back();
    stop.what = pod_action::kind::stop_container;
    stop.container = c.spec->name();
    stop.spec = c.spec;
    stop.grace_seconds = grace;
  }
}

std::optional<int64_t> pod_lifecycle::next_wake() const {
  std::optional<int64_t> wake;
  auto consider = [&](int64_t at) { wake = wake ? std::min(*wake, at) : at; };
  for (const container_track& c : containers_) {
    if (c.state == run_state::settling) consider(c.settled_at_ms + options_.resync_delay_ms);
    if (c.state == run_state::backing_off) consider(c.retry_at_ms);
  }
  if (sandbox_ == sandbox_state::failed) consider(sandbox_retry_at_ms_);
  return wake;
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

void pod_lifecycle::set_ips(std::string host_ip, std::string pod_ip) {
  host_ip_ = std::move(host_ip);
  pod_ip_ = std::move(pod_ip);
  rebuild_status();
}

void pod_lifecycle::fill_state(messages::ContainerState& out, const observed& container) {
  std::visit(overloaded{[&](const container_waiting& w) {
                          out.mutable_waiting()->set_reason(w.reason);
                          out.mutable_waiting()->set_message(w.message);
                        },
                        [&](const container_running& r) {
                          set_time(*out.mutable_running()->mutable_started_at(), r.started_at_ms);
                        },
                        [&](const container_terminated& t) {
                          auto& terminated = *out.mutable_terminated();
                          terminated.set_exit_code(t.exit_code);
                          terminated.set_signal(t.signal);
                          terminated.set_reason(t.reason);
                          terminated.set_message(t.message);
                          if (t.started_at_ms) {
                            set_time(*terminated.mutable_started_at(), *t.started_at_ms);
                          }
                          set_time(*terminated.mutable_finished_at(), t.finished_at_ms);
                          terminated.set_container_id(container.id);
                        }},
             container.state);
}

// The kubelet's convertToAPIContainerStatuses for one container, with the prober's ready and
// started for a container without probes.
void pod_lifecycle::fill_container_status(const container_track& c,
                                          messages::ContainerStatus& out) const {
  out.set_name(c.spec->name());
  out.set_image(c.latest && !c.latest->image.empty() ? c.latest->image : c.spec->image());
  if (c.latest) {
    out.set_image_id(c.latest->image_id);
    out.set_container_id(c.latest->id);
  }
  out.set_restart_count(std::max(0, c.created - 1));
  if (c.reason) {
    out.mutable_state()->mutable_waiting()->set_reason(c.reason->reason);
    out.mutable_state()->mutable_waiting()->set_message(c.reason->message);
    // The container to be started again is the last one that terminated, if any.
    if (c.latest && std::holds_alternative<container_terminated>(c.latest->state)) {
      fill_state(*out.mutable_last_state(), *c.latest);
    }
  } else if (c.latest) {
    fill_state(*out.mutable_state(), *c.latest);
    if (c.previous) fill_state(*out.mutable_last_state(), *c.previous);
  } else {
    // Not created yet. With init containers, Kubernetes says PodInitializing for all of them.
    bool has_init = !pod_->spec().init_containers().empty();
    out.mutable_state()->mutable_waiting()->set_reason(has_init ? "PodInitializing"
                                                                : "ContainerCreating");
  }
  bool running = out.state().has_running();
  out.set_started(running);
  out.set_ready(c.init ? terminated_with(out.state(), 0) : running);
}

// The lastTransitionTime of condition `index` now that its status is `status`.
int64_t pod_lifecycle::transition_time(size_t index, const std::string& status) {
  condition_memory& memory = conditions_[index];
  if (memory.status != status) memory = {status, now_ms_};
  return memory.since_ms;
}

void pod_lifecycle::rebuild_status() {
  PodStatus next;
  for (const container_track& c : containers_) {
    fill_container_status(
        c, c.init ? *next.add_init_container_statuses() : *next.add_container_statuses());
  }
  if (finished_) settle_final_statuses(next);

  // A terminal phase stays; a finished termination always ends in one.
  std::string phase = pod_phase(next, restart_policy_of(*pod_), finished_);
  if (is_terminal(phase_)) phase = phase_;
  if (finished_ && !is_terminal(phase)) phase = "Failed";
  phase_ = phase;
  next.set_phase(phase);

  bool sandbox_usable = sandbox_ == sandbox_state::ready && !finished_ && !is_terminal(phase);
  condition_value containers_ready = containers_ready_condition(next, phase);
  const std::array<condition_value, condition_types.size()> values = {
      condition_value{sandbox_usable ? "True" : "False", "", ""},
      initialized_condition(next, phase),
      containers_ready,  // Ready: the same, as long as readiness gates are not modelled
      containers_ready,
      condition_value{"True", "", ""},
  };
  for (size_t i = 0; i < values.size(); ++i) {
    auto& condition = *next.add_conditions();
    condition.set_type(condition_types[i]);
    condition.set_status(values[i].status);
    set_time(*condition.mutable_last_transition_time(), transition_time(i, values[i].status));
    condition.set_reason(values[i].reason);
    condition.set_message(values[i].message);
  }

  if (!host_ip_.empty()) {
    next.set_host_ip(host_ip_);
    next.add_host_ips()->set_ip(host_ip_);
  }
  if (!pod_ip_.empty()) {
    next.set_pod_ip(pod_ip_);
    next.add_pod_ips()->set_ip(pod_ip_);
  }
  set_time(*next.mutable_start_time(), start_time_ms_);
  next.set_qos_class(pod_->status().qos_class());

  // Byte equality is content equality here: the only map fields of a PodStatus (a container's
  // allocated resources) stay empty, so serialization is canonical. Far cheaper than reflection.
  if (status_revision_ == 0 || next.SerializeAsString() != status_->SerializeAsString()) {
    *status_ = std::move(next);
    ++status_revision_;
  }
}

void carry_out(const pod_lifecycle& lifecycle, const lifecycle_step& step,
               container_runtime& runtime) {
  const std::string& uid = lifecycle.pod().metadata().uid();
  for (const pod_action& action : step.actions) {
    switch (action.what) {
      case pod_action::kind::prepare_pod:
        runtime.prepare_pod(lifecycle.pod());
        break;
      case pod_action::kind::start_container:
        runtime.start_container(uid, *action.spec, action.attempt);
        break;
      case pod_action::kind::stop_container:
        runtime.stop_container(uid, action.container, action.grace_seconds);
        break;
    }
  }
  if (step.done) runtime.remove_pod(uid);
}

}  // namespace troupe::node
