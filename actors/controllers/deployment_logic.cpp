#include "actors/controllers/deployment_logic.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "messages/label_selector.hpp"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::Deployment;
using messages::DeploymentCondition;
using messages::DeploymentStatus;
using messages::ObjectMeta;
using messages::Pod;
using messages::PodTemplateSpec;
using messages::ReplicaSet;
using annotation_map = google::protobuf::Map<std::string, std::string>;

// Kubernetes' deploymentutil condition types and reasons.
constexpr std::string_view available_type = "Available";
constexpr std::string_view progressing_type = "Progressing";
constexpr std::string_view replica_failure_type = "ReplicaFailure";
constexpr std::string_view min_available_reason = "MinimumReplicasAvailable";
constexpr std::string_view min_unavailable_reason = "MinimumReplicasUnavailable";
constexpr std::string_view new_rs_created_reason = "NewReplicaSetCreated";
constexpr std::string_view found_new_rs_reason = "FoundNewReplicaSet";
constexpr std::string_view rs_updated_reason = "ReplicaSetUpdated";
constexpr std::string_view new_rs_available_reason = "NewReplicaSetAvailable";
constexpr std::string_view timed_out_reason = "ProgressDeadlineExceeded";
constexpr std::string_view paused_reason = "DeploymentPaused";
constexpr std::string_view resumed_reason = "DeploymentResumed";
constexpr std::string_view failed_create_reason = "ReplicaSetCreateError";
constexpr std::string_view scaling_reason = "ScalingReplicaSet";

constexpr int32_t default_history_limit = 10;
constexpr int32_t default_progress_deadline_s = 600;
// math.MaxInt32 in revisionHistoryLimit / progressDeadlineSeconds means "no limit".
constexpr int32_t no_limit = std::numeric_limits<int32_t>::max();
// Kubernetes' maxRevHistoryLengthInChars for the revision-history annotation.
constexpr size_t max_revision_history_chars = 2000;
constexpr std::string_view default_fencepost = "25%";
constexpr std::string_view hash_alphabet = "bcdfghjklmnpqrstvwxz2456789";

// Deployment annotations never copied to a ReplicaSet (nor taken from one on rollback).
bool is_controller_owned_annotation(std::string_view key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == revision_annotation ||
         key == revision_history_annotation || key == desired_replicas_annotation ||
         key == max_replicas_annotation || key == "deprecated.deployment.rollback.to";
}

// ---------------------------------------------------------------------------------------------
// Small readers
// ---------------------------------------------------------------------------------------------

std::string deterministic_bytes(const google::protobuf::MessageLite& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  // Fails only for missing proto2 required fields, which these messages do not have.
  (void)message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

PodTemplateSpec without_hash_label(const PodTemplateSpec& tmpl) {
  PodTemplateSpec copy = tmpl;
  // Only touched when present: an absent metadata stays absent, so serializations compare.
  if (copy.metadata().labels().contains(std::string(pod_template_hash_label))) {
    copy.mutable_metadata()->mutable_labels()->erase(std::string(pod_template_hash_label));
  }
  return copy;
}

const std::string* annotation(const ObjectMeta& meta, std::string_view key) {
  auto it = meta.annotations().find(std::string(key));
  return it == meta.annotations().end() ? nullptr : &it->second;
}

// Go's strconv.ParseInt/Atoi: an optional sign, then decimal digits only.
template <class Int>
std::optional<Int> parse_int(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  Int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return {};
  return value;
}

// An int32 annotation (desired-replicas, max-replicas); nullopt when absent or malformed.
std::optional<int32_t> int_annotation(const ReplicaSet& rs, std::string_view key) {
  const auto* text = annotation(rs.metadata(), key);
  return text == nullptr ? std::nullopt : parse_int<int32_t>(*text);
}

int32_t spec_replicas(const ReplicaSet& rs) {
  return rs.spec().has_replicas() ? rs.spec().replicas() : 1;
}

const messages::OwnerReference* controller_of(const ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references()) {
    if (ref.has_controller() && ref.controller()) return &ref;
  }
  return nullptr;
}

bool is_terminal(const Pod& pod) {
  return pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed";
}

// The API stores condition times in whole seconds; stamping them so keeps a pass idempotent.
messages::Time time_at(int64_t ms) {
  messages::Time t;
  int64_t seconds = ms / 1000;
  if (ms % 1000 < 0) --seconds;
  t.set_seconds(seconds);
  return t;
}

int64_t ms_of(const messages::Time& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

// ReplicaSetsByCreationTimestamp: older first, the name breaking ties.
bool created_before(const ReplicaSet& a, const ReplicaSet& b) {
  const auto& ta = a.metadata().creation_timestamp();
  const auto& tb = b.metadata().creation_timestamp();
  if (ta.seconds() != tb.seconds()) return ta.seconds() < tb.seconds();
  if (ta.nanos() != tb.nanos()) return ta.nanos() < tb.nanos();
  return a.metadata().name() < b.metadata().name();
}

// GetScaledValueFromIntOrPercent; an unset value is the apps/v1 default "25%", a malformed or
// negative one 0.
int32_t scaled_value(const messages::IntOrString& value, int32_t total, bool round_up) {
  std::string_view text;
  switch (value.value_case()) {
    case messages::IntOrString::kIntVal:
      return std::max(value.int_val(), 0);
    case messages::IntOrString::kStrVal:
      text = value.str_val();
      break;
    default:
      text = default_fencepost;
  }
  if (text.empty() || text.back() != '%') return 0;
  auto percent = parse_int<int64_t>(text.substr(0, text.size() - 1));
  if (!percent || *percent < 0) return 0;
  int64_t product = *percent * std::max(total, 0);
  int64_t scaled = round_up ? (product + 99) / 100 : product / 100;
  return static_cast<int32_t>(std::min<int64_t>(scaled, std::numeric_limits<int32_t>::max()));
}

// The Deployment's spec with apps/v1 defaults applied.
struct deployment_view {
  int32_t replicas = 1;
  bool rolling = true;
  rolling_limits limits;
  std::optional<int32_t> history_limit;        // nullopt: keep every old ReplicaSet
  std::optional<int32_t> progress_deadline_s;  // nullopt: no progress reporting
};

deployment_view view_of(const Deployment& d) {
  const auto& spec = d.spec();
  deployment_view view;
  view.replicas = spec.has_replicas() ? std::max(spec.replicas(), 0) : 1;
  view.rolling = spec.strategy().type() != "Recreate";
  view.limits = rolling_limits_of(d);
  int32_t history =
      spec.has_revision_history_limit() ? spec.revision_history_limit() : default_history_limit;
  if (history != no_limit) view.history_limit = history;
  int32_t deadline = spec.has_progress_deadline_seconds() ? spec.progress_deadline_seconds()
                                                          : default_progress_deadline_s;
  if (deadline != no_limit) view.progress_deadline_s = deadline;
  return view;
}

// ---------------------------------------------------------------------------------------------
// Conditions (deploymentutil's Get/Set/RemoveDeploymentCondition)
// ---------------------------------------------------------------------------------------------

const DeploymentCondition* find_condition(const DeploymentStatus& status, std::string_view type) {
  for (const auto& c : status.conditions()) {
    if (c.type() == type) return &c;
  }
  return nullptr;
}

void remove_condition(DeploymentStatus& status, std::string_view type) {
  auto& conditions = *status.mutable_conditions();
  conditions.erase(std::remove_if(conditions.begin(), conditions.end(),
                                  [&](const auto& c) { return c.type() == type; }),
                   conditions.end());
}

DeploymentCondition new_condition(std::string_view type, std::string_view status,
                                  std::string_view reason, std::string message, int64_t now_ms) {
  DeploymentCondition c;
  c.set_type(std::string(type));
  c.set_status(std::string(status));
  c.set_reason(std::string(reason));
  c.set_message(std::move(message));
  *c.mutable_last_update_time() = time_at(now_ms);
  *c.mutable_last_transition_time() = time_at(now_ms);
  return c;
}

// SetDeploymentCondition: nothing when status and reason are unchanged; the transition time
// survives when only the reason changes; the condition moves to the end.
void set_condition(DeploymentStatus& status, DeploymentCondition c) {
  if (const auto* current = find_condition(status, c.type())) {
    if (current->status() == c.status() && current->reason() == c.reason()) return;
    if (current->status() == c.status()) {
      *c.mutable_last_transition_time() = current->last_transition_time();
    }
  }
  remove_condition(status, c.type());
  *status.add_conditions() = std::move(c);
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// ---------------------------------------------------------------------------------------------
// Annotations of the new ReplicaSet (SetNewReplicaSetAnnotations and helpers)
// ---------------------------------------------------------------------------------------------

bool set_annotation(ReplicaSet& rs, std::string_view key, const std::string& value) {
  auto& annotations = *rs.mutable_metadata()->mutable_annotations();
  auto [it, inserted] = annotations.try_emplace(std::string(key), value);
  if (!inserted && it->second == value) return false;
  it->second = value;
  return true;
}

bool set_replicas_annotations(ReplicaSet& rs, int32_t desired, int32_t max) {
  bool changed = set_annotation(rs, desired_replicas_annotation, std::to_string(desired));
  return set_annotation(rs, max_replicas_annotation, std::to_string(max)) || changed;
}

bool copy_deployment_annotations(const Deployment& d, ReplicaSet& rs) {
  bool changed = false;
  for (const auto& [key, value] : d.metadata().annotations()) {
    if (!is_controller_owned_annotation(key)) changed = set_annotation(rs, key, value) || changed;
  }
  return changed;
}

// Appends `old_revision` to the revision-history annotation, dropping the oldest entries to
// stay within max_revision_history_chars.
void append_revision_history(ReplicaSet& rs, const std::string& old_revision) {
  const auto* current = annotation(rs.metadata(), revision_history_annotation);
  if (current == nullptr || current->empty()) {
    set_annotation(rs, revision_history_annotation, old_revision);
    return;
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t comma = current->find(',', start);
    parts.push_back(current->substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  size_t total = current->size() + old_revision.size() + 1;
  size_t first = 0;
  while (total > max_revision_history_chars && first < parts.size()) {
    total -= parts[first].size() + 1;
    ++first;
  }
  if (total > max_revision_history_chars) return;
  std::string joined;
  for (size_t i = first; i < parts.size(); ++i)
    joined += parts[i] + ",";
  set_annotation(rs, revision_history_annotation, joined + old_revision);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public helpers
// ---------------------------------------------------------------------------------------------

std::string pod_template_hash(const PodTemplateSpec& tmpl, std::optional<int32_t> collision_count) {
  constexpr uint32_t fnv_offset = 2166136261u;
  constexpr uint32_t fnv_prime = 16777619u;
  uint32_t hash = fnv_offset;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= fnv_prime;
  };
  for (unsigned char byte : deterministic_bytes(without_hash_label(tmpl)))
    mix(byte);
  if (collision_count) {
    auto count = static_cast<uint32_t>(*collision_count);
    for (int i = 0; i < 8; ++i)
      mix(i < 4 ? static_cast<unsigned char>(count >> (8 * i)) : 0);
  }
  std::string encoded;
  for (char digit : std::to_string(hash)) {
    encoded += hash_alphabet[static_cast<unsigned char>(digit) % hash_alphabet.size()];
  }
  return encoded;
}

bool templates_equal_ignoring_hash(const PodTemplateSpec& a, const PodTemplateSpec& b) {
  return deterministic_bytes(without_hash_label(a)) == deterministic_bytes(without_hash_label(b));
}

std::optional<int64_t> revision_of(const ReplicaSet& rs) {
  const auto* text = annotation(rs.metadata(), revision_annotation);
  if (text == nullptr) return 0;
  return parse_int<int64_t>(*text);
}

rolling_limits rolling_limits_of(const Deployment& d) {
  const auto& spec = d.spec();
  if (spec.strategy().type() == "Recreate") return {};
  int32_t replicas = spec.has_replicas() ? std::max(spec.replicas(), 0) : 1;
  const auto& rolling = spec.strategy().rolling_update();
  rolling_limits limits;
  limits.max_surge = scaled_value(rolling.max_surge(), replicas, true);
  limits.max_unavailable = scaled_value(rolling.max_unavailable(), replicas, false);
  // Rounding may leave no room at all; surge might be blocked by quota, so allow one down.
  if (limits.max_surge == 0 && limits.max_unavailable == 0) limits.max_unavailable = 1;
  limits.max_unavailable = std::min(limits.max_unavailable, replicas);
  return limits;
}

bool is_controlled_by(const ReplicaSet& rs, const Deployment& d) {
  const auto* ref = controller_of(rs.metadata());
  return ref != nullptr && ref->uid() == d.metadata().uid();
}

namespace {

// metav1.NewControllerRef(d, apps/v1 Deployment).
void add_controller_ref(const Deployment& d, ObjectMeta& meta) {
  auto& ref = *meta.add_owner_references();
  ref.set_api_version("apps/v1");
  ref.set_kind("Deployment");
  ref.set_name(d.metadata().name());
  ref.set_uid(d.metadata().uid());
  ref.set_controller(true);
  ref.set_block_owner_deletion(true);
}

bool selector_is_empty(const Deployment& d) {
  const auto& selector = d.spec().selector();
  return selector.match_labels().empty() && selector.match_expressions().empty();
}

std::vector<const ReplicaSet*> controlled(const Deployment& d,
                                          std::span<const ReplicaSet* const> rss) {
  std::vector<const ReplicaSet*> out;
  for (const ReplicaSet* rs : rss) {
    if (rs != nullptr && rs->metadata().namespace_() == d.metadata().namespace_() &&
        is_controlled_by(*rs, d)) {
      out.push_back(rs);
    }
  }
  return out;
}

}  // namespace

replica_set_claim claim_replica_sets(const Deployment& d,
                                     std::span<const ReplicaSet* const> in_namespace) {
  replica_set_claim claim;
  auto parsed = messages::label_selector::from_proto(d.spec().selector());
  if (!parsed.value) {
    claim.error = "deployment " + quoted(d.metadata().namespace_() + "/" + d.metadata().name()) +
                  " has invalid label selector: " + parsed.error;
    return claim;
  }
  if (parsed.value->empty()) {
    // Kubernetes never claims for a selector that selects everything (see plan_deployment).
    claim.owned = controlled(d, in_namespace);
    return claim;
  }
  bool deleting = d.metadata().has_deletion_timestamp();
  for (const ReplicaSet* rs : in_namespace) {
    if (rs == nullptr || rs->metadata().namespace_() != d.metadata().namespace_()) continue;
    bool matches = parsed.value->matches(rs->metadata().labels());
    if (const auto* ref = controller_of(rs->metadata())) {
      if (ref->uid() != d.metadata().uid()) continue;
      if (matches) {
        claim.owned.push_back(rs);
      } else if (!deleting) {
        auto& released = claim.release.emplace_back(*rs);
        auto& refs = *released.mutable_metadata()->mutable_owner_references();
        refs.erase(std::remove_if(refs.begin(), refs.end(),
                                  [&](const auto& r) { return r.uid() == d.metadata().uid(); }),
                   refs.end());
      }
      continue;
    }
    // An orphan being deleted is not adopted: the garbage collector is taking it.
    if (deleting || !matches || rs->metadata().has_deletion_timestamp()) continue;
    auto& adopted = claim.adopt.emplace_back(*rs);
    add_controller_ref(d, *adopted.mutable_metadata());
    claim.owned.push_back(rs);
  }
  return claim;
}

namespace {

// ---------------------------------------------------------------------------------------------
// One pass
// ---------------------------------------------------------------------------------------------

// A ReplicaSet as this pass sees it.
struct rs_entry {
  // The cached object with this pass's changes applied.
  ReplicaSet rs;
  // spec.replicas as read; 0 for the ReplicaSet created in this pass.
  int32_t replicas_before = 0;
  bool created = false;
  // An update (or, created, part of the create) is planned.
  bool changed = false;
  bool removed = false;
};

// calculateStatus' sums over the ReplicaSets the status is computed from.
struct replica_counts {
  int32_t actual = 0;     // status.replicas
  int32_t updated = 0;    // status.replicas of the new ReplicaSet
  int32_t ready = 0;      // status.readyReplicas
  int32_t available = 0;  // status.availableReplicas
  int32_t desired = 0;    // spec.replicas
};

// One syncDeployment. Works on copies of the ReplicaSets (a change made by one step is seen by
// the next, as Kubernetes sees the object its API call returned) and turns them into the plan at
// the end. Used once per pass.
class deployment_pass {
 public:
  deployment_pass(const Deployment& d, std::span<const ReplicaSet* const> rss,
                  std::span<const Pod* const> pods, int64_t now_ms)
      : d_(d), view_(view_of(d)), pods_(pods), now_ms_(now_ms), status_(d.status()) {
    for (const ReplicaSet* rs : controlled(d, rss)) {
      entries_.push_back({*rs, spec_replicas(*rs)});
    }
  }

  deployment_plan run() {
    if (selector_is_empty(d_)) return selecting_everything();
    if (d_.metadata().has_deletion_timestamp()) {
      sync_existing_new_replica_set();
      return finish(deployment_status());
    }
    check_paused_conditions();
    sync_existing_new_replica_set();
    if (d_.spec().paused()) {
      scale();
      cleanup_old_replica_sets();
      return finish(deployment_status());
    }
    if (is_scaling_event()) {
      scale();
      return finish(deployment_status());
    }
    if (view_.rolling) {
      rollout_rolling();
    } else {
      rollout_recreate();
    }
    return finish(status_with_progress());
  }

 private:
  ReplicaSet& rs(size_t i) { return entries_[i].rs; }
  int32_t replicas(size_t i) const { return spec_replicas(entries_[i].rs); }
  bool has_deadline() const { return view_.progress_deadline_s.has_value(); }
  int32_t max_total() const { return view_.replicas + view_.limits.max_surge; }

  // Old ReplicaSets with spec.replicas > 0 (FilterActiveReplicaSets), oldest first.
  std::vector<size_t> active_old_by_age() const {
    std::vector<size_t> out;
    for (size_t i : old_) {
      if (replicas(i) > 0) out.push_back(i);
    }
    sort_by_age(out);
    return out;
  }

  void sort_by_age(std::vector<size_t>& indices) const {
    std::sort(indices.begin(), indices.end(),
              [&](size_t a, size_t b) { return created_before(entries_[a].rs, entries_[b].rs); });
  }

  void mark_changed(size_t i) {
    if (entries_[i].changed || entries_[i].created) return;
    entries_[i].changed = true;
    order_.push_back(i);
  }

  deployment_plan selecting_everything() {
    deployment_plan plan;
    plan.events.push_back({"Warning", "SelectingAll",
                           "This deployment is selecting all pods. A non-empty selector is "
                           "required."});
    plan.status = d_.status();
    if (plan.status.observed_generation() < d_.metadata().generation()) {
      plan.status.set_observed_generation(d_.metadata().generation());
      plan.status_changed = true;
    }
    return plan;
  }

  // checkPausedConditions: a Progressing=Unknown condition on pause and on resume, so the
  // time spent paused never counts against the progress deadline. A timeout stays reported.
  void check_paused_conditions() {
    if (!has_deadline()) return;
    const auto* cond = find_condition(status_, progressing_type);
    if (cond != nullptr && cond->reason() == timed_out_reason) return;
    bool paused_reported = cond != nullptr && cond->reason() == paused_reason;
    if (d_.spec().paused() && !paused_reported) {
      set_condition(status_, new_condition(progressing_type, "Unknown", paused_reason,
                                           "Deployment is paused", now_ms_));
    } else if (!d_.spec().paused() && paused_reported) {
      set_condition(status_, new_condition(progressing_type, "Unknown", resumed_reason,
                                           "Deployment is resumed", now_ms_));
    }
  }

  int64_t max_old_revision() const {
    int64_t most = 0;
    for (size_t i : old_) {
      if (auto revision = revision_of(entries_[i].rs)) most = std::max(most, *revision);
    }
    return most;
  }

  // SetNewReplicaSetAnnotations: the Deployment's annotations, the revision raised to
  // `revision` (the earlier one kept in the revision history), and for a ReplicaSet about to be
  // created the replicas annotations. True when something changed.
  bool set_new_replica_set_annotations(ReplicaSet& target, int64_t revision, bool exists) {
    bool changed = copy_deployment_annotations(d_, target);
    const auto* old_text = annotation(target.metadata(), revision_annotation);
    std::optional<int64_t> old_revision = 0;
    if (old_text != nullptr && !old_text->empty()) old_revision = parse_int<int64_t>(*old_text);
    if (!old_revision) return false;  // Kubernetes leaves a malformed revision alone
    if (*old_revision < revision) {
      if (old_text != nullptr && !old_text->empty()) append_revision_history(target, *old_text);
      set_annotation(target, revision_annotation, std::to_string(revision));
      changed = true;
    }
    if (!exists && set_replicas_annotations(target, view_.replicas, max_total())) changed = true;
    return changed;
  }

  // FindNewReplicaSet/FindOldReplicaSets and getNewReplicaSet without creating: the oldest
  // ReplicaSet with the Deployment's template is the new one; it gets its annotations and
  // minReadySeconds brought up to date.
  void sync_existing_new_replica_set() {
    std::vector<size_t> by_age(entries_.size());
    for (size_t i = 0; i < by_age.size(); ++i)
      by_age[i] = i;
    sort_by_age(by_age);
    for (size_t i : by_age) {
      if (!new_ && templates_equal_ignoring_hash(rs(i).spec().template_(), d_.spec().template_())) {
        new_ = i;
      } else {
        old_.push_back(i);
      }
    }
    if (!new_) return;
    auto& target = rs(*new_);
    bool changed = set_new_replica_set_annotations(target, max_old_revision() + 1, true);
    if (changed || target.spec().min_ready_seconds() != d_.spec().min_ready_seconds()) {
      target.mutable_spec()->set_min_ready_seconds(d_.spec().min_ready_seconds());
      mark_changed(*new_);
    }
    if (const auto* revision = annotation(target.metadata(), revision_annotation)) {
      revision_ = *revision;
    }
    if (has_deadline() && find_condition(status_, progressing_type) == nullptr) {
      set_condition(
          status_,
          new_condition(progressing_type, "True", found_new_rs_reason,
                        "Found new replica set " + quoted(target.metadata().name()), now_ms_));
    }
  }

  // NewRSNewReplicas: Recreate goes straight to spec.replicas; RollingUpdate grows the new
  // ReplicaSet only as far as the total stays within spec.replicas + maxSurge.
  int32_t new_replica_set_target() const {
    int32_t current = replicas(*new_);
    if (!view_.rolling) return view_.replicas;
    int64_t total = 0;
    for (size_t i = 0; i < entries_.size(); ++i)
      total += replicas(i);
    if (total >= max_total()) return current;
    int64_t room = std::min<int64_t>(max_total() - total, view_.replicas - current);
    return static_cast<int32_t>(current + room);
  }

  // getNewReplicaSet's create: "<name>-<hash>" with the hash label added to the template, the
  // labels and the selector, the next revision, and the replicas the strategy allows now.
  void create_new_replica_set() {
    const auto& d_meta = d_.metadata();
    auto hash = pod_template_hash(d_.spec().template_(),
                                  d_.status().has_collision_count()
                                      ? std::optional<int32_t>(d_.status().collision_count())
                                      : std::nullopt);
    rs_entry entry;
    entry.created = true;
    auto& meta = *entry.rs.mutable_metadata();
    meta.set_name(d_meta.name() + "-" + hash);
    meta.set_namespace_(d_meta.namespace_());
    add_controller_ref(d_, meta);
    auto& spec = *entry.rs.mutable_spec();
    spec.set_replicas(0);
    spec.set_min_ready_seconds(d_.spec().min_ready_seconds());
    *spec.mutable_selector() = d_.spec().selector();
    (*spec.mutable_selector()->mutable_match_labels())[std::string(pod_template_hash_label)] = hash;
    *spec.mutable_template_() = d_.spec().template_();
    (*spec.mutable_template_()->mutable_metadata()->mutable_labels())[std::string(
        pod_template_hash_label)] = hash;
    *meta.mutable_labels() = spec.template_().metadata().labels();
    // Only for ordering within this pass; the API server sets the real one.
    *meta.mutable_creation_timestamp() = time_at(now_ms_);

    int64_t revision = max_old_revision() + 1;
    entries_.push_back(std::move(entry));
    new_ = entries_.size() - 1;
    order_.push_back(*new_);
    rs(*new_).mutable_spec()->set_replicas(new_replica_set_target());
    set_new_replica_set_annotations(rs(*new_), revision, false);
    revision_ = std::to_string(revision);
    if (has_deadline()) {
      set_condition(
          status_,
          new_condition(progressing_type, "True", new_rs_created_reason,
                        "Created new replica set " + quoted(rs(*new_).metadata().name()), now_ms_));
    }
  }

  // scaleReplicaSet: the new size and the replicas annotations of the current spec. True
  // when the size changed.
  bool scale_to(size_t i, int32_t size) {
    bool resized = replicas(i) != size;
    bool annotated = set_replicas_annotations(rs(i), view_.replicas, max_total());
    if (resized || annotated) {
      rs(i).mutable_spec()->set_replicas(size);
      mark_changed(i);
    }
    return resized;
  }

  // scaleReplicaSetAndRecordEvent: nothing at all when the size is already right.
  bool scale_if_needed(size_t i, int32_t size) { return replicas(i) != size && scale_to(i, size); }

  bool is_scaling_event() const {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (replicas(i) <= 0) continue;
      auto desired = int_annotation(entries_[i].rs, desired_replicas_annotation);
      if (desired && *desired != view_.replicas) return true;
    }
    return false;
  }

  // FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active.
  std::optional<size_t> active_or_latest() const {
    if (!new_ && old_.empty()) return {};
    std::vector<size_t> active;
    for (size_t i : old_) {
      if (replicas(i) > 0) active.push_back(i);
    }
    if (new_ && replicas(*new_) > 0) active.push_back(*new_);
    if (active.size() == 1) return active[0];
    if (!active.empty()) return {};
    if (new_) return new_;
    return *std::max_element(old_.begin(), old_.end(), [&](size_t a, size_t b) {
      return created_before(entries_[a].rs, entries_[b].rs);
    });
  }

  bool new_is_saturated() const {
    if (!new_) return false;
    const auto& target = entries_[*new_].rs;
    auto desired = int_annotation(target, desired_replicas_annotation);
    return desired && *desired == view_.replicas && spec_replicas(target) == view_.replicas &&
           target.status().available_replicas() == view_.replicas;
  }

  // getReplicaSetFraction: how many replicas this ReplicaSet gains (or loses) when the total it
  // was sized for (its max-replicas annotation) becomes spec.replicas + maxSurge.
  int32_t fraction_of(size_t i) const {
    int32_t size = replicas(i);
    if (view_.replicas == 0) return -size;
    auto before = int_annotation(entries_[i].rs, max_replicas_annotation);
    int64_t sized_for = before && *before != 0 ? *before : d_.status().replicas();
    if (sized_for == 0) return 0;
    double scaled =
        static_cast<double>(int64_t{size} * max_total()) / static_cast<double>(sized_for);
    return static_cast<int32_t>(std::lround(scaled)) - size;
  }

  // GetProportion: the fraction, bounded by what is still to be added or removed.
  int32_t proportion_of(size_t i, int32_t to_add, int32_t added) const {
    if (replicas(i) == 0 || to_add == 0 || to_add == added) return 0;
    int32_t allowed = to_add - added;
    int32_t fraction = fraction_of(i);
    return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
  }

  // Kubernetes' scale(): a lone active ReplicaSet takes spec.replicas; a saturated new one
  // drains the old ones; otherwise (RollingUpdate) the change to spec.replicas + maxSurge is
  // spread over the active ReplicaSets in proportion to their size, largest first (newer first
  // when growing, older first when shrinking), the rounding leftover going to the first.
  //
  // Simplification kept from Kubernetes: proportions come from each ReplicaSet's max-replicas
  // annotation, so a ReplicaSet scaled by hand gets a share of its old total.
  void scale() {
    if (auto only = active_or_latest()) {
      scale_if_needed(*only, view_.replicas);
      return;
    }
    if (new_is_saturated()) {
      for (size_t i : active_old_by_age())
        scale_if_needed(i, 0);
      return;
    }
    if (!view_.rolling) return;
    std::vector<size_t> active = active_old_by_age();
    if (new_ && replicas(*new_) > 0) active.push_back(*new_);
    int64_t total = 0;
    for (size_t i : active)
      total += replicas(i);
    int32_t allowed = view_.replicas > 0 ? max_total() : 0;
    auto to_add = static_cast<int32_t>(allowed - total);
    if (to_add != 0) {
      bool growing = to_add > 0;
      std::sort(active.begin(), active.end(), [&](size_t a, size_t b) {
        if (replicas(a) != replicas(b)) return replicas(a) > replicas(b);
        return growing ? created_before(rs_at(b), rs_at(a)) : created_before(rs_at(a), rs_at(b));
      });
    }
    std::vector<int32_t> sizes;
    int32_t added = 0;
    for (size_t i : active) {
      int32_t share = proportion_of(i, to_add, added);
      sizes.push_back(replicas(i) + share);
      added += share;
    }
    for (size_t k = 0; k < active.size(); ++k) {
      if (k == 0 && to_add != 0) sizes[0] = std::max(sizes[0] + to_add - added, 0);
      scale_to(active[k], sizes[k]);
    }
  }

  const ReplicaSet& rs_at(size_t i) const { return entries_[i].rs; }

  // cleanupDeployment: beyond revisionHistoryLimit, delete the old ReplicaSets of lowest
  // revision that are fully scaled down and observed so. Unparsable revisions count as lowest.
  void cleanup_old_replica_sets() {
    if (!view_.history_limit) return;
    std::vector<size_t> cleanable;
    for (size_t i : old_) {
      if (!rs_at(i).metadata().has_deletion_timestamp()) cleanable.push_back(i);
    }
    int64_t excess = static_cast<int64_t>(cleanable.size()) - *view_.history_limit;
    if (excess <= 0) return;
    std::sort(cleanable.begin(), cleanable.end(), [&](size_t a, size_t b) {
      int64_t ra = revision_of(rs_at(a)).value_or(-1);
      int64_t rb = revision_of(rs_at(b)).value_or(-1);
      if (ra != rb) return ra < rb;
      return created_before(rs_at(a), rs_at(b));
    });
    for (int64_t k = 0; k < excess; ++k) {
      auto& entry = entries_[cleanable[static_cast<size_t>(k)]];
      const auto& cached = entry.rs;
      // An entry this pass already changes stays: one action per ReplicaSet.
      if (cached.status().replicas() != 0 || entry.replicas_before != 0 || entry.changed ||
          cached.metadata().generation() > cached.status().observed_generation()) {
        continue;
      }
      entry.removed = true;
      removals_.push_back(cleanable[static_cast<size_t>(k)]);
    }
  }

  bool reconcile_new_replica_set() {
    int32_t current = replicas(*new_);
    if (current == view_.replicas) return false;
    if (current > view_.replicas) return scale_if_needed(*new_, view_.replicas);
    return scale_if_needed(*new_, new_replica_set_target());
  }

  // cleanupUnhealthyReplicas: scale old ReplicaSets down by their unavailable replicas, oldest
  // first, at most `budget` in all. nullopt where Kubernetes gives up on the pass (a ReplicaSet
  // reporting more available replicas than it asks for).
  std::optional<int32_t> clean_up_unhealthy(const std::vector<size_t>& old, int32_t budget) {
    int32_t total = 0;
    for (size_t i : old) {
      if (total >= budget) break;
      int32_t size = replicas(i);
      int32_t available = rs_at(i).status().available_replicas();
      if (size == 0 || size == available) continue;
      int32_t count = std::min(budget - total, size - available);
      if (count < 0) return {};
      scale_if_needed(i, size - count);
      total += count;
    }
    return total;
  }

  // scaleDownOldReplicaSetsForRollingUpdate: remove what is available beyond
  // spec.replicas - maxUnavailable, oldest ReplicaSet first.
  int32_t scale_down_old_within_budget(const std::vector<size_t>& old) {
    int32_t min_available = view_.replicas - view_.limits.max_unavailable;
    int32_t available = rs_at(*new_).status().available_replicas();
    for (size_t i : old)
      available += rs_at(i).status().available_replicas();
    if (available <= min_available) return 0;
    int32_t target = available - min_available;
    int32_t total = 0;
    for (size_t i : old) {
      if (total >= target) break;
      int32_t size = replicas(i);
      if (size == 0) continue;
      int32_t count = std::min(size, target - total);
      scale_if_needed(i, size - count);
      total += count;
    }
    return total;
  }

  // reconcileOldReplicaSets: how far the old ReplicaSets may shrink keeps
  // spec.replicas - maxUnavailable available, counting the new ReplicaSet's unavailable
  // replicas as already missing.
  bool reconcile_old_replica_sets() {
    std::vector<size_t> old = active_old_by_age();
    if (old.empty()) return false;
    int32_t all = 0;
    for (size_t i = 0; i < entries_.size(); ++i)
      all += replicas(i);
    int32_t min_available = view_.replicas - view_.limits.max_unavailable;
    int32_t new_unavailable = replicas(*new_) - rs_at(*new_).status().available_replicas();
    int32_t max_scaled_down = all - min_available - new_unavailable;
    if (max_scaled_down <= 0) return false;
    auto cleaned = clean_up_unhealthy(old, max_scaled_down);
    if (!cleaned) return false;
    return *cleaned + scale_down_old_within_budget(old) > 0;
  }

  bool complete(const DeploymentStatus& status) const {
    return status.updated_replicas() == view_.replicas && status.replicas() == view_.replicas &&
           status.available_replicas() == view_.replicas &&
           status.observed_generation() >= d_.metadata().generation();
  }

  // rolloutRolling: one step per pass, scaling up before scaling down.
  void rollout_rolling() {
    if (!new_) create_new_replica_set();
    take_counts();
    if (reconcile_new_replica_set()) return;
    if (reconcile_old_replica_sets()) return;
    if (complete(d_.status())) cleanup_old_replica_sets();
  }

  // oldPodsRunning: an old ReplicaSet still reports replicas, or one of its pods is not done.
  bool old_pods_running() const {
    std::set<std::string, std::less<>> old_uids;
    for (size_t i : old_) {
      if (rs_at(i).status().replicas() > 0) return true;
      old_uids.insert(rs_at(i).metadata().uid());
    }
    for (const Pod* pod : pods_) {
      if (pod == nullptr || is_terminal(*pod)) continue;
      const auto* ref = controller_of(pod->metadata());
      if (ref != nullptr && old_uids.contains(ref->uid())) return true;
    }
    return false;
  }

  // rolloutRecreate: every old ReplicaSet to 0 first; the new one only once no old pod runs.
  void rollout_recreate() {
    take_counts();
    bool scaled_down = false;
    for (size_t i : active_old_by_age())
      scaled_down = scale_if_needed(i, 0) || scaled_down;
    if (scaled_down || old_pods_running()) return;
    if (!new_) {
      create_new_replica_set();
      take_counts();
    }
    scale_if_needed(*new_, view_.replicas);
    if (complete(d_.status())) cleanup_old_replica_sets();
  }

  // The ReplicaSets as Kubernetes computes the status from them: as read, plus a new one
  // created in this pass.
  void take_counts() {
    counted_ = true;
    counts_ = {};
    for (size_t i = 0; i < entries_.size(); ++i) {
      const auto& status = rs_at(i).status();
      counts_.actual += status.replicas();
      counts_.ready += status.ready_replicas();
      counts_.available += status.available_replicas();
      counts_.desired += entries_[i].created ? replicas(i) : entries_[i].replicas_before;
    }
    if (new_) counts_.updated = rs_at(*new_).status().replicas();
  }

  // calculateStatus.
  DeploymentStatus deployment_status() {
    if (!counted_) take_counts();
    DeploymentStatus status;
    status.set_observed_generation(d_.metadata().generation());
    status.set_replicas(counts_.actual);
    status.set_updated_replicas(counts_.updated);
    status.set_ready_replicas(counts_.ready);
    status.set_available_replicas(counts_.available);
    status.set_unavailable_replicas(std::max(counts_.desired - counts_.available, 0));
    if (d_.status().has_collision_count()) {
      status.set_collision_count(d_.status().collision_count());
    }
    *status.mutable_conditions() = status_.conditions();
    if (counts_.available >= view_.replicas - view_.limits.max_unavailable) {
      set_condition(status, new_condition(available_type, "True", min_available_reason,
                                          "Deployment has minimum availability.", now_ms_));
    } else {
      set_condition(status,
                    new_condition(available_type, "False", min_unavailable_reason,
                                  "Deployment does not have minimum availability.", now_ms_));
    }
    return status;
  }

  // DeploymentProgressing: more updated, ready or available replicas, or fewer old ones.
  bool progressed(const DeploymentStatus& next) const {
    const auto& before = d_.status();
    return next.updated_replicas() > before.updated_replicas() ||
           next.replicas() - next.updated_replicas() <
               before.replicas() - before.updated_replicas() ||
           next.ready_replicas() > before.ready_replicas() ||
           next.available_replicas() > before.available_replicas();
  }

  // DeploymentTimedOut: no progress since the Progressing condition's lastUpdateTime for
  // longer than progressDeadlineSeconds.
  bool timed_out(const DeploymentStatus& next) const {
    const auto* cond = find_condition(next, progressing_type);
    if (cond == nullptr || cond->reason() == new_rs_available_reason) return false;
    if (cond->reason() == timed_out_reason) return true;
    return ms_of(cond->last_update_time()) + int64_t{*view_.progress_deadline_s} * 1000 < now_ms_;
  }

  std::string progress_subject() const {
    return new_ ? "ReplicaSet " + quoted(rs_at(*new_).metadata().name())
                : "Deployment " + quoted(d_.metadata().name());
  }

  // syncRolloutStatus: calculateStatus plus the Progressing and ReplicaFailure conditions.
  DeploymentStatus status_with_progress() {
    DeploymentStatus next = deployment_status();
    if (!has_deadline()) remove_condition(next, progressing_type);
    const auto* current = find_condition(status_, progressing_type);
    bool already_complete = next.replicas() == next.updated_replicas() && current != nullptr &&
                            current->reason() == new_rs_available_reason;
    if (has_deadline() && !already_complete) {
      if (complete(next)) {
        set_condition(next,
                      new_condition(progressing_type, "True", new_rs_available_reason,
                                    progress_subject() + " has successfully progressed.", now_ms_));
      } else if (progressed(next)) {
        // Progress refreshes lastUpdateTime even with the same reason.
        auto cond = new_condition(progressing_type, "True", rs_updated_reason,
                                  progress_subject() + " is progressing.", now_ms_);
        if (current != nullptr) {
          if (current->status() == "True") {
            *cond.mutable_last_transition_time() = current->last_transition_time();
          }
          remove_condition(next, progressing_type);
        }
        set_condition(next, std::move(cond));
      } else if (timed_out(next)) {
        set_condition(next,
                      new_condition(progressing_type, "False", timed_out_reason,
                                    progress_subject() + " has timed out progressing.", now_ms_));
      }
    }
    if (auto failure = replica_failure()) {
      set_condition(next, std::move(*failure));
    } else {
      remove_condition(next, replica_failure_type);
    }
    return next;
  }

  // getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's.
  std::optional<DeploymentCondition> replica_failure() const {
    std::vector<size_t> order;
    if (new_) order.push_back(*new_);
    order.insert(order.end(), old_.begin(), old_.end());
    for (size_t i : order) {
      for (const auto& c : rs_at(i).status().conditions()) {
        if (c.type() != replica_failure_type) continue;
        DeploymentCondition out;
        out.set_type(c.type());
        out.set_status(c.status());
        out.set_reason(c.reason());
        out.set_message(c.message());
        *out.mutable_last_update_time() = c.last_transition_time();
        *out.mutable_last_transition_time() = c.last_transition_time();
        return out;
      }
    }
    return {};
  }

  // requeueStuckDeployment: while a rollout is neither complete nor timed out, look again just
  // after the deadline would pass.
  std::optional<int64_t> recheck_at(const DeploymentStatus& status) const {
    if (!has_deadline() || d_.spec().paused() || complete(status)) return {};
    const auto* cond = find_condition(status, progressing_type);
    if (cond == nullptr || cond->reason() == timed_out_reason ||
        cond->reason() == new_rs_available_reason) {
      return {};
    }
    // A second late, as Kubernetes, so the check sees the deadline strictly passed.
    return ms_of(cond->last_update_time()) + int64_t{*view_.progress_deadline_s} * 1000 + 1000;
  }

  std::optional<deployment_event> scaling_event(const rs_entry& entry) const {
    int32_t size = spec_replicas(entry.rs);
    if (size == entry.replicas_before) return {};
    const char* direction = size > entry.replicas_before ? "up" : "down";
    return deployment_event{"Normal", std::string(scaling_reason),
                            std::string("Scaled ") + direction + " replica set " +
                                entry.rs.metadata().name() + " to " + std::to_string(size)};
  }

  deployment_plan finish(DeploymentStatus status) {
    deployment_plan plan;
    for (size_t i : order_) {
      auto& entry = entries_[i];
      auto kind = entry.created ? replica_set_action_kind::create : replica_set_action_kind::update;
      auto event = scaling_event(entry);
      if (entry.created) entry.rs.mutable_metadata()->clear_creation_timestamp();
      plan.actions.push_back({kind, std::move(entry.rs), std::move(event)});
    }
    for (size_t i : removals_) {
      plan.actions.push_back({replica_set_action_kind::remove, entries_[i].rs, std::nullopt});
    }
    plan.recheck_at_ms = recheck_at(status);
    plan.status_changed = deterministic_bytes(status) != deterministic_bytes(d_.status());
    plan.status = std::move(status);
    const auto* current = annotation(d_.metadata(), revision_annotation);
    if (revision_ && (current == nullptr || *current != *revision_)) plan.revision = revision_;
    return plan;
  }

  const Deployment& d_;
  const deployment_view view_;
  std::span<const Pod* const> pods_;
  const int64_t now_ms_;
  // The Deployment's status as Kubernetes mutates it in memory during the pass (conditions).
  DeploymentStatus status_;
  std::vector<rs_entry> entries_;
  std::optional<size_t> new_;
  // Every entry but the new one, oldest first.
  std::vector<size_t> old_;
  // Entries to create or update, in the order of their first change; entries to delete.
  std::vector<size_t> order_;
  std::vector<size_t> removals_;
  // The new ReplicaSet's revision, for the Deployment's annotation.
  std::optional<std::string> revision_;
  replica_counts counts_;
  bool counted_ = false;
};

}  // namespace

deployment_plan plan_deployment(const Deployment& d,
                                std::span<const ReplicaSet* const> replica_sets,
                                std::span<const Pod* const> pods, int64_t now_ms) {
  return deployment_pass(d, replica_sets, pods, now_ms).run();
}

std::optional<DeploymentStatus> resolve_create_conflict(const Deployment& d,
                                                        const ReplicaSet& existing) {
  // Ours, or an orphan of the same template that the next pass adopts (the cache showed it only
  // after the pass that tried to create it: counting it a collision left two ReplicaSets of
  // one template, as the control-plane simulation found).
  auto selector = messages::label_selector::from_proto(d.spec().selector());
  const bool adoptable = controller_of(existing.metadata()) == nullptr &&
                         !existing.metadata().has_deletion_timestamp() && selector.value &&
                         !selector.value->empty() &&
                         selector.value->matches(existing.metadata().labels());
  if ((is_controlled_by(existing, d) || adoptable) &&
      templates_equal_ignoring_hash(d.spec().template_(), existing.spec().template_())) {
    return std::nullopt;
  }
  DeploymentStatus status = d.status();
  status.set_collision_count(status.has_collision_count() ? status.collision_count() + 1 : 1);
  return status;
}

create_failure report_create_failure(const Deployment& d, std::string_view rs_name,
                                     std::string_view error, int64_t now_ms) {
  std::string message =
      "Failed to create new replica set " + quoted(rs_name) + ": " + std::string(error);
  create_failure out;
  out.event = {"Warning", std::string(failed_create_reason), message};
  out.status = d.status();
  if (view_of(d).progress_deadline_s) {
    set_condition(out.status, new_condition(progressing_type, "False", failed_create_reason,
                                            std::move(message), now_ms));
    out.status_changed = deterministic_bytes(out.status) != deterministic_bytes(d.status());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLI helpers
// ---------------------------------------------------------------------------------------------

namespace {

// kubectl orders a Deployment's ReplicaSets as the old ones then the new one; later entries of
// the same revision win in history.
std::vector<const ReplicaSet*> history_order(const Deployment& d,
                                             std::span<const ReplicaSet* const> rss) {
  auto owned = controlled(d, rss);
  std::stable_sort(owned.begin(), owned.end(), [&](const ReplicaSet* a, const ReplicaSet* b) {
    return !templates_equal_ignoring_hash(a->spec().template_(), d.spec().template_()) &&
           templates_equal_ignoring_hash(b->spec().template_(), d.spec().template_());
  });
  return owned;
}

std::map<int64_t, const ReplicaSet*> revisions_of(const Deployment& d,
                                                  std::span<const ReplicaSet* const> rss) {
  std::map<int64_t, const ReplicaSet*> by_revision;
  for (const ReplicaSet* rs : history_order(d, rss)) {
    if (auto revision = revision_of(*rs)) by_revision[*revision] = rs;
  }
  return by_revision;
}

std::string revision_not_found(int64_t revision) {
  return "unable to find specified revision " + std::to_string(revision) + " in history";
}

}  // namespace

std::vector<history_entry> rollout_history(const Deployment& d,
                                           std::span<const ReplicaSet* const> rss) {
  std::vector<history_entry> entries;
  for (const auto& [revision, rs] : revisions_of(d, rss)) {
    const auto* cause = annotation(rs->metadata(), change_cause_annotation);
    entries.push_back({revision, cause == nullptr ? "" : *cause});
  }
  return entries;
}

std::string format_rollout_history(std::span<const history_entry> entries) {
  constexpr std::string_view header = "REVISION";
  size_t width = header.size();
  for (const auto& e : entries)
    width = std::max(width, std::to_string(e.revision).size());
  width += 2;  // tabwriter padding
  auto row = [width](std::string first, std::string_view second) {
    first.resize(width, ' ');
    return first + std::string(second) + "\n";
  };
  std::string out = row(std::string(header), "CHANGE-CAUSE");
  for (const auto& e : entries) {
    out += row(std::to_string(e.revision), e.change_cause.empty() ? "<none>" : e.change_cause);
  }
  return out;
}

revision_template rollout_history_template(const Deployment& d,
                                           std::span<const ReplicaSet* const> rss,
                                           int64_t revision) {
  auto by_revision = revisions_of(d, rss);
  auto it = by_revision.find(revision);
  if (it == by_revision.end()) return {{}, "unable to find the specified revision"};
  return {it->second->spec().template_(), {}};
}

rollback_plan plan_rollback(const Deployment& d, std::span<const ReplicaSet* const> rss,
                            int64_t to_revision) {
  rollback_plan plan;
  if (to_revision < 0) {
    plan.error = revision_not_found(to_revision);
    return plan;
  }
  // kubectl's deploymentRevision: the named revision, or the second highest.
  const ReplicaSet* target = nullptr;
  int64_t latest = -1;
  int64_t previous = -1;
  const ReplicaSet* latest_rs = nullptr;
  for (const ReplicaSet* rs : history_order(d, rss)) {
    auto revision = revision_of(*rs);
    if (!revision) continue;
    if (to_revision > 0) {
      if (*revision == to_revision) {
        target = rs;
        break;
      }
    } else if (latest < *revision) {
      previous = latest;
      target = latest_rs;
      latest = *revision;
      latest_rs = rs;
    } else if (previous < *revision) {
      previous = *revision;
      target = rs;
    }
  }
  if (target == nullptr) {
    plan.error = to_revision > 0
                     ? revision_not_found(to_revision)
                     : "no rollout history found for deployment " + quoted(d.metadata().name());
    return plan;
  }
  plan.revision = to_revision > 0 ? to_revision : previous;
  if (d.spec().paused()) {
    plan.error =
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
        "and try again";
    return plan;
  }
  if (templates_equal_ignoring_hash(target->spec().template_(), d.spec().template_())) {
    plan.skipped = "skipped rollback (current template already matches revision " +
                   std::to_string(plan.revision) + ")";
    return plan;
  }
  plan.tmpl = without_hash_label(target->spec().template_());
  for (const auto& [key, value] : d.metadata().annotations()) {
    if (is_controller_owned_annotation(key)) plan.annotations[key] = value;
  }
  for (const auto& [key, value] : target->metadata().annotations()) {
    if (!is_controller_owned_annotation(key)) plan.annotations[key] = value;
  }
  if (const auto* cause = annotation(target->metadata(), change_cause_annotation)) {
    plan.change_cause = *cause;
  }
  return plan;
}

rollout_status_result rollout_status(const Deployment& d, int64_t revision) {
  const auto& name = d.metadata().name();
  const auto& status = d.status();
  if (revision > 0) {
    const auto* text = annotation(d.metadata(), revision_annotation);
    std::optional<int64_t> running = text == nullptr ? 0 : parse_int<int64_t>(*text);
    if (!running) {
      return {{},
              false,
              "cannot get the revision of deployment " + quoted(name) +
                  ": strconv.ParseInt: parsing " + quoted(*text) + ": invalid syntax"};
    }
    if (*running != revision) {
      return {{},
              false,
              "desired revision (" + std::to_string(revision) +
                  ") is different from the running revision (" + std::to_string(*running) + ")"};
    }
  }
  if (d.metadata().generation() > status.observed_generation()) {
    return {"Waiting for deployment spec update to be observed...", false, {}};
  }
  const auto* progressing = find_condition(status, progressing_type);
  if (progressing != nullptr && progressing->reason() == timed_out_reason) {
    return {{}, false, "deployment " + quoted(name) + " exceeded its progress deadline"};
  }
  int32_t wanted = d.spec().has_replicas() ? d.spec().replicas() : 1;
  if (status.updated_replicas() < wanted) {
    return {"Waiting for rollout to finish: " + std::to_string(status.updated_replicas()) +
                " out of " + std::to_string(wanted) + " new replicas have been updated...",
            false,
            {}};
  }
  if (status.replicas() > status.updated_replicas()) {
    return {"Waiting for rollout to finish: " +
                std::to_string(status.replicas() - status.updated_replicas()) +
                " old replicas are pending termination...",
            false,
            {}};
  }
  if (status.available_replicas() < status.updated_replicas()) {
    return {"Waiting for rollout to finish: " + std::to_string(status.available_replicas()) +
                " of " + std::to_string(status.updated_replicas()) +
                " updated replicas are available...",
            false,
            {}};
  }
  return {"deployment " + quoted(name) + " successfully rolled out", true, {}};
}

}  // namespace troupe::actors::controllers
