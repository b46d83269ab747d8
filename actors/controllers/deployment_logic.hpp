// The Deployment controller as pure functions: which ReplicaSets to create, scale, annotate and
// delete in one pass, the status and revision to write back, and the helpers `troupectl rollout
// status/history/undo` use. Kubernetes' pkg/controller/deployment (syncDeployment, sync.go,
// rolling.go, recreate.go, progress.go, util/deployment_util.go) and kubectl's
// polymorphichelpers (rollout_status.go, history.go, rollback.go) are the reference.
//
// No CAF, no I/O, no clock: the controller actor feeds in its list+watch caches and the time, and
// carries out the plan. Any thread may call these functions on inputs nobody mutates meanwhile.
// This header includes apps.pb.h because the plan holds ReplicaSets and a DeploymentStatus by
// value; only the deployment controller, the CLI's rollout verbs and tests include it.
//
// What the caller does around a pass, as Kubernetes' controller does:
// - Carry out plan.actions in order, each against the object it carries (updates keep the cached
//   resourceVersion as their precondition). Record an action's event only after it succeeded.
//   On the first failure stop and resync later; do not write the status of that pass.
// - A create that fails with AlreadyExists: call resolve_create_conflict() with the object of
//   that name, write the status it returns (the bumped collisionCount) and resync.
// - After the actions, when plan.needs_write(): write plan.status and the revision annotation
//   (the status subresource of a Deployment carries annotation changes too).
// - Resync at plan.recheck_at_ms (a progress-deadline check) if nothing else happened by then.
// - Expectations: do not plan again for this Deployment until the watch has shown the RS writes;
//   a stale cache would make the same scale step twice.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "messages/proto/apps.pb.h"

namespace troupe::actors::controllers {

// The label a Deployment adds to its ReplicaSets' selector, template and pods.
inline constexpr std::string_view pod_template_hash_label = "pod-template-hash";
// On a ReplicaSet: the rollout revision it was last the new ReplicaSet of. On the Deployment:
// the revision of its current new ReplicaSet.
inline constexpr std::string_view revision_annotation = "deployment.kubernetes.io/revision";
// On a ReplicaSet that became the new one again (a rollback): its earlier revisions, "1,3".
inline constexpr std::string_view revision_history_annotation =
    "deployment.kubernetes.io/revision-history";
// On a ReplicaSet: the Deployment's spec.replicas and spec.replicas + maxSurge when the
// ReplicaSet was last scaled; proportional scaling reads them.
inline constexpr std::string_view desired_replicas_annotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr std::string_view max_replicas_annotation = "deployment.kubernetes.io/max-replicas";
// Copied from the Deployment to its new ReplicaSet; `rollout history` shows it.
inline constexpr std::string_view change_cause_annotation = "kubernetes.io/change-cause";
// The source component of every event this controller records.
inline constexpr std::string_view deployment_controller_component = "deployment-controller";

// ---------------------------------------------------------------------------------------------
// Templates and hashes
// ---------------------------------------------------------------------------------------------

// The pod-template-hash for a Deployment's template: FNV-1a 32 over the deterministic protobuf
// serialization (map entries sorted by key) of `tmpl` without its pod-template-hash label,
// followed, when collision_count is set, by 8 bytes: the count as a little-endian uint32 and
// four zero bytes (Kubernetes' ComputeHash layout). The uint32 is written in decimal and each
// digit mapped through Kubernetes' SafeEncodeString alphabet "bcdfghjklmnpqrstvwxz2456789"
// (alphabet[digit's ASCII code % 27]), so a hash is 1 to 10 characters of 4-9, b, c, d, f.
//
// Kubernetes hashes a Go dump of its structs, so the same template hashes differently there.
// The value only names new ReplicaSets: finding a Deployment's ReplicaSet compares templates,
// never hashes, so a serialization change between builds renames no existing ReplicaSet.
std::string pod_template_hash(const messages::PodTemplateSpec& tmpl,
                              std::optional<int32_t> collision_count);

// Kubernetes' EqualIgnoreHash: the two templates are equal once the pod-template-hash label is
// removed from both.
bool templates_equal_ignoring_hash(const messages::PodTemplateSpec& a,
                                   const messages::PodTemplateSpec& b);

// Kubernetes' Revision(): the revision annotation as a number; 0 when absent, nullopt when it is
// not a decimal int64.
std::optional<int64_t> revision_of(const messages::ReplicaSet& rs);

// ---------------------------------------------------------------------------------------------
// Rolling update limits
// ---------------------------------------------------------------------------------------------

// Kubernetes' MaxSurge and MaxUnavailable of a Deployment, with apps/v1 defaults (strategy
// RollingUpdate, 25%/25%). A percentage is of spec.replicas, surge rounded up and unavailable
// rounded down; when both come to 0, unavailable is 1. Unavailable is capped at spec.replicas
// and is 0 when spec.replicas is 0. Both are 0 for Recreate. A value validation would reject
// ("x", "-5%") counts as 0, as Kubernetes' controller ignores it.
struct rolling_limits {
  int32_t max_surge = 0;
  int32_t max_unavailable = 0;
};
rolling_limits rolling_limits_of(const messages::Deployment& d);

// ---------------------------------------------------------------------------------------------
// Ownership
// ---------------------------------------------------------------------------------------------

// The ReplicaSet's controller ownerReference points at the Deployment's uid.
bool is_controlled_by(const messages::ReplicaSet& rs, const messages::Deployment& d);

// Kubernetes' ClaimReplicaSets over a namespace's ReplicaSets.
struct replica_set_claim {
  // Controlled by the Deployment and matching its selector, plus the orphans adopted now.
  std::vector<const messages::ReplicaSet*> owned;
  // Matching orphans as they should be written back: the Deployment's controller reference
  // appended, resourceVersion kept as the precondition. Not while the Deployment is deleted.
  std::vector<messages::ReplicaSet> adopt;
  // Controlled ReplicaSets whose labels no longer match, each with the references to the
  // Deployment's uid removed. Not while the Deployment is being deleted.
  std::vector<messages::ReplicaSet> release;
  // Non-empty when spec.selector does not convert to a selector; nothing is claimed then.
  std::string error;
};
replica_set_claim claim_replica_sets(const messages::Deployment& d,
                                     std::span<const messages::ReplicaSet* const> in_namespace);

// ---------------------------------------------------------------------------------------------
// One pass of the controller
// ---------------------------------------------------------------------------------------------

// An event on the Deployment, from deployment_controller_component.
struct deployment_event {
  std::string type;    // "Normal" or "Warning"
  std::string reason;  // "ScalingReplicaSet", "SelectingAll", "ReplicaSetCreateError"
  std::string message;
};

enum class replica_set_action_kind { create, update, remove };

struct replica_set_action {
  replica_set_action_kind kind = replica_set_action_kind::update;
  // create: the new ReplicaSet, complete but for what the API server fills in.
  // update: the cached object with every change of this pass (each ReplicaSet is updated at
  //   most once per pass, so its resourceVersion is a valid precondition).
  // remove: the cached object; delete it by name (and uid as the precondition).
  messages::ReplicaSet replica_set;
  // "Scaled up replica set web-7d57dbdb8d to 3" when the pass changed spec.replicas (the
  // final value when a ReplicaSet was scaled twice in the pass); record once the action
  // succeeded.
  std::optional<deployment_event> event;
};

struct deployment_plan {
  std::vector<replica_set_action> actions;
  // Events not tied to an action (the SelectingAll warning), to record right away.
  std::vector<deployment_event> events;
  // The complete status after this pass; differs from the input when status_changed.
  messages::DeploymentStatus status;
  bool status_changed = false;
  // The value to write to the Deployment's revision annotation, when it differs from it.
  std::optional<std::string> revision;
  // Resync then (ms since the epoch) to check the progress deadline; nullopt: no need.
  std::optional<int64_t> recheck_at_ms;

  bool needs_write() const { return status_changed || revision.has_value(); }
};

// One pass of Kubernetes' syncDeployment over `d`, the ReplicaSets it controls (others in the
// span are ignored: pass a namespace's cache or the result of claim_replica_sets), optionally
// the pods of those ReplicaSets (Recreate waits until no pod of an old ReplicaSet is left that
// is not Succeeded or Failed; without pods it waits for the old ReplicaSets' status.replicas
// to reach 0), at now_ms (ms since the epoch; stamps conditions, in whole seconds as the API
// stores them, and judges the progress deadline).
//
// In Kubernetes' order, with its arithmetic:
// - an empty selector: a SelectingAll warning and only observedGeneration;
// - being deleted: status only;
// - the Paused/Resumed Progressing condition; paused, or a spec.replicas change that the
//   desired-replicas annotations of the active ReplicaSets do not show yet: proportional
//   scaling only (plus history cleanup when paused);
// - otherwise the rollout of the strategy: RollingUpdate scales the new ReplicaSet up within
//   maxSurge, or else old ones down within maxUnavailable (unhealthy replicas first), by
//   spec.replicas and status.availableReplicas; Recreate scales every old ReplicaSet to 0 and
//   creates/scales the new one once no old pod runs; history cleanup once complete.
// The new ReplicaSet is the oldest whose template equals the Deployment's ignoring the hash;
// if it exists its annotations (revision = highest old revision + 1 when lower, the
// Deployment's annotations, minReadySeconds) are brought up to date.
//
// Simplifications: status counts come from the ReplicaSets as they were read (Kubernetes does
// the same: its status lags the scaling of the same pass); where Kubernetes syncs the new
// ReplicaSet's annotations in one pass and the Deployment's revision in the next, both happen
// here in one; the deprecated spec.rollbackTo does not exist in apps/v1 and is not handled.
deployment_plan plan_deployment(const messages::Deployment& d,
                                std::span<const messages::ReplicaSet* const> replica_sets,
                                std::span<const messages::Pod* const> pods, int64_t now_ms);

// The create of the planned new ReplicaSet failed with AlreadyExists and `existing` holds that
// name. nullopt: it is the Deployment's own new ReplicaSet (controlled by it, or an orphan it
// selects and will adopt; same template): resync. Otherwise a hash collision: the status to write,
// collisionCount incremented, so the next pass picks another name.
std::optional<messages::DeploymentStatus> resolve_create_conflict(
    const messages::Deployment& d, const messages::ReplicaSet& existing);

// The create of the new ReplicaSet `rs_name` failed otherwise: the Warning event
// (ReplicaSetCreateError, `Failed to create new replica set "x": <error>`) and, with a progress
// deadline, the status with that as a False Progressing condition.
struct create_failure {
  deployment_event event;
  messages::DeploymentStatus status;
  bool status_changed = false;
};
create_failure report_create_failure(const messages::Deployment& d, std::string_view rs_name,
                                     std::string_view error, int64_t now_ms);

// ---------------------------------------------------------------------------------------------
// CLI helpers (troupectl rollout ...); inputs are the Deployment and the namespace's
// ReplicaSets, of which those controlled by the Deployment count.
// ---------------------------------------------------------------------------------------------

struct history_entry {
  int64_t revision = 0;
  std::string change_cause;  // the annotation; "" when absent
};

// kubectl's deploymentHistoryInfo: one entry per revision (a later ReplicaSet with the same
// revision wins), ascending. ReplicaSets with an unparsable revision are left out.
std::vector<history_entry> rollout_history(const messages::Deployment& d,
                                           std::span<const messages::ReplicaSet* const> rss);

// The table kubectl prints: "REVISION  CHANGE-CAUSE" and a row per revision, "<none>" for an
// empty change-cause, columns padded as Go's tabwriter(minwidth 0, padding 2) does; every line
// ends in '\n'.
std::string format_rollout_history(std::span<const history_entry> entries);

// Exactly one is meaningful: value on success, error (non-empty) on failure.
struct revision_template {
  std::optional<messages::PodTemplateSpec> value;
  std::string error;
};

// `rollout history --revision=N`: the template of that revision's ReplicaSet as stored (with its
// pod-template-hash label, as kubectl shows it); error "unable to find the specified revision".
revision_template rollout_history_template(const messages::Deployment& d,
                                           std::span<const messages::ReplicaSet* const> rss,
                                           int64_t revision);

// `rollout undo [--to-revision=N]`, kubectl's DeploymentRollbacker: exactly one of error,
// skipped and tmpl is set.
struct rollback_plan {
  // "unable to find specified revision N in history", `no rollout history found for deployment
  // "x"`, or the paused deployment refusal.
  std::string error;
  // "skipped rollback (current template already matches revision N)".
  std::string skipped;
  // spec.template to write: the ReplicaSet's template without the pod-template-hash label.
  std::optional<messages::PodTemplateSpec> tmpl;
  // metadata.annotations to write, replacing all of them (kubectl's JSON patch): the
  // Deployment's last-applied and deployment.kubernetes.io ones plus the ReplicaSet's others.
  std::map<std::string, std::string> annotations;
  // The ReplicaSet's change-cause ("" when it has none), among `annotations`.
  std::string change_cause;
  // The revision rolled back to.
  int64_t revision = 0;
};
// to_revision 0: the revision before the latest. The skip message names the resolved revision.
rollback_plan plan_rollback(const messages::Deployment& d,
                            std::span<const messages::ReplicaSet* const> rss, int64_t to_revision);

// kubectl's DeploymentStatusViewer with the older wording the tutorial shows (no deployment name
// in the waiting lines); `message` has no trailing newline. With revision > 0 the Deployment's
// revision annotation must match, else error "desired revision (N) is different from the
// running revision (M)".
struct rollout_status_result {
  std::string message;
  bool done = false;
  std::string error;  // non-empty: stop waiting and fail
};
rollout_status_result rollout_status(const messages::Deployment& d, int64_t revision = 0);

}  // namespace troupe::actors::controllers
