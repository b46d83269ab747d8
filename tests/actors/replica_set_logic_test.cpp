// The ReplicaSet / ReplicationController reconciliation without an actor system: owners and pods
// in, creates, deletes, adoptions, releases and status out.
#include "actors/controllers/replica_set_logic.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

namespace rs_logic = troupe::actors::controllers;
using troupe::messages::Pod;
using troupe::messages::ReplicaSet;
using troupe::messages::ReplicationController;
using labels = std::map<std::string, std::string>;

// 2023-11-14T22:13:20Z.
constexpr int64_t now_ms = 1'700'000'000'000;
constexpr int64_t now_s = now_ms / 1000;
constexpr const char* rs_uid = "rs-uid";

ReplicaSet make_rs(int32_t replicas, const labels& selector = {{"app", "web"}},
                   const labels& template_labels = {{"app", "web"}, {"tier", "fe"}}) {
  ReplicaSet rs;
  auto& meta = *rs.mutable_metadata();
  meta.set_name("web");
  meta.set_namespace_("default");
  meta.set_uid(rs_uid);
  meta.set_generation(7);
  auto& spec = *rs.mutable_spec();
  spec.set_replicas(replicas);
  spec.mutable_selector()->mutable_match_labels()->insert(selector.begin(), selector.end());
  auto& tmpl = *spec.mutable_template_();
  tmpl.mutable_metadata()->mutable_labels()->insert(template_labels.begin(), template_labels.end());
  (*tmpl.mutable_metadata()->mutable_annotations())["note"] = "from-template";
  tmpl.mutable_metadata()->add_finalizers("example.com/keep");
  auto& container = *tmpl.mutable_spec()->add_containers();
  container.set_name("nginx");
  container.set_image("nginx:1.25");
  return rs;
}

rs_logic::replica_owner owner(const ReplicaSet& rs) {
  auto read = rs_logic::owner_of(rs);
  BOOST_REQUIRE_MESSAGE(read.value, read.error);
  return *read.value;
}

// A pod as the API server would hold it; by default Running, ready for an hour, scheduled on
// n1, controlled by the ReplicaSet above. Setters chain: pod("a").phase("Pending").build().
class pod_state {
 public:
  explicit pod_state(std::string name) : name_(std::move(name)) {}

  pod_state& with_labels(labels l) {
    labels_ = std::move(l);
    return *this;
  }
  pod_state& phase(std::string p) {
    phase_ = std::move(p);
    return *this;
  }
  pod_state& node(std::string n) {
    node_ = std::move(n);
    return *this;
  }
  pod_state& not_ready() {
    ready_ = false;
    return *this;
  }
  // 0: the Ready condition has no lastTransitionTime.
  pod_state& ready_since(int64_t s) {
    ready_since_s_ = s;
    return *this;
  }
  pod_state& created(int64_t s) {
    created_s_ = s;
    return *this;
  }
  pod_state& orphan() {
    controller_uid_.clear();
    return *this;
  }
  pod_state& controlled_by(std::string uid) {
    controller_uid_ = std::move(uid);
    return *this;
  }
  pod_state& terminating() {
    terminating_ = true;
    return *this;
  }
  pod_state& restarts(int32_t n) {
    restarts_ = n;
    return *this;
  }
  pod_state& deletion_cost(std::string c) {
    deletion_cost_ = std::move(c);
    return *this;
  }

  Pod build() const {
    Pod pod;
    auto& meta = *pod.mutable_metadata();
    meta.set_name(name_);
    meta.set_namespace_("default");
    meta.set_uid("uid-" + name_);
    meta.set_resource_version("41");
    meta.mutable_labels()->insert(labels_.begin(), labels_.end());
    meta.mutable_creation_timestamp()->set_seconds(created_s_);
    if (terminating_) meta.mutable_deletion_timestamp()->set_seconds(now_s - 1);
    if (!deletion_cost_.empty()) {
      (*meta.mutable_annotations())["controller.kubernetes.io/pod-deletion-cost"] = deletion_cost_;
    }
    if (!controller_uid_.empty()) {
      auto& ref = *meta.add_owner_references();
      ref.set_api_version("apps/v1");
      ref.set_kind("ReplicaSet");
      ref.set_name(controller_uid_ == rs_uid ? "web" : "someone-else");
      ref.set_uid(controller_uid_);
      ref.set_controller(true);
    }
    pod.mutable_spec()->set_node_name(node_);
    pod.mutable_status()->set_phase(phase_);
    auto& ready = *pod.mutable_status()->add_conditions();
    ready.set_type("Ready");
    ready.set_status(ready_ ? "True" : "False");
    if (ready_ && ready_since_s_ != 0) {
      ready.mutable_last_transition_time()->set_seconds(ready_since_s_);
    }
    auto& container = *pod.mutable_status()->add_container_statuses();
    container.set_name("nginx");
    container.set_restart_count(restarts_);
    return pod;
  }

 private:
  std::string name_;
  labels labels_ = {{"app", "web"}, {"tier", "fe"}};
  std::string phase_ = "Running";
  std::string node_ = "n1";
  bool ready_ = true;
  int64_t ready_since_s_ = now_s - 3600;
  int64_t created_s_ = now_s - 7200;
  std::string controller_uid_ = rs_uid;  // "": an orphan
  bool terminating_ = false;
  int32_t restarts_ = 0;
  std::string deletion_cost_;  // "": no annotation
};

pod_state pod(std::string name) {
  return pod_state(std::move(name));
}

// The pods as the controller reads them: summaries, and pointers to them.
struct summaries {
  explicit summaries(const std::vector<Pod>& pods) {
    for (const auto& p : pods)
      held.push_back(rs_logic::summarize(p));
    for (const auto& s : held)
      pointers.push_back(&s);
  }
  std::vector<rs_logic::pod_summary> held;
  std::vector<const rs_logic::pod_summary*> pointers;
};

rs_logic::replica_actions reconcile(const rs_logic::replica_owner& o, const std::vector<Pod>& pods,
                                    const rs_logic::reconcile_options& options = {}) {
  return rs_logic::reconcile(o, summaries(pods).pointers, now_ms, options);
}

rs_logic::replica_status status(const rs_logic::replica_owner& o, const std::vector<Pod>& pods) {
  return rs_logic::compute_status(o, summaries(pods).pointers, now_ms);
}

// The owner's references on a pod: "apiVersion/kind/name/uid/controller/blockOwnerDeletion".
std::vector<std::string> refs(const Pod& pod) {
  std::vector<std::string> out;
  for (const auto& r : pod.metadata().owner_references()) {
    out.push_back(
        r.api_version() + "/" + r.kind() + "/" + r.name() + "/" + r.uid() + "/" +
        (r.has_controller() ? std::to_string(r.controller()) : "unset") + "/" +
        (r.has_block_owner_deletion() ? std::to_string(r.block_owner_deletion()) : "unset"));
  }
  return out;
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_replica_set_logic)

BOOST_AUTO_TEST_CASE(reconcile_scale_up_from_zero_creates_template_pods) {
  auto rs = make_rs(3);
  auto actions = reconcile(owner(rs), {});
  BOOST_REQUIRE(actions.create.size() == 3u);
  for (const auto& pod : actions.create) {
    BOOST_TEST(pod.metadata().name() == "");
    BOOST_TEST(pod.metadata().generate_name() == "web-");
    BOOST_TEST(pod.metadata().namespace_() == "default");
    labels got(pod.metadata().labels().begin(), pod.metadata().labels().end());
    BOOST_TEST((got == labels{{"app", "web"}, {"tier", "fe"}}));
    BOOST_TEST(pod.metadata().annotations().at("note") == "from-template");
    BOOST_REQUIRE(pod.metadata().finalizers_size() == 1);
    BOOST_TEST(pod.metadata().finalizers(0) == "example.com/keep");
    BOOST_REQUIRE(pod.spec().containers_size() == 1);
    BOOST_TEST(pod.spec().containers(0).image() == "nginx:1.25");
    BOOST_TEST(refs(pod) == strings{"apps/v1/ReplicaSet/web/rs-uid/1/1"});
  }
  BOOST_TEST(actions.delete_names.empty());
  BOOST_TEST(actions.adopt_names.empty());
  BOOST_TEST(actions.release_names.empty());
}

BOOST_AUTO_TEST_CASE(reconcile_creates_only_the_missing_replicas) {
  auto rs = make_rs(3);
  std::vector<Pod> pods{pod("web-a").build()};
  auto actions = reconcile(owner(rs), pods);
  BOOST_TEST(actions.create.size() == 2u);
  BOOST_TEST(actions.delete_names.empty());

  pods.push_back(pod("web-b").build());
  pods.push_back(pod("web-c").build());
  actions = reconcile(owner(rs), pods);
  BOOST_TEST(actions.create.empty());
  BOOST_TEST(actions.delete_names.empty());
}

BOOST_AUTO_TEST_CASE(reconcile_long_owner_name_generates_from_the_bare_name) {
  auto rs = make_rs(1);
  std::string long_name(253, 'a');
  rs.mutable_metadata()->set_name(long_name);
  auto actions = reconcile(owner(rs), {});
  BOOST_REQUIRE(actions.create.size() == 1u);
  BOOST_TEST(actions.create[0].metadata().generate_name() == long_name);
}

BOOST_AUTO_TEST_CASE(reconcile_scale_down_deletes_in_kubernetes_rank_order) {
  std::vector<Pod> pods{
      pod("running-ready-old").ready_since(now_s - 36000).build(),
      pod("pending-unscheduled").phase("Pending").node("").not_ready().build(),
      pod("pending-scheduled").phase("Pending").not_ready().build(),
      pod("unknown").phase("Unknown").not_ready().build(),
      pod("running-not-ready").not_ready().build(),
      pod("running-ready-recent").ready_since(now_s - 100).build(),
  };
  // One replica too many: the unscheduled pending pod goes, not a running ready one.
  auto actions = reconcile(owner(make_rs(5)), pods);
  BOOST_TEST(actions.delete_names == strings{"pending-unscheduled"});
  BOOST_TEST(actions.create.empty());

  actions = reconcile(owner(make_rs(1)), pods);
  BOOST_TEST(actions.delete_names == (strings{"pending-unscheduled", "pending-scheduled", "unknown",
                                              "running-not-ready", "running-ready-recent"}));
}

BOOST_AUTO_TEST_CASE(reconcile_scale_down_prefers_cheaper_restarted_and_newer_pods) {
  auto o = owner(make_rs(1));
  // Ready without a transition time, so creation time and restarts decide.
  std::vector<Pod> by_age{
      pod("old").ready_since(0).created(now_s - 86400).build(),
      pod("new").ready_since(0).created(now_s - 60).build(),
  };
  BOOST_TEST(reconcile(o, by_age).delete_names == strings{"new"});

  std::vector<Pod> by_restarts{
      pod("new").ready_since(0).created(now_s - 60).build(),
      pod("crashy").ready_since(0).created(now_s - 86400).restarts(5).build(),
  };
  BOOST_TEST(reconcile(o, by_restarts).delete_names == strings{"crashy"});

  std::vector<Pod> by_cost{
      pod("new").created(now_s - 60).deletion_cost("100").build(),
      pod("cheap").created(now_s - 86400).deletion_cost("-5").build(),
  };
  BOOST_TEST(reconcile(o, by_cost).delete_names == strings{"cheap"});
  // "007" and "+5" are not valid costs: both count as 0, so age decides again (read as 7, the
  // newer pod would be the dearer one and survive).
  by_cost[0].mutable_metadata()->mutable_annotations()->at(
      "controller.kubernetes.io/pod-deletion-cost") = "007";
  by_cost[1].mutable_metadata()->mutable_annotations()->at(
      "controller.kubernetes.io/pod-deletion-cost") = "+5";
  BOOST_TEST(reconcile(o, by_cost).delete_names == strings{"new"});
}

BOOST_AUTO_TEST_CASE(reconcile_scale_down_prefers_pods_doubled_up_with_related_pods) {
  auto o = owner(make_rs(1));
  std::vector<Pod> pods{
      pod("on-n1").node("n1").created(now_s - 86400).build(),
      pod("on-n2").node("n2").created(now_s - 60).build(),
  };
  // Standalone: the newer pod goes.
  BOOST_TEST(reconcile(o, pods).delete_names == strings{"on-n2"});
  // A sibling ReplicaSet's pod shares n1: the doubled-up pod goes instead.
  summaries related(
      {pods[0], pods[1], pod("sibling").node("n1").controlled_by("other-rs").build()});
  rs_logic::reconcile_options options;
  options.related_pods = related.pointers;
  BOOST_TEST(reconcile(o, pods, options).delete_names == strings{"on-n1"});
}

BOOST_AUTO_TEST_CASE(reconcile_terminal_and_terminating_pods_are_replaced_not_counted) {
  std::vector<Pod> pods{
      pod("live").build(),
      pod("done").phase("Succeeded").not_ready().build(),
      pod("crashed").phase("Failed").not_ready().build(),
      pod("going").terminating().build(),
  };
  auto o = owner(make_rs(3));
  auto actions = reconcile(o, pods);
  BOOST_TEST(actions.create.size() == 2u);
  BOOST_TEST(actions.delete_names.empty());
  auto s = status(o, pods);
  BOOST_TEST(s.replicas == 1);
  BOOST_TEST(s.ready == 1);

  // Scaling to zero deletes only the live pod: the others are already on their way out.
  BOOST_TEST(reconcile(owner(make_rs(0)), pods).delete_names == strings{"live"});
}

BOOST_AUTO_TEST_CASE(reconcile_adopts_matching_orphans) {
  auto orphan = pod("orphan").orphan().build();
  auto with_owner = pod("non-controller-owner").orphan().build();
  auto& other = *with_owner.mutable_metadata()->add_owner_references();
  other.set_api_version("v1");
  other.set_kind("ConfigMap");
  other.set_name("cm");
  other.set_uid("cm-uid");
  other.set_controller(false);
  auto stranger = pod("stranger").with_labels({{"app", "db"}}).orphan().build();
  auto terminating = pod("terminating-orphan").orphan().terminating().build();
  std::vector<Pod> pods{orphan, with_owner, stranger, terminating};

  auto o = owner(make_rs(2));
  auto actions = reconcile(o, pods);
  BOOST_TEST(actions.adopt_names == (strings{"orphan", "non-controller-owner"}));
  auto adopted = rs_logic::adopted_pod(o, orphan);
  BOOST_REQUIRE(adopted);
  BOOST_TEST(refs(*adopted) == strings{"apps/v1/ReplicaSet/web/rs-uid/1/1"});
  BOOST_TEST(adopted->metadata().resource_version() == "41");
  auto adopted_with_owner = rs_logic::adopted_pod(o, with_owner);
  BOOST_REQUIRE(adopted_with_owner);
  BOOST_TEST(refs(*adopted_with_owner) ==
             (strings{"v1/ConfigMap/cm/cm-uid/0/unset", "apps/v1/ReplicaSet/web/rs-uid/1/1"}));
  // The adopted pods are the two replicas: nothing to create.
  BOOST_TEST(actions.create.empty());
  BOOST_TEST(actions.release_names.empty());
  BOOST_TEST(status(o, pods).replicas == 2);
}

BOOST_AUTO_TEST_CASE(reconcile_releases_owned_pods_whose_labels_changed) {
  auto relabeled = pod("relabeled").with_labels({{"app", "debug"}}).build();
  auto& other = *relabeled.mutable_metadata()->add_owner_references();
  other.set_api_version("v1");
  other.set_kind("ConfigMap");
  other.set_name("cm");
  other.set_uid("cm-uid");
  std::vector<Pod> pods{relabeled};

  auto o = owner(make_rs(1));
  auto actions = reconcile(o, pods);
  BOOST_TEST(actions.release_names == strings{"relabeled"});
  auto released = rs_logic::released_pod(o, relabeled);
  BOOST_REQUIRE(released);
  BOOST_TEST(refs(*released) == strings{"v1/ConfigMap/cm/cm-uid/unset/unset"});
  // The released pod is no replica any more: a replacement is created.
  BOOST_TEST(actions.create.size() == 1u);
  BOOST_TEST(actions.adopt_names.empty());
  BOOST_TEST(status(o, pods).replicas == 0);
}

// The controller decides on summaries, then reads each pod to adopt or release again: a pod
// that changed in between (another owner adopted it, its labels match again) is left alone.
BOOST_AUTO_TEST_CASE(adoption_and_release_check_the_pod_as_it_is_now) {
  auto o = owner(make_rs(1));
  BOOST_TEST(!rs_logic::adopted_pod(o, pod("taken").controlled_by("other-rs").build()).has_value());
  BOOST_TEST(
      !rs_logic::adopted_pod(o, pod("relabeled").with_labels({{"app", "db"}}).orphan().build())
           .has_value());
  BOOST_TEST(!rs_logic::adopted_pod(o, pod("going").orphan().terminating().build()).has_value());
  BOOST_TEST(!rs_logic::adopted_pod(o, pod("mine").build()).has_value());
  BOOST_TEST(!rs_logic::released_pod(o, pod("matches-again").build()).has_value());
  BOOST_TEST(
      !rs_logic::released_pod(o, pod("orphaned").with_labels({{"app", "db"}}).orphan().build())
           .has_value());
  BOOST_TEST(
      rs_logic::released_pod(o, pod("relabeled").with_labels({{"app", "db"}}).build()).has_value());
}

BOOST_AUTO_TEST_CASE(reconcile_ignores_pods_controlled_by_another_owner) {
  std::vector<Pod> pods{
      pod("theirs").controlled_by("other-rs").build(),
      pod("theirs-relabeled").with_labels({{"app", "x"}}).controlled_by("o").build(),
      pod("mine").build(),
  };
  auto actions = reconcile(owner(make_rs(2)), pods);
  BOOST_TEST(actions.adopt_names.empty());
  BOOST_TEST(actions.release_names.empty());
  BOOST_TEST(actions.create.size() == 1u);

  BOOST_TEST(reconcile(owner(make_rs(0)), pods).delete_names == strings{"mine"});
  BOOST_TEST(status(owner(make_rs(2)), pods).replicas == 1);
}

BOOST_AUTO_TEST_CASE(reconcile_ignores_pods_in_other_namespaces) {
  auto elsewhere = pod("elsewhere").orphan().build();
  elsewhere.mutable_metadata()->set_namespace_("other");
  std::vector<Pod> pods{elsewhere};
  auto actions = reconcile(owner(make_rs(1)), pods);
  BOOST_TEST(actions.adopt_names.empty());
  BOOST_TEST(actions.create.size() == 1u);
}

BOOST_AUTO_TEST_CASE(reconcile_owner_being_deleted_does_nothing) {
  std::vector<Pod> pods{
      pod("mine").build(),
      pod("mine-relabeled").with_labels({{"app", "debug"}}).build(),
      pod("orphan").orphan().build(),
  };
  for (int32_t replicas : {0, 5}) {
    auto rs = make_rs(replicas);
    rs.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(now_s - 10);
    auto o = owner(rs);
    BOOST_TEST(o.being_deleted);
    auto actions = reconcile(o, pods);
    BOOST_TEST(actions.create.empty());
    BOOST_TEST(actions.delete_names.empty());
    BOOST_TEST(actions.adopt_names.empty());
    BOOST_TEST(actions.release_names.empty());
    // Its status still reports the pods it controls.
    BOOST_TEST(status(o, pods).replicas == 1);
  }
}

BOOST_AUTO_TEST_CASE(reconcile_caps_creates_and_deletes_at_burst) {
  rs_logic::reconcile_options options;
  options.burst = 4;
  BOOST_TEST(reconcile(owner(make_rs(10)), {}, options).create.size() == 4u);
  BOOST_TEST(reconcile(owner(make_rs(600)), {}).create.size() == 500u);

  std::vector<Pod> pods;
  for (int i = 0; i < 10; ++i)
    pods.push_back(pod("p" + std::to_string(i)).build());
  options.burst = 3;
  BOOST_TEST(reconcile(owner(make_rs(0)), pods, options).delete_names.size() == 3u);
}

BOOST_AUTO_TEST_CASE(compute_status_counts_ready_available_and_fully_labeled) {
  auto rs = make_rs(5);
  rs.mutable_spec()->set_min_ready_seconds(10);
  std::vector<Pod> pods{
      pod("long-ready").ready_since(now_s - 60).build(),
      pod("just-ready").ready_since(now_s - 4).build(),
      pod("exactly-min-ready").ready_since(now_s - 10).build(),
      pod("not-ready").not_ready().build(),
      pod("partly-labeled").with_labels({{"app", "web"}}).build(),
      pod("ready-unknown-since").ready_since(0).build(),
  };
  auto s = status(owner(rs), pods);
  BOOST_TEST(s.replicas == 6);
  BOOST_TEST(s.fully_labeled == 5);
  BOOST_TEST(s.ready == 5);
  // Available: ready for more than 10 s. Exactly 10 s is not enough; without a transition time
  // a pod never counts.
  BOOST_TEST(s.available == 2);
  BOOST_TEST(s.observed_generation == 7);
  // The next pod to turn available is exactly-min-ready, just after now.
  BOOST_REQUIRE(s.recheck_at_ms.has_value());
  BOOST_TEST(*s.recheck_at_ms == now_ms + 1);

  // Without minReadySeconds every ready pod is available at once.
  rs.mutable_spec()->set_min_ready_seconds(0);
  s = status(owner(rs), pods);
  BOOST_TEST(s.available == 5);
  BOOST_TEST(!s.recheck_at_ms.has_value());
}

BOOST_AUTO_TEST_CASE(owner_of_replication_controller_uses_its_map_selector) {
  ReplicationController rc;
  rc.mutable_metadata()->set_name("legacy");
  rc.mutable_metadata()->set_namespace_("default");
  rc.mutable_metadata()->set_uid("rc-uid");
  rc.mutable_metadata()->set_generation(3);
  rc.mutable_spec()->set_replicas(2);
  (*rc.mutable_spec()->mutable_selector())["app"] = "legacy";
  (*rc.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "legacy";
  rc.mutable_spec()->mutable_template_()->mutable_spec()->add_containers()->set_image("busybox");
  auto read = rs_logic::owner_of(rc);
  BOOST_REQUIRE_MESSAGE(read.value, read.error);
  const auto& o = *read.value;
  BOOST_TEST(o.api_version == "v1");
  BOOST_TEST(o.kind == "ReplicationController");

  std::vector<Pod> pods{
      pod("legacy-orphan").with_labels({{"app", "legacy"}}).orphan().build(),
      pod("web-orphan").orphan().build(),
  };
  auto actions = reconcile(o, pods);
  BOOST_TEST(actions.adopt_names == strings{"legacy-orphan"});
  auto adopted = rs_logic::adopted_pod(o, pods[0]);
  BOOST_REQUIRE(adopted);
  BOOST_TEST(refs(*adopted) == strings{"v1/ReplicationController/legacy/rc-uid/1/1"});
  BOOST_REQUIRE(actions.create.size() == 1u);
  BOOST_TEST(actions.create[0].metadata().generate_name() == "legacy-");
  BOOST_TEST(refs(actions.create[0]) == strings{"v1/ReplicationController/legacy/rc-uid/1/1"});
  BOOST_TEST(actions.create[0].spec().containers(0).image() == "busybox");
  auto s = status(o, pods);
  BOOST_TEST(s.replicas == 1);
  BOOST_TEST(s.observed_generation == 3);

  // Without a template it cannot create, but still counts and adopts.
  rc.mutable_spec()->clear_template_();
  read = rs_logic::owner_of(rc);
  BOOST_REQUIRE(read.value);
  actions = reconcile(*read.value, pods);
  BOOST_TEST(actions.create.empty());
  BOOST_TEST(actions.adopt_names.size() == 1u);
}

BOOST_AUTO_TEST_CASE(owner_of_rejects_empty_and_invalid_selectors) {
  auto read = rs_logic::owner_of(make_rs(1, {}));
  BOOST_TEST(!read.value);
  BOOST_TEST(read.error.find("ReplicaSet \"default/web\": spec.selector is empty") == 0u);

  auto rs = make_rs(1);
  auto& bad = *rs.mutable_spec()->mutable_selector()->add_match_expressions();
  bad.set_key("tier");
  bad.set_operator_("Near");
  read = rs_logic::owner_of(rs);
  BOOST_TEST(!read.value);
  BOOST_CHECK_MESSAGE(read.error.find("invalid spec.selector") != std::string::npos, read.error);

  ReplicationController rc;
  rc.mutable_metadata()->set_name("legacy");
  BOOST_TEST(!rs_logic::owner_of(rc).value);
}

BOOST_AUTO_TEST_CASE(owner_of_defaults_unset_replicas_to_one) {
  auto rs = make_rs(0);
  rs.mutable_spec()->clear_replicas();
  BOOST_TEST(owner(rs).replicas == 1);
  BOOST_TEST(reconcile(owner(rs), {}).create.size() == 1u);
}

BOOST_AUTO_TEST_CASE(slow_start_batches_double_from_one) {
  BOOST_TEST(rs_logic::slow_start_batches(0).empty());
  BOOST_TEST(rs_logic::slow_start_batches(1) == std::vector<int>{1});
  BOOST_TEST(rs_logic::slow_start_batches(10) == (std::vector<int>{1, 2, 4, 3}));
  auto batches = rs_logic::slow_start_batches(500);
  BOOST_TEST(batches == (std::vector<int>{1, 2, 4, 8, 16, 32, 64, 128, 245}));
  BOOST_TEST(std::accumulate(batches.begin(), batches.end(), 0) == 500);
}

BOOST_AUTO_TEST_SUITE_END()
