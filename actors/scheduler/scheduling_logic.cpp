#include "actors/scheduler/scheduling_logic.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::scheduler {
namespace {

using messages::Container;
using messages::Node;
using messages::Pod;
using messages::PodSpec;
using messages::Quantity;

constexpr std::string_view bind_all_host_ip = "0.0.0.0";
constexpr std::string_view default_protocol = "TCP";
constexpr std::string_view taint_not_ready = "node.kubernetes.io/not-ready";
constexpr std::string_view taint_unreachable = "node.kubernetes.io/unreachable";
constexpr std::string_view taint_unschedulable = "node.kubernetes.io/unschedulable";
constexpr std::string_view effect_no_schedule = "NoSchedule";
constexpr std::string_view effect_no_execute = "NoExecute";
constexpr std::string_view node_name_field = "metadata.name";

// Heterogeneous lookup, so string_view keys find std::string entries without a copy.
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

// Negative quantities are invalid in requests and allocatable; they count as nothing.
int64_t milli_of(const Quantity& q) {
  return std::max<int64_t>(0, q.milli());
}

// Quantity.Value(): whole units rounded up, for bytes and pod counts.
int64_t units_of(const Quantity& q) {
  int64_t milli = milli_of(q);
  return milli / 1000 + (milli % 1000 != 0 ? 1 : 0);
}

// --- Resources ---------------------------------------------------------------------------------

// A pod's cpu (milli) and memory (bytes) requests, twice: as requested, which filtering uses, and
// with kube-scheduler's non-zero defaults for unset requests, which scoring uses.
struct resources {
  int64_t cpu = 0;
  int64_t memory = 0;
  int64_t nonzero_cpu = 0;
  int64_t nonzero_memory = 0;

  resources& operator+=(const resources& r) {
    cpu = saturating_add(cpu, r.cpu);
    memory = saturating_add(memory, r.memory);
    nonzero_cpu = saturating_add(nonzero_cpu, r.nonzero_cpu);
    nonzero_memory = saturating_add(nonzero_memory, r.nonzero_memory);
    return *this;
  }
  resources& operator-=(const resources& r) {
    cpu -= r.cpu;
    memory -= r.memory;
    nonzero_cpu -= r.nonzero_cpu;
    nonzero_memory -= r.nonzero_memory;
    return *this;
  }
  friend resources operator+(resources a, const resources& b) { return a += b; }
  friend bool operator==(const resources&, const resources&) = default;
};

resources elementwise_max(const resources& a, const resources& b) {
  return {std::max(a.cpu, b.cpu), std::max(a.memory, b.memory),
          std::max(a.nonzero_cpu, b.nonzero_cpu), std::max(a.nonzero_memory, b.nonzero_memory)};
}

resources container_requests(const Container& c) {
  const auto& requests = c.resources().requests();
  resources r;
  r.nonzero_cpu = default_milli_cpu_request;
  r.nonzero_memory = default_memory_request;
  if (auto it = requests.find("cpu"); it != requests.end()) {
    r.cpu = r.nonzero_cpu = milli_of(it->second);
  }
  if (auto it = requests.find("memory"); it != requests.end()) {
    r.memory = r.nonzero_memory = units_of(it->second);
  }
  return r;
}

// resourcehelper.PodRequests: the containers' sum, raised to what any init container needs while
// it runs (itself plus the sidecars started before it: init containers with restartPolicy Always,
// which also run beside the app containers and so join the sum), plus spec.overhead.
resources pod_requests(const PodSpec& spec) {
  resources sum;
  for (const auto& c : spec.containers())
    sum += container_requests(c);
  resources sidecars;
  resources init_peak;
  for (const auto& c : spec.init_containers()) {
    resources r = container_requests(c);
    if (c.has_restart_policy() && c.restart_policy() == "Always") {
      sum += r;
      sidecars += r;
      init_peak = elementwise_max(init_peak, sidecars);
    } else {
      init_peak = elementwise_max(init_peak, r + sidecars);
    }
  }
  resources total = elementwise_max(sum, init_peak);
  const auto& overhead = spec.overhead();
  resources extra;
  if (auto it = overhead.find("cpu"); it != overhead.end()) {
    extra.cpu = extra.nonzero_cpu = milli_of(it->second);
  }
  if (auto it = overhead.find("memory"); it != overhead.end()) {
    extra.memory = extra.nonzero_memory = units_of(it->second);
  }
  return total += extra;
}

// --- Host ports --------------------------------------------------------------------------------

struct owned_port {
  std::string protocol;
  std::string ip;
  int32_t port = 0;
  friend auto operator<=>(const owned_port&, const owned_port&) = default;
};

// One (protocol, hostIP, hostPort) in use on a node, with how many counted pods use it (pods
// bound without the scheduler may share one, and each removal must take away only its own).
struct used_port {
  owned_port port;
  int32_t pods = 0;
};

// Calls fn(protocol, ip, port) for every host port of the app containers, sanitized as
// kube-scheduler's HostPortInfo does: protocol defaults to TCP, hostIP to 0.0.0.0.
template <class Fn>
void for_each_host_port(const PodSpec& spec, Fn&& fn) {
  for (const auto& c : spec.containers()) {
    for (const auto& p : c.ports()) {
      if (p.host_port() <= 0) continue;
      std::string_view protocol = p.protocol().empty() ? default_protocol : p.protocol();
      std::string_view ip = p.host_ip().empty() ? bind_all_host_ip : p.host_ip();
      fn(protocol, ip, p.host_port());
    }
  }
}

// HostPortInfo.CheckConflict: the same protocol and port conflict when either side binds
// 0.0.0.0 or both bind the same IP.
bool ports_conflict(std::string_view protocol, std::string_view ip, int32_t port,
                    const owned_port& used) {
  if (port != used.port || protocol != used.protocol) return false;
  return ip == bind_all_host_ip || used.ip == bind_all_host_ip || ip == used.ip;
}

// --- What counted pods take on a node ----------------------------------------------------------

struct owner_count {
  uint32_t owner = 0;  // an interned controller uid
  uint32_t pods = 0;
  friend bool operator==(const owner_count&, const owner_count&) = default;
};

// Invariant: equals the sum over the cached pods whose node this is (check_invariants).
struct usage_sums {
  resources requested;
  int64_t pods = 0;
  std::vector<used_port> ports;
  // Sorted by owner, no zero counts: for spreading, pods per controller owner.
  std::vector<owner_count> owners;

  bool empty() const { return pods == 0; }
};

uint32_t owner_pods(const std::vector<owner_count>& owners, uint32_t owner) {
  // A node usually holds few owners: a linear scan beats the binary search's mispredictions.
  constexpr size_t linear_scan_limit = 16;
  if (owners.size() <= linear_scan_limit) {
    for (const auto& c : owners) {
      if (c.owner >= owner) return c.owner == owner ? c.pods : 0;
    }
    return 0;
  }
  auto it = std::lower_bound(owners.begin(), owners.end(), owner,
                             [](const owner_count& c, uint32_t o) { return c.owner < o; });
  return it != owners.end() && it->owner == owner ? it->pods : 0;
}

void add_owner(std::vector<owner_count>& owners, uint32_t owner) {
  auto it = std::lower_bound(owners.begin(), owners.end(), owner,
                             [](const owner_count& c, uint32_t o) { return c.owner < o; });
  if (it != owners.end() && it->owner == owner) {
    ++it->pods;
  } else {
    owners.insert(it, owner_count{owner, 1});
  }
}

void remove_owner(std::vector<owner_count>& owners, uint32_t owner) {
  auto it = std::lower_bound(owners.begin(), owners.end(), owner,
                             [](const owner_count& c, uint32_t o) { return c.owner < o; });
  if (it == owners.end() || it->owner != owner) return;
  if (--it->pods == 0) owners.erase(it);
}

void add_port(std::vector<used_port>& ports, const owned_port& port) {
  for (auto& used : ports) {
    if (used.port == port) {
      ++used.pods;
      return;
    }
  }
  ports.push_back(used_port{port, 1});
}

void remove_port(std::vector<used_port>& ports, const owned_port& port) {
  for (auto it = ports.begin(); it != ports.end(); ++it) {
    if (it->port != port) continue;
    if (--it->pods == 0) ports.erase(it);
    return;
  }
}

// --- Nodes and pods as cached ------------------------------------------------------------------

struct taint_entry {
  std::string key;
  std::string value;
  std::string effect;
};

// The hot fields (flags, allocatable, sums) come first: the filter loop reads little else.
struct node_slot {
  bool ready = false;
  bool unschedulable = false;
  // Carries a NoSchedule not-ready or unreachable taint: readiness is left to the taint filter.
  bool readiness_tainted = false;
  int64_t allocatable_cpu = 0;     // milli
  int64_t allocatable_memory = 0;  // bytes
  int64_t allocatable_pods = 0;
  usage_sums used;
  std::string name;
  // Sorted by key, keys unique.
  std::vector<std::pair<std::string, std::string>> labels;
  // Only NoSchedule and NoExecute taints, in spec order: the others do not filter.
  std::vector<taint_entry> hard_taints;
};

// What one cached pod counts against its node, kept so removal subtracts exactly this.
struct pod_entry {
  std::string node;
  resources requested;
  std::vector<owned_port> ports;
  // The interned controller uid counted for spreading; none for pods without a controller and
  // pods being deleted.
  std::optional<uint32_t> owner;
  bool assumed = false;
};

const messages::OwnerReference* controller_of(const Pod& pod) {
  for (const auto& ref : pod.metadata().owner_references()) {
    if (ref.has_controller() && ref.controller()) return &ref;
  }
  return nullptr;
}

bool is_terminal(const Pod& pod) {
  const auto& phase = pod.status().phase();
  return phase == "Succeeded" || phase == "Failed";
}

// --- The pod as one cycle sees it, computed once per cycle -------------------------------------

enum class toleration_op : uint8_t { equal, exists, unknown };

struct toleration_view {
  std::string_view key;
  std::string_view value;
  std::string_view effect;
  toleration_op op = toleration_op::equal;

  // Toleration.ToleratesTaint: an empty effect matches every effect, an empty key every key (only
  // valid with Exists), and Equal (or no operator) needs the same value.
  bool tolerates(std::string_view taint_key, std::string_view taint_value,
                 std::string_view taint_effect) const {
    if (!effect.empty() && effect != taint_effect) return false;
    if (!key.empty() && key != taint_key) return false;
    if (op == toleration_op::exists) return true;
    return op == toleration_op::equal && value == taint_value;
  }
};

enum class requirement_op : uint8_t { in, not_in, exists, does_not_exist, gt, lt };

struct requirement_view {
  std::string_view key;
  requirement_op op = requirement_op::in;
  // Into pod_profile::values.
  uint32_t values_begin = 0;
  uint32_t values_end = 0;
  // For gt and lt: the one value, parsed.
  int64_t bound = 0;
  // matchFields (a node field) rather than matchExpressions (a label).
  bool on_field = false;
};

// A nodeSelectorTerm: its requirements, ANDed. An invalid term (empty, unknown operator, values
// that do not fit the operator) matches no node, as Kubernetes' LazyErrorNodeSelector has it.
struct term_range {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid = true;
};

struct port_view {
  std::string_view protocol;
  std::string_view ip;
  int32_t port = 0;
};

// Views into the pod being scheduled, valid for one cycle; the vectors keep their capacity from
// cycle to cycle, so a cycle allocates nothing once warmed up.
struct pod_profile {
  resources requests;
  bool tolerates_unschedulable = false;
  std::vector<toleration_view> tolerations;
  std::vector<std::pair<std::string_view, std::string_view>> node_selector;
  bool has_required_affinity = false;
  std::vector<term_range> terms;
  std::vector<requirement_view> requirements;
  std::vector<std::string_view> values;
  std::vector<port_view> ports;
  // The interned controller uid, when any cached pod shares it; otherwise spreading is moot.
  std::optional<uint32_t> owner;

  bool tolerates(std::string_view key, std::string_view value, std::string_view effect) const {
    return std::any_of(tolerations.begin(), tolerations.end(),
                       [&](const toleration_view& t) { return t.tolerates(key, value, effect); });
  }
};

// strconv.ParseInt(s, 10, 64).
std::optional<int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<requirement_op> requirement_op_of(std::string_view op) {
  if (op == "In") return requirement_op::in;
  if (op == "NotIn") return requirement_op::not_in;
  if (op == "Exists") return requirement_op::exists;
  if (op == "DoesNotExist") return requirement_op::does_not_exist;
  if (op == "Gt") return requirement_op::gt;
  if (op == "Lt") return requirement_op::lt;
  return std::nullopt;
}

// Appends one requirement to the profile; false when Kubernetes would refuse to build it
// (NodeSelectorRequirementsAsSelector and ...AsFieldSelector): an unknown operator, In/NotIn
// without values, Exists/DoesNotExist with values, Gt/Lt without exactly one integer; and for
// matchFields anything but In/NotIn with exactly one value.
bool add_requirement(pod_profile& p, const messages::NodeSelectorRequirement& r, bool on_field) {
  auto op = requirement_op_of(r.operator_());
  if (!op) return false;
  requirement_view req;
  req.key = r.key();
  req.op = *op;
  req.on_field = on_field;
  const int values = r.values_size();
  switch (req.op) {
    case requirement_op::in:
    case requirement_op::not_in:
      if (values == 0 || (on_field && values != 1)) return false;
      break;
    case requirement_op::exists:
    case requirement_op::does_not_exist:
      if (values != 0 || on_field) return false;
      break;
    case requirement_op::gt:
    case requirement_op::lt: {
      if (values != 1 || on_field) return false;
      auto bound = parse_int64(r.values(0));
      if (!bound) return false;
      req.bound = *bound;
      break;
    }
  }
  req.values_begin = static_cast<uint32_t>(p.values.size());
  for (const auto& v : r.values())
    p.values.emplace_back(v);
  req.values_end = static_cast<uint32_t>(p.values.size());
  p.requirements.push_back(req);
  return true;
}

void add_term(pod_profile& p, const messages::NodeSelectorTerm& term) {
  term_range range;
  range.begin = static_cast<uint32_t>(p.requirements.size());
  range.valid = term.match_expressions_size() + term.match_fields_size() > 0;
  for (const auto& r : term.match_expressions()) {
    range.valid &= add_requirement(p, r, false);
  }
  for (const auto& r : term.match_fields()) {
    range.valid &= add_requirement(p, r, true);
  }
  range.end = static_cast<uint32_t>(p.requirements.size());
  p.terms.push_back(range);
}

toleration_op toleration_op_of(std::string_view op) {
  if (op.empty() || op == "Equal") return toleration_op::equal;
  if (op == "Exists") return toleration_op::exists;
  return toleration_op::unknown;
}

void build_profile(pod_profile& p, const Pod& pod) {
  const auto& spec = pod.spec();
  p.requests = pod_requests(spec);

  p.tolerations.clear();
  for (const auto& t : spec.tolerations()) {
    p.tolerations.push_back({t.key(), t.value(), t.effect(), toleration_op_of(t.operator_())});
  }
  // NodeUnschedulable: spec.unschedulable is tolerated by what tolerates its taint.
  p.tolerates_unschedulable = p.tolerates(taint_unschedulable, "", effect_no_schedule);

  p.node_selector.clear();
  for (const auto& [k, v] : spec.node_selector())
    p.node_selector.emplace_back(k, v);

  p.terms.clear();
  p.requirements.clear();
  p.values.clear();
  const auto& affinity = spec.affinity().node_affinity();
  p.has_required_affinity = affinity.has_required_during_scheduling_ignored_during_execution();
  if (p.has_required_affinity) {
    for (const auto& term :
         affinity.required_during_scheduling_ignored_during_execution().node_selector_terms()) {
      add_term(p, term);
    }
  }

  p.ports.clear();
  for_each_host_port(spec, [&](std::string_view protocol, std::string_view ip, int32_t port) {
    p.ports.push_back({protocol, ip, port});
  });
}

// --- Filters -----------------------------------------------------------------------------------

// Why a node was refused; one bit each in a verdict. Only NodeResourcesFit sets several.
enum reason : uint8_t {
  not_ready,
  unschedulable,
  untolerated_taint,
  node_affinity,
  host_ports,
  too_many_pods,
  insufficient_cpu,
  insufficient_memory,
  reason_count,
};

// kube-scheduler's texts (untolerated_taint's is formatted with the taint).
constexpr std::array<std::string_view, reason_count> reason_texts = {
    "node(s) were not ready",
    "node(s) were unschedulable",
    "",
    "node(s) didn't match Pod's node affinity/selector",
    "node(s) didn't have free ports for the requested pod ports",
    "Too many pods",
    "Insufficient cpu",
    "Insufficient memory",
};

struct verdict {
  uint32_t reasons = 0;  // bit (1 << reason); 0: the node fits
  uint32_t taint = 0;    // with untolerated_taint: the index into hard_taints
  bool fits() const { return reasons == 0; }
};

constexpr uint32_t bit(reason r) {
  return uint32_t{1} << r;
}

const std::string* label_of(const node_slot& node, std::string_view key) {
  auto it = std::lower_bound(node.labels.begin(), node.labels.end(), key,
                             [](const auto& label, std::string_view k) { return label.first < k; });
  return it != node.labels.end() && it->first == key ? &it->second : nullptr;
}

bool requirement_matches(const pod_profile& p, const requirement_view& r, const node_slot& node) {
  std::optional<std::string_view> value;
  if (r.on_field) {
    if (r.key == node_name_field) value = node.name;
  } else if (const std::string* label = label_of(node, r.key)) {
    value = *label;
  }
  auto listed = [&] {
    return std::find(p.values.begin() + r.values_begin, p.values.begin() + r.values_end, *value) !=
           p.values.begin() + r.values_end;
  };
  switch (r.op) {
    case requirement_op::in:
      return value && listed();
    case requirement_op::not_in:
      return !value || !listed();
    case requirement_op::exists:
      return value.has_value();
    case requirement_op::does_not_exist:
      return !value;
    case requirement_op::gt:
    case requirement_op::lt: {
      if (!value) return false;
      auto number = parse_int64(*value);
      if (!number) return false;
      return r.op == requirement_op::gt ? *number > r.bound : *number < r.bound;
    }
  }
  return false;
}

// NodeAffinity's filter: every nodeSelector label, and one of the required terms if any.
bool affinity_matches(const pod_profile& p, const node_slot& node) {
  for (const auto& [key, value] : p.node_selector) {
    const std::string* label = label_of(node, key);
    if (label == nullptr || *label != value) return false;
  }
  if (!p.has_required_affinity) return true;
  return std::any_of(p.terms.begin(), p.terms.end(), [&](const term_range& term) {
    return term.valid &&
           std::all_of(p.requirements.begin() + term.begin, p.requirements.begin() + term.end,
                       [&](const auto& r) { return requirement_matches(p, r, node); });
  });
}

bool ports_free(const pod_profile& p, const node_slot& node) {
  for (const auto& want : p.ports) {
    for (const auto& used : node.used.ports) {
      if (ports_conflict(want.protocol, want.ip, want.port, used.port)) return false;
    }
  }
  return true;
}

// NodeResourcesFit's fitsRequest: the pod count always, cpu and memory only when requested.
uint32_t resource_shortfalls(const pod_profile& p, const node_slot& node) {
  uint32_t reasons = 0;
  if (node.used.pods + 1 > node.allocatable_pods) reasons |= bit(too_many_pods);
  const resources& want = p.requests;
  const resources& used = node.used.requested;
  if (want.cpu > 0 && want.cpu > node.allocatable_cpu - used.cpu) reasons |= bit(insufficient_cpu);
  if (want.memory > 0 && want.memory > node.allocatable_memory - used.memory) {
    reasons |= bit(insufficient_memory);
  }
  return reasons;
}

verdict filter(const pod_profile& p, const node_slot& node) {
  if (!node.ready && !node.readiness_tainted) return {bit(not_ready)};
  if (node.unschedulable && !p.tolerates_unschedulable) return {bit(unschedulable)};
  for (uint32_t i = 0; i < node.hard_taints.size(); ++i) {
    const taint_entry& t = node.hard_taints[i];
    if (!p.tolerates(t.key, t.value, t.effect)) return {bit(untolerated_taint), i};
  }
  if ((!p.node_selector.empty() || p.has_required_affinity) && !affinity_matches(p, node)) {
    return {bit(node_affinity)};
  }
  if (!p.ports.empty() && !node.used.ports.empty() && !ports_free(p, node)) {
    return {bit(host_ports)};
  }
  return {resource_shortfalls(p, node)};
}

// --- Scores ------------------------------------------------------------------------------------

// leastRequestedScore: the free share of capacity after placing the pod, 0..100.
int64_t least_requested_score(int64_t requested, int64_t capacity) {
  if (capacity <= 0 || requested > capacity) return 0;
  int64_t free = capacity - std::max<int64_t>(requested, 0);
  // 64-bit arithmetic while free * 100 fits, which every real node does; 128-bit beyond.
  if (capacity <= INT64_MAX / max_node_score) return free * max_node_score / capacity;
  return static_cast<int64_t>(static_cast<__int128>(free) * max_node_score / capacity);
}

// NodeResourcesFit with the LeastAllocated strategy, cpu and memory weighted 1 each.
int64_t least_allocated_score(const pod_profile& p, const node_slot& node) {
  const resources& used = node.used.requested;
  int64_t cpu = least_requested_score(saturating_add(used.nonzero_cpu, p.requests.nonzero_cpu),
                                      node.allocatable_cpu);
  int64_t memory = least_requested_score(
      saturating_add(used.nonzero_memory, p.requests.nonzero_memory), node.allocatable_memory);
  return (cpu + memory) / 2;
}

// SelectorSpread's NormalizeScore: the fewer of the owner's pods a node has compared with the
// busiest candidate, the higher; every node gets 100 when no candidate has any.
int64_t spreading_score(uint32_t owner_pods_on_node, uint32_t max_owner_pods) {
  if (max_owner_pods == 0) return max_node_score;
  return max_node_score * (max_owner_pods - owner_pods_on_node) / max_owner_pods;
}

// splitmix64: small, fast, and the same sequence on every platform (std's distributions are
// not), so a seed replays exactly.
class tie_breaker {
 public:
  explicit tie_breaker(uint64_t seed) : state_(seed) {}
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; its bias is far below anything a test sees).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

// The reasons of the nodes a cycle refused, counted as it goes; the message is built only when
// the pod fits nowhere.
struct diagnosis {
  std::array<int, reason_count> counts{};
  // (node index, hard_taints index) for every node refused for a taint.
  std::vector<std::pair<uint32_t, uint32_t>> taints;

  void clear() {
    counts.fill(0);
    taints.clear();
  }
  void record(const verdict& v, uint32_t node) {
    for (int r = 0; r < reason_count; ++r) {
      if (v.reasons & bit(static_cast<reason>(r))) ++counts[r];
    }
    if (v.reasons & bit(untolerated_taint)) taints.emplace_back(node, v.taint);
  }
};

// FitError.Error(): "0/<all> nodes are available: " then "<count> <reason>" per distinct reason,
// sorted as strings (so "10 ..." sorts before "2 ..."), joined by ", ", and a final ".".
std::string fit_error(const diagnosis& d, const std::vector<node_slot>& nodes) {
  std::map<std::string, int> histogram;
  for (int r = 0; r < reason_count; ++r) {
    if (r != untolerated_taint && d.counts[r] > 0)
      histogram[std::string(reason_texts[r])] += d.counts[r];
  }
  for (const auto& [node, taint] : d.taints) {
    const taint_entry& t = nodes[node].hard_taints[taint];
    ++histogram["node(s) had untolerated taint {" + t.key + ": " + t.value + "}"];
  }
  std::vector<std::string> lines;
  lines.reserve(histogram.size());
  for (const auto& [text, count] : histogram)
    lines.push_back(std::to_string(count) + " " + text);
  std::sort(lines.begin(), lines.end());
  std::string message = "0/" + std::to_string(nodes.size()) + " nodes are available:";
  for (size_t i = 0; i < lines.size(); ++i)
    message += (i == 0 ? " " : ", ") + lines[i];
  return message + ".";
}

struct candidate {
  uint32_t node = 0;
  int64_t least_allocated = 0;
  uint32_t owner_pods = 0;
};

}  // namespace

// --- The state ---------------------------------------------------------------------------------

struct scheduling_logic::state {
  explicit state(const scheduling_options& options)
      : percentage(options.percentage_of_nodes_to_score), ties(options.seed) {}

  int percentage;
  tie_breaker ties;

  // The nodes in an arbitrary order (removal swaps the last one in), and their indexes by name.
  // Invariant: index[nodes[i].name] == i for every i, and index has no other entry.
  std::vector<node_slot> nodes;
  string_map<uint32_t> index;
  // Sums of pods cached for nodes not (or no longer) in `nodes`. Invariant: none is empty.
  string_map<usage_sums> ghosts;
  // Every cached pod by pod_key.
  string_map<pod_entry> pods;

  // Controller uids interned as small integers, so a node's per-owner counts are a sorted vector
  // of integers. Invariant: owner_refs[id] is the number of cached pods counting owner id; an id
  // whose count drops to 0 is unmapped and reused.
  string_map<uint32_t> owner_ids;
  std::vector<std::string> owner_uids;
  std::vector<uint32_t> owner_refs;
  std::vector<uint32_t> free_owner_ids;

  // Where the next cycle starts filtering (kube-scheduler's nextStartNodeIndex); taken modulo the
  // node count when used, since removals may leave it past the end.
  uint64_t next_start = 0;

  // Scratch reused by every cycle.
  pod_profile profile;
  diagnosis refused;
  std::vector<candidate> candidates;

  usage_sums* usage_of(std::string_view node, bool create) {
    if (auto it = index.find(node); it != index.end()) return &nodes[it->second].used;
    if (auto it = ghosts.find(node); it != ghosts.end()) return &it->second;
    if (!create) return nullptr;
    return &ghosts.emplace(std::string(node), usage_sums{}).first->second;
  }

  uint32_t intern_owner(std::string_view uid) {
    if (auto it = owner_ids.find(uid); it != owner_ids.end()) {
      ++owner_refs[it->second];
      return it->second;
    }
    uint32_t id = 0;
    if (!free_owner_ids.empty()) {
      id = free_owner_ids.back();
      free_owner_ids.pop_back();
      owner_uids[id] = std::string(uid);
      owner_refs[id] = 1;
    } else {
      id = static_cast<uint32_t>(owner_uids.size());
      owner_uids.emplace_back(uid);
      owner_refs.push_back(1);
    }
    owner_ids.emplace(std::string(uid), id);
    return id;
  }

  void release_owner(uint32_t id) {
    if (--owner_refs[id] > 0) return;
    owner_ids.erase(owner_uids[id]);
    owner_uids[id].clear();
    free_owner_ids.push_back(id);
  }

  void account(const pod_entry& pod) {
    usage_sums& sums = *usage_of(pod.node, true);
    sums.requested += pod.requested;
    ++sums.pods;
    for (const auto& port : pod.ports)
      add_port(sums.ports, port);
    if (pod.owner) add_owner(sums.owners, *pod.owner);
  }

  void unaccount(const pod_entry& pod) {
    usage_sums* sums = usage_of(pod.node, false);
    if (sums == nullptr) return;  // unreachable while the invariants hold
    sums->requested -= pod.requested;
    --sums->pods;
    for (const auto& port : pod.ports)
      remove_port(sums->ports, port);
    if (pod.owner) remove_owner(sums->owners, *pod.owner);
    if (sums->empty()) ghosts.erase(pod.node);  // a no-op for a known node
  }

  void insert_pod(std::string key, std::string_view node, const Pod& pod, bool assumed) {
    pod_entry entry;
    entry.node = std::string(node);
    entry.requested = pod_requests(pod.spec());
    for_each_host_port(pod.spec(),
                       [&](std::string_view protocol, std::string_view ip, int32_t port) {
                         entry.ports.push_back({std::string(protocol), std::string(ip), port});
                       });
    const auto* controller = controller_of(pod);
    if (controller != nullptr && !pod.metadata().has_deletion_timestamp()) {
      entry.owner = intern_owner(controller->uid());
    }
    entry.assumed = assumed;
    account(entry);
    pods.insert_or_assign(std::move(key), std::move(entry));
  }

  bool erase_pod(std::string_view key) {
    auto it = pods.find(key);
    if (it == pods.end()) return false;
    unaccount(it->second);
    if (it->second.owner) release_owner(*it->second.owner);
    pods.erase(it);
    return true;
  }

  // Filters from next_start until enough feasible nodes are found or every node was seen,
  // leaving them in `candidates` and the refusals in `refused`. Returns the nodes evaluated.
  int find_feasible() {
    const auto all = static_cast<uint32_t>(nodes.size());
    const auto wanted =
        static_cast<size_t>(num_feasible_nodes_to_find(static_cast<int>(all), percentage));
    candidates.clear();
    refused.clear();
    uint32_t at = static_cast<uint32_t>(next_start % all);
    uint32_t evaluated = 0;
    while (evaluated < all && candidates.size() < wanted) {
      verdict v = filter(profile, nodes[at]);
      if (v.fits()) {
        candidates.push_back({at, 0, 0});
      } else {
        refused.record(v, at);
      }
      ++evaluated;
      if (++at == all) at = 0;
    }
    next_start = (next_start % all + evaluated) % all;
    return static_cast<int>(evaluated);
  }

  // Scores the candidates and picks the best, breaking ties by reservoir sampling.
  uint32_t select_host() {
    uint32_t max_owner_pods = 0;
    for (auto& c : candidates) {
      const node_slot& node = nodes[c.node];
      c.least_allocated = least_allocated_score(profile, node);
      c.owner_pods = profile.owner ? owner_pods(node.used.owners, *profile.owner) : 0;
      max_owner_pods = std::max(max_owner_pods, c.owner_pods);
    }
    int64_t best = -1;
    uint64_t ties_at_best = 0;
    uint32_t chosen = 0;
    for (const auto& c : candidates) {
      int64_t total = c.least_allocated * least_allocated_weight +
                      spreading_score(c.owner_pods, max_owner_pods) * spreading_weight;
      if (total > best) {
        best = total;
        ties_at_best = 1;
        chosen = c.node;
      } else if (total == best && ties.below(++ties_at_best) == 0) {
        chosen = c.node;
      }
    }
    return chosen;
  }
};

// --- Free functions ----------------------------------------------------------------------------

int num_feasible_nodes_to_find(int all_nodes, int percentage) {
  if (all_nodes < min_feasible_nodes_to_find) return all_nodes;
  if (percentage <= 0) {
    percentage = std::max(min_feasible_nodes_percentage_to_find, 50 - all_nodes / 125);
  }
  if (percentage >= 100) return all_nodes;
  int found = static_cast<int>(int64_t{all_nodes} * percentage / 100);
  return std::max(found, min_feasible_nodes_to_find);
}

std::string pod_key(const Pod& pod) {
  const auto& meta = pod.metadata();
  if (!meta.uid().empty()) return meta.uid();
  return meta.namespace_() + "/" + meta.name();
}

// --- The class ---------------------------------------------------------------------------------

scheduling_logic::scheduling_logic(scheduling_options options)
    : state_(std::make_unique<state>(options)) {}
scheduling_logic::~scheduling_logic() = default;
scheduling_logic::scheduling_logic(scheduling_logic&&) noexcept = default;
scheduling_logic& scheduling_logic::operator=(scheduling_logic&&) noexcept = default;

void scheduling_logic::upsert_node(const Node& node) {
  auto& s = *state_;
  const std::string& name = node.metadata().name();
  node_slot* slot = nullptr;
  if (auto it = s.index.find(name); it != s.index.end()) {
    slot = &s.nodes[it->second];
  } else {
    s.index.emplace(name, static_cast<uint32_t>(s.nodes.size()));
    slot = &s.nodes.emplace_back();
    slot->name = name;
    if (auto ghost = s.ghosts.find(name); ghost != s.ghosts.end()) {
      slot->used = std::move(ghost->second);
      s.ghosts.erase(ghost);
    }
  }

  slot->ready =
      std::any_of(node.status().conditions().begin(), node.status().conditions().end(),
                  [](const auto& c) { return c.type() == "Ready" && c.status() == "True"; });
  slot->unschedulable = node.spec().unschedulable();

  const auto& allocatable = node.status().allocatable();
  auto amount = [&](const char* resource, auto convert) -> int64_t {
    auto it = allocatable.find(resource);
    return it == allocatable.end() ? 0 : convert(it->second);
  };
  slot->allocatable_cpu = amount("cpu", milli_of);
  slot->allocatable_memory = amount("memory", units_of);
  slot->allocatable_pods = amount("pods", units_of);

  slot->labels.assign(node.metadata().labels().begin(), node.metadata().labels().end());
  std::sort(slot->labels.begin(), slot->labels.end());

  slot->hard_taints.clear();
  slot->readiness_tainted = false;
  for (const auto& t : node.spec().taints()) {
    if (t.effect() != effect_no_schedule && t.effect() != effect_no_execute) continue;
    slot->hard_taints.push_back({t.key(), t.value(), t.effect()});
    if (t.effect() == effect_no_schedule &&
        (t.key() == taint_not_ready || t.key() == taint_unreachable)) {
      slot->readiness_tainted = true;
    }
  }
}

bool scheduling_logic::remove_node(std::string_view name) {
  auto& s = *state_;
  auto it = s.index.find(name);
  if (it == s.index.end()) return false;
  uint32_t at = it->second;
  s.index.erase(it);
  node_slot& gone = s.nodes[at];
  if (!gone.used.empty()) s.ghosts.emplace(gone.name, std::move(gone.used));
  if (at + 1 != s.nodes.size()) {
    gone = std::move(s.nodes.back());
    s.index[gone.name] = at;
  }
  s.nodes.pop_back();
  return true;
}

bool scheduling_logic::add_pod(const Pod& pod) {
  auto& s = *state_;
  const std::string& node = pod.spec().node_name();
  if (node.empty()) return false;
  std::string key = pod_key(pod);
  s.erase_pod(key);
  if (is_terminal(pod)) return false;
  s.insert_pod(std::move(key), node, pod, false);
  return true;
}

bool scheduling_logic::remove_pod(std::string_view key) {
  return state_->erase_pod(key);
}

assume_status scheduling_logic::assume(const Pod& pod, std::string_view node) {
  auto& s = *state_;
  if (!s.index.contains(node)) return assume_status::unknown_node;
  std::string key = pod_key(pod);
  if (s.pods.contains(key)) return assume_status::already_cached;
  s.insert_pod(std::move(key), node, pod, true);
  return assume_status::assumed;
}

bool scheduling_logic::forget_pod(std::string_view key) {
  if (!is_assumed(key)) return false;
  return state_->erase_pod(key);
}

bool scheduling_logic::confirm_pod(std::string_view key) {
  auto it = state_->pods.find(key);
  if (it == state_->pods.end() || !it->second.assumed) return false;
  it->second.assumed = false;
  return true;
}

bool scheduling_logic::is_assumed(std::string_view key) const {
  auto it = state_->pods.find(key);
  return it != state_->pods.end() && it->second.assumed;
}

schedule_result scheduling_logic::schedule(const Pod& pod) {
  auto& s = *state_;
  schedule_result result;
  if (s.nodes.empty()) {
    result.failure = "no nodes available to schedule pods";
    return result;
  }
  build_profile(s.profile, pod);
  s.profile.owner.reset();
  if (const auto* controller = controller_of(pod)) {
    if (auto it = s.owner_ids.find(controller->uid()); it != s.owner_ids.end()) {
      s.profile.owner = it->second;
    }
  }

  result.evaluated_nodes = s.find_feasible();
  result.feasible_nodes = static_cast<int>(s.candidates.size());
  if (s.candidates.empty()) {
    result.failure = fit_error(s.refused, s.nodes);
  } else if (s.candidates.size() == 1) {
    result.node = s.nodes[s.candidates.front().node].name;  // as kube-scheduler: no scoring
  } else {
    result.node = s.nodes[s.select_host()].name;
  }
  return result;
}

int scheduling_logic::node_count() const {
  return static_cast<int>(state_->nodes.size());
}

int scheduling_logic::pod_count() const {
  return static_cast<int>(state_->pods.size());
}

std::optional<node_usage> scheduling_logic::usage(std::string_view node) const {
  auto it = state_->index.find(node);
  if (it == state_->index.end()) return std::nullopt;
  const node_slot& slot = state_->nodes[it->second];
  return node_usage{slot.allocatable_cpu,    slot.allocatable_memory,    slot.allocatable_pods,
                    slot.used.requested.cpu, slot.used.requested.memory, slot.used.pods};
}

int scheduling_logic::next_start_node_index() const {
  const auto& s = *state_;
  return s.nodes.empty() ? 0 : static_cast<int>(s.next_start % s.nodes.size());
}

std::string scheduling_logic::check_invariants() const {
  const auto& s = *state_;
  if (s.index.size() != s.nodes.size()) return "node index and node list differ in size";
  for (uint32_t i = 0; i < s.nodes.size(); ++i) {
    auto it = s.index.find(s.nodes[i].name);
    if (it == s.index.end() || it->second != i) return "node " + s.nodes[i].name + " misindexed";
    if (s.ghosts.contains(s.nodes[i].name)) return "node " + s.nodes[i].name + " also a ghost";
  }

  // Recompute every node's sums from the pods, in a canonical form (ports sorted).
  struct expected {
    resources requested;
    int64_t pods = 0;
    std::map<owned_port, int32_t> ports;
    std::map<uint32_t, uint32_t> owners;
  };
  std::map<std::string, expected, std::less<>> by_node;
  std::vector<uint32_t> refs(s.owner_refs.size(), 0);
  for (const auto& [key, pod] : s.pods) {
    auto& e = by_node[pod.node];
    e.requested += pod.requested;
    ++e.pods;
    for (const auto& port : pod.ports)
      ++e.ports[port];
    if (pod.owner) {
      if (*pod.owner >= refs.size()) return "pod " + key + " counts an unknown owner";
      ++e.owners[*pod.owner];
      ++refs[*pod.owner];
    }
  }
  auto matches = [](const usage_sums& u, const expected& e) {
    std::map<owned_port, int32_t> ports;
    for (const auto& p : u.ports)
      ports[p.port] += p.pods;
    std::map<uint32_t, uint32_t> owners;
    for (const auto& o : u.owners)
      owners[o.owner] += o.pods;
    bool sorted = std::is_sorted(u.owners.begin(), u.owners.end(),
                                 [](const auto& a, const auto& b) { return a.owner < b.owner; });
    return sorted && u.requested == e.requested && u.pods == e.pods && ports == e.ports &&
           owners == e.owners;
  };
  for (const auto& slot : s.nodes) {
    auto it = by_node.find(slot.name);
    if (!matches(slot.used, it == by_node.end() ? expected{} : it->second)) {
      return "node " + slot.name + " sums differ from its pods";
    }
  }
  for (const auto& [name, sums] : s.ghosts) {
    auto it = by_node.find(name);
    if (sums.empty() || it == by_node.end()) return "ghost " + name + " holds no pods";
    if (!matches(sums, it->second)) return "ghost " + name + " sums differ from its pods";
  }
  for (const auto& [name, e] : by_node) {
    if (!s.index.contains(name) && !s.ghosts.contains(name)) return "pods of " + name + " lost";
  }
  for (uint32_t id = 0; id < refs.size(); ++id) {
    if (refs[id] != s.owner_refs[id]) return "owner " + std::to_string(id) + " miscounted";
    bool mapped = refs[id] > 0;
    auto it = s.owner_ids.find(s.owner_uids[id]);
    if (mapped != (it != s.owner_ids.end() && it->second == id)) {
      return "owner " + std::to_string(id) + " mismapped";
    }
  }
  return "";
}

}  // namespace troupe::actors::scheduler
