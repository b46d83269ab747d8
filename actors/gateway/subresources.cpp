#include "actors/gateway/subresources.hpp"

#include <algorithm>

#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::actors::gateway {
namespace {

using google::protobuf::Message;
using messages::errc;

// Kubernetes' default terminationGracePeriodSeconds.
constexpr int64_t default_grace_seconds = 30;

messages::Time time_at(int64_t unix_ms) {
  messages::Time t;
  t.set_seconds(unix_ms / 1000);
  return t;
}

bool has_finalizer(const messages::ObjectMeta& meta, std::string_view name) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), name) !=
         meta.finalizers().end();
}

// How long a pod's containers get to stop; 0 when there is nothing to stop.
int64_t pod_grace_seconds(const messages::Pod& pod, const deletion_request& request) {
  const auto& phase = pod.status().phase();
  if (pod.spec().node_name().empty() || phase == "Succeeded" || phase == "Failed") return 0;
  if (request.grace_period_seconds) return std::max<int64_t>(0, *request.grace_period_seconds);
  if (pod.spec().has_termination_grace_period_seconds())
    return std::max<int64_t>(0, pod.spec().termination_grace_period_seconds());
  return default_grace_seconds;
}

}  // namespace

deletion_step plan_deletion(Message& object, const messages::kind_info& /*kind*/,
                            const deletion_request& request, int64_t now_ms) {
  auto& meta = *messages::metadata_of(object);
  auto* pod = dynamic_cast<messages::Pod*>(&object);
  if (meta.has_deletion_timestamp()) {
    const bool pod_done = pod && request.grace_period_seconds == 0;
    return pod_done && meta.finalizers().empty() ? deletion_step::remove_now
                                                 : deletion_step::unchanged;
  }
  if (request.propagation_policy == "Orphan" && !has_finalizer(meta, orphan_finalizer))
    meta.add_finalizers(std::string(orphan_finalizer));
  if (request.propagation_policy == "Foreground" && !has_finalizer(meta, foreground_finalizer))
    meta.add_finalizers(std::string(foreground_finalizer));
  const int64_t grace = pod ? pod_grace_seconds(*pod, request) : 0;
  if (grace == 0 && meta.finalizers().empty()) return deletion_step::remove_now;
  *meta.mutable_deletion_timestamp() = time_at(now_ms + grace * 1000);
  meta.set_deletion_grace_period_seconds(grace);
  return deletion_step::mark;
}

bool should_remove_after_update(const Message& object) {
  const auto* meta = messages::metadata_of(object);
  return meta && meta->has_deletion_timestamp() && meta->finalizers().empty() &&
         meta->deletion_grace_period_seconds() == 0;
}

store::status prepare_binding(messages::Pod& pod, int64_t now_ms) {
  const auto& meta = pod.metadata();
  if (pod.spec().node_name().empty())
    return store::status::error(errc::invalid, "Binding.target.name: Required value");
  if (meta.resource_version().empty())
    return store::status::error(errc::invalid,
                                "a binding needs the pod's resourceVersion as its precondition");
  if (meta.has_deletion_timestamp())
    return store::status::error(errc::conflict, "Operation cannot be fulfilled on pods \"" +
                                                    meta.name() +
                                                    "\": pod is being deleted, cannot be assigned "
                                                    "to a host");
  auto* conditions = pod.mutable_status()->mutable_conditions();
  auto it = std::find_if(conditions->begin(), conditions->end(),
                         [](const auto& c) { return c.type() == "PodScheduled"; });
  messages::PodCondition* scheduled = it != conditions->end() ? &*it : conditions->Add();
  scheduled->set_type("PodScheduled");
  scheduled->set_status("True");
  scheduled->clear_reason();
  scheduled->clear_message();
  *scheduled->mutable_last_transition_time() = time_at(now_ms);
  return {};
}

bool has_scale(const messages::kind_info& kind) {
  const auto* d = kind.descriptor();
  return d == messages::Deployment::descriptor() || d == messages::ReplicaSet::descriptor() ||
         d == messages::ReplicationController::descriptor();
}

messages::Scale scale_of(const Message& object) {
  messages::Scale scale;
  const auto& meta = *messages::metadata_of(object);
  auto& out = *scale.mutable_metadata();
  out.set_name(meta.name());
  out.set_namespace_(meta.namespace_());
  out.set_uid(meta.uid());
  out.set_resource_version(meta.resource_version());
  *out.mutable_creation_timestamp() = meta.creation_timestamp();
  // An unset spec.replicas is its default, 1.
  auto read = [&](const auto& spec, int32_t current, std::string selector) {
    scale.mutable_spec()->set_replicas(spec.has_replicas() ? spec.replicas() : 1);
    scale.mutable_status()->set_replicas(current);
    scale.mutable_status()->set_selector(std::move(selector));
  };
  auto selector_text = [](const messages::LabelSelector& s) {
    auto parsed = messages::label_selector::from_proto(s);
    return parsed.value ? parsed.value->to_string() : std::string();
  };
  if (const auto* d = dynamic_cast<const messages::Deployment*>(&object)) {
    read(d->spec(), d->status().replicas(), selector_text(d->spec().selector()));
  } else if (const auto* rs = dynamic_cast<const messages::ReplicaSet*>(&object)) {
    read(rs->spec(), rs->status().replicas(), selector_text(rs->spec().selector()));
  } else if (const auto* rc = dynamic_cast<const messages::ReplicationController*>(&object)) {
    std::map<std::string, std::string> labels(rc->spec().selector().begin(),
                                              rc->spec().selector().end());
    std::string text;
    for (const auto& [k, v] : labels)
      text += (text.empty() ? "" : ",") + k + "=" + v;
    read(rc->spec(), rc->status().replicas(), std::move(text));
  }
  return scale;
}

void set_replicas(Message& object, int32_t replicas) {
  if (auto* d = dynamic_cast<messages::Deployment*>(&object))
    d->mutable_spec()->set_replicas(replicas);
  else if (auto* rs = dynamic_cast<messages::ReplicaSet*>(&object))
    rs->mutable_spec()->set_replicas(replicas);
  else if (auto* rc = dynamic_cast<messages::ReplicationController*>(&object))
    rc->mutable_spec()->set_replicas(replicas);
}

}  // namespace troupe::actors::gateway
