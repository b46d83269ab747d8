// The node agent's container-runtime interface: what a pod actor asks of the runtime (a pod
// sandbox, container starts and stops, removal) and how the runtime answers (runtime_event, through
// the sink given to the implementation at construction). Implementations: sim_runtime (hollow
// nodes, demos, scale tests) and, later, the runc runtime.
//
// Thread safety: every member function may be called from any thread, concurrently (one runtime
// serves all pod actors of a node); implementations synchronize internally. Calls return at once
// and never call the sink themselves: results arrive later, from whatever thread the
// implementation does its work on (the runc runtime's worker threads, the sim runtime's timer
// callbacks), never with a runtime lock held, so the sink may call back into the runtime. The sink
// must not block: it forwards the event to the owner of the pod's lifecycle (an actor message).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace troupe::messages {
class Container;
class Pod;
}  // namespace troupe::messages

namespace troupe::node {

// Times are milliseconds since the Unix epoch, from the clock the runtime was given.

// An attempt failed before a container existed. reason is the Kubernetes waiting reason to show:
// ErrImagePull, ErrImageNeverPull, CreateContainerError, CreateContainerConfigError ... and, for
// the pod sandbox, FailedCreatePodSandBox. message says what went wrong, for the user.
struct container_waiting {
  std::string reason;
  std::string message;
  friend bool operator==(const container_waiting&, const container_waiting&) = default;
};

// The container's process is running.
struct container_running {
  int64_t started_at_ms = 0;
  friend bool operator==(const container_running&, const container_running&) = default;
};

// The container's process ended, or never started. reason is what containerd reports: "Completed"
// (exit code 0), "Error" (any other code, including 137 after SIGKILL), "OOMKilled", or
// "StartError" (exit code 128: the container was created but its process could not be started;
// the pod lifecycle shows it as RunContainerError).
struct container_terminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  std::string message;
  // Absent when the process never started (StartError).
  std::optional<int64_t> started_at_ms;
  int64_t finished_at_ms = 0;
  friend bool operator==(const container_terminated&, const container_terminated&) = default;
};

using container_state = std::variant<container_waiting, container_running, container_terminated>;

// One change of a container (or of the pod sandbox) reported by the runtime.
struct runtime_event {
  std::string pod_uid;
  // Empty: the event is about the pod sandbox (running: ready; waiting: could not be created).
  std::string container;
  // The attempt given to start_container, echoed so the receiver can drop stale reports.
  int32_t attempt = 0;
  container_state state;
  // As Kubernetes shows it in containerID: "<runtime>://<id>" ("sim://3f2a..."). Empty when the
  // attempt failed before a container was created.
  std::string container_id;
  // The image reference the runtime resolved ("docker.io/library/nginx:1.25"); empty: the spec's.
  std::string image;
  // The image's content address as Kubernetes shows it in imageID ("<name>@sha256:<hex>").
  std::string image_id;
};

// The contract the pod lifecycle relies on:
// - prepare_pod is answered by exactly one sandbox event: running (ready for containers) or waiting
//   (could not be created; the caller may try again).
// - start_container is answered by exactly one outcome: waiting (failed before a container was
//   created: image pull, configuration), terminated with reason StartError (created, but its
//   process did not start), or running, which is followed by exactly one terminated when the
//   process ends, by itself or because it was stopped.
// - stop_container acts on a running container only; it does not cancel a start in progress (the
//   caller stops the container once it reports running) and does nothing for a container that
//   already ended. Its end is reported as terminated.
// - remove_pod ends whatever still runs without reporting it and releases the sandbox; no event
//   about the pod follows.
class container_runtime {
 public:
  using event_sink = std::function<void(runtime_event)>;

  container_runtime() = default;
  container_runtime(const container_runtime&) = delete;
  container_runtime& operator=(const container_runtime&) = delete;
  virtual ~container_runtime() = default;

  // Creates the pod's sandbox (network namespace, cgroup parent, volumes) for `pod`, whose
  // metadata, annotations and spec the runtime may keep for the pod's later operations.
  virtual void prepare_pod(const messages::Pod& pod) = 0;

  // Pulls the image as spec.imagePullPolicy says, creates and starts container `spec` in the pod's
  // sandbox. attempt is the restart count the new container carries (0 for the first).
  virtual void start_container(const std::string& pod_uid, const messages::Container& spec,
                               int32_t attempt) = 0;

  // Sends the container's process SIGTERM, and SIGKILL when it has not exited after
  // grace_seconds (at once for 0). A second stop with a shorter grace period shortens the wait.
  virtual void stop_container(const std::string& pod_uid, const std::string& container,
                              int64_t grace_seconds) = 0;

  // Forgets the pod: kills what still runs, removes its containers and sandbox.
  virtual void remove_pod(const std::string& pod_uid) = 0;
};

}  // namespace troupe::node
