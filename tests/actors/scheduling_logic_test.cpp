// The scheduler's decision logic without an actor system: nodes and pods in, a node name or
// kube-scheduler's failure message out.
#include "actors/scheduler/scheduling_logic.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

namespace sched = troupe::actors::scheduler;
using troupe::messages::Node;
using troupe::messages::Pod;
using labels = std::map<std::string, std::string>;

constexpr int64_t mi = 1024 * 1024;
constexpr int64_t gi = 1024 * mi;

troupe::messages::Quantity milli(int64_t m) {
  troupe::messages::Quantity q;
  q.set_milli(m);
  return q;
}

// A Ready, schedulable node; setters chain: node_state("n1").cpu(2000).taint(...).build().
class node_state {
 public:
  explicit node_state(std::string name) : name_(std::move(name)) {}
  node_state& cpu(int64_t m) {
    cpu_ = m;
    return *this;
  }
  node_state& memory(int64_t bytes) {
    memory_ = bytes;
    return *this;
  }
  node_state& pods(int64_t n) {
    pods_ = n;
    return *this;
  }
  node_state& with_labels(labels l) {
    labels_ = std::move(l);
    return *this;
  }
  node_state& taint(std::string key, std::string value, std::string effect) {
    auto& t = *spec_.add_taints();
    t.set_key(std::move(key));
    t.set_value(std::move(value));
    t.set_effect(std::move(effect));
    return *this;
  }
  node_state& not_ready() {
    ready_ = "False";
    return *this;
  }
  node_state& unschedulable() {
    spec_.set_unschedulable(true);
    return *this;
  }
  Node build() const {
    Node node;
    node.mutable_metadata()->set_name(name_);
    node.mutable_metadata()->mutable_labels()->insert(labels_.begin(), labels_.end());
    *node.mutable_spec() = spec_;
    auto& allocatable = *node.mutable_status()->mutable_allocatable();
    allocatable["cpu"] = milli(cpu_);
    allocatable["memory"] = milli(memory_ * 1000);
    allocatable["pods"] = milli(pods_ * 1000);
    auto& ready = *node.mutable_status()->add_conditions();
    ready.set_type("Ready");
    ready.set_status(ready_);
    return node;
  }

 private:
  std::string name_;
  int64_t cpu_ = 4000;
  int64_t memory_ = 16 * gi;
  int64_t pods_ = 110;
  labels labels_;
  std::string ready_ = "True";
  troupe::messages::NodeSpec spec_;
};

// A pod with one container "app"; setters chain: pod_state("a").requests(100, 128 * mi).build().
class pod_state {
 public:
  explicit pod_state(std::string name) : name_(std::move(name)) {}
  // Requests of the app container; a negative amount leaves that request unset.
  pod_state& requests(int64_t cpu_milli, int64_t memory_bytes) {
    cpu_ = cpu_milli;
    memory_ = memory_bytes;
    return *this;
  }
  pod_state& init_container(int64_t cpu_milli, bool sidecar = false) {
    auto& c = *spec_.add_init_containers();
    c.set_name("init" + std::to_string(spec_.init_containers_size()));
    (*c.mutable_resources()->mutable_requests())["cpu"] = milli(cpu_milli);
    if (sidecar) c.set_restart_policy("Always");
    return *this;
  }
  pod_state& overhead_cpu(int64_t cpu_milli) {
    (*spec_.mutable_overhead())["cpu"] = milli(cpu_milli);
    return *this;
  }
  pod_state& owner(std::string uid) {
    owner_ = std::move(uid);
    return *this;
  }
  pod_state& on(std::string node) {
    spec_.set_node_name(std::move(node));
    return *this;
  }
  pod_state& phase(std::string p) {
    phase_ = std::move(p);
    return *this;
  }
  pod_state& tolerate(std::string key, std::string op, std::string value, std::string effect) {
    auto& t = *spec_.add_tolerations();
    t.set_key(std::move(key));
    t.set_operator_(std::move(op));
    t.set_value(std::move(value));
    t.set_effect(std::move(effect));
    return *this;
  }
  pod_state& node_selector(labels l) {
    spec_.mutable_node_selector()->insert(l.begin(), l.end());
    return *this;
  }
  // Appends a required nodeSelectorTerm; each requirement is {key, operator, values}.
  struct requirement {
    std::string key;
    std::string op;
    std::vector<std::string> values;
  };
  pod_state& affinity_term(std::vector<requirement> expressions,
                           std::vector<requirement> fields = {}) {
    auto& term = *spec_.mutable_affinity()
                      ->mutable_node_affinity()
                      ->mutable_required_during_scheduling_ignored_during_execution()
                      ->add_node_selector_terms();
    auto fill = [](auto& r, const requirement& want) {
      r.set_key(want.key);
      r.set_operator_(want.op);
      for (const auto& v : want.values)
        r.add_values(v);
    };
    for (const auto& e : expressions)
      fill(*term.add_match_expressions(), e);
    for (const auto& f : fields)
      fill(*term.add_match_fields(), f);
    return *this;
  }
  pod_state& host_port(int32_t port, std::string protocol = "", std::string ip = "") {
    auto& p = *app().add_ports();
    p.set_container_port(8080);
    p.set_host_port(port);
    p.set_protocol(std::move(protocol));
    p.set_host_ip(std::move(ip));
    return *this;
  }
  Pod build() const {
    Pod pod;
    auto& meta = *pod.mutable_metadata();
    meta.set_name(name_);
    meta.set_namespace_("default");
    meta.set_uid("uid-" + name_);
    if (!owner_.empty()) {
      auto& ref = *meta.add_owner_references();
      ref.set_kind("ReplicaSet");
      ref.set_name("rs");
      ref.set_uid(owner_);
      ref.set_controller(true);
    }
    *pod.mutable_spec() = spec_;
    auto& container = pod.mutable_spec()->containers_size() > 0
                          ? *pod.mutable_spec()->mutable_containers(0)
                          : *pod.mutable_spec()->add_containers();
    container.set_name("app");
    auto& requests = *container.mutable_resources()->mutable_requests();
    if (cpu_ >= 0) requests["cpu"] = milli(cpu_);
    if (memory_ >= 0) requests["memory"] = milli(memory_ * 1000);
    pod.mutable_status()->set_phase(phase_);
    return pod;
  }

 private:
  troupe::messages::Container& app() {
    return spec_.containers_size() > 0 ? *spec_.mutable_containers(0) : *spec_.add_containers();
  }
  std::string name_;
  int64_t cpu_ = -1;
  int64_t memory_ = -1;
  std::string owner_;
  std::string phase_ = "Pending";
  troupe::messages::PodSpec spec_;
};

// A cache whose invariants are checked when the test ends.
struct checked_logic : sched::scheduling_logic {
  explicit checked_logic(sched::scheduling_options options = {})
      : sched::scheduling_logic(options) {}
  checked_logic(const checked_logic&) = delete;
  ~checked_logic() { BOOST_CHECK_EQUAL(check_invariants(), ""); }

  void nodes(std::initializer_list<Node> list) {
    for (const auto& n : list)
      upsert_node(n);
  }
  std::string place(const Pod& pod) {
    auto result = schedule(pod);
    BOOST_REQUIRE_MESSAGE(result.scheduled(), result.failure);
    BOOST_REQUIRE(assume(pod, result.node) == sched::assume_status::assumed);
    return result.node;
  }
};

// The failure message for `pod` against a single node, or "" when it fits.
std::string verdict_on(const Node& node, const Pod& pod) {
  checked_logic logic;
  logic.upsert_node(node);
  auto result = logic.schedule(pod);
  return result.failure;
}

const std::string no_affinity_match =
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_scheduler_scheduling_logic)

BOOST_AUTO_TEST_CASE(schedule_without_nodes_says_no_nodes_available) {
  checked_logic logic;
  auto result = logic.schedule(pod_state("a").build());
  BOOST_CHECK(!result.scheduled());
  BOOST_CHECK_EQUAL(result.failure, "no nodes available to schedule pods");
}

BOOST_AUTO_TEST_CASE(schedule_insufficient_cpu_counts_every_node) {
  checked_logic logic;
  logic.nodes({node_state("n1").cpu(1000).build(), node_state("n2").cpu(1000).build(),
               node_state("n3").cpu(2000).build()});
  auto result = logic.schedule(pod_state("a").requests(2500, 128 * mi).build());
  BOOST_CHECK_EQUAL(result.failure, "0/3 nodes are available: 3 Insufficient cpu.");
  BOOST_CHECK_EQUAL(result.evaluated_nodes, 3);
  BOOST_CHECK_EQUAL(result.feasible_nodes, 0);
}

BOOST_AUTO_TEST_CASE(schedule_resources_report_every_shortfall_of_a_node) {
  checked_logic logic;
  logic.nodes({node_state("n1").cpu(1000).memory(1 * gi).build(),
               node_state("n2").cpu(1000).memory(1 * gi).pods(0).build()});
  auto result = logic.schedule(pod_state("a").requests(1500, 2 * gi).build());
  BOOST_CHECK_EQUAL(result.failure,
                    "0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu, "
                    "2 Insufficient memory.");
}

BOOST_AUTO_TEST_CASE(schedule_mixed_reasons_are_counted_and_sorted_as_strings) {
  checked_logic logic;
  logic.nodes({node_state("gone").taint("node.kubernetes.io/unreachable", "", "NoSchedule").build(),
               node_state("small1").memory(1 * gi).with_labels({{"disk", "ssd"}}).build(),
               node_state("small2").memory(1 * gi).with_labels({{"disk", "ssd"}}).build(),
               node_state("other1").with_labels({{"disk", "hdd"}}).build(),
               node_state("other2").build()});
  auto pod = pod_state("a").requests(100, 2 * gi).node_selector({{"disk", "ssd"}}).build();
  BOOST_CHECK_EQUAL(logic.schedule(pod).failure,
                    "0/5 nodes are available: 1 node(s) had untolerated taint "
                    "{node.kubernetes.io/unreachable: }, 2 Insufficient memory, 2 node(s) didn't "
                    "match Pod's node affinity/selector.");

  // Go's sort.Strings order: "10 ..." before "2 ...".
  checked_logic many;
  for (int i = 0; i < 10; ++i)
    many.upsert_node(node_state("c" + std::to_string(i)).cpu(100).build());
  many.nodes({node_state("u1").unschedulable().build(), node_state("u2").unschedulable().build()});
  BOOST_CHECK_EQUAL(many.schedule(pod_state("b").requests(500, -1).build()).failure,
                    "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were "
                    "unschedulable.");
}

BOOST_AUTO_TEST_CASE(filter_too_many_pods_applies_even_without_requests) {
  checked_logic logic;
  logic.upsert_node(node_state("n1").cpu(100).pods(1).build());
  // Zero requests always fit cpu and memory, however full the node is...
  BOOST_CHECK_EQUAL(logic.place(pod_state("a").requests(100, -1).build()), "n1");
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("b").requests(0, 0).build()).failure,
                    "0/1 nodes are available: 1 Too many pods.");
  // ...but never the pod count.
  logic.upsert_node(node_state("n1").cpu(100).pods(2).build());
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("b").requests(0, 0).build()).node, "n1");
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("c").requests(1, -1).build()).failure,
                    "0/1 nodes are available: 1 Insufficient cpu.");
}

BOOST_AUTO_TEST_CASE(filter_taints_against_every_toleration_form) {
  auto tainted = node_state("n1")
                     .taint("dedicated", "gpu", "NoSchedule")
                     .taint("soft", "x", "PreferNoSchedule")
                     .build();
  const std::string refused =
      "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.";
  BOOST_CHECK_EQUAL(verdict_on(tainted, pod_state("a").build()), refused);
  BOOST_CHECK_EQUAL(
      verdict_on(tainted,
                 pod_state("a").tolerate("dedicated", "Equal", "gpu", "NoSchedule").build()),
      "");
  BOOST_CHECK_EQUAL(
      verdict_on(tainted, pod_state("a").tolerate("dedicated", "", "gpu", "").build()),
      "");  // no operator means Equal; no effect matches every effect
  BOOST_CHECK_EQUAL(
      verdict_on(tainted,
                 pod_state("a").tolerate("dedicated", "Equal", "cpu", "NoSchedule").build()),
      refused);
  BOOST_CHECK_EQUAL(
      verdict_on(tainted, pod_state("a").tolerate("dedicated", "Exists", "", "NoSchedule").build()),
      "");
  BOOST_CHECK_EQUAL(
      verdict_on(tainted, pod_state("a").tolerate("dedicated", "Exists", "", "NoExecute").build()),
      refused);
  BOOST_CHECK_EQUAL(verdict_on(tainted, pod_state("a").tolerate("", "Exists", "", "").build()), "");
  BOOST_CHECK_EQUAL(verdict_on(tainted, pod_state("a").tolerate("other", "Exists", "", "").build()),
                    refused);

  // NoExecute filters too; the first untolerated taint names the reason.
  auto both = node_state("n1").taint("a", "1", "NoExecute").taint("b", "", "NoSchedule").build();
  BOOST_CHECK_EQUAL(verdict_on(both, pod_state("p").build()),
                    "0/1 nodes are available: 1 node(s) had untolerated taint {a: 1}.");
  BOOST_CHECK_EQUAL(verdict_on(both, pod_state("p").tolerate("a", "Exists", "", "").build()),
                    "0/1 nodes are available: 1 node(s) had untolerated taint {b: }.");
}

BOOST_AUTO_TEST_CASE(filter_not_ready_nodes) {
  // Not Ready and untainted: refused outright.
  BOOST_CHECK_EQUAL(verdict_on(node_state("n1").not_ready().build(), pod_state("a").build()),
                    "0/1 nodes are available: 1 node(s) were not ready.");
  BOOST_CHECK_EQUAL(verdict_on(node_state("n1").not_ready().build(),
                               pod_state("a").tolerate("", "Exists", "", "").build()),
                    "0/1 nodes are available: 1 node(s) were not ready.");
  // Tainted by the node lifecycle controller: the taint decides, as in Kubernetes.
  auto tainted =
      node_state("n1").not_ready().taint("node.kubernetes.io/not-ready", "", "NoSchedule").build();
  BOOST_CHECK_EQUAL(
      verdict_on(tainted, pod_state("a").build()),
      "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.");
  BOOST_CHECK_EQUAL(
      verdict_on(tainted, pod_state("a")
                              .tolerate("node.kubernetes.io/not-ready", "Exists", "", "NoSchedule")
                              .build()),
      "");
  // A NoExecute taint alone, which pods tolerate by default for 300s, does not stand for
  // readiness: the node is still refused as not ready.
  auto no_execute_only =
      node_state("n1").not_ready().taint("node.kubernetes.io/unreachable", "", "NoExecute").build();
  BOOST_CHECK_EQUAL(verdict_on(no_execute_only, pod_state("a")
                                                    .tolerate("node.kubernetes.io/unreachable",
                                                              "Exists", "", "NoExecute")
                                                    .build()),
                    "0/1 nodes are available: 1 node(s) were not ready.");
}

BOOST_AUTO_TEST_CASE(filter_unschedulable_nodes_unless_tolerated) {
  auto cordoned = node_state("n1").unschedulable().build();
  BOOST_CHECK_EQUAL(verdict_on(cordoned, pod_state("a").build()),
                    "0/1 nodes are available: 1 node(s) were unschedulable.");
  BOOST_CHECK_EQUAL(verdict_on(cordoned, pod_state("a")
                                             .tolerate("node.kubernetes.io/unschedulable", "Exists",
                                                       "", "NoSchedule")
                                             .build()),
                    "");
  BOOST_CHECK_EQUAL(verdict_on(cordoned, pod_state("a").tolerate("", "Exists", "", "").build()),
                    "");
  BOOST_CHECK_EQUAL(verdict_on(cordoned, pod_state("a")
                                             .tolerate("node.kubernetes.io/unschedulable", "Exists",
                                                       "", "NoExecute")
                                             .build()),
                    "0/1 nodes are available: 1 node(s) were unschedulable.");
}

BOOST_AUTO_TEST_CASE(filter_node_selector_and_affinity_operators) {
  auto node = node_state("n1").with_labels({{"zone", "a"}, {"cores", "8"}, {"ssd", "yes"}}).build();
  auto fits = [&](const pod_state& p) { return verdict_on(node, p.build()).empty(); };

  BOOST_CHECK(fits(pod_state("p").node_selector({{"zone", "a"}, {"ssd", "yes"}})));
  BOOST_CHECK(!fits(pod_state("p").node_selector({{"zone", "a"}, {"ssd", "no"}})));
  BOOST_CHECK_EQUAL(verdict_on(node, pod_state("p").node_selector({{"gpu", "1"}}).build()),
                    no_affinity_match);

  BOOST_CHECK(fits(pod_state("p").affinity_term({{"zone", "In", {"b", "a"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "In", {"b"}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"zone", "NotIn", {"b"}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"gpu", "NotIn", {"x"}}})));  // absent label
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "NotIn", {"a"}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"ssd", "Exists", {}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"gpu", "Exists", {}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"gpu", "DoesNotExist", {}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"ssd", "DoesNotExist", {}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"cores", "Gt", {"4"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"cores", "Gt", {"8"}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({{"cores", "Lt", {"16"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"cores", "Lt", {"8"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "Gt", {"1"}}})));    // not a number
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"cores", "Gt", {"x"}}})));   // bad bound
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "Near", {"a"}}})));  // bad operator
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "In", {}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"ssd", "Exists", {"yes"}}})));

  // Expressions within a term are ANDed, terms ORed; a term that cannot be built matches nothing.
  BOOST_CHECK(!fits(pod_state("p").affinity_term({{"zone", "In", {"a"}}, {"ssd", "In", {"no"}}})));
  BOOST_CHECK(fits(pod_state("p")
                       .affinity_term({{"zone", "In", {"b"}}})
                       .affinity_term({{"zone", "In", {"a"}}, {"cores", "Gt", {"2"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({})));
  // nodeSelector and affinity must both hold.
  BOOST_CHECK(
      !fits(pod_state("p").node_selector({{"zone", "b"}}).affinity_term({{"ssd", "Exists", {}}})));

  // matchFields selects by node name.
  BOOST_CHECK(fits(pod_state("p").affinity_term({}, {{"metadata.name", "In", {"n1"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({}, {{"metadata.name", "In", {"n2"}}})));
  BOOST_CHECK(fits(pod_state("p").affinity_term({}, {{"metadata.name", "NotIn", {"n2"}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({}, {{"metadata.name", "Exists", {}}})));
  BOOST_CHECK(!fits(pod_state("p").affinity_term({}, {{"metadata.name", "In", {"n1", "n2"}}})));
}

BOOST_AUTO_TEST_CASE(filter_host_port_conflicts) {
  checked_logic logic;
  logic.upsert_node(node_state("n1").build());
  BOOST_REQUIRE(logic.add_pod(pod_state("web").on("n1").host_port(80).build()));
  BOOST_REQUIRE(logic.add_pod(pod_state("dns").on("n1").host_port(53, "UDP", "10.0.0.1").build()));
  const std::string taken =
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.";

  // 0.0.0.0:80/TCP (the defaults) conflicts with any IP on 80/TCP.
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").host_port(80, "TCP", "10.0.0.2").build()).failure,
                    taken);
  BOOST_CHECK(logic.schedule(pod_state("a").host_port(80, "UDP").build()).scheduled());
  BOOST_CHECK(logic.schedule(pod_state("a").host_port(81).build()).scheduled());
  // 10.0.0.1:53/UDP conflicts with the same IP and with 0.0.0.0, not with another IP.
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").host_port(53, "UDP").build()).failure, taken);
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").host_port(53, "UDP", "10.0.0.1").build()).failure,
                    taken);
  BOOST_CHECK(logic.schedule(pod_state("a").host_port(53, "UDP", "10.0.0.2").build()).scheduled());
  BOOST_CHECK(logic.schedule(pod_state("a").host_port(53, "TCP", "10.0.0.1").build()).scheduled());

  // Removing the pod frees its port.
  BOOST_REQUIRE(logic.remove_pod("uid-web"));
  BOOST_CHECK(logic.schedule(pod_state("a").host_port(80).build()).scheduled());
}

BOOST_AUTO_TEST_CASE(score_picks_the_least_allocated_node) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    checked_logic logic({.seed = seed});
    logic.nodes(
        {node_state("busy").build(), node_state("idle").build(), node_state("half").build()});
    logic.add_pod(pod_state("x").on("busy").requests(3000, 8 * gi).build());
    logic.add_pod(pod_state("y").on("half").requests(2000, 8 * gi).build());
    BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").requests(100, 128 * mi).build()).node, "idle");
  }
}

BOOST_AUTO_TEST_CASE(score_counts_unset_requests_at_the_nonzero_defaults) {
  checked_logic logic;
  logic.nodes({node_state("besteffort").build(), node_state("requested").build()});
  // Three pods without requests weigh 300m/600Mi when scoring; one with 200m/256Mi weighs less.
  for (int i = 0; i < 3; ++i) {
    logic.add_pod(pod_state("be" + std::to_string(i)).on("besteffort").build());
  }
  logic.add_pod(pod_state("r").on("requested").requests(200, 256 * mi).build());
  BOOST_CHECK_EQUAL(logic.usage("besteffort")->requested_milli_cpu, 0);
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").build()).node, "requested");
}

BOOST_AUTO_TEST_CASE(score_spreads_one_owners_replicas) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    checked_logic logic({.seed = seed});
    logic.nodes({node_state("n1").build(), node_state("n2").build(), node_state("n3").build()});
    std::map<std::string, int> per_node;
    for (int i = 0; i < 6; ++i) {
      ++per_node[logic.place(pod_state("r" + std::to_string(i)).owner("rs-1").build())];
    }
    BOOST_CHECK_EQUAL(per_node.size(), 3u);
    for (const auto& [node, count] : per_node)
      BOOST_CHECK_EQUAL(count, 2);
  }

  // Spreading outweighs a small difference in allocation; another owner goes by allocation.
  checked_logic logic;
  logic.nodes({node_state("n1").build(), node_state("n2").build()});
  logic.add_pod(pod_state("mine").on("n1").owner("rs-1").requests(100, 128 * mi).build());
  logic.add_pod(pod_state("theirs").on("n2").requests(400, 512 * mi).build());
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("a").owner("rs-1").build()).node, "n2");
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("b").owner("rs-2").build()).node, "n1");

  // Nodes crowded with other owners still count this owner's replicas.
  checked_logic crowded;
  crowded.nodes({node_state("n1").build(), node_state("n2").build()});
  for (int i = 0; i < 40; ++i) {
    std::string owner = "other-" + std::to_string(i);
    if (i == 20) crowded.add_pod(pod_state("mine").on("n1").owner("rs-1").build());
    crowded.add_pod(pod_state("a" + std::to_string(i)).on("n1").owner(owner).build());
    crowded.add_pod(pod_state("b" + std::to_string(i)).on("n2").owner(owner).build());
  }
  crowded.add_pod(pod_state("extra").on("n2").requests(300, 256 * mi).build());
  BOOST_CHECK_EQUAL(crowded.schedule(pod_state("c").owner("rs-1").build()).node, "n2");
}

BOOST_AUTO_TEST_CASE(assume_then_forget_or_remove_restores_capacity) {
  checked_logic logic;
  logic.upsert_node(node_state("n1").cpu(1000).build());
  auto first = pod_state("a").requests(800, 128 * mi).build();
  auto second = pod_state("b").requests(800, 128 * mi).build();
  BOOST_CHECK(logic.assume(first, "n1") == sched::assume_status::assumed);
  BOOST_CHECK(logic.assume(first, "n1") == sched::assume_status::already_cached);
  BOOST_CHECK(logic.assume(second, "n9") == sched::assume_status::unknown_node);
  BOOST_CHECK(logic.is_assumed("uid-a"));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 800);
  BOOST_CHECK_EQUAL(logic.schedule(second).failure, "0/1 nodes are available: 1 Insufficient cpu.");

  // The binding failed.
  BOOST_CHECK(logic.forget_pod("uid-a"));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 0);
  BOOST_CHECK_EQUAL(logic.usage("n1")->pods, 0);
  BOOST_CHECK_EQUAL(logic.schedule(second).node, "n1");

  // A committed binding is no longer forgettable, but remove_pod still frees it.
  BOOST_REQUIRE(logic.assume(first, "n1") == sched::assume_status::assumed);
  BOOST_CHECK(logic.confirm_pod("uid-a"));
  BOOST_CHECK(!logic.forget_pod("uid-a"));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 800);
  BOOST_CHECK(logic.remove_pod("uid-a"));
  BOOST_CHECK(!logic.remove_pod("uid-a"));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 0);
  BOOST_CHECK_EQUAL(logic.pod_count(), 0);
}

BOOST_AUTO_TEST_CASE(add_pod_replaces_what_was_counted) {
  checked_logic logic;
  logic.upsert_node(node_state("n1").build());
  auto pod = pod_state("a").requests(500, 256 * mi).owner("rs-1").build();
  BOOST_REQUIRE(logic.assume(pod, "n1") == sched::assume_status::assumed);

  // The watch still shows it unbound while the binding is in flight: the assumption stands.
  BOOST_CHECK(!logic.add_pod(pod));
  BOOST_CHECK(logic.is_assumed("uid-a"));
  // The watch shows it bound: confirmed, counted once.
  auto bound = pod_state("a").requests(500, 256 * mi).owner("rs-1").on("n1").build();
  BOOST_CHECK(logic.add_pod(bound));
  BOOST_CHECK(!logic.is_assumed("uid-a"));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 500);
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_memory, 256 * mi);
  BOOST_CHECK_EQUAL(logic.usage("n1")->pods, 1);

  // A finished pod counts for nothing.
  BOOST_CHECK(
      !logic.add_pod(pod_state("a").requests(500, 256 * mi).on("n1").phase("Succeeded").build()));
  BOOST_CHECK_EQUAL(logic.usage("n1")->pods, 0);
  BOOST_CHECK(
      !logic.add_pod(pod_state("f").requests(500, 256 * mi).on("n1").phase("Failed").build()));
  BOOST_CHECK_EQUAL(logic.usage("n1")->requested_milli_cpu, 0);
  BOOST_CHECK_EQUAL(logic.pod_count(), 0);
}

BOOST_AUTO_TEST_CASE(requests_take_the_init_container_maximum_sidecars_and_overhead) {
  auto requested = [](const Pod& pod) {
    checked_logic logic;
    logic.upsert_node(node_state("n1").build());
    BOOST_REQUIRE(logic.assume(pod, "n1") == sched::assume_status::assumed);
    return logic.usage("n1")->requested_milli_cpu;
  };
  // The app container needs 300m; an init container of 800m runs alone first.
  BOOST_CHECK_EQUAL(requested(pod_state("a").requests(300, -1).init_container(800).build()), 800);
  BOOST_CHECK_EQUAL(
      requested(pod_state("a").requests(300, -1).init_container(200).init_container(100).build()),
      300);
  // A sidecar (restartPolicy Always) runs beside the later init containers and the app.
  BOOST_CHECK_EQUAL(
      requested(
          pod_state("a").requests(300, -1).init_container(100, true).init_container(500).build()),
      600);
  BOOST_CHECK_EQUAL(requested(pod_state("a").requests(300, -1).init_container(100, true).build()),
                    400);
  BOOST_CHECK_EQUAL(requested(pod_state("a").requests(300, -1).overhead_cpu(50).build()), 350);

  // The filter uses the same total.
  auto small = node_state("n1").cpu(700).build();
  BOOST_CHECK_EQUAL(verdict_on(small, pod_state("a").requests(300, -1).init_container(800).build()),
                    "0/1 nodes are available: 1 Insufficient cpu.");
  BOOST_CHECK_EQUAL(verdict_on(small, pod_state("a").requests(300, -1).init_container(700).build()),
                    "");
}

BOOST_AUTO_TEST_CASE(schedule_is_deterministic_for_a_seed) {
  auto decisions = [](uint64_t seed) {
    sched::scheduling_logic logic({.seed = seed});
    for (int i = 0; i < 20; ++i)
      logic.upsert_node(node_state("n" + std::to_string(i)).build());
    std::vector<std::string> chosen;
    for (int i = 0; i < 40; ++i) {
      chosen.push_back(logic.schedule(pod_state("p" + std::to_string(i)).build()).node);
    }
    return chosen;
  };
  BOOST_CHECK(decisions(7) == decisions(7));
  BOOST_CHECK(decisions(7) != decisions(8));
  // Ties are broken among all equal nodes, not always toward the first.
  auto chosen = decisions(7);
  BOOST_CHECK_GT(std::set<std::string>(chosen.begin(), chosen.end()).size(), 5u);
}

BOOST_AUTO_TEST_CASE(percentage_of_nodes_to_score) {
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(50), 50);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(100), 100);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(150), 100);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(1000), 420);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(5000), 500);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(20000), 1000);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(1000, 30), 300);
  BOOST_CHECK_EQUAL(sched::num_feasible_nodes_to_find(1000, 100), 1000);

  checked_logic logic;
  for (int i = 0; i < 1000; ++i)
    logic.upsert_node(node_state("n" + std::to_string(i)).build());
  auto result = logic.schedule(pod_state("a").build());
  BOOST_CHECK(result.scheduled());
  BOOST_CHECK_EQUAL(result.evaluated_nodes, 420);
  BOOST_CHECK_EQUAL(result.feasible_nodes, 420);
  // Each cycle starts where the last one stopped.
  BOOST_CHECK_EQUAL(logic.next_start_node_index(), 420);
  logic.schedule(pod_state("b").build());
  BOOST_CHECK_EQUAL(logic.next_start_node_index(), 840);
  logic.schedule(pod_state("c").build());
  BOOST_CHECK_EQUAL(logic.next_start_node_index(), 260);

  // A single fitting node is found wherever it sits, and refusals count every node.
  logic.upsert_node(node_state("n259").with_labels({{"only", "me"}}).build());
  auto only = pod_state("d").node_selector({{"only", "me"}}).build();
  for (int i = 0; i < 3; ++i) {
    result = logic.schedule(only);
    BOOST_CHECK_EQUAL(result.node, "n259");
    BOOST_CHECK_EQUAL(result.feasible_nodes, 1);
    BOOST_CHECK_EQUAL(result.evaluated_nodes, 1000);
  }
  BOOST_CHECK_EQUAL(
      logic.schedule(pod_state("e").node_selector({{"only", "you"}}).build()).failure,
      "0/1000 nodes are available: 1000 node(s) didn't match Pod's node affinity/selector.");
}

BOOST_AUTO_TEST_CASE(nodes_and_pods_arrive_and_leave_in_any_order) {
  checked_logic logic;
  // A pod seen before its node counts once the node arrives.
  BOOST_CHECK(logic.add_pod(pod_state("early").on("n2").requests(600, -1).build()));
  BOOST_CHECK(!logic.usage("n2"));
  logic.nodes({node_state("n1").cpu(1000).build(), node_state("n2").cpu(1000).build(),
               node_state("n3").cpu(1000).build()});
  BOOST_CHECK_EQUAL(logic.usage("n2")->requested_milli_cpu, 600);

  // Removing a node swaps another into its place; every node stays reachable by name.
  BOOST_CHECK(logic.remove_node("n1"));
  BOOST_CHECK(!logic.remove_node("n1"));
  BOOST_CHECK_EQUAL(logic.node_count(), 2);
  BOOST_CHECK_EQUAL(logic.usage("n2")->requested_milli_cpu, 600);
  BOOST_CHECK_EQUAL(logic.schedule(pod_state("big").requests(700, -1).build()).node, "n3");

  // Its pods outlive it and count again when it returns.
  BOOST_CHECK(logic.remove_node("n2"));
  BOOST_CHECK_EQUAL(logic.pod_count(), 1);
  logic.upsert_node(node_state("n2").cpu(1000).build());
  BOOST_CHECK_EQUAL(logic.usage("n2")->requested_milli_cpu, 600);
  BOOST_CHECK(logic.remove_node("n2"));
  BOOST_CHECK(logic.remove_pod("uid-early"));
  logic.upsert_node(node_state("n2").cpu(1000).build());
  BOOST_CHECK_EQUAL(logic.usage("n2")->requested_milli_cpu, 0);
  // An update keeps what is counted.
  logic.add_pod(pod_state("x").on("n3").requests(300, -1).build());
  logic.upsert_node(node_state("n3").cpu(2000).build());
  BOOST_CHECK_EQUAL(logic.usage("n3")->requested_milli_cpu, 300);
  BOOST_CHECK_EQUAL(logic.usage("n3")->allocatable_milli_cpu, 2000);
}

BOOST_AUTO_TEST_SUITE_END()
