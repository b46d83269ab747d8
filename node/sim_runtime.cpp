#include "node/sim_runtime.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "messages/proto/core_pod.pb.h"

namespace troupe::node {
namespace {

using messages::Container;
using messages::Pod;

constexpr int64_t millis_per_second = 1000;
// Ten years: longer than any simulation, short enough not to overflow when turned into ms.
constexpr int64_t max_annotation_seconds = 315'360'000;
constexpr int32_t start_error_exit_code = 128;
constexpr int32_t sigkill_exit_code = 137;

// What the annotations say one container does.
struct container_script {
  std::optional<int64_t> run_ms;  // exits on its own this long after it started; absent: never
  int32_t exit_code = 0;          // ... with this code
  std::optional<std::string> pull_error;   // every pull fails, with this message
  std::optional<std::string> start_error;  // every start fails, with this message
  int64_t term_ms = 0;                     // time from SIGTERM to exit
  std::string invalid;  // not empty: an annotation could not be read; the start fails with this
};

// The value steering `container`: its own key first, then (app containers only) the pod-wide one.
const std::string* annotation_for(const Pod& pod, std::string_view key,
                                  const std::string& container, bool init) {
  const auto& annotations = pod.metadata().annotations();
  auto it = annotations.find(std::string(key) + "." + container);
  if (it != annotations.end()) return &it->second;
  if (init) return nullptr;
  it = annotations.find(std::string(key));
  return it == annotations.end() ? nullptr : &it->second;
}

class script_reader {
 public:
  script_reader(const Pod& pod, const std::string& container, bool init)
      : pod_(pod), container_(container), init_(init) {}

  const std::string* text(std::string_view key) const {
    return annotation_for(pod_, key, container_, init_);
  }

  // The annotation's integer in [0, max]; nullopt when absent or invalid (then `invalid` says so).
  std::optional<int64_t> number(std::string_view key, int64_t max, std::string& invalid) const {
    const std::string* value = text(key);
    if (value == nullptr) return std::nullopt;
    int64_t parsed = 0;
    const char* end = value->data() + value->size();
    auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
    if (ec != std::errc{} || ptr != end || parsed < 0 || parsed > max) {
      if (invalid.empty()) {
        invalid = "sim: annotation " + std::string(key) + ": \"" + *value +
                  "\" is not an integer in [0, " + std::to_string(max) + "]";
      }
      return std::nullopt;
    }
    return parsed;
  }

  // The message an error annotation carries; nullopt when absent.
  std::optional<std::string> message(std::string_view key, std::string fallback) const {
    const std::string* value = text(key);
    if (value == nullptr) return std::nullopt;
    return value->empty() ? std::move(fallback) : *value;
  }

 private:
  const Pod& pod_;
  const std::string& container_;
  bool init_;
};

std::string default_pull_error(const std::string& image) {
  return "failed to pull and unpack image \"" + image + "\": failed to resolve reference \"" +
         image + "\": " + image + ": not found";
}

container_script read_script(const Pod& pod, const Container& spec, bool init) {
  script_reader reader(pod, spec.name(), init);
  container_script script;
  if (auto seconds =
          reader.number(sim_run_seconds_annotation, max_annotation_seconds, script.invalid)) {
    script.run_ms = *seconds * millis_per_second;
  } else if (init) {
    script.run_ms = 0;
  }
  script.exit_code = static_cast<int32_t>(
      reader.number(sim_exit_code_annotation, 255, script.invalid).value_or(0));
  script.term_ms =
      reader.number(sim_term_seconds_annotation, max_annotation_seconds, script.invalid)
          .value_or(0) *
      millis_per_second;
  script.pull_error =
      reader.message(sim_image_pull_error_annotation, default_pull_error(spec.image()));
  if (!script.pull_error && spec.image().find("doesnotexist") != std::string::npos) {
    script.pull_error = default_pull_error(spec.image());
  }
  script.start_error = reader.message(sim_start_error_annotation, "sim: start-error annotation");
  return script;
}

bool is_init_container(const Pod& pod, const std::string& name) {
  const auto& inits = pod.spec().init_containers();
  return std::any_of(inits.begin(), inits.end(),
                     [&](const Container& c) { return c.name() == name; });
}

// "docker.io/library/nginx:1.25" -> "docker.io/library/nginx": the image without tag or digest.
std::string repository_of(const std::string& image) {
  std::string out = image.substr(0, image.find('@'));
  auto colon = out.rfind(':');
  auto slash = out.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    out.resize(colon);
  }
  return out;
}

void append_hex(std::string& out, uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4)
    out += digits[(value >> shift) & 0xf];
}

// A stable content address per image name, so that every hollow node reports the same imageID.
std::string image_id_of(const std::string& image) {
  std::string id = repository_of(image) + "@sha256:";
  for (uint64_t lane = 0; lane < 4; ++lane) {
    uint64_t hash = 0xcbf29ce484222325ULL ^ lane;  // FNV-1a, one lane per 64 bits
    for (unsigned char c : image)
      hash = (hash ^ c) * 0x100000001b3ULL;
    append_hex(id, hash);
  }
  return id;
}

// The report of an attempt that failed before a container was created.
runtime_event failed_before_creation(const std::string& uid, const std::string& container,
                                     int32_t attempt, std::string reason, std::string message) {
  runtime_event event;
  event.pod_uid = uid;
  event.container = container;
  event.attempt = attempt;
  event.state = container_waiting{std::move(reason), std::move(message)};
  return event;
}

std::string exit_reason(int32_t exit_code) {
  return exit_code == 0 ? "Completed" : "Error";
}

}  // namespace

// The simulated node. Everything below `mu` is guarded by it.
struct sim_runtime::state : std::enable_shared_from_this<sim_runtime::state> {
  struct container {
    enum class stage { pulling, creating, running };
    int32_t attempt = 0;
    // Only the timer armed with this token may advance the container; older timers are stale.
    uint64_t token = 0;
    stage at = stage::pulling;
    container_script script;
    std::string image;
    std::string id;  // set once created
    int64_t started_at_ms = 0;
    // When the process will exit (on its own, or because it was stopped), and with what code.
    std::optional<int64_t> exit_at_ms;
    int32_t exit_code = 0;
  };

  struct pod {
    std::shared_ptr<const Pod> object;
    uint64_t sandbox_token = 0;
    // Containers with a start in progress or a running process; ended ones are erased.
    std::map<std::string, container> containers;
  };

  state(sim_runtime_options o, event_sink s, timer t, clock c)
      : options(o), sink(std::move(s)), schedule(std::move(t)), now(std::move(c)), rng(o.seed) {}

  const sim_runtime_options options;
  const event_sink sink;
  const timer schedule;
  const clock now;

  std::mutex mu;
  std::mt19937_64 rng;
  std::set<std::string> pulled_images;
  std::map<std::string, pod> pods;  // by uid
  uint64_t last_token = 0;

  // Calls fire(uid, name, token) after delay_ms; name "" is the sandbox.
  uint64_t arm(const std::string& uid, const std::string& name, int64_t delay_ms) {
    uint64_t token = ++last_token;
    schedule(std::max<int64_t>(0, delay_ms), [weak = weak_from_this(), uid, name, token] {
      if (auto self = weak.lock()) self->fire(uid, name, token);
    });
    return token;
  }

  // Reports `event` from a timer callback, as every report is made.
  void post(runtime_event event) {
    schedule(0, [weak = weak_from_this(), event = std::move(event)] {
      if (auto self = weak.lock()) self->sink(event);
    });
  }

  int64_t start_latency_ms() {
    int64_t jitter = std::max<int64_t>(0, options.start_jitter_ms);
    auto offset = static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * jitter + 1)) - jitter;
    return std::max<int64_t>(0, options.start_latency_ms + offset);
  }

  bool draw_start_failure() {
    double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
    return unit < options.start_failure_probability;
  }

  std::string new_container_id() {
    std::string id = "sim://";
    for (int i = 0; i < 4; ++i)
      append_hex(id, rng());
    return id;
  }

  runtime_event event_for(const std::string& uid, const std::string& name, const container& c,
                          container_state s) const {
    return runtime_event{uid, name, c.attempt, std::move(s), c.id, c.image, image_id_of(c.image)};
  }

  void fire(const std::string& uid, const std::string& name, uint64_t token) {
    std::optional<runtime_event> event;
    {
      std::lock_guard lock(mu);
      auto p = pods.find(uid);
      if (p == pods.end()) return;
      if (name.empty()) {
        if (p->second.sandbox_token == token) event = sandbox_ready(uid);
      } else if (auto c = p->second.containers.find(name);
                 c != p->second.containers.end() && c->second.token == token) {
        event = advance(uid, p->second, c);
      }
    }
    if (event) sink(*event);
  }

  runtime_event sandbox_ready(const std::string& uid) {
    runtime_event event;
    event.pod_uid = uid;
    event.state = container_running{now()};
    event.container_id = new_container_id();
    return event;
  }

  using container_slot = std::map<std::string, container>::iterator;

  // The container's next step, now that its timer fired; the event to report, if any.
  std::optional<runtime_event> advance(const std::string& uid, pod& p, container_slot slot) {
    switch (slot->second.at) {
      case container::stage::pulling:
        return finish_pull(uid, p, slot);
      case container::stage::creating:
        return finish_start(uid, p, slot);
      case container::stage::running:
        return finish_run(uid, p, slot);
    }
    return std::nullopt;
  }

  std::optional<runtime_event> finish_pull(const std::string& uid, pod& p, container_slot slot) {
    container& c = slot->second;
    if (c.script.pull_error) {
      auto event =
          failed_before_creation(uid, slot->first, c.attempt, "ErrImagePull", *c.script.pull_error);
      p.containers.erase(slot);
      return event;
    }
    pulled_images.insert(c.image);
    c.at = container::stage::creating;
    c.token = arm(uid, slot->first, start_latency_ms());
    return std::nullopt;
  }

  std::optional<runtime_event> finish_start(const std::string& uid, pod& p, container_slot slot) {
    container& c = slot->second;
    c.id = new_container_id();
    // Drawn for every start, so that the failure probability does not shift later draws.
    bool injected_failure = draw_start_failure();
    std::string failure = !c.script.invalid.empty() ? c.script.invalid
                          : c.script.start_error    ? *c.script.start_error
                          : injected_failure        ? "sim: injected start failure"
                                                    : "";
    if (!failure.empty()) {
      auto event = event_for(uid, slot->first, c,
                             container_terminated{start_error_exit_code, 0, "StartError",
                                                  std::move(failure), std::nullopt, now()});
      p.containers.erase(slot);
      return event;
    }
    c.at = container::stage::running;
    c.started_at_ms = now();
    if (c.script.run_ms) schedule_exit(uid, slot->first, c, *c.script.run_ms, c.script.exit_code);
    return event_for(uid, slot->first, c, container_running{c.started_at_ms});
  }

  std::optional<runtime_event> finish_run(const std::string& uid, pod& p, container_slot slot) {
    const container& c = slot->second;
    auto event = event_for(
        uid, slot->first, c,
        container_terminated{c.exit_code, 0, exit_reason(c.exit_code), "", c.started_at_ms, now()});
    p.containers.erase(slot);
    return event;
  }

  // Makes the running container exit after delay_ms with exit_code, unless it exits sooner anyway.
  void schedule_exit(const std::string& uid, const std::string& name, container& c,
                     int64_t delay_ms, int32_t exit_code) {
    int64_t at = now() + delay_ms;
    if (c.exit_at_ms && *c.exit_at_ms <= at) return;
    c.exit_at_ms = at;
    c.exit_code = exit_code;
    c.token = arm(uid, name, delay_ms);
  }
};

sim_runtime::sim_runtime(sim_runtime_options options, event_sink sink, timer schedule, clock now_ms)
    : state_(std::make_shared<state>(options, std::move(sink), std::move(schedule),
                                     std::move(now_ms))) {}

sim_runtime::~sim_runtime() = default;

void sim_runtime::prepare_pod(const messages::Pod& pod) {
  std::lock_guard lock(state_->mu);
  const std::string& uid = pod.metadata().uid();
  auto& record = state_->pods[uid];
  record.object = std::make_shared<const Pod>(pod);
  record.sandbox_token = state_->arm(uid, "", state_->options.sandbox_latency_ms);
}

void sim_runtime::start_container(const std::string& pod_uid, const messages::Container& spec,
                                  int32_t attempt) {
  std::lock_guard lock(state_->mu);
  auto p = state_->pods.find(pod_uid);
  if (p == state_->pods.end()) {
    state_->post(
        failed_before_creation(pod_uid, spec.name(), attempt, "CreateContainerError",
                               "sim: pod " + pod_uid + " has no sandbox; prepare_pod comes first"));
    return;
  }
  const Pod& pod = *p->second.object;
  state::container c;
  c.attempt = attempt;
  c.image = spec.image();
  c.script = read_script(pod, spec, is_init_container(pod, spec.name()));
  bool present = state_->pulled_images.count(c.image) > 0;
  const std::string& policy = spec.image_pull_policy();
  if (policy == "Never" && !present) {
    state_->post(failed_before_creation(
        pod_uid, spec.name(), attempt, "ErrImageNeverPull",
        "Container image \"" + c.image + "\" is not present with pull policy of Never"));
    return;
  }
  bool pull = policy == "Always" || !present;
  c.at = pull ? state::container::stage::pulling : state::container::stage::creating;
  int64_t delay = pull ? state_->options.pull_latency_ms : state_->start_latency_ms();
  c.token = state_->arm(pod_uid, spec.name(), delay);
  // Replaces an earlier attempt still on record; its timers are stale from now on.
  p->second.containers.insert_or_assign(spec.name(), std::move(c));
}

void sim_runtime::stop_container(const std::string& pod_uid, const std::string& container,
                                 int64_t grace_seconds) {
  std::lock_guard lock(state_->mu);
  auto p = state_->pods.find(pod_uid);
  if (p == state_->pods.end()) return;
  auto c = p->second.containers.find(container);
  if (c == p->second.containers.end() || c->second.at != state::container::stage::running) return;
  int64_t grace_ms = std::max<int64_t>(0, grace_seconds) * millis_per_second;
  int64_t term_ms = c->second.script.term_ms;
  if (grace_ms > 0 && term_ms <= grace_ms) {
    state_->schedule_exit(pod_uid, container, c->second, term_ms, 0);
  } else {
    state_->schedule_exit(pod_uid, container, c->second, grace_ms, sigkill_exit_code);
  }
}

void sim_runtime::remove_pod(const std::string& pod_uid) {
  std::lock_guard lock(state_->mu);
  state_->pods.erase(pod_uid);
}

}  // namespace troupe::node
