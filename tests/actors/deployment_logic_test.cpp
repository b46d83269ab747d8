// The Deployment controller without an actor system: a Deployment and its ReplicaSets in, a plan
// of ReplicaSet writes, events and status out; and the rollout helpers of the CLI. A small
// in-memory cluster carries out plans and plays the ReplicaSet controller between passes.
#include "actors/controllers/deployment_logic.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

namespace dl = troupe::actors::controllers;
using troupe::messages::Deployment;
using troupe::messages::DeploymentCondition;
using troupe::messages::Pod;
using troupe::messages::PodTemplateSpec;
using troupe::messages::ReplicaSet;
using strings = std::vector<std::string>;

// 2023-11-14T22:13:20Z.
constexpr int64_t t0_ms = 1'700'000'000'000;
constexpr const char* deployment_uid = "d-uid";
constexpr const char* create_cause = "kubectl create --filename=deployment-definition.yml";

Deployment make_deployment(int32_t replicas, const std::string& strategy = "RollingUpdate") {
  Deployment d;
  auto& meta = *d.mutable_metadata();
  meta.set_name("myapp-deployment");
  meta.set_namespace_("default");
  meta.set_uid(deployment_uid);
  meta.set_generation(1);
  (*meta.mutable_annotations())["kubernetes.io/change-cause"] = create_cause;
  (*meta.mutable_annotations())["kubectl.kubernetes.io/last-applied-configuration"] = "{}";
  auto& spec = *d.mutable_spec();
  spec.set_replicas(replicas);
  (*spec.mutable_selector()->mutable_match_labels())["type"] = "front-end";
  auto& tmeta = *spec.mutable_template_()->mutable_metadata();
  tmeta.set_name("myapp-pod");
  (*tmeta.mutable_labels())["app"] = "myapp";
  (*tmeta.mutable_labels())["type"] = "front-end";
  auto& container = *spec.mutable_template_()->mutable_spec()->add_containers();
  container.set_name("nginx-container");
  container.set_image("nginx:1.7.0");
  spec.mutable_strategy()->set_type(strategy);
  return d;
}

std::string image_of(const PodTemplateSpec& tmpl) {
  return tmpl.spec().containers(0).image();
}

std::string annotation(const ReplicaSet& rs, const std::string& key) {
  auto it = rs.metadata().annotations().find(key);
  return it == rs.metadata().annotations().end() ? "<unset>" : it->second;
}

const DeploymentCondition* condition(const troupe::messages::DeploymentStatus& status,
                                     const std::string& type) {
  for (const auto& c : status.conditions()) {
    if (c.type() == type) return &c;
  }
  return nullptr;
}

// "Status/Reason/message".
std::string describe(const DeploymentCondition* c) {
  return c == nullptr ? "<none>" : c->status() + "/" + c->reason() + "/" + c->message();
}

std::vector<const ReplicaSet*> pointers(const std::vector<ReplicaSet>& rss) {
  std::vector<const ReplicaSet*> out;
  for (const auto& rs : rss)
    out.push_back(&rs);
  return out;
}

// A Deployment and its ReplicaSets as the API server would hold them. pass() plans and carries
// out the plan as the actor would; settle() and make_available() play the ReplicaSet
// controller: pods appear and disappear at once, but become available only when told.
class cluster {
 public:
  explicit cluster(Deployment d) : d_(std::move(d)) {}

  Deployment& deployment() { return d_; }
  std::vector<ReplicaSet>& replica_sets() { return rss_; }
  int64_t now() const { return now_ms_; }
  void advance_ms(int64_t ms) { now_ms_ += ms; }

  dl::deployment_plan pass(const std::vector<const Pod*>& pods = {}) {
    auto ptrs = pointers(rss_);
    auto plan = dl::plan_deployment(d_, ptrs, pods, now_ms_);
    for (const auto& action : plan.actions)
      apply(action);
    for (const auto& event : plan.events)
      events.push_back(event.message);
    if (plan.status_changed) *d_.mutable_status() = plan.status;
    if (plan.revision) {
      (*d_.mutable_metadata()->mutable_annotations())["deployment.kubernetes.io/revision"] =
          *plan.revision;
    }
    return plan;
  }

  // The ReplicaSet controller has created and deleted pods: status.replicas follows spec, and
  // deleted pods take their readiness with them.
  void settle() {
    for (auto& rs : rss_) {
      auto& status = *rs.mutable_status();
      int32_t spec = rs.spec().replicas();
      status.set_replicas(spec);
      status.set_ready_replicas(std::min(status.ready_replicas(), spec));
      status.set_available_replicas(std::min(status.available_replicas(), spec));
      status.set_observed_generation(rs.metadata().generation());
    }
  }

  void make_available() {
    settle();
    for (auto& rs : rss_) {
      rs.mutable_status()->set_ready_replicas(rs.spec().replicas());
      rs.mutable_status()->set_available_replicas(rs.spec().replicas());
    }
  }

  // A user's edit of the template: a new generation and change-cause, as `set image --record`.
  void set_image(const std::string& image) {
    d_.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(image);
    (*d_.mutable_metadata()->mutable_annotations())["kubernetes.io/change-cause"] =
        "kubectl set image deployment/myapp-deployment nginx-container=" + image;
    bump_generation();
  }

  void set_replicas(int32_t replicas) {
    d_.mutable_spec()->set_replicas(replicas);
    bump_generation();
  }

  void bump_generation() { d_.mutable_metadata()->set_generation(d_.metadata().generation() + 1); }

  // Passes (a second apart) until the rollout is done, pods becoming available whenever the
  // controller has nothing to do but wait for them.
  void run_to_completion() {
    for (int i = 0; i < 60; ++i) {
      advance_ms(1000);
      auto plan = pass();
      settle();
      if (!plan.actions.empty()) continue;
      if (dl::rollout_status(d_).done) return;
      make_available();
    }
    BOOST_FAIL("the rollout did not finish");
  }

  ReplicaSet* find(const std::string& name) {
    auto it = std::find_if(rss_.begin(), rss_.end(),
                           [&](const ReplicaSet& rs) { return rs.metadata().name() == name; });
    return it == rss_.end() ? nullptr : &*it;
  }

  // The ReplicaSet running `image`.
  ReplicaSet& with_image(const std::string& image) {
    for (auto& rs : rss_) {
      if (image_of(rs.spec().template_()) == image) return rs;
    }
    BOOST_FAIL("no ReplicaSet runs " + image);
    return rss_.front();
  }

  std::map<std::string, int32_t> sizes() const {
    std::map<std::string, int32_t> out;
    for (const auto& rs : rss_)
      out[image_of(rs.spec().template_())] = rs.spec().replicas();
    return out;
  }

  strings events;

 private:
  void apply(const dl::replica_set_action& action) {
    const auto& name = action.replica_set.metadata().name();
    switch (action.kind) {
      case dl::replica_set_action_kind::create: {
        BOOST_REQUIRE_MESSAGE(find(name) == nullptr, "AlreadyExists: " + name);
        auto& rs = rss_.emplace_back(action.replica_set);
        rs.mutable_metadata()->set_uid("uid-" + name);
        rs.mutable_metadata()->set_generation(1);
        rs.mutable_metadata()->mutable_creation_timestamp()->set_seconds(now_ms_ / 1000);
        break;
      }
      case dl::replica_set_action_kind::update: {
        ReplicaSet* rs = find(name);
        BOOST_REQUIRE_MESSAGE(rs != nullptr, "NotFound: " + name);
        *rs = action.replica_set;
        rs->mutable_metadata()->set_generation(rs->metadata().generation() + 1);
        break;
      }
      case dl::replica_set_action_kind::remove:
        std::erase_if(rss_, [&](const ReplicaSet& rs) { return rs.metadata().name() == name; });
        break;
    }
    if (action.event) {
      BOOST_TEST(action.event->type == "Normal");
      BOOST_TEST(action.event->reason == "ScalingReplicaSet");
      events.push_back(action.event->message);
    }
  }

  Deployment d_;
  std::vector<ReplicaSet> rss_;
  int64_t now_ms_ = t0_ms;
};

// A ReplicaSet of the Deployment made by hand: revision, sizes, image and age.
ReplicaSet old_rs(const std::string& name, int64_t revision, int32_t spec, int32_t status,
                  const std::string& image, int64_t created_s) {
  auto d = make_deployment(spec);
  ReplicaSet rs;
  auto& meta = *rs.mutable_metadata();
  meta.set_name(name);
  meta.set_namespace_("default");
  meta.set_uid("uid-" + name);
  meta.mutable_creation_timestamp()->set_seconds(created_s);
  (*meta.mutable_annotations())["deployment.kubernetes.io/revision"] = std::to_string(revision);
  auto& ref = *meta.add_owner_references();
  ref.set_api_version("apps/v1");
  ref.set_kind("Deployment");
  ref.set_name("myapp-deployment");
  ref.set_uid(deployment_uid);
  ref.set_controller(true);
  rs.mutable_spec()->set_replicas(spec);
  *rs.mutable_spec()->mutable_template_() = d.spec().template_();
  rs.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(image);
  rs.mutable_status()->set_replicas(status);
  rs.mutable_status()->set_available_replicas(status);
  return rs;
}

std::string rs_name_for(const Deployment& d) {
  return d.metadata().name() + "-" + dl::pod_template_hash(d.spec().template_(), std::nullopt);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_deployment_logic)

BOOST_AUTO_TEST_CASE(plan_first_sync_creates_the_replica_set) {
  cluster c(make_deployment(3));
  auto plan = c.pass();
  BOOST_REQUIRE_EQUAL(plan.actions.size(), 1u);
  const auto& action = plan.actions[0];
  BOOST_TEST((action.kind == dl::replica_set_action_kind::create));
  const auto& rs = action.replica_set;
  auto hash = dl::pod_template_hash(c.deployment().spec().template_(), std::nullopt);
  BOOST_TEST(rs.metadata().name() == "myapp-deployment-" + hash);
  BOOST_TEST(rs.metadata().namespace_() == "default");
  BOOST_TEST(rs.metadata().labels().at("pod-template-hash") == hash);
  BOOST_TEST(rs.metadata().labels().at("app") == "myapp");
  BOOST_TEST(rs.spec().selector().match_labels().at("pod-template-hash") == hash);
  BOOST_TEST(rs.spec().selector().match_labels().at("type") == "front-end");
  BOOST_TEST(rs.spec().template_().metadata().labels().at("pod-template-hash") == hash);
  BOOST_TEST(image_of(rs.spec().template_()) == "nginx:1.7.0");
  BOOST_TEST(rs.spec().replicas() == 3);
  BOOST_REQUIRE_EQUAL(rs.metadata().owner_references_size(), 1);
  const auto& ref = rs.metadata().owner_references(0);
  BOOST_TEST(ref.api_version() == "apps/v1");
  BOOST_TEST(ref.kind() == "Deployment");
  BOOST_TEST(ref.name() == "myapp-deployment");
  BOOST_TEST(ref.uid() == deployment_uid);
  BOOST_TEST((ref.controller() && ref.block_owner_deletion()));
  BOOST_TEST(annotation(rs, "deployment.kubernetes.io/revision") == "1");
  BOOST_TEST(annotation(rs, "deployment.kubernetes.io/desired-replicas") == "3");
  // 25% of 3 rounded up.
  BOOST_TEST(annotation(rs, "deployment.kubernetes.io/max-replicas") == "4");
  BOOST_TEST(annotation(rs, "kubernetes.io/change-cause") == create_cause);
  BOOST_TEST(annotation(rs, "kubectl.kubernetes.io/last-applied-configuration") == "<unset>");
  BOOST_TEST(!rs.metadata().has_creation_timestamp());
  BOOST_REQUIRE(action.event);
  BOOST_TEST(action.event->message == "Scaled up replica set myapp-deployment-" + hash + " to 3");

  BOOST_TEST(plan.revision.value_or("") == "1");
  BOOST_TEST(plan.status_changed);
  BOOST_TEST(plan.status.observed_generation() == 1);
  BOOST_TEST(describe(condition(plan.status, "Progressing")) ==
             "True/NewReplicaSetCreated/Created new replica set \"myapp-deployment-" + hash + "\"");
  BOOST_TEST(describe(condition(plan.status, "Available")) ==
             "False/MinimumReplicasUnavailable/Deployment does not have minimum availability.");

  // The created ReplicaSet is found again, not created twice.
  c.settle();
  plan = c.pass();
  BOOST_TEST(plan.actions.empty());
  BOOST_TEST(c.replica_sets().size() == 1u);
}

BOOST_AUTO_TEST_CASE(pod_template_hash_is_stable_and_follows_template_and_collisions) {
  // FNV-1a of nothing is its offset basis 2166136261: each decimal digit through the alphabet.
  BOOST_TEST(dl::pod_template_hash(PodTemplateSpec{}, std::nullopt) == "65bb57b6b5");

  auto d = make_deployment(3);
  const auto& tmpl = d.spec().template_();
  auto base = dl::pod_template_hash(tmpl, std::nullopt);
  BOOST_TEST(dl::pod_template_hash(make_deployment(7).spec().template_(), std::nullopt) == base);
  BOOST_TEST(base.find_first_not_of("456789bcdf") == std::string::npos);

  // The hash label itself does not count.
  auto labeled = tmpl;
  (*labeled.mutable_metadata()->mutable_labels())["pod-template-hash"] = base;
  BOOST_TEST(dl::pod_template_hash(labeled, std::nullopt) == base);
  BOOST_TEST(dl::templates_equal_ignoring_hash(labeled, tmpl));

  auto changed = tmpl;
  changed.mutable_spec()->mutable_containers(0)->set_image("nginx:1.7.1");
  BOOST_TEST(dl::pod_template_hash(changed, std::nullopt) != base);
  BOOST_TEST(!dl::templates_equal_ignoring_hash(changed, tmpl));

  auto with_zero = dl::pod_template_hash(tmpl, 0);
  BOOST_TEST(with_zero != base);
  BOOST_TEST(dl::pod_template_hash(tmpl, 1) != with_zero);
  BOOST_TEST(dl::pod_template_hash(tmpl, 1) == dl::pod_template_hash(tmpl, 1));
}

BOOST_AUTO_TEST_CASE(rolling_limits_round_surge_up_and_unavailable_down) {
  auto d = make_deployment(10);
  auto limits = dl::rolling_limits_of(d);  // defaults 25%/25%
  BOOST_TEST(limits.max_surge == 3);
  BOOST_TEST(limits.max_unavailable == 2);
  d.mutable_spec()->set_replicas(5);
  limits = dl::rolling_limits_of(d);
  BOOST_TEST(limits.max_surge == 2);
  BOOST_TEST(limits.max_unavailable == 1);

  auto& rolling = *d.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  rolling.mutable_max_surge()->set_int_val(0);
  rolling.mutable_max_unavailable()->set_str_val("10%");  // 0.5 rounds down to 0
  limits = dl::rolling_limits_of(d);
  BOOST_TEST(limits.max_surge == 0);
  BOOST_TEST(limits.max_unavailable == 1);  // never both 0

  rolling.mutable_max_unavailable()->set_int_val(9);
  BOOST_TEST(dl::rolling_limits_of(d).max_unavailable == 5);  // capped at spec.replicas
  d.mutable_spec()->set_replicas(0);
  BOOST_TEST(dl::rolling_limits_of(d).max_unavailable == 0);

  auto recreate = make_deployment(10, "Recreate");
  limits = dl::rolling_limits_of(recreate);
  BOOST_TEST(limits.max_surge == 0);
  BOOST_TEST(limits.max_unavailable == 0);
}

BOOST_AUTO_TEST_CASE(plan_rolling_update_stays_within_surge_and_unavailability) {
  cluster c(make_deployment(10));
  c.run_to_completion();
  auto old_name = c.with_image("nginx:1.7.0").metadata().name();
  c.events.clear();

  c.set_image("nginx:1.7.1");
  strings status_lines;
  bool done = false;
  for (int i = 0; i < 60 && !done; ++i) {
    c.advance_ms(1000);
    auto plan = c.pass();
    // maxSurge 3: never more than 13 replicas asked for.
    int32_t asked = 0;
    for (const auto& rs : c.replica_sets())
      asked += rs.spec().replicas();
    BOOST_TEST(asked <= 13);
    c.settle();
    // maxUnavailable 2: the deleted pods never take availability below 8.
    int32_t available = 0;
    for (const auto& rs : c.replica_sets())
      available += rs.status().available_replicas();
    BOOST_TEST(available >= 8);
    auto status = dl::rollout_status(c.deployment());
    BOOST_TEST(status.error.empty());
    if (status_lines.empty() || status_lines.back() != status.message) {
      status_lines.push_back(status.message);
    }
    done = status.done;
    if (plan.actions.empty() && !done) c.make_available();
  }
  BOOST_REQUIRE(done);

  auto new_name = c.with_image("nginx:1.7.1").metadata().name();
  BOOST_TEST(c.events == (strings{
                             "Scaled up replica set " + new_name + " to 3",
                             "Scaled down replica set " + old_name + " to 8",
                             "Scaled up replica set " + new_name + " to 5",
                             "Scaled down replica set " + old_name + " to 3",
                             "Scaled up replica set " + new_name + " to 10",
                             "Scaled down replica set " + old_name + " to 0",
                         }));
  BOOST_TEST(status_lines.front() ==
             "Waiting for rollout to finish: 0 out of 10 new replicas have been updated...");
  BOOST_TEST(status_lines.back() == "deployment \"myapp-deployment\" successfully rolled out");
  const auto& status = c.deployment().status();
  BOOST_TEST(status.replicas() == 10);
  BOOST_TEST(status.updated_replicas() == 10);
  BOOST_TEST(status.available_replicas() == 10);
  BOOST_TEST(status.unavailable_replicas() == 0);
  BOOST_TEST(status.observed_generation() == 2);
  BOOST_TEST(describe(condition(status, "Progressing")) ==
             "True/NewReplicaSetAvailable/ReplicaSet \"" + new_name +
                 "\" has successfully progressed.");
  BOOST_TEST(describe(condition(status, "Available")) ==
             "True/MinimumReplicasAvailable/Deployment has minimum availability.");
}

BOOST_AUTO_TEST_CASE(plan_recreate_scales_old_to_zero_before_creating_new) {
  cluster c(make_deployment(3, "Recreate"));
  c.run_to_completion();
  auto old_name = c.with_image("nginx:1.7.0").metadata().name();
  c.events.clear();

  c.set_image("nginx:1.7.1");
  auto plan = c.pass();
  BOOST_REQUIRE_EQUAL(plan.actions.size(), 1u);
  BOOST_TEST((plan.actions[0].kind == dl::replica_set_action_kind::update));
  BOOST_TEST(c.events == strings{"Scaled down replica set " + old_name + " to 0"});

  // The old ReplicaSet still reports its pods: nothing is created.
  BOOST_TEST(c.pass().actions.empty());
  c.settle();
  // Its status says 0 but a pod of it still runs.
  Pod lingering;
  auto& ref = *lingering.mutable_metadata()->add_owner_references();
  ref.set_uid("uid-" + old_name);
  ref.set_controller(true);
  lingering.mutable_status()->set_phase("Running");
  BOOST_TEST(c.pass({&lingering}).actions.empty());

  lingering.mutable_status()->set_phase("Succeeded");
  plan = c.pass({&lingering});
  BOOST_REQUIRE_EQUAL(plan.actions.size(), 1u);
  BOOST_TEST((plan.actions[0].kind == dl::replica_set_action_kind::create));
  const auto& created = plan.actions[0].replica_set;
  BOOST_TEST(created.spec().replicas() == 3);
  BOOST_TEST(c.events.back() == "Scaled up replica set " + created.metadata().name() + " to 3");
  BOOST_TEST(plan.revision.value_or("") == "2");
  // Recreate allows no unavailability.
  BOOST_TEST(describe(condition(plan.status, "Available")) ==
             "False/MinimumReplicasUnavailable/Deployment does not have minimum availability.");
}

BOOST_AUTO_TEST_CASE(plan_revisions_count_up_and_undo_reuses_the_old_replica_set) {
  cluster c(make_deployment(2));
  c.run_to_completion();
  c.set_image("nginx:1.7.1");
  c.run_to_completion();
  c.set_image("nginx:1.7.2");
  c.run_to_completion();
  auto revision = [&](const std::string& image) {
    return annotation(c.with_image(image), "deployment.kubernetes.io/revision");
  };
  BOOST_TEST(revision("nginx:1.7.0") == "1");
  BOOST_TEST(revision("nginx:1.7.1") == "2");
  BOOST_TEST(revision("nginx:1.7.2") == "3");
  BOOST_TEST(c.deployment().metadata().annotations().at("deployment.kubernetes.io/revision") ==
             "3");

  auto ptrs = pointers(c.replica_sets());
  auto undo = dl::plan_rollback(c.deployment(), ptrs, 0);
  BOOST_REQUIRE_MESSAGE(undo.tmpl, undo.error + undo.skipped);
  BOOST_TEST(undo.revision == 2);
  BOOST_TEST(image_of(*undo.tmpl) == "nginx:1.7.1");
  BOOST_TEST(undo.tmpl->metadata().labels().count("pod-template-hash") == 0u);
  BOOST_TEST(undo.change_cause ==
             "kubectl set image deployment/myapp-deployment nginx-container=nginx:1.7.1");
  BOOST_TEST(undo.annotations.at("kubernetes.io/change-cause") == undo.change_cause);
  // The Deployment keeps its own revision and last-applied annotations.
  BOOST_TEST(undo.annotations.at("deployment.kubernetes.io/revision") == "3");
  BOOST_TEST(undo.annotations.at("kubectl.kubernetes.io/last-applied-configuration") == "{}");
  BOOST_TEST(undo.annotations.count("deployment.kubernetes.io/desired-replicas") == 0u);

  // The CLI writes the template back; the controller finds the revision 2 ReplicaSet again.
  auto& d = c.deployment();
  *d.mutable_spec()->mutable_template_() = *undo.tmpl;
  *d.mutable_metadata()->mutable_annotations() = {undo.annotations.begin(), undo.annotations.end()};
  c.bump_generation();
  auto count_before = c.replica_sets().size();
  c.run_to_completion();
  BOOST_TEST(c.replica_sets().size() == count_before);
  BOOST_TEST(revision("nginx:1.7.1") == "4");
  BOOST_TEST(annotation(c.with_image("nginx:1.7.1"), "deployment.kubernetes.io/revision-history") ==
             "2");
  BOOST_TEST(d.metadata().annotations().at("deployment.kubernetes.io/revision") == "4");
  BOOST_TEST(c.sizes() == (std::map<std::string, int32_t>{
                              {"nginx:1.7.0", 0}, {"nginx:1.7.1", 2}, {"nginx:1.7.2", 0}}));

  ptrs = pointers(c.replica_sets());
  auto history = dl::rollout_history(d, ptrs);
  BOOST_REQUIRE_EQUAL(history.size(), 3u);
  BOOST_TEST(history[0].revision == 1);
  BOOST_TEST(history[1].revision == 3);
  BOOST_TEST(history[2].revision == 4);

  // --to-revision=1.
  undo = dl::plan_rollback(d, ptrs, 1);
  BOOST_REQUIRE(undo.tmpl);
  BOOST_TEST(image_of(*undo.tmpl) == "nginx:1.7.0");
  BOOST_TEST(undo.change_cause == create_cause);
}

BOOST_AUTO_TEST_CASE(plan_rollback_reports_kubectl_errors_and_skips) {
  cluster c(make_deployment(2));
  c.run_to_completion();
  auto ptrs = pointers(c.replica_sets());
  auto undo = dl::plan_rollback(c.deployment(), ptrs, 0);
  BOOST_TEST(undo.error == "no rollout history found for deployment \"myapp-deployment\"");
  BOOST_TEST(!undo.tmpl);

  undo = dl::plan_rollback(c.deployment(), ptrs, 1);
  BOOST_TEST(undo.skipped == "skipped rollback (current template already matches revision 1)");
  BOOST_TEST(undo.error.empty());
  BOOST_TEST(!undo.tmpl);

  c.set_image("nginx:1.7.1");
  c.run_to_completion();
  ptrs = pointers(c.replica_sets());
  BOOST_TEST(dl::plan_rollback(c.deployment(), ptrs, 7).error ==
             "unable to find specified revision 7 in history");
  BOOST_TEST(dl::plan_rollback(c.deployment(), ptrs, -1).error ==
             "unable to find specified revision -1 in history");
  c.deployment().mutable_spec()->set_paused(true);
  BOOST_TEST(dl::plan_rollback(c.deployment(), ptrs, 0).error ==
             "you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
             "resume' and try again");
  // ReplicaSets of another controller are no history of this one.
  auto foreign = c.replica_sets();
  for (auto& rs : foreign)
    rs.mutable_metadata()->mutable_owner_references(0)->set_uid("someone-else");
  auto foreign_ptrs = pointers(foreign);
  BOOST_TEST(dl::rollout_history(c.deployment(), foreign_ptrs).empty());
}

BOOST_AUTO_TEST_CASE(rollout_history_lists_revisions_and_templates) {
  cluster c(make_deployment(1));
  c.run_to_completion();
  // A revision without change-cause.
  c.deployment().mutable_metadata()->mutable_annotations()->erase("kubernetes.io/change-cause");
  c.deployment()
      .mutable_spec()
      ->mutable_template_()
      ->mutable_spec()
      ->mutable_containers(0)
      ->set_image("nginx:1.7.1");
  c.bump_generation();
  c.run_to_completion();
  c.set_image("nginx:1.7.2");
  c.run_to_completion();

  auto ptrs = pointers(c.replica_sets());
  auto history = dl::rollout_history(c.deployment(), ptrs);
  BOOST_TEST(dl::format_rollout_history(history) ==
             "REVISION  CHANGE-CAUSE\n"
             "1         kubectl create --filename=deployment-definition.yml\n"
             "2         <none>\n"
             "3         kubectl set image deployment/myapp-deployment "
             "nginx-container=nginx:1.7.2\n");

  auto tmpl = dl::rollout_history_template(c.deployment(), ptrs, 2);
  BOOST_REQUIRE_MESSAGE(tmpl.value, tmpl.error);
  BOOST_TEST(image_of(*tmpl.value) == "nginx:1.7.1");
  // As stored, hash label included (kubectl shows it).
  BOOST_TEST(tmpl.value->metadata().labels().count("pod-template-hash") == 1u);
  BOOST_TEST(dl::rollout_history_template(c.deployment(), ptrs, 9).error ==
             "unable to find the specified revision");
}

BOOST_AUTO_TEST_CASE(plan_history_limit_deletes_the_oldest_scaled_down_replica_sets) {
  auto d = make_deployment(2);
  d.mutable_spec()->set_revision_history_limit(1);
  d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("v4");
  // A complete rollout of revision 4.
  auto& status = *d.mutable_status();
  status.set_observed_generation(1);
  status.set_replicas(2);
  status.set_updated_replicas(2);
  status.set_available_replicas(2);
  std::vector<ReplicaSet> rss{
      old_rs("r3", 3, 0, 0, "v3", 300),
      old_rs("r1", 1, 0, 0, "v1", 100),
      old_rs("r2", 2, 0, 1, "v2", 200),  // a pod still terminating
      old_rs("r4", 4, 2, 2, "v4", 400),
  };
  auto ptrs = pointers(rss);
  auto plan = dl::plan_deployment(d, ptrs, {}, t0_ms);
  strings removed;
  for (const auto& a : plan.actions) {
    if (a.kind == dl::replica_set_action_kind::remove) {
      removed.push_back(a.replica_set.metadata().name());
    }
  }
  // Two beyond the limit: r1 goes, r2 still has a replica, r3 and r4 (the new one) stay.
  BOOST_TEST(removed == strings{"r1"});

  // Unlimited history (MaxInt32) keeps everything.
  d.mutable_spec()->set_revision_history_limit(2147483647);
  for (const auto& a : dl::plan_deployment(d, ptrs, {}, t0_ms).actions)
    BOOST_TEST((a.kind != dl::replica_set_action_kind::remove));
}

BOOST_AUTO_TEST_CASE(plan_paused_deployment_only_scales) {
  cluster c(make_deployment(3));
  c.run_to_completion();
  auto v1 = c.with_image("nginx:1.7.0").metadata().name();
  c.events.clear();

  c.deployment().mutable_spec()->set_paused(true);
  c.set_image("nginx:1.7.1");
  c.advance_ms(1000);
  auto plan = c.pass();
  BOOST_TEST(plan.actions.empty());
  BOOST_TEST(c.replica_sets().size() == 1u);
  BOOST_TEST(describe(condition(plan.status, "Progressing")) ==
             "Unknown/DeploymentPaused/Deployment is paused");
  BOOST_TEST(!plan.recheck_at_ms);

  // Scaling still works while paused.
  c.set_replicas(5);
  plan = c.pass();
  BOOST_TEST(c.events == strings{"Scaled up replica set " + v1 + " to 5"});
  BOOST_TEST(annotation(c.with_image("nginx:1.7.0"), "deployment.kubernetes.io/desired-replicas") ==
             "5");
  c.settle();

  // Resumed: the rollout of the new template starts.
  c.deployment().mutable_spec()->set_paused(false);
  c.bump_generation();
  plan = c.pass();
  BOOST_TEST(c.replica_sets().size() == 2u);
  BOOST_TEST(
      describe(condition(plan.status, "Progressing")).starts_with("True/NewReplicaSetCreated/"));
  c.run_to_completion();
  BOOST_TEST(c.sizes() == (std::map<std::string, int32_t>{{"nginx:1.7.0", 0}, {"nginx:1.7.1", 5}}));
}

BOOST_AUTO_TEST_CASE(plan_resume_reports_resumed_until_progress) {
  cluster c(make_deployment(3));
  c.pass();  // created, pods not available yet
  c.deployment().mutable_spec()->set_paused(true);
  c.advance_ms(5000);
  auto plan = c.pass();
  const auto* paused = condition(plan.status, "Progressing");
  BOOST_REQUIRE(paused);
  BOOST_TEST(paused->last_transition_time().seconds() == (t0_ms + 5000) / 1000);

  c.deployment().mutable_spec()->set_paused(false);
  c.advance_ms(5000);
  plan = c.pass();
  const auto* resumed = condition(plan.status, "Progressing");
  BOOST_TEST(describe(resumed) == "Unknown/DeploymentResumed/Deployment is resumed");
  // Still Unknown: the transition time stays the pause's, the update time is now.
  BOOST_TEST(resumed->last_transition_time().seconds() == (t0_ms + 5000) / 1000);
  BOOST_TEST(resumed->last_update_time().seconds() == (t0_ms + 10000) / 1000);
}

BOOST_AUTO_TEST_CASE(plan_progress_deadline_times_out_without_progress) {
  cluster c(make_deployment(3));
  auto name = rs_name_for(c.deployment());
  c.pass();
  c.settle();  // pods exist but never become available

  c.advance_ms(30'000);
  auto plan = c.pass();
  const auto* progressing = condition(plan.status, "Progressing");
  BOOST_TEST(describe(progressing) ==
             "True/ReplicaSetUpdated/ReplicaSet \"" + name + "\" is progressing.");
  BOOST_TEST(progressing->last_update_time().seconds() == t0_ms / 1000 + 30);
  BOOST_TEST(progressing->last_transition_time().seconds() == t0_ms / 1000);
  int64_t deadline_ms = t0_ms + 30'000 + 600'000;
  BOOST_TEST(plan.recheck_at_ms.value_or(0) == deadline_ms + 1000);

  // No progress, and the deadline has not strictly passed yet.
  c.advance_ms(600'000);
  plan = c.pass();
  BOOST_TEST(!plan.status_changed);
  BOOST_TEST(condition(plan.status, "Progressing")->reason() == "ReplicaSetUpdated");

  c.advance_ms(1000);
  plan = c.pass();
  BOOST_TEST(describe(condition(plan.status, "Progressing")) ==
             "False/ProgressDeadlineExceeded/ReplicaSet \"" + name +
                 "\" has timed out progressing.");
  BOOST_TEST(condition(plan.status, "Progressing")->last_transition_time().seconds() ==
             (deadline_ms + 1000) / 1000);
  BOOST_TEST(!plan.recheck_at_ms);
  auto status = dl::rollout_status(c.deployment());
  BOOST_TEST(status.error == "deployment \"myapp-deployment\" exceeded its progress deadline");
  BOOST_TEST(!status.done);

  // Pods finally come up: the rollout completes after all.
  c.make_available();
  plan = c.pass();
  BOOST_TEST(describe(condition(plan.status, "Progressing")) ==
             "True/NewReplicaSetAvailable/ReplicaSet \"" + name +
                 "\" has successfully progressed.");
}

BOOST_AUTO_TEST_CASE(plan_available_condition_changes_transition_time_only_on_status_change) {
  cluster c(make_deployment(3));
  c.pass();
  c.settle();
  c.advance_ms(5000);
  auto plan = c.pass();
  const auto* available = condition(plan.status, "Available");
  BOOST_TEST(available->status() == "False");
  BOOST_TEST(available->last_transition_time().seconds() == t0_ms / 1000);
  BOOST_TEST(available->last_update_time().seconds() == t0_ms / 1000);

  c.make_available();
  c.advance_ms(5000);
  plan = c.pass();
  available = condition(plan.status, "Available");
  BOOST_TEST(available->status() == "True");
  BOOST_TEST(available->last_transition_time().seconds() == t0_ms / 1000 + 10);

  // No progressDeadlineSeconds (MaxInt32): no Progressing condition at all.
  c.deployment().mutable_spec()->set_progress_deadline_seconds(2147483647);
  plan = c.pass();
  BOOST_TEST(!condition(plan.status, "Progressing"));
  BOOST_TEST(condition(plan.status, "Available"));
}

BOOST_AUTO_TEST_CASE(rollout_status_follows_kubectl) {
  auto d = make_deployment(10);
  d.mutable_metadata()->set_generation(2);
  auto& s = *d.mutable_status();
  s.set_observed_generation(1);
  BOOST_TEST(dl::rollout_status(d).message ==
             "Waiting for deployment spec update to be observed...");

  s.set_observed_generation(2);
  s.set_replicas(12);
  s.set_updated_replicas(5);
  auto r = dl::rollout_status(d);
  BOOST_TEST(r.message ==
             "Waiting for rollout to finish: 5 out of 10 new replicas have been updated...");
  BOOST_TEST(!r.done);

  s.set_updated_replicas(10);
  BOOST_TEST(dl::rollout_status(d).message ==
             "Waiting for rollout to finish: 2 old replicas are pending termination...");
  s.set_replicas(10);
  s.set_available_replicas(2);
  BOOST_TEST(dl::rollout_status(d).message ==
             "Waiting for rollout to finish: 2 of 10 updated replicas are available...");
  s.set_available_replicas(10);
  r = dl::rollout_status(d);
  BOOST_TEST(r.message == "deployment \"myapp-deployment\" successfully rolled out");
  BOOST_TEST(r.done);
  BOOST_TEST(r.error.empty());

  (*d.mutable_metadata()->mutable_annotations())["deployment.kubernetes.io/revision"] = "3";
  BOOST_TEST(dl::rollout_status(d, 3).done);
  BOOST_TEST(dl::rollout_status(d, 2).error ==
             "desired revision (2) is different from the running revision (3)");
}

BOOST_AUTO_TEST_CASE(plan_scaling_mid_rollout_is_proportional) {
  cluster c(make_deployment(10));
  c.run_to_completion();
  c.set_image("nginx:1.7.1");
  c.advance_ms(1000);
  c.pass();
  c.settle();
  BOOST_TEST(c.sizes() == (std::map<std::string, int32_t>{{"nginx:1.7.0", 8}, {"nginx:1.7.1", 3}}));
  auto old_name = c.with_image("nginx:1.7.0").metadata().name();
  auto new_name = c.with_image("nginx:1.7.1").metadata().name();
  c.events.clear();

  // 10 -> 20: the 11 replicas, sized for 13, grow to 20 + 5 surge = 25 in proportion; the
  // rounding leftover goes to the larger.
  c.set_replicas(20);
  auto plan = c.pass();
  BOOST_TEST(c.sizes() ==
             (std::map<std::string, int32_t>{{"nginx:1.7.0", 19}, {"nginx:1.7.1", 6}}));
  BOOST_TEST(c.events == (strings{"Scaled up replica set " + old_name + " to 19",
                                  "Scaled up replica set " + new_name + " to 6"}));
  for (const auto& rs : c.replica_sets()) {
    BOOST_TEST(annotation(rs, "deployment.kubernetes.io/desired-replicas") == "20");
    BOOST_TEST(annotation(rs, "deployment.kubernetes.io/max-replicas") == "25");
  }
  c.settle();
  c.events.clear();

  // 20 -> 5: shrink to 5 + 2 = 7, the older first among equals.
  c.set_replicas(5);
  c.pass();
  BOOST_TEST(c.sizes() == (std::map<std::string, int32_t>{{"nginx:1.7.0", 5}, {"nginx:1.7.1", 2}}));
  c.settle();

  c.run_to_completion();
  BOOST_TEST(c.sizes() == (std::map<std::string, int32_t>{{"nginx:1.7.0", 0}, {"nginx:1.7.1", 5}}));
}

BOOST_AUTO_TEST_CASE(plan_scaling_a_finished_deployment_scales_its_only_replica_set) {
  cluster c(make_deployment(10));
  c.run_to_completion();
  auto name = c.with_image("nginx:1.7.0").metadata().name();
  c.events.clear();
  c.set_replicas(4);
  c.pass();
  BOOST_TEST(c.events == strings{"Scaled down replica set " + name + " to 4"});
  BOOST_TEST(annotation(c.with_image("nginx:1.7.0"), "deployment.kubernetes.io/max-replicas") ==
             "5");
}

BOOST_AUTO_TEST_CASE(plan_existing_new_replica_set_gets_its_revision_and_annotations) {
  auto d = make_deployment(2);
  // Revision 2 lost its annotation; its template is the Deployment's.
  auto current = old_rs("cur", 2, 2, 2, "nginx:1.7.0", 200);
  current.mutable_metadata()->mutable_annotations()->erase("deployment.kubernetes.io/revision");
  current.mutable_metadata()->set_resource_version("77");
  // One pod not available yet, and the status says so already: no progress to report.
  current.mutable_status()->set_available_replicas(1);
  d.mutable_status()->set_replicas(2);
  d.mutable_status()->set_updated_replicas(2);
  d.mutable_status()->set_available_replicas(1);
  std::vector<ReplicaSet> rss{old_rs("prev", 5, 0, 0, "nginx:0.9", 100), current};
  auto ptrs = pointers(rss);
  auto plan = dl::plan_deployment(d, ptrs, {}, t0_ms);
  BOOST_REQUIRE(!plan.actions.empty());
  const auto& update = plan.actions[0];
  BOOST_TEST((update.kind == dl::replica_set_action_kind::update));
  BOOST_TEST(update.replica_set.metadata().name() == "cur");
  BOOST_TEST(update.replica_set.metadata().resource_version() == "77");
  BOOST_TEST(annotation(update.replica_set, "deployment.kubernetes.io/revision") == "6");
  BOOST_TEST(annotation(update.replica_set, "kubernetes.io/change-cause") == create_cause);
  BOOST_TEST(!update.event);
  BOOST_TEST(plan.revision.value_or("") == "6");
  BOOST_TEST(describe(condition(plan.status, "Progressing")) ==
             "True/FoundNewReplicaSet/Found new replica set \"cur\"");

  // Up to date already: nothing to write to it.
  rss[1] = update.replica_set;
  (*d.mutable_metadata()->mutable_annotations())["deployment.kubernetes.io/revision"] = "6";
  ptrs = pointers(rss);
  plan = dl::plan_deployment(d, ptrs, {}, t0_ms);
  for (const auto& a : plan.actions)
    BOOST_TEST(a.replica_set.metadata().name() != "cur");
  BOOST_TEST(!plan.revision);
}

BOOST_AUTO_TEST_CASE(resolve_create_conflict_bumps_collision_count_for_a_foreign_template) {
  auto d = make_deployment(3);
  auto name = rs_name_for(d);
  auto ours = old_rs(name, 1, 3, 0, "nginx:1.7.0", 100);
  BOOST_TEST(!dl::resolve_create_conflict(d, ours));

  auto squatter = old_rs(name, 1, 3, 0, "busybox", 100);
  auto status = dl::resolve_create_conflict(d, squatter);
  BOOST_REQUIRE(status);
  BOOST_TEST(status->collision_count() == 1);
  *d.mutable_status() = *status;
  auto plan = dl::plan_deployment(d, {}, {}, t0_ms);
  BOOST_REQUIRE_EQUAL(plan.actions.size(), 1u);
  const auto& created = plan.actions[0].replica_set;
  BOOST_TEST(created.metadata().name() != name);
  BOOST_TEST(created.metadata().name() ==
             "myapp-deployment-" + dl::pod_template_hash(d.spec().template_(), 1));
  BOOST_TEST(plan.status.collision_count() == 1);
  BOOST_TEST(dl::resolve_create_conflict(d, squatter)->collision_count() == 2);

  auto failure = dl::report_create_failure(d, "x", "quota exceeded", t0_ms);
  BOOST_TEST(failure.event.type == "Warning");
  BOOST_TEST(failure.event.message == "Failed to create new replica set \"x\": quota exceeded");
  BOOST_TEST(describe(condition(failure.status, "Progressing")) ==
             "False/ReplicaSetCreateError/" + failure.event.message);
}

BOOST_AUTO_TEST_CASE(resolve_create_conflict_leaves_an_adoptable_orphan_to_adoption) {
  auto d = make_deployment(3);
  auto orphan = old_rs(rs_name_for(d), 1, 3, 0, "nginx:1.7.0", 100);
  orphan.mutable_metadata()->clear_owner_references();
  (*orphan.mutable_metadata()->mutable_labels())["type"] = "front-end";
  // The next pass adopts it: no second ReplicaSet of this template under another name.
  BOOST_TEST(!dl::resolve_create_conflict(d, orphan));
  // One the selector does not take is someone else's: a collision.
  (*orphan.mutable_metadata()->mutable_labels())["type"] = "debug";
  BOOST_TEST(dl::resolve_create_conflict(d, orphan).has_value());
}

BOOST_AUTO_TEST_CASE(claim_replica_sets_adopts_orphans_and_releases_mismatches) {
  auto d = make_deployment(2);
  auto owned = old_rs("owned", 1, 2, 2, "nginx:1.7.0", 100);
  (*owned.mutable_metadata()->mutable_labels())["type"] = "front-end";
  auto orphan = owned;
  orphan.mutable_metadata()->set_name("orphan");
  orphan.mutable_metadata()->clear_owner_references();
  auto relabeled = owned;
  relabeled.mutable_metadata()->set_name("relabeled");
  (*relabeled.mutable_metadata()->mutable_labels())["type"] = "debug";
  auto foreign = owned;
  foreign.mutable_metadata()->set_name("foreign");
  foreign.mutable_metadata()->mutable_owner_references(0)->set_uid("other");
  std::vector<ReplicaSet> rss{owned, orphan, relabeled, foreign};
  auto ptrs = pointers(rss);

  auto claim = dl::claim_replica_sets(d, ptrs);
  BOOST_TEST(claim.error.empty());
  strings names;
  for (const auto* rs : claim.owned)
    names.push_back(rs->metadata().name());
  BOOST_TEST(names == (strings{"owned", "orphan"}));
  BOOST_REQUIRE_EQUAL(claim.adopt.size(), 1u);
  BOOST_TEST(claim.adopt[0].metadata().owner_references(0).uid() == deployment_uid);
  BOOST_TEST(claim.adopt[0].metadata().owner_references(0).controller());
  BOOST_REQUIRE_EQUAL(claim.release.size(), 1u);
  BOOST_TEST(claim.release[0].metadata().name() == "relabeled");
  BOOST_TEST(claim.release[0].metadata().owner_references_size() == 0);
}

BOOST_AUTO_TEST_CASE(plan_empty_selector_only_warns) {
  auto d = make_deployment(2);
  d.mutable_spec()->mutable_selector()->clear_match_labels();
  d.mutable_metadata()->set_generation(3);
  auto plan = dl::plan_deployment(d, {}, {}, t0_ms);
  BOOST_TEST(plan.actions.empty());
  BOOST_REQUIRE_EQUAL(plan.events.size(), 1u);
  BOOST_TEST(plan.events[0].type == "Warning");
  BOOST_TEST(plan.events[0].reason == "SelectingAll");
  BOOST_TEST(plan.events[0].message ==
             "This deployment is selecting all pods. A non-empty selector is required.");
  BOOST_TEST(plan.status.observed_generation() == 3);
  BOOST_TEST(plan.status_changed);
}

BOOST_AUTO_TEST_CASE(plan_being_deleted_writes_status_only) {
  cluster c(make_deployment(3));
  c.run_to_completion();
  c.deployment().mutable_metadata()->mutable_deletion_timestamp()->set_seconds(t0_ms / 1000);
  c.set_image("nginx:1.7.1");
  auto plan = c.pass();
  BOOST_TEST(plan.actions.empty());
  BOOST_TEST(plan.status.observed_generation() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
