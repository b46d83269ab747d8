// The kubelet-like pod lifecycle driven by hand-made runtime events and a virtual clock: what it
// starts and stops and when, and the PodStatus it reports. The last cases run it over the sim
// runtime the way the pod actor will.
#include "node/pod_lifecycle.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"
#include "node/sim_runtime.hpp"

namespace {

using troupe::messages::ContainerStatus;
using troupe::messages::Pod;
using troupe::messages::PodCondition;
using troupe::messages::PodStatus;
using namespace troupe::node;

// 2023-11-14T22:13:20Z.
constexpr int64_t t0 = 1'700'000'000'000;
constexpr int64_t t0_s = t0 / 1000;
constexpr const char* uid = "uid-web";

Pod make_pod(std::vector<std::string> apps = {"app"}, std::vector<std::string> inits = {},
             const std::string& restart_policy = "Always") {
  Pod pod;
  auto& meta = *pod.mutable_metadata();
  meta.set_name("web");
  meta.set_namespace_("default");
  meta.set_uid(uid);
  auto& spec = *pod.mutable_spec();
  spec.set_restart_policy(restart_policy);
  spec.set_termination_grace_period_seconds(30);
  spec.set_node_name("n1");
  for (const auto& name : inits) {
    auto& c = *spec.add_init_containers();
    c.set_name(name);
    c.set_image("busybox:1.36");
  }
  for (const auto& name : apps) {
    auto& c = *spec.add_containers();
    c.set_name(name);
    c.set_image("nginx:1.25");
  }
  pod.mutable_status()->set_phase("Pending");
  pod.mutable_status()->set_qos_class("BestEffort");
  return pod;
}

runtime_event event_of(const std::string& container, int32_t attempt, container_state state,
                       std::string id = "") {
  runtime_event e;
  e.pod_uid = uid;
  e.container = container;
  e.attempt = attempt;
  e.state = std::move(state);
  e.container_id = std::move(id);
  if (!e.container_id.empty()) e.image_id = "nginx@sha256:abc";
  return e;
}

std::string id_of(const std::string& container, int32_t attempt) {
  return "sim://" + container + "-" + std::to_string(attempt);
}

// Drives one lifecycle as the pod actor would, remembering the time and the last step.
struct harness {
  explicit harness(const Pod& pod, lifecycle_options options = {}) : lc(pod, t0, options) {}

  lifecycle_step due(int64_t at) {
    now = at;
    last = lc.due(at);
    return last;
  }
  void feed(const runtime_event& e, int64_t at) {
    now = at;
    lc.on_event(e, at);
  }

  // prepare_pod, sandbox ready at t0; returns the first starts.
  std::vector<std::string> boot() {
    auto step = due(t0);
    BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
    BOOST_REQUIRE(step.actions[0].what == pod_action::kind::prepare_pod);
    feed(event_of("", 0, container_running{t0}), t0);
    return starts(due(t0));
  }

  void run(const std::string& c, int32_t attempt, int64_t at) {
    feed(event_of(c, attempt, container_running{at}, id_of(c, attempt)), at);
  }
  void exit(const std::string& c, int32_t attempt, int32_t code, int64_t started, int64_t at) {
    container_terminated t{code, 0, code == 0 ? "Completed" : "Error", "", started, at};
    feed(event_of(c, attempt, t, id_of(c, attempt)), at);
  }

  // "name#attempt" of every start in a step.
  static std::vector<std::string> starts(const lifecycle_step& step) {
    std::vector<std::string> out;
    for (const auto& a : step.actions) {
      if (a.what == pod_action::kind::start_container) {
        BOOST_REQUIRE(a.spec != nullptr && a.spec->name() == a.container);
        out.push_back(a.container + "#" + std::to_string(a.attempt));
      }
    }
    return out;
  }

  const PodStatus& status() const { return lc.status(); }
  const ContainerStatus& app(const std::string& name = "app") const {
    return find(status().container_statuses(), name);
  }
  const ContainerStatus& init(const std::string& name) const {
    return find(status().init_container_statuses(), name);
  }
  const PodCondition& condition(const std::string& type) const {
    for (const auto& c : status().conditions()) {
      if (c.type() == type) return c;
    }
    BOOST_FAIL("no condition " << type);
    return status().conditions(0);
  }
  std::string waiting_reason(const ContainerStatus& s) const {
    return s.state().has_waiting() ? s.state().waiting().reason() : "";
  }

  pod_lifecycle lc;
  int64_t now = t0;
  lifecycle_step last;

 private:
  static const ContainerStatus& find(const google::protobuf::RepeatedPtrField<ContainerStatus>& all,
                                     const std::string& name) {
    for (const auto& s : all) {
      if (s.name() == name) return s;
    }
    BOOST_FAIL("no status for container " << name);
    return all[0];
  }
};

using names = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(node_pod_lifecycle)

BOOST_AUTO_TEST_CASE(new_pod_is_pending_with_kubelet_conditions) {
  harness h(make_pod());
  const auto& s = h.status();
  BOOST_TEST(s.phase() == "Pending");
  BOOST_TEST(s.start_time().seconds() == t0_s);
  BOOST_TEST(s.qos_class() == "BestEffort");
  BOOST_REQUIRE_EQUAL(s.conditions_size(), 5);
  names types;
  for (const auto& c : s.conditions())
    types.push_back(c.type());
  BOOST_TEST(types == (names{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                             "PodScheduled"}),
             boost::test_tools::per_element());
  BOOST_TEST(h.condition("PodReadyToStartContainers").status() == "False");
  BOOST_TEST(h.condition("Initialized").status() == "True");
  BOOST_TEST(h.condition("Ready").status() == "False");
  BOOST_TEST(h.condition("Ready").reason() == "ContainersNotReady");
  BOOST_TEST(h.condition("Ready").message() == "containers with unready status: [app]");
  BOOST_TEST(h.condition("PodScheduled").status() == "True");
  BOOST_TEST(!h.condition("PodScheduled").has_last_probe_time());
  BOOST_TEST(h.app().state().waiting().reason() == "ContainerCreating");
  BOOST_TEST(h.app().image() == "nginx:1.25");
  BOOST_TEST(h.app().started() == false);
  BOOST_TEST(h.lc.status_revision() == 1u);
}

BOOST_AUTO_TEST_CASE(normal_start_reaches_running_ready) {
  harness h(make_pod());
  BOOST_TEST(h.boot() == names{"app#0"});
  BOOST_TEST(h.condition("PodReadyToStartContainers").status() == "True");
  BOOST_TEST(h.app().state().waiting().reason() == "ContainerCreating");
  BOOST_TEST(!h.last.wake_at_ms.has_value());

  h.lc.set_ips("192.168.1.10", "10.244.1.5");
  h.run("app", 0, t0 + 2500);
  auto step = h.due(t0 + 2500);
  BOOST_TEST(step.actions.empty());
  const auto& s = h.status();
  BOOST_TEST(s.phase() == "Running");
  BOOST_TEST(s.host_ip() == "192.168.1.10");
  BOOST_TEST(s.pod_ip() == "10.244.1.5");
  BOOST_REQUIRE_EQUAL(s.pod_ips_size(), 1);
  BOOST_TEST(s.pod_ips(0).ip() == "10.244.1.5");
  const auto& app = h.app();
  BOOST_TEST(app.state().running().started_at().seconds() == t0_s + 2);
  BOOST_TEST(app.ready());
  BOOST_TEST(app.started());
  BOOST_TEST(app.restart_count() == 0);
  BOOST_TEST(app.container_id() == "sim://app-0");
  BOOST_TEST(app.image_id() == "nginx@sha256:abc");
  BOOST_TEST(!app.has_last_state());
  for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    BOOST_TEST(h.condition(type).status() == "True", type);
  }
  BOOST_TEST(h.condition("Ready").last_transition_time().seconds() == t0_s + 2);
  BOOST_TEST(h.condition("Ready").reason().empty());
}

BOOST_AUTO_TEST_CASE(multi_container_pod_is_ready_when_all_run) {
  harness h(make_pod({"web", "sidecar"}));
  BOOST_TEST(h.boot() == (names{"web#0", "sidecar#0"}));
  BOOST_TEST(h.condition("ContainersReady").message() ==
             "containers with unready status: [web sidecar]");
  h.run("web", 0, t0 + 1000);
  BOOST_TEST(h.status().phase() == "Pending");  // a container has not started yet
  BOOST_TEST(h.condition("ContainersReady").status() == "False");
  BOOST_TEST(h.condition("ContainersReady").message() ==
             "containers with unready status: [sidecar]");
  // The message changed, the status did not: the transition time stays.
  BOOST_TEST(h.condition("ContainersReady").last_transition_time().seconds() == t0_s);
  h.run("sidecar", 0, t0 + 3000);
  BOOST_TEST(h.condition("ContainersReady").status() == "True");
  BOOST_TEST(h.condition("Ready").status() == "True");
  BOOST_TEST(h.condition("Ready").last_transition_time().seconds() == t0_s + 3);
  BOOST_TEST(h.status().phase() == "Running");
}

BOOST_AUTO_TEST_CASE(init_containers_run_in_order_before_app_containers) {
  harness h(make_pod({"app"}, {"init-a", "init-b"}));
  BOOST_TEST(h.condition("Initialized").status() == "False");
  BOOST_TEST(h.condition("Initialized").reason() == "ContainersNotInitialized");
  BOOST_TEST(h.condition("Initialized").message() ==
             "containers with incomplete status: [init-a init-b]");
  BOOST_TEST(h.boot() == names{"init-a#0"});
  BOOST_TEST(h.waiting_reason(h.init("init-b")) == "PodInitializing");
  BOOST_TEST(h.waiting_reason(h.app()) == "PodInitializing");

  h.run("init-a", 0, t0 + 1000);
  BOOST_TEST(h.init("init-a").started());
  BOOST_TEST(!h.init("init-a").ready());
  BOOST_TEST(h.starts(h.due(t0 + 1000)).empty());
  h.exit("init-a", 0, 0, t0 + 1000, t0 + 2000);
  BOOST_TEST(h.starts(h.due(t0 + 2000)) == names{"init-b#0"});
  BOOST_TEST(h.init("init-a").ready());
  BOOST_TEST(h.init("init-a").state().terminated().reason() == "Completed");
  BOOST_TEST(h.condition("Initialized").message() == "containers with incomplete status: [init-b]");
  BOOST_TEST(h.status().phase() == "Pending");

  h.run("init-b", 0, t0 + 3000);
  h.exit("init-b", 0, 0, t0 + 3000, t0 + 4000);
  BOOST_TEST(h.condition("Initialized").status() == "True");
  BOOST_TEST(h.condition("Initialized").last_transition_time().seconds() == t0_s + 4);
  BOOST_TEST(h.starts(h.due(t0 + 4000)) == names{"app#0"});
  BOOST_TEST(h.waiting_reason(h.app()) == "PodInitializing");  // until the app container runs
  h.run("app", 0, t0 + 5000);
  BOOST_TEST(h.status().phase() == "Running");
  BOOST_TEST(h.condition("Ready").status() == "True");
}

BOOST_AUTO_TEST_CASE(failed_init_container_restarts_unless_policy_is_never) {
  harness restarting(make_pod({"app"}, {"init"}, "OnFailure"));
  restarting.boot();
  restarting.run("init", 0, t0 + 1000);
  restarting.exit("init", 0, 1, t0 + 1000, t0 + 2000);
  BOOST_TEST(restarting.status().phase() == "Pending");
  BOOST_TEST(restarting.starts(restarting.due(t0 + 3000)) == names{"init#1"});
  restarting.run("init", 1, t0 + 3500);
  restarting.exit("init", 1, 0, t0 + 3500, t0 + 4000);
  BOOST_TEST(restarting.starts(restarting.due(t0 + 4000)) == names{"app#0"});
  BOOST_TEST(restarting.init("init").restart_count() == 1);

  harness failing(make_pod({"app"}, {"init"}, "Never"));
  failing.boot();
  failing.run("init", 0, t0 + 1000);
  failing.exit("init", 0, 1, t0 + 1000, t0 + 2000);
  BOOST_TEST(failing.status().phase() == "Failed");
  BOOST_TEST(failing.starts(failing.due(t0 + 60'000)).empty());
  BOOST_TEST(!failing.last.wake_at_ms.has_value());
  BOOST_TEST(failing.waiting_reason(failing.app()) == "PodInitializing");
  BOOST_TEST(failing.condition("Ready").reason() == "PodFailed");
  BOOST_TEST(failing.condition("PodReadyToStartContainers").status() == "False");
}

BOOST_AUTO_TEST_CASE(exit_zero_restarts_under_always) {
  harness h(make_pod());
  h.boot();
  h.run("app", 0, t0 + 1000);
  h.exit("app", 0, 0, t0 + 1000, t0 + 5000);
  auto step = h.due(t0 + 5000);
  BOOST_TEST(h.starts(step).empty());
  BOOST_TEST(*step.wake_at_ms == t0 + 6000);  // the exit is noticed one resync later
  BOOST_TEST(h.status().phase() == "Running");
  BOOST_TEST(h.app().state().terminated().reason() == "Completed");
  BOOST_TEST(!h.app().ready());
  BOOST_TEST(h.condition("Ready").status() == "False");

  BOOST_TEST(h.starts(h.due(t0 + 6000)) == names{"app#1"});
  h.run("app", 1, t0 + 7000);
  const auto& app = h.app();
  BOOST_TEST(app.restart_count() == 1);
  BOOST_TEST(app.container_id() == "sim://app-1");
  BOOST_TEST(app.last_state().terminated().exit_code() == 0);
  BOOST_TEST(app.last_state().terminated().container_id() == "sim://app-0");
  BOOST_TEST(app.last_state().terminated().finished_at().seconds() == t0_s + 5);
  BOOST_TEST(h.status().phase() == "Running");
}

BOOST_AUTO_TEST_CASE(on_failure_and_never_complete_without_restart) {
  harness succeeded(make_pod({"app"}, {}, "OnFailure"));
  succeeded.boot();
  succeeded.run("app", 0, t0 + 1000);
  succeeded.exit("app", 0, 0, t0 + 1000, t0 + 5000);
  BOOST_TEST(succeeded.status().phase() == "Succeeded");
  BOOST_TEST(succeeded.starts(succeeded.due(t0 + 60'000)).empty());
  BOOST_TEST(succeeded.condition("Ready").status() == "False");
  BOOST_TEST(succeeded.condition("Ready").reason() == "PodCompleted");
  BOOST_TEST(succeeded.condition("ContainersReady").reason() == "PodCompleted");
  BOOST_TEST(succeeded.condition("Initialized").reason() == "PodCompleted");

  harness failed(make_pod({"app"}, {}, "Never"));
  failed.boot();
  failed.run("app", 0, t0 + 1000);
  failed.exit("app", 0, 2, t0 + 1000, t0 + 5000);
  BOOST_TEST(failed.status().phase() == "Failed");
  BOOST_TEST(failed.starts(failed.due(t0 + 60'000)).empty());
  BOOST_TEST(failed.app().state().terminated().exit_code() == 2);
  BOOST_TEST(failed.app().state().terminated().reason() == "Error");

  harness retried(make_pod({"app"}, {}, "OnFailure"));
  retried.boot();
  retried.run("app", 0, t0 + 1000);
  retried.exit("app", 0, 2, t0 + 1000, t0 + 5000);
  BOOST_TEST(retried.status().phase() == "Running");
  BOOST_TEST(retried.starts(retried.due(t0 + 6000)) == names{"app#1"});
}

BOOST_AUTO_TEST_CASE(terminal_phase_stays_terminal) {
  harness h(make_pod({"a", "b"}, {}, "Never"));
  h.boot();
  h.run("a", 0, t0 + 1000);
  h.run("b", 0, t0 + 1000);
  h.exit("a", 0, 0, t0 + 1000, t0 + 2000);
  BOOST_TEST(h.status().phase() == "Running");
  h.exit("b", 0, 1, t0 + 1000, t0 + 3000);
  BOOST_TEST(h.status().phase() == "Failed");
  h.due(t0 + 10'000);
  h.lc.on_pod_update(h.lc.pod(), t0 + 20'000);
  BOOST_TEST(h.status().phase() == "Failed");
}

// Each attempt crashes right after it started: the first restart follows the exit at once (one
// resync later), then the waits double from 10s up to 5m.
BOOST_AUTO_TEST_CASE(crash_loop_backs_off_doubling_to_five_minutes) {
  harness h(make_pod());
  h.boot();
  int64_t started = t0;
  std::vector<int64_t> waits;
  std::vector<std::string> messages;
  for (int32_t attempt = 0; attempt < 9; ++attempt) {
    h.run("app", attempt, started + 100);
    int64_t crashed = started + 100;
    h.exit("app", attempt, 1, crashed, crashed);
    auto step = h.due(crashed);
    BOOST_REQUIRE(h.app().state().has_terminated());  // until the crash is noticed
    while (h.starts(step).empty()) {
      BOOST_REQUIRE(step.wake_at_ms.has_value());
      step = h.due(*step.wake_at_ms);
      if (h.waiting_reason(h.app()) == "CrashLoopBackOff" &&
          (messages.empty() || messages.back() != h.app().state().waiting().message())) {
        messages.push_back(h.app().state().waiting().message());
        BOOST_TEST(h.app().last_state().terminated().exit_code() == 1);
        BOOST_TEST(h.app().restart_count() == attempt);
        BOOST_TEST(h.status().phase() == "Running");
      }
    }
    BOOST_TEST(h.starts(step) == names{"app#" + std::to_string(attempt + 1)});
    waits.push_back(h.now - crashed);
    started = h.now;
  }
  BOOST_TEST(waits == (std::vector<int64_t>{1000, 10'000, 20'000, 40'000, 80'000, 160'000, 300'000,
                                            300'000, 300'000}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(messages.size(), 6u);  // the three 5m0s back-offs say the same
  BOOST_TEST(messages.front() ==
             "back-off 10s restarting failed container=app pod=web_default(uid-web)");
  BOOST_TEST(messages[4] ==
             "back-off 2m40s restarting failed container=app pod=web_default(uid-web)");
  BOOST_TEST(messages.back() ==
             "back-off 5m0s restarting failed container=app pod=web_default(uid-web)");
}

BOOST_AUTO_TEST_CASE(backoff_starts_over_after_ten_minutes_of_running) {
  harness h(make_pod());
  h.boot();
  h.run("app", 0, t0);
  h.exit("app", 0, 1, t0, t0 + 100);
  BOOST_TEST(h.starts(h.due(t0 + 1100)) == names{"app#1"});
  h.run("app", 1, t0 + 1200);
  h.exit("app", 1, 1, t0 + 1200, t0 + 1300);
  auto step = h.due(t0 + 2300);
  BOOST_TEST(h.waiting_reason(h.app()) == "CrashLoopBackOff");
  BOOST_TEST(h.starts(h.due(*step.wake_at_ms)) == names{"app#2"});
  int64_t restarted = h.now;

  h.run("app", 2, restarted + 100);
  int64_t crashed = restarted + 11 * 60'000;
  h.exit("app", 2, 1, restarted + 100, crashed);
  BOOST_TEST(h.starts(h.due(crashed + 1000)) == names{"app#3"});  // no backoff
  h.run("app", 3, crashed + 1100);
  h.exit("app", 3, 1, crashed + 1100, crashed + 1200);
  h.due(crashed + 2200);
  BOOST_TEST(h.app().state().waiting().message() ==
             "back-off 10s restarting failed container=app pod=web_default(uid-web)");
}

BOOST_AUTO_TEST_CASE(image_pull_error_then_image_pull_backoff) {
  harness h(make_pod());
  h.boot();
  const std::string failure = "failed to pull and unpack image \"nginx:1.25\": not found";
  h.feed(event_of("app", 0, container_waiting{"ErrImagePull", failure}), t0 + 2000);
  auto step = h.due(t0 + 2000);
  BOOST_TEST(h.waiting_reason(h.app()) == "ErrImagePull");
  BOOST_TEST(h.app().state().waiting().message() == failure);
  BOOST_TEST(h.status().phase() == "Pending");

  step = h.due(*step.wake_at_ms);
  BOOST_TEST(h.now == t0 + 3000);
  BOOST_TEST(h.waiting_reason(h.app()) == "ImagePullBackOff");
  BOOST_TEST(h.app().state().waiting().message() == "Back-off pulling image \"nginx:1.25\"");
  BOOST_TEST(*step.wake_at_ms == t0 + 12'000);

  BOOST_TEST(h.starts(h.due(t0 + 12'000)) == names{"app#0"});   // no container was created
  BOOST_TEST(h.waiting_reason(h.app()) == "ImagePullBackOff");  // until the retry's outcome
  h.feed(event_of("app", 0, container_waiting{"ErrImagePull", failure}), t0 + 14'000);
  BOOST_TEST(h.waiting_reason(h.app()) == "ErrImagePull");
  step = h.due(t0 + 15'000);
  BOOST_TEST(h.waiting_reason(h.app()) == "ImagePullBackOff");
  BOOST_TEST(*step.wake_at_ms == t0 + 14'000 + 20'000);
  BOOST_TEST(h.app().restart_count() == 0);
  BOOST_TEST(!h.app().has_last_state());
  BOOST_TEST(h.app().container_id().empty());

  BOOST_TEST(h.starts(h.due(t0 + 34'000)) == names{"app#0"});
  h.run("app", 0, t0 + 36'000);
  BOOST_TEST(h.status().phase() == "Running");
  BOOST_TEST(h.app().restart_count() == 0);
}

BOOST_AUTO_TEST_CASE(start_error_shows_run_container_error_then_crash_loop) {
  harness h(make_pod());
  h.boot();
  auto start_error = [&](int32_t attempt, int64_t at) {
    container_terminated t{128, 0, "StartError", "exec: \"nginx\": not found", std::nullopt, at};
    h.feed(event_of("app", attempt, t, id_of("app", attempt)), at);
  };
  start_error(0, t0 + 1000);
  BOOST_TEST(h.waiting_reason(h.app()) == "RunContainerError");
  BOOST_TEST(h.app().state().waiting().message() == "exec: \"nginx\": not found");
  BOOST_TEST(h.app().last_state().terminated().exit_code() == 128);
  BOOST_TEST(!h.app().last_state().terminated().has_started_at());
  BOOST_TEST(h.app().restart_count() == 0);

  BOOST_TEST(h.starts(h.due(t0 + 2000)) == names{"app#1"});
  BOOST_TEST(h.waiting_reason(h.app()) == "RunContainerError");
  start_error(1, t0 + 3000);
  h.due(t0 + 4000);
  BOOST_TEST(h.waiting_reason(h.app()) == "CrashLoopBackOff");
  BOOST_TEST(h.app().restart_count() == 1);
  BOOST_TEST(h.app().last_state().terminated().reason() == "StartError");

  harness never(make_pod({"app"}, {}, "Never"));
  never.boot();
  container_terminated t{128, 0, "StartError", "exec failed", std::nullopt, t0 + 1000};
  never.feed(event_of("app", 0, t, id_of("app", 0)), t0 + 1000);
  BOOST_TEST(never.app().state().terminated().reason() == "StartError");
  BOOST_TEST(never.status().phase() == "Failed");
}

BOOST_AUTO_TEST_CASE(deletion_stops_containers_then_reports_done) {
  harness h(make_pod({"a", "b"}));
  h.boot();
  h.run("a", 0, t0 + 1000);
  h.run("b", 0, t0 + 1000);
  Pod deleted = h.lc.pod();
  deleted.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(t0_s + 10);
  deleted.mutable_metadata()->set_deletion_grace_period_seconds(20);
  h.lc.on_pod_update(deleted, t0 + 10'000);
  BOOST_TEST(h.lc.terminating());
  auto step = h.due(t0 + 10'000);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 2u);
  for (const auto& a : step.actions) {
    BOOST_TEST((a.what == pod_action::kind::stop_container));
    BOOST_TEST(a.grace_seconds == 20);
  }
  BOOST_TEST(!step.done);
  BOOST_TEST(h.status().phase() == "Running");
  BOOST_TEST(h.due(t0 + 11'000).actions.empty());  // no second stop

  h.exit("a", 0, 0, t0 + 1000, t0 + 12'000);
  BOOST_TEST(!h.due(t0 + 12'000).done);
  h.exit("b", 0, 0, t0 + 1000, t0 + 13'000);
  step = h.due(t0 + 13'000);
  BOOST_TEST(step.done);
  BOOST_TEST(h.lc.finished());
  BOOST_TEST(h.status().phase() == "Succeeded");  // every container exited 0
  BOOST_TEST(h.condition("Ready").reason() == "PodCompleted");
  BOOST_TEST(h.condition("PodReadyToStartContainers").status() == "False");
  BOOST_TEST(h.app("a").state().terminated().exit_code() == 0);
  BOOST_TEST(!h.due(t0 + 14'000).done);  // said once
}

BOOST_AUTO_TEST_CASE(killed_or_never_started_containers_make_a_deleted_pod_failed) {
  harness h(make_pod({"a", "b"}));
  h.boot();
  h.run("a", 0, t0 + 1000);
  h.feed(event_of("b", 0, container_waiting{"ErrImagePull", "not found"}), t0 + 1000);
  h.lc.on_pod_deleted(t0 + 5000);
  auto step = h.due(t0 + 5000);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
  BOOST_TEST(step.actions[0].container == "a");
  BOOST_TEST(step.actions[0].grace_seconds == 0);
  BOOST_TEST(h.waiting_reason(h.app("b")) == "ContainerCreating");  // no restart reason now
  h.exit("a", 0, 137, t0 + 1000, t0 + 5000);
  BOOST_TEST(h.due(t0 + 5000).done);
  BOOST_TEST(h.status().phase() == "Failed");
  BOOST_TEST(h.app("a").state().terminated().exit_code() == 137);
  const auto& b = h.app("b").state().terminated();
  BOOST_TEST(b.exit_code() == 137);
  BOOST_TEST(b.reason() == "ContainerStatusUnknown");
  BOOST_TEST(b.message() == "The container could not be located when the pod was terminated");
}

BOOST_AUTO_TEST_CASE(deletion_waits_for_a_starting_container_and_honours_shorter_grace) {
  harness h(make_pod());
  h.boot();
  Pod deleted = h.lc.pod();
  deleted.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(t0_s);
  h.lc.on_pod_update(deleted, t0 + 100);
  auto step = h.due(t0 + 100);
  BOOST_TEST(step.actions.empty());
  BOOST_TEST(!step.done);  // the start in flight has no outcome yet

  h.run("app", 0, t0 + 2000);
  step = h.due(t0 + 2000);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
  BOOST_TEST(step.actions[0].grace_seconds == 30);  // the spec's terminationGracePeriodSeconds
  h.lc.on_pod_deleted(t0 + 3000);
  step = h.due(t0 + 3000);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
  BOOST_TEST(step.actions[0].grace_seconds == 0);
  h.exit("app", 0, 137, t0 + 2000, t0 + 3000);
  BOOST_TEST(h.due(t0 + 3000).done);
  BOOST_TEST(h.status().phase() == "Failed");
}

BOOST_AUTO_TEST_CASE(conditions_keep_transition_times_across_repeated_status) {
  Pod pod = make_pod();
  auto& scheduled = *pod.mutable_status()->add_conditions();
  scheduled.set_type("PodScheduled");
  scheduled.set_status("True");
  scheduled.mutable_last_transition_time()->set_seconds(t0_s - 60);
  harness h(pod);
  h.boot();
  h.run("app", 0, t0 + 4000);
  PodStatus first = h.status();
  uint64_t revision = h.lc.status_revision();
  for (int64_t later : {5000, 60'000, 3'600'000}) {
    h.due(t0 + later);
    h.lc.on_pod_update(pod, t0 + later);
    BOOST_TEST(h.status().DebugString() == first.DebugString());
    BOOST_TEST(h.lc.status_revision() == revision);
  }
  BOOST_TEST(h.condition("PodScheduled").last_transition_time().seconds() == t0_s - 60);
  BOOST_TEST(h.condition("Ready").last_transition_time().seconds() == t0_s + 4);
  BOOST_TEST(h.condition("Initialized").last_transition_time().seconds() == t0_s);

  h.exit("app", 0, 1, t0 + 4000, t0 + 3'700'000);
  BOOST_TEST(h.lc.status_revision() == revision + 1);
  BOOST_TEST(h.condition("Ready").last_transition_time().seconds() == t0_s + 3700);
  BOOST_TEST(h.condition("PodScheduled").last_transition_time().seconds() == t0_s - 60);
}

BOOST_AUTO_TEST_CASE(stale_and_duplicate_events_are_ignored) {
  harness h(make_pod());
  h.boot();
  h.run("app", 3, t0 + 1000);  // an attempt that was never started
  BOOST_TEST(h.app().state().has_waiting());
  h.run("app", 0, t0 + 1000);
  h.exit("app", 0, 1, t0 + 1000, t0 + 2000);
  h.run("app", 0, t0 + 2500);  // late duplicate of the running report
  BOOST_TEST(h.app().state().has_terminated());
  h.feed(event_of("nosuch", 0, container_running{t0}), t0 + 2600);
  BOOST_TEST(h.status().container_statuses_size() == 1);
}

BOOST_AUTO_TEST_CASE(failed_sandbox_is_prepared_again_after_backoff) {
  harness h(make_pod());
  auto step = h.due(t0);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
  h.feed(event_of("", 0, container_waiting{"FailedCreatePodSandBox", "no IP left"}), t0 + 500);
  step = h.due(t0 + 500);
  BOOST_TEST(step.actions.empty());
  BOOST_TEST(*step.wake_at_ms == t0 + 10'500);
  BOOST_TEST(h.condition("PodReadyToStartContainers").status() == "False");
  step = h.due(t0 + 10'500);
  BOOST_REQUIRE_EQUAL(step.actions.size(), 1u);
  BOOST_TEST((step.actions[0].what == pod_action::kind::prepare_pod));
}

// ---------------------------------------------------------------------------
// Over the sim runtime, as the pod actor drives it.
// ---------------------------------------------------------------------------

namespace {

class fake_timers {
 public:
  int64_t now() const { return now_; }
  void schedule(int64_t delay_ms, std::function<void()> callback) {
    queue_.push(entry{now_ + delay_ms, seq_++, std::move(callback)});
  }
  // Runs the earliest callback; false when none is left before `until`.
  bool run_next(int64_t until) {
    if (queue_.empty() || queue_.top().at > until) return false;
    entry e = queue_.top();
    queue_.pop();
    now_ = e.at;
    e.callback();
    return true;
  }

 private:
  struct entry {
    int64_t at;
    uint64_t seq;
    std::function<void()> callback;
    bool operator>(const entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  int64_t now_ = t0;
  uint64_t seq_ = 0;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> queue_;
};

// One pod on one hollow node: the runtime's events and the lifecycle's wake-ups share the timer
// queue, as they share the pod actor's mailbox.
struct hollow_node {
  explicit hollow_node(const Pod& pod)
      : runtime(
            options(), [this](runtime_event e) { on_event(std::move(e)); },
            [this](int64_t d, std::function<void()> f) { timers.schedule(d, std::move(f)); },
            [this] { return timers.now(); }),
        lc(pod, t0) {
    act(lc.due(t0));
  }

  static sim_runtime_options options() {
    sim_runtime_options o;
    o.seed = 3;
    return o;
  }

  void on_event(runtime_event e) {
    lc.on_event(e, timers.now());
    act(lc.due(timers.now()));
  }

  void act(const lifecycle_step& step) {
    carry_out(lc, step, runtime);
    done = done || step.done;
    if (step.wake_at_ms) {
      timers.schedule(*step.wake_at_ms - timers.now(), [this] { act(lc.due(timers.now())); });
    }
    if (lc.status_revision() != written_revision) {
      written_revision = lc.status_revision();
      phases.push_back(lc.status().phase());
    }
  }

  void run_until(int64_t until) {
    while (timers.run_next(until)) {
    }
  }

  fake_timers timers;
  sim_runtime runtime;
  pod_lifecycle lc;
  bool done = false;
  uint64_t written_revision = 0;
  std::vector<std::string> phases;  // the phase of every status written
};

}  // namespace

BOOST_AUTO_TEST_CASE(sim_runtime_pod_runs_and_is_deleted) {
  Pod pod = make_pod({"app"}, {"init"});
  hollow_node node(pod);
  node.run_until(t0 + 60'000);
  const auto& s = node.lc.status();
  BOOST_TEST(s.phase() == "Running");
  BOOST_TEST(s.container_statuses(0).ready());
  BOOST_TEST(s.init_container_statuses(0).state().terminated().reason() == "Completed");
  BOOST_TEST(s.container_statuses(0).container_id().rfind("sim://", 0) == 0);
  BOOST_TEST(node.phases.front() == "Pending");

  node.lc.on_pod_deleted(node.timers.now());
  node.act(node.lc.due(node.timers.now()));
  node.run_until(t0 + 120'000);
  BOOST_TEST(node.done);
  BOOST_TEST(node.lc.status().phase() == "Failed");  // grace 0: killed, 137
  BOOST_TEST(node.lc.status().container_statuses(0).state().terminated().exit_code() == 137);
}

BOOST_AUTO_TEST_CASE(sim_runtime_crashing_container_reaches_crash_loop_backoff) {
  Pod pod = make_pod();
  (*pod.mutable_metadata()->mutable_annotations())["sim.troupe.dev/run-seconds"] = "2";
  (*pod.mutable_metadata()->mutable_annotations())["sim.troupe.dev/exit-code"] = "1";
  hollow_node node(pod);
  node.run_until(t0 + 35'000);
  const auto& app = node.lc.status().container_statuses(0);
  BOOST_TEST(app.state().waiting().reason() == "CrashLoopBackOff");
  BOOST_TEST(app.restart_count() == 2);
  BOOST_TEST(app.last_state().terminated().exit_code() == 1);
  BOOST_TEST(node.lc.status().phase() == "Running");
}

BOOST_AUTO_TEST_SUITE_END()
