// The sim runtime on a fake timer queue: latencies, the image cache, determinism for a seed,
// failure injection, the annotations that script containers, stop and removal.
#include "node/sim_runtime.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "messages/proto/core_pod.pb.h"

namespace {

using troupe::messages::Pod;
using namespace troupe::node;

constexpr int64_t t0 = 1'700'000'000'000;

// A virtual clock with a queue of timers, run in time order (ties in scheduling order).
class fake_timers {
 public:
  int64_t now() const { return now_; }

  void schedule(int64_t delay_ms, std::function<void()> callback) {
    queue_.push(entry{now_ + delay_ms, next_seq_++, std::move(callback)});
  }

  // Runs every callback due at or before `until`, then leaves the clock at `until`.
  void run_until(int64_t until) {
    while (!queue_.empty() && queue_.top().at <= until) {
      entry e = queue_.top();
      queue_.pop();
      now_ = e.at;
      e.callback();
    }
    now_ = until;
  }

  void advance(int64_t ms) { run_until(now_ + ms); }
  bool idle() const { return queue_.empty(); }

 private:
  struct entry {
    int64_t at;
    uint64_t seq;
    std::function<void()> callback;
    bool operator>(const entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  int64_t now_ = t0;
  uint64_t next_seq_ = 0;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> queue_;
};

struct recorded {
  int64_t at = 0;
  runtime_event event;
};

// A sim runtime wired to a fake timer queue, recording what it reports.
struct sim_fixture {
  explicit sim_fixture(sim_runtime_options options = defaults())
      : runtime(
            options,
            [this](runtime_event e) {
              events.push_back({timers.now(), std::move(e)});
            },
            [this](int64_t delay, std::function<void()> f) {
              timers.schedule(delay, std::move(f));
            },
            [this] { return timers.now(); }) {}

  static sim_runtime_options defaults() {
    sim_runtime_options o;
    o.sandbox_latency_ms = 100;
    o.start_latency_ms = 300;
    o.start_jitter_ms = 0;
    o.pull_latency_ms = 2000;
    o.seed = 7;
    return o;
  }

  // The events about `container` (empty: the sandbox), in order.
  std::vector<recorded> of(const std::string& container) const {
    std::vector<recorded> out;
    for (const auto& r : events) {
      if (r.event.container == container) out.push_back(r);
    }
    return out;
  }

  fake_timers timers;
  std::vector<recorded> events;
  sim_runtime runtime;
};

Pod make_pod(const std::string& uid, std::map<std::string, std::string> annotations = {},
             const std::string& image = "nginx:1.25") {
  Pod pod;
  pod.mutable_metadata()->set_name("web");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_uid(uid);
  pod.mutable_metadata()->mutable_annotations()->insert(annotations.begin(), annotations.end());
  auto& c = *pod.mutable_spec()->add_containers();
  c.set_name("app");
  c.set_image(image);
  c.set_image_pull_policy("IfNotPresent");
  return pod;
}

const troupe::messages::Container& app(const Pod& pod) {
  return pod.spec().containers(0);
}

template <class T>
const T& state_as(const recorded& r) {
  const T* s = std::get_if<T>(&r.event.state);
  BOOST_REQUIRE_MESSAGE(s != nullptr, "unexpected state for " << r.event.container);
  return *s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(node_sim_runtime)

BOOST_AUTO_TEST_CASE(start_reports_sandbox_then_pull_then_running) {
  sim_fixture f;
  Pod pod = make_pod("u1");
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", app(pod), 0);
  BOOST_TEST(f.events.empty());  // never reported from inside a call

  f.timers.advance(10'000);
  auto sandbox = f.of("");
  BOOST_REQUIRE_EQUAL(sandbox.size(), 1u);
  BOOST_TEST(sandbox[0].at == t0 + 100);
  state_as<container_running>(sandbox[0]);

  auto app_events = f.of("app");
  BOOST_REQUIRE_EQUAL(app_events.size(), 1u);  // runs until stopped
  BOOST_TEST(app_events[0].at == t0 + 2000 + 300);
  BOOST_TEST(state_as<container_running>(app_events[0]).started_at_ms == t0 + 2300);
  BOOST_TEST(app_events[0].event.pod_uid == "u1");
  BOOST_TEST(app_events[0].event.attempt == 0);
  BOOST_TEST(app_events[0].event.container_id.rfind("sim://", 0) == 0);
  BOOST_TEST(app_events[0].event.container_id.size() == 6u + 64u);
  BOOST_TEST(app_events[0].event.image == "nginx:1.25");
  BOOST_TEST(app_events[0].event.image_id.rfind("nginx@sha256:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(pulled_image_is_cached_unless_policy_always) {
  sim_fixture f;
  Pod first = make_pod("u1");
  f.runtime.prepare_pod(first);
  f.runtime.start_container("u1", app(first), 0);
  f.timers.advance(5000);

  Pod cached = make_pod("u2");
  f.runtime.prepare_pod(cached);
  int64_t start = f.timers.now();
  f.runtime.start_container("u2", app(cached), 0);
  Pod always = make_pod("u3");
  always.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Always");
  f.runtime.prepare_pod(always);
  f.runtime.start_container("u3", app(always), 0);
  f.timers.advance(5000);

  std::map<std::string, int64_t> running_at;
  for (const auto& r : f.of("app"))
    running_at[r.event.pod_uid] = r.at;
  BOOST_TEST(running_at["u2"] == start + 300);
  BOOST_TEST(running_at["u3"] == start + 2300);
}

BOOST_AUTO_TEST_CASE(never_policy_without_image_fails_with_err_image_never_pull) {
  sim_fixture f;
  Pod pod = make_pod("u1");
  pod.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Never");
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", app(pod), 0);
  f.timers.advance(5000);
  auto events = f.of("app");
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  const auto& w = state_as<container_waiting>(events[0]);
  BOOST_TEST(w.reason == "ErrImageNeverPull");
  BOOST_TEST(w.message ==
             "Container image \"nginx:1.25\" is not present with pull policy of Never");
}

BOOST_AUTO_TEST_CASE(start_latency_stays_within_jitter_and_varies) {
  auto options = sim_fixture::defaults();
  options.start_jitter_ms = 100;
  options.pull_latency_ms = 0;
  sim_fixture f(options);
  std::vector<int64_t> latencies;
  for (int i = 0; i < 50; ++i) {
    Pod pod = make_pod("u" + std::to_string(i));
    f.runtime.prepare_pod(pod);
    int64_t start = f.timers.now();
    f.runtime.start_container(pod.metadata().uid(), app(pod), 0);
    f.timers.advance(1000);
    latencies.push_back(f.of("app").back().at - start);
  }
  for (int64_t l : latencies)
    BOOST_TEST((l >= 200 && l <= 400), "latency " << l);
  BOOST_TEST(*std::min_element(latencies.begin(), latencies.end()) <
             *std::max_element(latencies.begin(), latencies.end()));
}

// The same seed and calls give the same reports, ids and times included; another seed does not.
BOOST_AUTO_TEST_CASE(same_seed_replays_exactly) {
  auto run = [](uint64_t seed) {
    auto options = sim_fixture::defaults();
    options.seed = seed;
    options.start_jitter_ms = 150;
    options.start_failure_probability = 0.3;
    sim_fixture f(options);
    for (int i = 0; i < 20; ++i) {
      Pod pod = make_pod("u" + std::to_string(i));
      f.runtime.prepare_pod(pod);
      f.runtime.start_container(pod.metadata().uid(), app(pod), 0);
      f.timers.advance(37);
    }
    f.timers.advance(10'000);
    std::vector<std::string> log;
    for (const auto& r : f.events) {
      log.push_back(std::to_string(r.at) + " " + r.event.pod_uid + "/" + r.event.container + " " +
                    std::to_string(r.event.state.index()) + " " + r.event.container_id);
    }
    return log;
  };
  auto a = run(42);
  BOOST_TEST(a.size() == 40u);
  BOOST_TEST(a == run(42));
  BOOST_TEST(a != run(43));
}

BOOST_AUTO_TEST_CASE(start_failure_probability_fails_that_share_with_start_error) {
  auto count_failures = [](double p) {
    auto options = sim_fixture::defaults();
    options.start_failure_probability = p;
    options.pull_latency_ms = 0;
    sim_fixture f(options);
    Pod pod = make_pod("u1");
    f.runtime.prepare_pod(pod);
    int failures = 0;
    for (int i = 0; i < 1000; ++i) {
      f.runtime.start_container("u1", app(pod), i);
      f.timers.advance(1000);
      const recorded last = f.of("app").back();
      BOOST_REQUIRE(last.event.attempt == i);
      if (const auto* t = std::get_if<container_terminated>(&last.event.state)) {
        BOOST_TEST(t->exit_code == 128);
        BOOST_TEST(t->reason == "StartError");
        BOOST_TEST(t->message == "sim: injected start failure");
        BOOST_TEST(!t->started_at_ms.has_value());
        BOOST_TEST(!last.event.container_id.empty());
        ++failures;
      }
      f.runtime.stop_container("u1", "app", 0);  // a running one ends before the next start
      f.timers.advance(1000);
    }
    return failures;
  };
  BOOST_TEST(count_failures(0.0) == 0);
  BOOST_TEST(count_failures(1.0) == 1000);
  int some = count_failures(0.3);
  BOOST_TEST((some > 240 && some < 360), "failures " << some);
}

BOOST_AUTO_TEST_CASE(run_seconds_and_exit_code_make_the_container_exit) {
  sim_fixture f;
  Pod pod =
      make_pod("u1", {{"sim.troupe.dev/run-seconds", "5"}, {"sim.troupe.dev/exit-code", "3"}});
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", app(pod), 2);
  f.timers.advance(60'000);
  auto events = f.of("app");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[1].at == events[0].at + 5000);
  const auto& t = state_as<container_terminated>(events[1]);
  BOOST_TEST(t.exit_code == 3);
  BOOST_TEST(t.reason == "Error");
  BOOST_TEST(*t.started_at_ms == events[0].at);
  BOOST_TEST(t.finished_at_ms == events[1].at);
  BOOST_TEST(events[1].event.attempt == 2);
  BOOST_TEST(events[1].event.container_id == events[0].event.container_id);
}

BOOST_AUTO_TEST_CASE(container_keys_override_pod_keys_and_init_containers_exit_at_once) {
  sim_fixture f;
  Pod pod = make_pod("u1", {{"sim.troupe.dev/run-seconds", "5"},
                            {"sim.troupe.dev/exit-code", "1"},
                            {"sim.troupe.dev/exit-code.app", "0"},
                            {"sim.troupe.dev/run-seconds.slow-init", "2"}});
  auto& quick = *pod.mutable_spec()->add_init_containers();
  quick.set_name("quick-init");
  quick.set_image("busybox");
  auto& slow = *pod.mutable_spec()->add_init_containers();
  slow.set_name("slow-init");
  slow.set_image("busybox");
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", pod.spec().init_containers(0), 0);
  f.runtime.start_container("u1", pod.spec().init_containers(1), 0);
  f.runtime.start_container("u1", app(pod), 0);
  f.timers.advance(60'000);

  auto quick_events = f.of("quick-init");
  BOOST_REQUIRE_EQUAL(quick_events.size(), 2u);
  BOOST_TEST(quick_events[1].at == quick_events[0].at);  // pod-wide keys do not apply to it
  BOOST_TEST(state_as<container_terminated>(quick_events[1]).exit_code == 0);
  BOOST_TEST(state_as<container_terminated>(quick_events[1]).reason == "Completed");

  auto slow_events = f.of("slow-init");
  BOOST_REQUIRE_EQUAL(slow_events.size(), 2u);
  BOOST_TEST(slow_events[1].at == slow_events[0].at + 2000);

  auto app_events = f.of("app");
  BOOST_REQUIRE_EQUAL(app_events.size(), 2u);
  BOOST_TEST(app_events[1].at == app_events[0].at + 5000);
  BOOST_TEST(state_as<container_terminated>(app_events[1]).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(image_pull_errors_report_err_image_pull_after_the_pull) {
  sim_fixture f;
  Pod missing = make_pod("u1", {}, "registry.local/doesnotexist:1");
  Pod annotated = make_pod("u2", {{"sim.troupe.dev/image-pull-error", "401 Unauthorized"}});
  for (const Pod* pod : {&missing, &annotated}) {
    f.runtime.prepare_pod(*pod);
    f.runtime.start_container(pod->metadata().uid(), app(*pod), 0);
  }
  f.timers.advance(10'000);
  auto events = f.of("app");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  for (const auto& r : events) {
    BOOST_TEST(r.at == t0 + 2000);
    BOOST_TEST(state_as<container_waiting>(r).reason == "ErrImagePull");
    BOOST_TEST(r.event.container_id.empty());
  }
  BOOST_TEST(state_as<container_waiting>(events[0]).message ==
             "failed to pull and unpack image \"registry.local/doesnotexist:1\": failed to resolve "
             "reference \"registry.local/doesnotexist:1\": registry.local/doesnotexist:1: not "
             "found");
  BOOST_TEST(state_as<container_waiting>(events[1]).message == "401 Unauthorized");
}

BOOST_AUTO_TEST_CASE(start_error_annotation_and_bad_values_fail_the_start) {
  sim_fixture f;
  Pod failing = make_pod("u1", {{"sim.troupe.dev/start-error", "exec: \"nginx\": not found"}});
  Pod bad = make_pod("u2", {{"sim.troupe.dev/run-seconds", "soon"}});
  for (const Pod* pod : {&failing, &bad}) {
    f.runtime.prepare_pod(*pod);
    f.runtime.start_container(pod->metadata().uid(), app(*pod), 0);
  }
  f.timers.advance(10'000);
  auto events = f.of("app");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(state_as<container_terminated>(events[0]).reason == "StartError");
  BOOST_TEST(state_as<container_terminated>(events[0]).message == "exec: \"nginx\": not found");
  BOOST_TEST(state_as<container_terminated>(events[1]).message ==
             "sim: annotation sim.troupe.dev/run-seconds: \"soon\" is not an integer in "
             "[0, 315360000]");
}

BOOST_AUTO_TEST_CASE(stop_exits_zero_within_grace_and_137_when_killed) {
  sim_fixture f;
  Pod quick = make_pod("quick");
  Pod stubborn = make_pod("stubborn", {{"sim.troupe.dev/term-seconds", "10"}});
  Pod forced = make_pod("forced");
  for (const Pod* pod : {&quick, &stubborn, &forced}) {
    f.runtime.prepare_pod(*pod);
    f.runtime.start_container(pod->metadata().uid(), app(*pod), 0);
  }
  f.timers.advance(5000);
  int64_t stop_at = f.timers.now();
  f.runtime.stop_container("quick", "app", 30);
  f.runtime.stop_container("stubborn", "app", 5);
  f.runtime.stop_container("forced", "app", 0);
  f.timers.advance(60'000);

  std::map<std::string, recorded> ended;
  for (const auto& r : f.of("app")) {
    if (std::holds_alternative<container_terminated>(r.event.state)) ended[r.event.pod_uid] = r;
  }
  BOOST_REQUIRE_EQUAL(ended.size(), 3u);
  BOOST_TEST(ended["quick"].at == stop_at);
  BOOST_TEST(state_as<container_terminated>(ended["quick"]).exit_code == 0);
  BOOST_TEST(state_as<container_terminated>(ended["quick"]).reason == "Completed");
  BOOST_TEST(ended["stubborn"].at == stop_at + 5000);
  BOOST_TEST(state_as<container_terminated>(ended["stubborn"]).exit_code == 137);
  BOOST_TEST(state_as<container_terminated>(ended["stubborn"]).reason == "Error");
  BOOST_TEST(ended["forced"].at == stop_at);
  BOOST_TEST(state_as<container_terminated>(ended["forced"]).exit_code == 137);
}

BOOST_AUTO_TEST_CASE(shorter_second_stop_wins_and_stop_of_a_starting_container_does_nothing) {
  sim_fixture f;
  Pod pod = make_pod("u1", {{"sim.troupe.dev/term-seconds", "20"}});
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", app(pod), 0);
  f.runtime.stop_container("u1", "app", 0);  // still pulling: ignored
  f.timers.advance(5000);
  BOOST_REQUIRE_EQUAL(f.of("app").size(), 1u);
  state_as<container_running>(f.of("app")[0]);

  int64_t stop_at = f.timers.now();
  f.runtime.stop_container("u1", "app", 30);  // would exit 0 after 20s
  f.timers.advance(1000);
  f.runtime.stop_container("u1", "app", 2);   // now killed 2s later
  f.runtime.stop_container("u1", "app", 60);  // a longer one changes nothing
  f.timers.advance(60'000);
  auto events = f.of("app");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[1].at == stop_at + 3000);
  BOOST_TEST(state_as<container_terminated>(events[1]).exit_code == 137);
}

BOOST_AUTO_TEST_CASE(removed_pod_reports_nothing_more) {
  sim_fixture f;
  Pod pod = make_pod("u1", {{"sim.troupe.dev/run-seconds", "5"}});
  f.runtime.prepare_pod(pod);
  f.runtime.start_container("u1", app(pod), 0);
  f.timers.advance(3000);
  BOOST_REQUIRE_EQUAL(f.of("app").size(), 1u);
  f.runtime.remove_pod("u1");
  f.timers.advance(60'000);
  BOOST_TEST(f.of("app").size() == 1u);
}

BOOST_AUTO_TEST_CASE(start_without_sandbox_fails_with_create_container_error) {
  sim_fixture f;
  Pod pod = make_pod("u1");
  f.runtime.start_container("u1", app(pod), 0);
  BOOST_TEST(f.events.empty());
  f.timers.advance(0);
  BOOST_REQUIRE_EQUAL(f.events.size(), 1u);
  BOOST_TEST(state_as<container_waiting>(f.events[0]).reason == "CreateContainerError");
}

BOOST_AUTO_TEST_CASE(timers_firing_after_destruction_do_nothing) {
  fake_timers timers;
  int reports = 0;
  {
    sim_runtime runtime(
        sim_fixture::defaults(), [&](runtime_event) { ++reports; },
        [&](int64_t d, std::function<void()> cb) { timers.schedule(d, std::move(cb)); },
        [&] { return timers.now(); });
    Pod pod = make_pod("u1");
    runtime.prepare_pod(pod);
    runtime.start_container("u1", app(pod), 0);
  }
  BOOST_TEST(!timers.idle());
  timers.advance(60'000);
  BOOST_TEST(reports == 0);
}

BOOST_AUTO_TEST_SUITE_END()
