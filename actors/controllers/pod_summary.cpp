#include "actors/controllers/pod_summary.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "actors/controllers/object_facts.hpp"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::controllers {
namespace {

constexpr int64_t nanos_per_second = 1'000'000'000;
constexpr std::string_view deletion_cost_annotation = "controller.kubernetes.io/pod-deletion-cost";

int64_t nanos_of(const messages::Time& t) {
  return t.seconds() * nanos_per_second + t.nanos();
}

int32_t deletion_cost(const messages::Pod& pod) {
  const auto& annotations = pod.metadata().annotations();
  auto it = annotations.find(std::string(deletion_cost_annotation));
  if (it == annotations.end()) return 0;
  std::string_view text = it->second;
  // No '+' and no leading zeros: Kubernetes compares the text with the number printed back.
  bool valid_first =
      !text.empty() && (text[0] == '-' || text == "0" || (text[0] >= '1' && text[0] <= '9'));
  if (!valid_first) return 0;
  int32_t cost = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cost);
  if (ec != std::errc{} || end != text.data() + text.size()) return 0;
  return cost;
}

int phase_ordinal(const std::string& phase) {
  if (phase == "Running") return 2;
  if (phase == "Unknown") return 1;
  return 0;
}

}  // namespace

pod_summary summarize(const messages::Pod& pod) {
  const auto& meta = pod.metadata();
  pod_summary out;
  out.ns = meta.namespace_();
  out.name = meta.name();
  out.uid = meta.uid();
  out.labels.insert(meta.labels().begin(), meta.labels().end());
  if (const auto* ref = controller_of(meta)) out.controller_uid = ref->uid();
  out.node_name = pod.spec().node_name();
  out.active = is_active(pod);
  out.phase_ordinal = phase_ordinal(pod.status().phase());
  if (const auto* c = ready_condition(pod); c != nullptr && c->status() == "True") {
    out.ready = true;
    if (c->has_last_transition_time()) out.ready_since_ns = nanos_of(c->last_transition_time());
  }
  if (meta.has_creation_timestamp()) out.created_ns = nanos_of(meta.creation_timestamp());
  out.deletion_cost = deletion_cost(pod);
  for (const auto& s : pod.status().container_statuses())
    out.max_restarts = std::max(out.max_restarts, s.restart_count());
  return out;
}

}  // namespace troupe::actors::controllers
