// The events the kubelet records about a pod's containers, which `describe pod` shows under
// Events: Pulling and Pulled, Created, Started, Killing, BackOff and Failed, with kubelet
// 1.32's reasons and messages. Pure: it turns what the pod actor does (the lifecycle's
// actions), what the runtime reports and the status the lifecycle derives into events; the
// pod actor hands them to its event recorder (which counts repeats, as Kubernetes does).
//
// Not thread-safe: one per pod actor.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "node/container_runtime.hpp"
#include "node/pod_lifecycle.hpp"

namespace troupe::messages {
class Pod;
class PodStatus;
}  // namespace troupe::messages

namespace troupe::node {

struct kubelet_event {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  friend bool operator==(const kubelet_event&, const kubelet_event&) = default;
};

class kubelet_events {
 public:
  explicit kubelet_events(const messages::Pod& pod);

  // The actions the pod actor is about to carry out.
  std::vector<kubelet_event> on_actions(const lifecycle_step& step, int64_t now_ms);
  // A runtime report about the pod.
  std::vector<kubelet_event> on_runtime_event(const runtime_event& event, int64_t now_ms);
  // The status after a step: a container that entered a back-off (ImagePullBackOff,
  // CrashLoopBackOff) since the last call.
  std::vector<kubelet_event> on_status(const messages::PodStatus& status);

 private:
  std::string image_of(const std::string& container) const;

  const messages::Pod& pod_;
  // When the current attempt of each container was asked to start: the pull's duration.
  std::map<std::string, int64_t> start_asked_ms_;
  // Each container's waiting reason as last seen in the status.
  std::map<std::string, std::string> waiting_;
};

}  // namespace troupe::node
