#include "actors/controllers/deployment_controller.hpp"

#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/deployment_logic.hpp"
#include "actors/controllers/event_recorder.hpp"
#include "actors/controllers/informer.hpp"
#include "actors/controllers/object_facts.hpp"
#include "actors/controllers/work_queue.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::ApiRequest;
using messages::Deployment;
using messages::ReplicaSet;

constexpr auto request_timeout = std::chrono::seconds(30);
enum : uint64_t { deployments_tag = 1, replica_sets_tag = 2 };

ApiRequest request_for(ApiRequest::Verb verb, std::string_view resource,
                       const google::protobuf::Message& object) {
  const auto& meta = *messages::metadata_of(object);
  ApiRequest request;
  request.set_verb(verb);
  request.set_group("apps");
  request.set_resource(std::string(resource));
  request.set_namespace_(meta.namespace_());
  request.set_name(meta.name());
  request.set_object(object.SerializeAsString());
  return request;
}

struct deployment_state {
  static inline const char* name = "deployment-controller";

  caf::stateful_actor<deployment_state>* self = nullptr;
  controller_context context;
  std::unique_ptr<informer> deployments;
  std::unique_ptr<informer> replica_sets;
  std::unique_ptr<work_queue> queue;
  std::unique_ptr<event_recorder> events;

  void start() {
    queue = std::make_unique<work_queue>(self);
    events = context.recorder(self, std::string(deployment_controller_component));
    deployments = std::make_unique<informer>(
        self, context.informers(), *messages::find_kind(Deployment::descriptor()), deployments_tag,
        [this](const object_ptr& before, const object_ptr& after) {
          queue->add(cache_key(after ? *after : *before));
        });
    replica_sets = std::make_unique<informer>(
        self, context.informers(), *messages::find_kind(ReplicaSet::descriptor()), replica_sets_tag,
        [this](const object_ptr& before, const object_ptr& after) {
          for (const auto& object : {before, after})
            if (object) on_replica_set(static_cast<const ReplicaSet&>(*object));
        });
    deployments->start([this] {
      replica_sets->start([this] {
        for (const auto& key : deployments->keys())
          queue->add(key);
      });
    });
  }

  // Its controlling Deployment, or for an orphan every Deployment of its namespace (one may
  // adopt it).
  void on_replica_set(const ReplicaSet& rs) {
    const auto& ns = rs.metadata().namespace_();
    if (const auto* ref = controller_of(rs.metadata())) {
      if (ref->kind() == "Deployment") queue->add(ns + "/" + ref->name());
      return;
    }
    for (const auto& d : deployments->in_namespace(ns))
      queue->add(cache_key(*d));
  }

  void reconcile(const std::string& key) {
    if (!replica_sets->synced()) return;
    auto object = deployments->find(key);
    if (!object) return;
    const auto& d = static_cast<const Deployment&>(*object);
    auto in_ns = replica_sets->in_namespace(d.metadata().namespace_());
    std::vector<const ReplicaSet*> candidates;
    for (const auto& rs : in_ns)
      candidates.push_back(static_cast<const ReplicaSet*>(rs.get()));
    auto claim = claim_replica_sets(d, candidates);
    for (const auto& rs : claim.adopt)
      write(ApiRequest::UPDATE, rs, key);
    for (const auto& rs : claim.release)
      write(ApiRequest::UPDATE, rs, key);
    if (!claim.error.empty()) return;
    const int64_t now = context.now_ms();
    auto plan = plan_deployment(d, claim.owned, {}, now);
    for (const auto& e : plan.events)
      events->record(d, e.type, e.reason, e.message);
    for (auto& action : plan.actions)
      carry_out(object, std::move(action), key);
    if (plan.needs_write()) write_deployment(d, plan);
    if (plan.recheck_at_ms)
      queue->add_after(key,
                       std::chrono::milliseconds(std::max<int64_t>(1, *plan.recheck_at_ms - now)));
  }

  void carry_out(const object_ptr& deployment, replica_set_action action, const std::string& key) {
    ApiRequest::Verb verb = action.kind == replica_set_action_kind::create   ? ApiRequest::CREATE
                            : action.kind == replica_set_action_kind::update ? ApiRequest::UPDATE
                                                                             : ApiRequest::DELETE;
    auto request = request_for(verb, "replicasets", action.replica_set);
    if (verb == ApiRequest::DELETE) {
      request.clear_object();
      request.set_resource_version(action.replica_set.metadata().resource_version());
    }
    auto event = std::move(action.event);
    auto name = action.replica_set.metadata().name();
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then(
            [this, deployment, event](messages::ApiResponse&) {
              if (event) events->record(*deployment, event->type, event->reason, event->message);
            },
            [this, deployment, verb, name, key](caf::error& e) {
              if (verb == ApiRequest::CREATE &&
                  messages::is_error(e, messages::errc::already_exists))
                return on_name_taken(deployment, name, key);
              if (verb == ApiRequest::CREATE) {
                const auto& d = static_cast<const Deployment&>(*deployment);
                auto failure =
                    report_create_failure(d, name, messages::message_of(e), context.now_ms());
                events->record(d, failure.event.type, failure.event.reason, failure.event.message);
              }
              queue->add_after(key, std::chrono::milliseconds(500));
            });
  }

  // A ReplicaSet of the new one's name exists: ours (the cache was behind), or another
  // template's, whose hash collided; then collisionCount goes up and the next name differs.
  void on_name_taken(const object_ptr& deployment, const std::string& name,
                     const std::string& key) {
    const auto& d = static_cast<const Deployment&>(*deployment);
    auto existing = replica_sets->find(d.metadata().namespace_() + "/" + name);
    if (existing) {
      if (auto status = resolve_create_conflict(d, static_cast<const ReplicaSet&>(*existing))) {
        Deployment updated = d;
        *updated.mutable_status() = *status;
        updated.mutable_metadata()->clear_resource_version();
        write(ApiRequest::UPDATE_STATUS, updated, key);
      }
    }
    queue->add_after(key, std::chrono::milliseconds(200));
  }

  // The revision annotation (with the cached resourceVersion: the spec must not have changed
  // meanwhile), then the status.
  void write_deployment(const Deployment& d, const deployment_plan& plan) {
    Deployment updated = d;
    *updated.mutable_status() = plan.status;
    const std::string key = cache_key(d);
    if (!plan.revision) {
      updated.mutable_metadata()->clear_resource_version();  // status is ours alone to write
      write(ApiRequest::UPDATE_STATUS, updated, key);
      return;
    }
    (*updated.mutable_metadata()->mutable_annotations())[std::string(revision_annotation)] =
        *plan.revision;
    auto request = request_for(ApiRequest::UPDATE, "deployments", updated);
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then(
            [this, updated, key](messages::ApiResponse&) mutable {
              updated.mutable_metadata()->clear_resource_version();
              write(ApiRequest::UPDATE_STATUS, updated, key);
            },
            [this, key](caf::error&) { queue->add_after(key, std::chrono::milliseconds(200)); });
  }

  void write(ApiRequest::Verb verb, const google::protobuf::Message& object,
             const std::string& key) {
    const bool is_rs = object.GetDescriptor() == ReplicaSet::descriptor();
    auto request = request_for(verb, is_rs ? "replicasets" : "deployments", object);
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([](messages::ApiResponse&) {},
              [this, key](caf::error&) { queue->add_after(key, std::chrono::milliseconds(200)); });
  }
};

caf::behavior deployment_controller(caf::stateful_actor<deployment_state>* self,
                                    controller_context context) {
  auto& st = self->state;
  st.self = self;
  st.context = std::move(context);
  st.start();
  caf::message_handler own{
      [self](atoms::flush_atom) {
        auto& st = self->state;
        st.queue->drain([&st](const std::string& key) { st.reconcile(key); });
      },
      [self](atoms::retry_atom, std::string& key) { self->state.queue->add(key); },
  };
  return own.or_else(informer_messages([self] {
    auto& st = self->state;
    return std::vector<informer*>{st.deployments.get(), st.replica_sets.get()};
  }));
}

}  // namespace

caf::actor spawn_deployment_controller(caf::actor_system& system, controller_context context) {
  return system.spawn(deployment_controller, std::move(context));
}

}  // namespace troupe::actors::controllers
