#include "actors/controllers/replica_set_logic.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <map>

#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::ObjectMeta;
using messages::Pod;

constexpr int64_t nanos_per_second = 1'000'000'000;
constexpr int64_t nanos_per_milli = 1'000'000;
// A DNS subdomain's length limit, which bounds an object name and so a generateName prefix.
constexpr size_t max_name_length = 253;

// podutil.IsPodAvailable turned into a time: the pod is available at any instant after the
// returned one. nullopt: not available, and time alone will not make it so (not ready, or
// minReadySeconds > 0 and no lastTransitionTime).
std::optional<int64_t> available_after_ns(const pod_summary& pod, int32_t min_ready_seconds) {
  if (!pod.ready) return {};
  if (min_ready_seconds <= 0) return std::numeric_limits<int64_t>::min();
  if (!pod.ready_since_ns) return {};
  return *pod.ready_since_ns + int64_t{min_ready_seconds} * nanos_per_second;
}

// floor(log2(now - t)) in nanoseconds, -1 when t is not in the past: Kubernetes'
// LogarithmicScaleDown buckets, which let equally old pods go in a pseudorandom (uid) order.
int64_t log_rank(int64_t t_ns, int64_t now_ns) {
  int64_t age = now_ns - t_ns;
  if (age <= 0) return -1;
  return static_cast<int64_t>(std::bit_width(static_cast<uint64_t>(age))) - 1;
}

// How two timestamps order two pods for deletion: below 0 the first pod goes first, above 0 it
// does not, 0 the times are equal and the next rule decides. A missing time (Go's zero time)
// goes first; otherwise the later time, compared by logarithmic age, then by uid.
int compare_times(const std::optional<int64_t>& a, const std::optional<int64_t>& b,
                  const pod_summary& pa, const pod_summary& pb, int64_t now_ns) {
  if (a == b) return 0;
  if (!a || !b) return !a ? -1 : 1;
  int64_t diff = log_rank(*a, now_ns) - log_rank(*b, now_ns);
  if (diff == 0) return pa.uid < pb.uid ? -1 : 1;
  return diff < 0 ? -1 : 1;
}

struct ranked_pod {
  const pod_summary* pod;
  // Active related pods on the same node (Kubernetes' getPodsRankedByRelatedPodsOnSameNode).
  int colocated;
};

// Kubernetes' ActivePodsWithRanks.Less with PodDeletionCost and LogarithmicScaleDown on (their
// defaults): true when `x` should be deleted before `y`.
bool deletes_before(const ranked_pod& x, const ranked_pod& y, int64_t now_ns) {
  const pod_summary& a = *x.pod;
  const pod_summary& b = *y.pod;
  if (a.node_name != b.node_name && (a.node_name.empty() || b.node_name.empty()))
    return a.node_name.empty();
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  if (a.ready != b.ready) return !a.ready;
  if (a.deletion_cost != b.deletion_cost) return a.deletion_cost < b.deletion_cost;
  if (x.colocated != y.colocated) return x.colocated > y.colocated;
  if (a.ready) {
    if (int order = compare_times(a.ready_since_ns, b.ready_since_ns, a, b, now_ns))
      return order < 0;
  }
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  if (int order = compare_times(a.created_ns, b.created_ns, a, b, now_ns)) return order < 0;
  return false;
}

// What an owner makes of one pod: Kubernetes' FilterActivePods followed by
// PodControllerRefManager.ClaimPods.
enum class claim_kind { ignore, count, adopt, release };

claim_kind claim_of(const replica_owner& owner, const pod_summary& pod) {
  if (pod.ns != owner.ns || !pod.active) return claim_kind::ignore;
  const bool matches = owner.selector.matches(pod.labels);
  if (!pod.controller_uid.empty()) {
    if (pod.controller_uid != owner.uid) return claim_kind::ignore;  // another controller's
    if (matches) return claim_kind::count;
    return owner.being_deleted ? claim_kind::ignore : claim_kind::release;
  }
  return owner.being_deleted || !matches ? claim_kind::ignore : claim_kind::adopt;
}

// The pods an owner counts (those it controls and that match, and the orphans it adopts now)
// and the ownership changes that make it so.
struct claim {
  std::vector<const pod_summary*> counted;
  std::vector<const pod_summary*> adopt;
  std::vector<const pod_summary*> release;
};

claim claim_pods(const replica_owner& owner, std::span<const pod_summary* const> pods) {
  claim out;
  for (const pod_summary* pod : pods) {
    if (pod == nullptr) continue;
    switch (claim_of(owner, *pod)) {
      case claim_kind::ignore:
        break;
      case claim_kind::count:
        out.counted.push_back(pod);
        break;
      case claim_kind::adopt:
        out.adopt.push_back(pod);
        out.counted.push_back(pod);
        break;
      case claim_kind::release:
        out.release.push_back(pod);
        break;
    }
  }
  return out;
}

// metav1.NewControllerRef.
void add_controller_ref(const replica_owner& owner, ObjectMeta& meta) {
  auto& ref = *meta.add_owner_references();
  ref.set_api_version(owner.api_version);
  ref.set_kind(owner.kind);
  ref.set_name(owner.name);
  ref.set_uid(owner.uid);
  ref.set_controller(true);
  ref.set_block_owner_deletion(true);
}

// Kubernetes' getPodsPrefix: "<name>-", or the bare name when the dash would make it too long.
std::string generate_name_prefix(const std::string& name) {
  if (name.size() + 1 > max_name_length) return name;
  return name + "-";
}

// controller.GetPodFromTemplate with the owner's controller reference.
Pod pod_from_template(const replica_owner& owner) {
  Pod pod;
  auto& meta = *pod.mutable_metadata();
  const auto& tmeta = owner.tmpl->metadata();
  meta.set_generate_name(generate_name_prefix(owner.name));
  meta.set_namespace_(owner.ns);
  *meta.mutable_labels() = tmeta.labels();
  *meta.mutable_annotations() = tmeta.annotations();
  *meta.mutable_finalizers() = tmeta.finalizers();
  add_controller_ref(owner, meta);
  *pod.mutable_spec() = owner.tmpl->spec();
  return pod;
}

std::vector<std::string> pods_to_delete(const std::vector<const pod_summary*>& counted,
                                        size_t count, std::span<const pod_summary* const> related,
                                        int64_t now_ms) {
  std::map<std::string, int, std::less<>> active_on_node;
  for (const pod_summary* pod : related) {
    if (pod != nullptr && pod->active) ++active_on_node[pod->node_name];
  }
  std::vector<ranked_pod> ranked;
  ranked.reserve(counted.size());
  for (const pod_summary* pod : counted) {
    auto it = active_on_node.find(pod->node_name);
    ranked.push_back({pod, it == active_on_node.end() ? 0 : it->second});
  }
  // Input order (a cache's) is arbitrary; names make equally ranked pods go in a fixed order.
  std::ranges::sort(ranked, {},
                    [](const ranked_pod& r) -> const std::string& { return r.pod->name; });
  int64_t now_ns = now_ms * nanos_per_milli;
  // Stable: Kubernetes' Less is not a strict weak order in corner cases (equal creation times
  // fall through to restarts while nearly equal ones compare by uid); stable_sort stays within
  // bounds for any deterministic comparison.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [now_ns](const auto& x, const auto& y) { return deletes_before(x, y, now_ns); });
  std::vector<std::string> names;
  for (size_t i = 0; i < count && i < ranked.size(); ++i) {
    names.push_back(ranked[i].pod->name);
  }
  return names;
}

// The first whole millisecond strictly after `ns`.
int64_t first_milli_after(int64_t ns) {
  int64_t ms = ns / nanos_per_milli;
  if (ns % nanos_per_milli < 0) --ms;  // floor for times before the epoch
  return ms + 1;
}

// What both kinds share; the caller fills the selector and template.
template <class Owner>
replica_owner common_fields(const Owner& object) {
  const auto* kind = messages::find_kind(Owner::descriptor());
  const auto& meta = object.metadata();
  const auto& spec = object.spec();
  replica_owner owner;
  owner.api_version = kind->api_version();
  owner.kind = std::string(kind->kind);
  owner.name = meta.name();
  owner.ns = meta.namespace_();
  owner.uid = meta.uid();
  owner.replicas = spec.has_replicas() ? std::max(spec.replicas(), 0) : 1;
  owner.min_ready_seconds = spec.min_ready_seconds();
  owner.generation = meta.generation();
  owner.being_deleted = meta.has_deletion_timestamp();
  return owner;
}

replica_owner_read with_selector(replica_owner owner, const messages::LabelSelector& selector) {
  std::string where = owner.kind + " \"" + owner.ns + "/" + owner.name + "\": ";
  auto parsed = messages::label_selector::from_proto(selector);
  if (!parsed.value) return {{}, where + "invalid spec.selector: " + parsed.error};
  if (parsed.value->empty()) {
    return {{}, where + "spec.selector is empty, which would select every pod in the namespace"};
  }
  owner.selector = std::move(*parsed.value);
  return {std::move(owner), {}};
}

}  // namespace

replica_owner_read owner_of(const messages::ReplicaSet& rs) {
  auto owner = common_fields(rs);
  // apps/v1 holds the template by value: it is always there.
  owner.tmpl = std::make_shared<const messages::PodTemplateSpec>(rs.spec().template_());
  return with_selector(std::move(owner), rs.spec().selector());
}

replica_owner_read owner_of(const messages::ReplicationController& rc) {
  auto owner = common_fields(rc);
  if (rc.spec().has_template_()) {
    owner.tmpl = std::make_shared<const messages::PodTemplateSpec>(rc.spec().template_());
  }
  // Kubernetes converts a ReplicationController to a ReplicaSet the same way.
  messages::LabelSelector selector;
  *selector.mutable_match_labels() = rc.spec().selector();
  return with_selector(std::move(owner), selector);
}

replica_actions reconcile(const replica_owner& owner,
                          std::span<const pod_summary* const> pods_in_namespace, int64_t now_ms,
                          const reconcile_options& options) {
  replica_actions actions;
  if (owner.being_deleted) return actions;
  auto claimed = claim_pods(owner, pods_in_namespace);
  for (const pod_summary* pod : claimed.adopt)
    actions.adopt_names.push_back(pod->name);
  for (const pod_summary* pod : claimed.release)
    actions.release_names.push_back(pod->name);

  auto burst = static_cast<int64_t>(std::max(options.burst, 0));
  auto diff = static_cast<int64_t>(claimed.counted.size()) - owner.replicas;
  if (diff < 0) {
    // Kubernetes refuses to create pods without labels ("unable to create pods, no labels").
    if (owner.tmpl == nullptr || owner.tmpl->metadata().labels().empty()) return actions;
    for (int64_t i = 0; i < std::min(-diff, burst); ++i) {
      actions.create.push_back(pod_from_template(owner));
    }
  } else if (diff > 0) {
    actions.delete_names = pods_to_delete(
        claimed.counted, static_cast<size_t>(std::min(diff, burst)), options.related_pods, now_ms);
  }
  return actions;
}

std::optional<Pod> adopted_pod(const replica_owner& owner, const Pod& pod) {
  if (claim_of(owner, summarize(pod)) != claim_kind::adopt) return {};
  Pod adopted = pod;
  add_controller_ref(owner, *adopted.mutable_metadata());
  return adopted;
}

std::optional<Pod> released_pod(const replica_owner& owner, const Pod& pod) {
  if (claim_of(owner, summarize(pod)) != claim_kind::release) return {};
  Pod released = pod;
  auto& refs = *released.mutable_metadata()->mutable_owner_references();
  refs.erase(std::remove_if(refs.begin(), refs.end(),
                            [&](const auto& ref) { return ref.uid() == owner.uid; }),
             refs.end());
  return released;
}

replica_status compute_status(const replica_owner& owner,
                              std::span<const pod_summary* const> pods_in_namespace,
                              int64_t now_ms) {
  auto claimed = claim_pods(owner, pods_in_namespace);
  replica_status status;
  status.replicas = static_cast<int32_t>(claimed.counted.size());
  status.observed_generation = owner.generation;
  int64_t now_ns = now_ms * nanos_per_milli;
  for (const pod_summary* pod : claimed.counted) {
    bool fully_labeled = true;
    if (owner.tmpl != nullptr) {
      for (const auto& [key, value] : owner.tmpl->metadata().labels()) {
        auto it = pod->labels.find(key);
        if (it == pod->labels.end() || it->second != value) {
          fully_labeled = false;
          break;
        }
      }
    }
    if (fully_labeled) ++status.fully_labeled;
    if (!pod->ready) continue;
    ++status.ready;
    auto after = available_after_ns(*pod, owner.min_ready_seconds);
    if (!after) continue;
    if (*after < now_ns) {
      ++status.available;
    } else {
      int64_t at = first_milli_after(*after);
      status.recheck_at_ms = std::min(status.recheck_at_ms.value_or(at), at);
    }
  }
  return status;
}

std::vector<int> slow_start_batches(int count) {
  std::vector<int> batches;
  int64_t remaining = std::max(count, 0);
  for (int64_t size = std::min<int64_t>(remaining, 1); size > 0;
       size = std::min(2 * size, remaining)) {
    batches.push_back(static_cast<int>(size));
    remaining -= size;
  }
  return batches;
}

}  // namespace troupe::actors::controllers
