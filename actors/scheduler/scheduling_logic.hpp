// The scheduler's decision logic as a plain class: a cache of nodes and of the pods bound or
// assumed to them, kept incrementally from the scheduler actor's watches, and one scheduling cycle
// per unscheduled pod that picks a node or explains, in kube-scheduler's words, why none fits.
//
// No CAF, no I/O, no clock, no global randomness: ties are broken by a generator seeded through
// the constructor, so a seed replays the same decisions. Not thread-safe: one owner (the
// scheduler actor) calls every member; a const member may run concurrently only with other const
// members. Callers include messages/proto/core.pb.h and core_pod.pb.h for the arguments.
//
// What it follows, from Kubernetes' pkg/scheduler (v1.2x default profile):
// - Filters, in the framework's order, the first failing one giving the node's reason:
//     not ready (see below) -> NodeUnschedulable -> TaintToleration -> NodeAffinity (nodeSelector
//     and required node affinity) -> NodePorts -> NodeResourcesFit (pods, cpu, memory; this one
//     reports every resource that does not fit).
//   A node whose Ready condition is not "True" is refused with "node(s) were not ready" (the text
//   of kube-scheduler's former CheckNodeCondition predicate) unless it carries a NoSchedule taint
//   node.kubernetes.io/not-ready or node.kubernetes.io/unreachable: then, as in Kubernetes since
//   TaintNodesByCondition, the taint alone decides, so a pod that tolerates it may land there.
// - Scores, each 0..100 and weighted: NodeResourcesFit LeastAllocated over cpu and memory with
//   non-zero defaults (weight least_allocated_weight), and SelectorSpread-style spreading over
//   the pods of the same controller owner (weight spreading_weight). The best total wins; equal
//   bests are sampled uniformly (selectHost's reservoir sampling) with the seeded generator.
// - percentageOfNodesToScore: filtering stops once num_feasible_nodes_to_find() feasible nodes
//   are found, and each cycle starts where the previous one stopped (nextStartNodeIndex). When no
//   node fits, every node has been examined, so the failure message counts every node.
//
// Not modelled: preemption (and its "preemption: ..." suffix), pod (anti-)affinity, topology
// spread constraints, preferred node affinity and PreferNoSchedule scoring, volumes, extended
// and ephemeral-storage resources, scheduling gates, nominated nodes, assumed-pod expiry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::messages {
class Node;
class Pod;
}  // namespace troupe::messages

namespace troupe::actors::scheduler {

// framework.MaxNodeScore: every score is normalized to 0..max_node_score before weighting.
inline constexpr int64_t max_node_score = 100;
// Weights of the two scores in the total. Kubernetes' default profile weighs NodeResourcesFit 1
// and its spreading plugin (PodTopologySpread's system defaults) 2.
inline constexpr int64_t least_allocated_weight = 1;
inline constexpr int64_t spreading_weight = 2;
// Kubernetes' DefaultMilliCPURequest and DefaultMemoryRequest: what a container without a cpu or
// memory request counts for when scoring (never when filtering), so best-effort pods spread too.
inline constexpr int64_t default_milli_cpu_request = 100;
inline constexpr int64_t default_memory_request = 200 * 1024 * 1024;
// kube-scheduler's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind.
inline constexpr int min_feasible_nodes_to_find = 100;
inline constexpr int min_feasible_nodes_percentage_to_find = 5;

// kube-scheduler's numFeasibleNodesToFind: how many feasible nodes a cycle looks for before it
// stops filtering. Every node below 100 nodes; otherwise `percentage` percent of them (0 picks the
// adaptive max(5, 50 - nodes/125)), but never fewer than 100. E.g. 1,000 nodes -> 420, 5,000 ->
// 500. A percentage of 100 or more examines every node.
int num_feasible_nodes_to_find(int all_nodes, int percentage = 0);

// The key a pod is cached under: metadata.uid, or "<namespace>/<name>" when it has no uid.
std::string pod_key(const messages::Pod& pod);

struct scheduling_options {
  // Seeds the generator that breaks ties between equally scored nodes.
  uint64_t seed = 1;
  // KubeSchedulerConfiguration's percentageOfNodesToScore; 0 is the adaptive default.
  int percentage_of_nodes_to_score = 0;
};

// The outcome of one scheduling cycle. Exactly one of node and failure is non-empty.
struct schedule_result {
  // The chosen node's name.
  std::string node;
  // Why the pod fits nowhere, as kube-scheduler's FitError prints it, e.g.
  // "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu." (one
  // "<count> <reason>" per distinct reason, sorted as strings), or, with no nodes at all,
  // "no nodes available to schedule pods".
  std::string failure;
  // Nodes the filters ran on this cycle (every node when the pod fits nowhere).
  int evaluated_nodes = 0;
  // Of those, how many passed every filter (the candidates that were scored).
  int feasible_nodes = 0;

  bool scheduled() const { return !node.empty(); }
};

// What the cache holds for one node, for metrics, logs and tests.
struct node_usage {
  int64_t allocatable_milli_cpu = 0;
  int64_t allocatable_memory = 0;  // bytes
  int64_t allocatable_pods = 0;
  int64_t requested_milli_cpu = 0;  // sum of the counted pods' requests
  int64_t requested_memory = 0;     // bytes
  int64_t pods = 0;                 // counted pods, assumed ones included
};

enum class assume_status {
  assumed,
  // The pod is cached already (assumed before, or seen bound by the watch): nothing changed.
  already_cached,
  // No such node in the cache: nothing changed.
  unknown_node,
};

class scheduling_logic {
 public:
  explicit scheduling_logic(scheduling_options options = {});
  ~scheduling_logic();
  scheduling_logic(scheduling_logic&&) noexcept;
  scheduling_logic& operator=(scheduling_logic&&) noexcept;
  // The cache mirrors one cluster; a copy would be a second, silently diverging mirror.
  scheduling_logic(const scheduling_logic&) = delete;
  scheduling_logic& operator=(const scheduling_logic&) = delete;

  // --- The cache, fed by the watches ----------------------------------------------------------

  // Adds a node or replaces what is known of it (readiness, unschedulable, allocatable, labels,
  // taints); the pods counted on it stay counted. Reads status.allocatable only (the API server
  // defaults it from capacity). Pods cached for a node before the node itself arrived count on it
  // from now on.
  void upsert_node(const messages::Node& node);
  // Forgets a node. Its pods stay cached, so remove_pod still works for them and they count again
  // if the node comes back. False when the node was unknown.
  bool remove_node(std::string_view name);

  // A pod the watch shows bound (spec.nodeName set), added or updated: it replaces whatever the
  // cache held under pod_key(pod), assumed or not, and counts against its node: its requests, one
  // pod, its host ports and, unless it is being deleted, its controller owner for spreading. A
  // pod in phase Succeeded or Failed counts for nothing and is dropped. A pod without
  // spec.nodeName changes nothing (an assumed pod keeps its place while its binding is in
  // flight). Returns whether the pod now counts against a node. The node need not be known yet.
  bool add_pod(const messages::Pod& pod);
  // Subtracts exactly what was counted for the pod with this pod_key (assumed or bound) and
  // forgets it. False when no such pod was cached.
  bool remove_pod(std::string_view key);

  // --- Assumptions, made by the actor between a decision and its binding ----------------------

  // Counts the pod against `node` at once, as kube-scheduler's AssumePod does, so the next cycle
  // sees the capacity taken while the binding is being written. The phase is not looked at.
  assume_status assume(const messages::Pod& pod, std::string_view node);
  // The binding failed: forgets the assumed pod with this key and frees what it took. False, and
  // nothing changes, when the pod is not cached or not assumed (the watch has confirmed it).
  bool forget_pod(std::string_view key);
  // The binding was committed: the pod stays counted but is no longer assumed, so forget_pod
  // leaves it alone. The watch's add_pod confirms as well. False when not cached or not assumed.
  bool confirm_pod(std::string_view key);
  bool is_assumed(std::string_view key) const;

  // --- Decisions --------------------------------------------------------------------------------

  // One scheduling cycle for an unscheduled pod. Changes nothing in the cache: call assume()
  // with the chosen node. Advances the round-robin start and, on ties, the generator.
  schedule_result schedule(const messages::Pod& pod);

  // --- Observation ------------------------------------------------------------------------------

  int node_count() const;
  // Pods cached, assumed ones included; pods of unknown nodes included.
  int pod_count() const;
  std::optional<node_usage> usage(std::string_view node) const;
  // Where the next cycle starts filtering, an index into the cache's node order.
  int next_start_node_index() const;
  // Recomputes every node's sums from the cached pods and checks them and the indexes against
  // what is stored; "" when all hold, else the first violation. For tests and debug builds.
  std::string check_invariants() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace troupe::actors::scheduler
