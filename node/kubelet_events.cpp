#include "node/kubelet_events.hpp"

#include <variant>

#include "messages/proto/core_pod.pb.h"
#include "node/kubelet_format.hpp"

namespace troupe::node {
namespace {

std::string quoted(const std::string& image) {
  return "\"" + image + "\"";
}

}  // namespace

kubelet_events::kubelet_events(const messages::Pod& pod) : pod_(pod) {}

std::string kubelet_events::image_of(const std::string& container) const {
  for (const auto& c : pod_.spec().init_containers())
    if (c.name() == container) return c.image();
  for (const auto& c : pod_.spec().containers())
    if (c.name() == container) return c.image();
  return {};
}

std::vector<kubelet_event> kubelet_events::on_actions(const lifecycle_step& step, int64_t now_ms) {
  std::vector<kubelet_event> out;
  for (const pod_action& action : step.actions) {
    if (action.what == pod_action::kind::stop_container) {
      out.push_back({"Normal", "Killing", "Stopping container " + action.container});
    } else if (action.what == pod_action::kind::start_container) {
      const std::string& image = action.spec->image();
      const std::string& policy = action.spec->image_pull_policy();
      // The first start pulls (this node's runtime has no image yet); a restart pulls again only
      // under Always, as the kubelet's image manager decides.
      if (policy == "Never") continue;
      if (action.attempt > 0 && policy != "Always") {
        out.push_back({"Normal", "Pulled",
                       "Container image " + quoted(image) + " already present on machine"});
        start_asked_ms_.erase(action.container);
      } else {
        out.push_back({"Normal", "Pulling", "Pulling image " + quoted(image)});
        start_asked_ms_[action.container] = now_ms;
      }
    }
  }
  return out;
}

std::vector<kubelet_event> kubelet_events::on_runtime_event(const runtime_event& event,
                                                            int64_t now_ms) {
  std::vector<kubelet_event> out;
  const std::string& name = event.container;
  if (name.empty()) {
    if (const auto* w = std::get_if<container_waiting>(&event.state))
      out.push_back(
          {"Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + w->message});
    return out;
  }
  const std::string image = image_of(name);
  if (std::holds_alternative<container_running>(event.state)) {
    if (auto asked = start_asked_ms_.find(name); asked != start_asked_ms_.end()) {
      // The sim runtime pulls as part of the start, so pull time and waiting are one figure.
      const auto took = go_duration(now_ms - asked->second);
      out.push_back({"Normal", "Pulled",
                     "Successfully pulled image " + quoted(image) + " in " + took + " (" + took +
                         " including waiting)"});
      start_asked_ms_.erase(asked);
    }
    out.push_back({"Normal", "Created", "Created container " + name});
    out.push_back({"Normal", "Started", "Started container " + name});
  } else if (const auto* w = std::get_if<container_waiting>(&event.state)) {
    start_asked_ms_.erase(name);
    if (w->reason == "ErrImagePull")
      out.push_back(
          {"Warning", "Failed", "Failed to pull image " + quoted(image) + ": " + w->message});
    else if (w->reason == "ErrImageNeverPull")
      out.push_back(
          {"Warning", "ErrImageNeverPull",
           "Container image " + quoted(image) + " is not present with pull policy of Never"});
    out.push_back({"Warning", "Failed", "Error: " + w->reason});
  } else if (const auto* t = std::get_if<container_terminated>(&event.state)) {
    if (t->reason == "StartError") {
      out.push_back({"Normal", "Created", "Created container " + name});
      out.push_back({"Warning", "Failed", "Error: " + t->message});
    }
  }
  return out;
}

std::vector<kubelet_event> kubelet_events::on_status(const messages::PodStatus& status) {
  std::vector<kubelet_event> out;
  auto track = [&](const messages::ContainerStatus& s) {
    const std::string reason = s.state().has_waiting() ? s.state().waiting().reason() : "";
    std::string& last = waiting_[s.name()];
    if (reason == last) return;
    last = reason;
    if (reason == "ImagePullBackOff") {
      out.push_back({"Normal", "BackOff", "Back-off pulling image " + quoted(image_of(s.name()))});
      out.push_back({"Warning", "Failed", "Error: ImagePullBackOff"});
    } else if (reason == "CrashLoopBackOff") {
      out.push_back(
          {"Warning", "BackOff",
           "Back-off restarting failed container " + s.name() + " in pod " + pod_reference(pod_)});
    }
  };
  for (const auto& s : status.init_container_statuses())
    track(s);
  for (const auto& s : status.container_statuses())
    track(s);
  return out;
}

}  // namespace troupe::node
