// The kubelet's events about a pod's containers, as `describe pod` shows them: what each
// action, runtime report and back-off turns into.
#include "node/kubelet_events.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace {

using troupe::messages::Pod;
using troupe::messages::PodStatus;
using namespace troupe::node;

using events = std::vector<kubelet_event>;

Pod make_pod(const std::string& pull_policy) {
  Pod pod;
  pod.mutable_metadata()->set_name("web");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_uid("u1");
  auto& c = *pod.mutable_spec()->add_containers();
  c.set_name("nginx-container");
  c.set_image("nginx");
  c.set_image_pull_policy(pull_policy);
  return pod;
}

lifecycle_step start(const Pod& pod, int32_t attempt) {
  lifecycle_step step;
  step.actions.push_back({.what = pod_action::kind::start_container,
                          .container = "nginx-container",
                          .spec = &pod.spec().containers(0),
                          .attempt = attempt,
                          .grace_seconds = 0});
  return step;
}

runtime_event report(container_state state) {
  return {.pod_uid = "u1",
          .container = "nginx-container",
          .attempt = 0,
          .state = std::move(state),
          .container_id = "sim://1",
          .image = {},
          .image_id = {}};
}

PodStatus waiting(const std::string& reason) {
  PodStatus status;
  auto& s = *status.add_container_statuses();
  s.set_name("nginx-container");
  s.set_image("docker.io/library/nginx:latest");
  s.mutable_state()->mutable_waiting()->set_reason(reason);
  return status;
}

BOOST_AUTO_TEST_SUITE(kubelet_events_suite)

BOOST_AUTO_TEST_CASE(a_start_pulls_creates_and_starts) {
  const Pod pod = make_pod("Always");
  kubelet_events k(pod);
  BOOST_TEST((k.on_actions(start(pod, 0), 1'000) ==
              events{{"Normal", "Pulling", "Pulling image \"nginx\""}}));
  BOOST_TEST((k.on_runtime_event(report(container_running{2'500}), 2'500) ==
              events{{"Normal", "Pulled",
                      "Successfully pulled image \"nginx\" in 1.5s (1.5s including waiting)"},
                     {"Normal", "Created", "Created container nginx-container"},
                     {"Normal", "Started", "Started container nginx-container"}}));
}

BOOST_AUTO_TEST_CASE(a_restart_pulls_again_only_under_always) {
  const Pod always = make_pod("Always");
  kubelet_events a(always);
  BOOST_TEST((a.on_actions(start(always, 1), 0) ==
              events{{"Normal", "Pulling", "Pulling image \"nginx\""}}));

  const Pod present = make_pod("IfNotPresent");
  kubelet_events p(present);
  BOOST_TEST(
      (p.on_actions(start(present, 1), 0) ==
       events{{"Normal", "Pulled", "Container image \"nginx\" already present on machine"}}));
  // No pull was announced, so the start reports no pull time.
  BOOST_TEST(p.on_runtime_event(report(container_running{10}), 10).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_pull_then_its_back_off) {
  const Pod pod = make_pod("Always");
  kubelet_events k(pod);
  k.on_actions(start(pod, 0), 0);
  BOOST_TEST(
      (k.on_runtime_event(report(container_waiting{"ErrImagePull", "manifest unknown"}), 100) ==
       events{{"Warning", "Failed", "Failed to pull image \"nginx\": manifest unknown"},
              {"Warning", "Failed", "Error: ErrImagePull"}}));
  BOOST_TEST((k.on_status(waiting("ImagePullBackOff")) ==
              events{{"Normal", "BackOff", "Back-off pulling image \"nginx\""},
                     {"Warning", "Failed", "Error: ImagePullBackOff"}}));
  // The same back-off seen again is no new event (the recorder counts real repeats).
  BOOST_TEST(k.on_status(waiting("ImagePullBackOff")).empty());
}

BOOST_AUTO_TEST_CASE(a_crash_loop_and_a_stop) {
  const Pod pod = make_pod("Always");
  kubelet_events k(pod);
  BOOST_TEST((k.on_status(waiting("CrashLoopBackOff")) ==
              events{{"Warning", "BackOff",
                      "Back-off restarting failed container nginx-container in pod "
                      "web_default(u1)"}}));
  lifecycle_step stop;
  stop.actions.push_back({.what = pod_action::kind::stop_container,
                          .container = "nginx-container",
                          .spec = &pod.spec().containers(0),
                          .attempt = 0,
                          .grace_seconds = 30});
  BOOST_TEST((k.on_actions(stop, 0) ==
              events{{"Normal", "Killing", "Stopping container nginx-container"}}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
