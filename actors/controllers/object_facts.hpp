// Small facts about API objects that every controller asks: who controls an object, and
// whether a pod is active and ready, as Kubernetes' helpers define them. Pure, thread-safe.
#pragma once

#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::controllers {

// metav1.GetControllerOf: the first ownerReference with controller: true, or null.
inline const messages::OwnerReference* controller_of(const messages::ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references())
    if (ref.has_controller() && ref.controller()) return &ref;
  return nullptr;
}

// Kubernetes' IsPodActive: not terminal and not being deleted.
inline bool is_active(const messages::Pod& pod) {
  const auto& phase = pod.status().phase();
  return phase != "Succeeded" && phase != "Failed" && !pod.metadata().has_deletion_timestamp();
}

// podutil.GetPodReadyCondition: the first condition of type Ready, or null.
inline const messages::PodCondition* ready_condition(const messages::Pod& pod) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}

inline bool is_ready(const messages::Pod& pod) {
  const auto* c = ready_condition(pod);
  return c != nullptr && c->status() == "True";
}

}  // namespace troupe::actors::controllers
