#include "tests/support/control_plane_workload.hpp"

#include <algorithm>
#include <utility>

#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::test_support {
namespace {

using google::protobuf::Message;

// A RollingUpdate surges by 25% (rounded up) over the replicas.
constexpr double surge_factor = 1.25;
constexpr int32_t replica_ceiling = 8;
const char* const propagation_policies[] = {"Background", "Foreground", "Orphan"};

int64_t uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

messages::PodTemplateSpec pod_template(const std::string& app, int64_t cpu_milli, int image,
                                       int32_t host_port) {
  messages::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = app;
  auto* c = t.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("registry.local/app:1." + std::to_string(image));
  auto& requests = *c->mutable_resources()->mutable_requests();
  requests["cpu"].set_milli(cpu_milli);
  requests["cpu"].set_format("DecimalSI");
  requests["memory"].set_milli((int64_t{64} << 20) * 1000);
  requests["memory"].set_format("BinarySI");
  if (host_port != 0) {
    auto* port = c->add_ports();
    port->set_container_port(80);
    port->set_host_port(host_port);
  }
  // Stop at once when deleted: terminations then take a moment, not the default 30 s.
  t.mutable_spec()->set_termination_grace_period_seconds(1);
  return t;
}

// The spec.replicas of whichever kind `object` is.
void set_replicas(Message& object, int32_t replicas) {
  if (auto* rs = dynamic_cast<messages::ReplicaSet*>(&object))
    rs->mutable_spec()->set_replicas(replicas);
  else if (auto* rc = dynamic_cast<messages::ReplicationController*>(&object))
    rc->mutable_spec()->set_replicas(replicas);
  else if (auto* d = dynamic_cast<messages::Deployment*>(&object))
    d->mutable_spec()->set_replicas(replicas);
}

}  // namespace

const messages::kind_info* control_plane_workload::kind_of(const workload& w) {
  return messages::find_kind(w.what == workload::kind::replica_set
                                 ? messages::ReplicaSet::descriptor()
                             : w.what == workload::kind::replication_controller
                                 ? messages::ReplicationController::descriptor()
                                 : messages::Deployment::descriptor());
}

control_plane_workload::control_plane_workload(control_plane_sim& sim, workload_options options)
    : sim_(sim), options_(std::move(options)) {}

void control_plane_workload::plan() {
  auto& rng = sim_.rng();
  const auto& sim_options = sim_.options();
  // What the nodes left after losing one hold, shared out evenly.
  const int64_t cpu_budget =
      static_cast<int64_t>(options_.cpu_share * static_cast<double>((sim_options.nodes - 1) *
                                                                    sim_options.node_cpu_milli));
  const int total = static_cast<int>(options_.namespaces.size()) * options_.workloads_per_namespace;
  const int64_t share = cpu_budget / std::max(1, total);
  for (const auto& ns : options_.namespaces) {
    if (ns == "default") continue;  // the gateway makes it
    messages::Namespace object;
    object.mutable_metadata()->set_name(ns);
    user_write write;
    write.what = user_write::verb::create;
    write.kind = messages::find_kind(messages::Namespace::descriptor());
    write.name = ns;
    write.object = object.SerializeAsString();
    submit(std::move(write), 0, "create namespace " + ns);
  }
  int index = 0;
  for (const auto& ns : options_.namespaces) {
    for (int i = 0; i < options_.workloads_per_namespace; ++i, ++index) {
      workload w;
      w.what = static_cast<workload::kind>(index % 4);
      w.ns = ns;
      w.name = std::string(w.what == workload::kind::replica_set              ? "rs"
                           : w.what == workload::kind::replication_controller ? "rc"
                                                                              : "deploy") +
               "-" + std::to_string(index);
      // The first one bursts (below): big pods, so that cpu fills before the pod count does.
      w.cpu_milli = index == 0 ? 400 : 50 * uniform(rng, 1, 4);
      w.max_replicas = static_cast<int32_t>(std::min<int64_t>(
          replica_ceiling,
          static_cast<int64_t>(static_cast<double>(share) / (surge_factor * w.cpu_milli))));
      // The first Deployment binds a hostPort: its pods must spread, one per node, with room
      // for a surge pod when a node is down.
      if (index == 2) {
        w.host_port = 8080;
        w.max_replicas = std::min(w.max_replicas, sim_options.nodes - 2);
      }
      workloads_.push_back(w);
      create(w, static_cast<int32_t>(uniform(rng, 0, w.max_replicas)), uniform(rng, 0, 3000));
    }
  }
  create_unschedulable_pod(uniform(rng, 0, 3000));
  // A burst: the first workload asks for half again what the whole cluster holds, for a while,
  // so that nodes fill up and capacity decides; it shrinks back before the churn ends.
  if (!workloads_.empty()) {
    const auto& w = workloads_.front();
    const auto flood =
        static_cast<int32_t>(sim_options.nodes * sim_options.node_cpu_milli * 3 / 2 / w.cpu_milli);
    const int64_t from = uniform(rng, options_.churn_from_ms, options_.churn_until_ms / 2);
    scale(w, flood, from);
    scale(w, static_cast<int32_t>(uniform(rng, 0, w.max_replicas)),
          from + uniform(rng, 5000, options_.churn_until_ms / 2));
  }
  for (int i = 0; i < options_.changes && !workloads_.empty(); ++i) {
    auto& w = workloads_[static_cast<std::size_t>(uniform(rng, 0, total - 1))];
    change(w, uniform(rng, options_.churn_from_ms, options_.churn_until_ms));
  }
}

void control_plane_workload::create(const workload& w, int32_t replicas, int64_t at_ms) {
  const std::string app = w.ns + "-" + w.name;
  auto tmpl = pod_template(app, w.cpu_milli, w.image, w.host_port);
  std::unique_ptr<Message> object;
  switch (w.what) {
    case workload::kind::replica_set: {
      auto rs = std::make_unique<messages::ReplicaSet>();
      (*rs->mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = app;
      *rs->mutable_spec()->mutable_template_() = tmpl;
      object = std::move(rs);
      break;
    }
    case workload::kind::replication_controller: {
      auto rc = std::make_unique<messages::ReplicationController>();
      (*rc->mutable_spec()->mutable_selector())["app"] = app;
      *rc->mutable_spec()->mutable_template_() = tmpl;
      object = std::move(rc);
      break;
    }
    case workload::kind::rolling_deployment:
    case workload::kind::recreate_deployment: {
      auto d = std::make_unique<messages::Deployment>();
      (*d->mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = app;
      *d->mutable_spec()->mutable_template_() = tmpl;
      d->mutable_spec()->mutable_strategy()->set_type(
          w.what == workload::kind::recreate_deployment ? "Recreate" : "RollingUpdate");
      d->mutable_spec()->set_revision_history_limit(2);
      object = std::move(d);
      break;
    }
  }
  auto* meta = messages::metadata_of(*object);
  meta->set_name(w.name);
  meta->set_namespace_(w.ns);
  set_replicas(*object, replicas);
  user_write write;
  write.what = user_write::verb::create;
  write.kind = messages::find_kind(object->GetDescriptor());
  write.ns = w.ns;
  write.name = w.name;
  write.object = object->SerializeAsString();
  submit(std::move(write), at_ms, "create " + w.ns + "/" + w.name);
}

void control_plane_workload::change(workload& w, int64_t at_ms) {
  auto& rng = sim_.rng();
  const bool deployment =
      w.what == workload::kind::rolling_deployment || w.what == workload::kind::recreate_deployment;
  user_write write;
  write.kind = kind_of(w);
  write.ns = w.ns;
  write.name = w.name;
  const int64_t dice = uniform(rng, 0, 9);
  if (dice == 0) {
    // Delete it, and perhaps create it again a little later: the new object shares the
    // name and selector, not the uid, and adopts what the old one orphaned.
    write.what = user_write::verb::remove;
    write.propagation = propagation_policies[uniform(rng, 0, 2)];
    // The burst's pods may be more than the nodes hold: orphaned for good, they would keep
    // the cluster from ever converging, as they would a real one.
    if (&w == &workloads_.front() && write.propagation == "Orphan")
      write.propagation = "Background";
    submit(write, at_ms, "delete " + w.ns + "/" + w.name + " (" + write.propagation + ")");
    if (uniform(rng, 0, 1) == 0)
      create(w, static_cast<int32_t>(uniform(rng, 0, w.max_replicas)),
             at_ms + uniform(rng, 2000, 10000));
    return;
  }
  write.what = user_write::verb::update;
  if (deployment && dice <= 4) {
    const int image = ++w.image;
    write.edit = [image](Message& object) {
      auto& d = dynamic_cast<messages::Deployment&>(object);
      d.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(
          "registry.local/app:1." + std::to_string(image));
      return true;
    };
    submit(std::move(write), at_ms, "set image of " + w.ns + "/" + w.name);
    return;
  }
  scale(w, static_cast<int32_t>(uniform(rng, 0, w.max_replicas)), at_ms);
}

void control_plane_workload::scale(const workload& w, int32_t replicas, int64_t at_ms) {
  user_write write;
  write.what = user_write::verb::update;
  write.kind = kind_of(w);
  write.ns = w.ns;
  write.name = w.name;
  write.edit = [replicas](Message& object) {
    set_replicas(object, replicas);
    return true;
  };
  submit(std::move(write), at_ms,
         "scale " + w.ns + "/" + w.name + " to " + std::to_string(replicas));
}

void control_plane_workload::create_unschedulable_pod(int64_t at_ms) {
  messages::Pod pod;
  pod.mutable_metadata()->set_name("too-big");
  pod.mutable_metadata()->set_namespace_("default");
  *pod.mutable_spec() = pod_template("too-big", sim_.options().node_cpu_milli * 2, 0, 0).spec();
  user_write write;
  write.what = user_write::verb::create;
  write.kind = messages::find_kind(messages::Pod::descriptor());
  write.ns = "default";
  write.name = "too-big";
  write.object = pod.SerializeAsString();
  unschedulable_.insert("default/too-big");
  submit(std::move(write), at_ms, "create default/too-big");
}

void control_plane_workload::submit(user_write write, int64_t at_ms, const std::string& what) {
  ++planned_;
  sim_.at(at_ms, [this, write = std::move(write), what]() mutable {
    sim_.adopt(spawn_user_write(sim_.system(), sim_.front_door(), std::move(write),
                                [this, what](const std::string& error) {
                                  ++finished_;
                                  if (!error.empty()) failures_.push_back(what + ": " + error);
                                }));
  });
}

}  // namespace troupe::test_support
