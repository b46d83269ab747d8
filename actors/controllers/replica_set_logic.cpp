#include "actors/controllers/replica_set_logic.hpp"

#include "actors/controllers/object_facts.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <map>
#include <string_view>

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
constexpr std::string_view deletion_cost_annotation = "controller.kubernetes.io/pod-deletion-cost";

int64_t nanos_of(const messages::Time& t) {
  return t.seconds() * nanos_per_second + t.nanos();
}

// Since when a ready pod has been ready (Go's zero time, nullopt, when not ready or unknown).
std::optional<int64_t> ready_since_ns(const Pod& pod) {
  const auto* c = ready_condition(pod);
  if (c == nullptr || c->status() != "True" || !c->has_last_transition_time()) return {};
  return nanos_of(c->last_transition_time());
}

std::optional<int64_t> created_ns(const Pod& pod) {
  if (!pod.metadata().has_creation_timestamp()) return {};
  return nanos_of(pod.metadata().creation_timestamp());
}

// podutil.IsPodAvailable turned into a time: the pod is available at any instant after the
// returned one. nullopt: not available, and time alone will not make it so (not ready, or
// minReadySeconds > 0 and no lastTransitionTime).
std::optional<int64_t> available_after_ns(const Pod& pod, int32_t min_ready_seconds) {
  if (!is_ready(pod)) return {};
  if (min_ready_seconds <= 0) return std::numeric_limits<int64_t>::min();
  const auto* c = ready_condition(pod);
  if (!c->has_last_transition_time()) return {};
  return nanos_of(c->last_transition_time()) + int64_t{min_ready_seconds} * nanos_per_second;
}

// helper.GetDeletionCostFromPodAnnotations: an int32 without '+' or leading zeros, else 0.
int32_t deletion_cost(const Pod& pod) {
  const auto& annotations = pod.metadata().annotations();
  auto it = annotations.find(std::string(deletion_cost_annotation));
  if (it == annotations.end()) return 0;
  std::string_view text = it->second;
  bool valid_first =
      !text.empty() && (text[0] == '-' || text == "0" || (text[0] >= '1' && text[0] <= '9'));
  if (!valid_first) return 0;
  int32_t cost = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cost);
  if (ec != std::errc{} || end != text.data() + text.size()) return 0;
  return cost;
}

int32_t max_restarts(const Pod& pod) {
  int32_t most = 0;
  for (const auto& s : pod.status().container_statuses())
    most = std::max(most, s.restart_count());
  return most;
}

// Kubernetes' podPhaseToOrdinal: Pending 0, Unknown 1, Running 2; any other phase, being
// missing from the Go map, 0.
int phase_ordinal(const Pod& pod) {
  const auto& phase = pod.status().phase();
  if (phase == "Running") return 2;
  if (phase == "Unknown") return 1;
  return 0;
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
int compare_times(const std::optional<int64_t>& a, const std::optional<int64_t>& b, const Pod& pa,
                  const Pod& pb, int64_t now_ns) {
  if (a == b) return 0;
  if (!a || !b) return !a ? -1 : 1;
  int64_t diff = log_rank(*a, now_ns) - log_rank(*b, now_ns);
  if (diff == 0) return pa.metadata().uid() < pb.metadata().uid() ? -1 : 1;
  return diff < 0 ? -1 : 1;
}

struct ranked_pod {
  const Pod* pod;
  // Active related pods on the same node (Kubernetes' getPodsRankedByRelatedPodsOnSameNode).
  int colocated;
};

// Kubernetes' ActivePodsWithRanks.Less with PodDeletionCost and LogarithmicScaleDown on (their
// defaults): true when `x` should be deleted before `y`.
bool deletes_before(const ranked_pod& x, const ranked_pod& y, int64_t now_ns) {
  const Pod& a = *x.pod;
  const Pod& b = *y.pod;
  const auto& node_a = a.spec().node_name();
  const auto& node_b = b.spec().node_name();
  if (node_a != node_b && (node_a.empty() || node_b.empty())) return node_a.empty();
  if (phase_ordinal(a) != phase_ordinal(b)) return phase_ordinal(a) < phase_ordinal(b);
  bool ready_a = is_ready(a);
  if (ready_a != is_ready(b)) return !ready_a;
  if (deletion_cost(a) != deletion_cost(b)) return deletion_cost(a) < deletion_cost(b);
  if (x.colocated != y.colocated) return x.colocated > y.colocated;
  if (ready_a) {
    if (int order = compare_times(ready_since_ns(a), ready_since_ns(b), a, b, now_ns)) {
      return order < 0;
    }
  }
  if (max_restarts(a) != max_restarts(b)) return max_restarts(a) > max_restarts(b);
  if (int order = compare_times(created_ns(a), created_ns(b), a, b, now_ns)) return order < 0;
  return false;
}

// The pods an owner counts, and the ownership changes that make it so: Kubernetes'
// FilterActivePods followed by PodControllerRefManager.ClaimPods.
struct claim {
  std::vector<const Pod*> counted;  // controlled by the owner and matching, or adopted now
  std::vector<const Pod*> adopt;
  std::vector<const Pod*> release;
};

claim claim_pods(const replica_owner& owner, std::span<const Pod* const> pods) {
  claim out;
  for (const Pod* pod : pods) {
    if (pod == nullptr || pod->metadata().namespace_() != owner.ns || !is_active(*pod)) continue;
    bool matches = owner.selector.matches(pod->metadata().labels());
    if (const auto* ref = controller_of(pod->metadata())) {
      if (ref->uid() != owner.uid) continue;  // another controller's: never touched
      if (matches) {
        out.counted.push_back(pod);
      } else if (!owner.being_deleted) {
        out.release.push_back(pod);
      }
      continue;
    }
    if (owner.being_deleted || !matches) continue;
    out.adopt.push_back(pod);
    out.counted.push_back(pod);
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

std::vector<std::string> pods_to_delete(const std::vector<const Pod*>& counted, size_t count,
                                        std::span<const Pod* const> related, int64_t now_ms) {
  std::map<std::string, int, std::less<>> active_on_node;
  for (const Pod* pod : related) {
    if (pod != nullptr && is_active(*pod)) ++active_on_node[pod->spec().node_name()];
  }
  std::vector<ranked_pod> ranked;
  ranked.reserve(counted.size());
  for (const Pod* pod : counted) {
    auto it = active_on_node.find(pod->spec().node_name());
    ranked.push_back({pod, it == active_on_node.end() ? 0 : it->second});
  }
  // Input order (a cache's) is arbitrary; names make equally ranked pods go in a fixed order.
  std::ranges::sort(ranked, {}, [](const ranked_pod& r) -> const std::string& {
    return r.pod->metadata().name();
  });
  int64_t now_ns = now_ms * nanos_per_milli;
  // Stable: Kubernetes' Less is not a strict weak order in corner cases (equal creation times
  // fall through to restarts while nearly equal ones compare by uid); stable_sort stays within
  // bounds for any deterministic comparison.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [now_ns](const auto& x, const auto& y) { return deletes_before(x, y, now_ns); });
  std::vector<std::string> names;
  for (size_t i = 0; i < count && i < ranked.size(); ++i) {
    names.push_back(ranked[i].pod->metadata().name());
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

replica_actions reconcile(const replica_owner& owner, std::span<const Pod* const> pods_in_namespace,
                          int64_t now_ms, const reconcile_options& options) {
  replica_actions actions;
  if (owner.being_deleted) return actions;
  auto claimed = claim_pods(owner, pods_in_namespace);
  for (const Pod* pod : claimed.adopt) {
    auto& adopted = actions.adopt.emplace_back(*pod);
    add_controller_ref(owner, *adopted.mutable_metadata());
  }
  for (const Pod* pod : claimed.release) {
    auto& released = actions.release.emplace_back(*pod);
    auto& refs = *released.mutable_metadata()->mutable_owner_references();
    refs.erase(std::remove_if(refs.begin(), refs.end(),
                              [&](const auto& ref) { return ref.uid() == owner.uid; }),
               refs.end());
  }

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

replica_status compute_status(const replica_owner& owner,
                              std::span<const Pod* const> pods_in_namespace, int64_t now_ms) {
  auto claimed = claim_pods(owner, pods_in_namespace);
  replica_status status;
  status.replicas = static_cast<int32_t>(claimed.counted.size());
  status.observed_generation = owner.generation;
  int64_t now_ns = now_ms * nanos_per_milli;
  for (const Pod* pod : claimed.counted) {
    const auto& labels = pod->metadata().labels();
    bool fully_labeled = true;
    if (owner.tmpl != nullptr) {
      for (const auto& [key, value] : owner.tmpl->metadata().labels()) {
        auto it = labels.find(key);
        if (it == labels.end() || it->second != value) {
          fully_labeled = false;
          break;
        }
      }
    }
    if (fully_labeled) ++status.fully_labeled;
    if (!is_ready(*pod)) continue;
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
