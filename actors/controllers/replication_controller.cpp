#include "actors/controllers/replication_controller.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/event_recorder.hpp"
#include "actors/controllers/informer.hpp"
#include "actors/controllers/object_facts.hpp"
#include "actors/controllers/replica_set_logic.hpp"
#include "actors/controllers/work_queue.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::ApiRequest;
using messages::Pod;

constexpr auto request_timeout = std::chrono::seconds(30);
// Kubernetes' ExpectationsTimeout is 5 minutes; a lost watch event is rarer here (a relist
// reports every difference), so a shorter wait costs nothing and recovers sooner.
constexpr int64_t expectations_timeout_ms = 30'000;
enum : uint64_t { owners_tag = 1, pods_tag = 2 };
// A status-only reconcile this long holds its owner back (see reconcile).
constexpr int64_t min_costly_reconcile_ms = 5;

// Creates and deletes sent for an owner whose effect the pod cache has not shown yet: until it
// has (or the deadline passed), reconciling the owner again would count the old pods and act
// twice. Kubernetes' ControllerExpectations.
struct expectations {
  int adds = 0;
  std::set<std::string> deletes;  // pod cache keys
  int64_t deadline_ms = 0;
  bool satisfied(int64_t now) const { return (adds <= 0 && deletes.empty()) || now > deadline_ms; }
};

const std::string& uid_of(const google::protobuf::Message& object) {
  return messages::metadata_of(object)->uid();
}

const messages::kind_info& kind_of(replica_kind kind) {
  return *messages::find_kind(kind == replica_kind::replica_set
                                  ? messages::ReplicaSet::descriptor()
                                  : messages::ReplicationController::descriptor());
}

// The status fields both kinds share, from compute_status.
template <class Status>
bool write_status(Status& status, const replica_status& computed) {
  Status before = status;
  status.set_replicas(computed.replicas);
  status.set_fully_labeled_replicas(computed.fully_labeled);
  status.set_ready_replicas(computed.ready);
  status.set_available_replicas(computed.available);
  status.set_observed_generation(computed.observed_generation);
  return before.SerializeAsString() != status.SerializeAsString();
}

struct replication_state {
  static inline const char* name = "replication-controller";

  caf::stateful_actor<replication_state>* self = nullptr;
  controller_context context;
  replica_kind which = replica_kind::replica_set;
  std::unique_ptr<informer> owners;
  std::unique_ptr<informer> pods;
  std::unique_ptr<work_queue> queue;
  std::unique_ptr<event_recorder> events;
  std::map<std::string, expectations> expected;  // by owner cache key
  // Owners held back (see reconcile), by key: until when, and whether a change asked for them.
  std::map<std::string, std::pair<int64_t, bool>> quiet_until;

  const messages::kind_info& kind() const { return kind_of(which); }

  void start() {
    queue = std::make_unique<work_queue>(self);
    events = context.recorder(self, which == replica_kind::replica_set ? "replicaset-controller"
                                                                       : "replication-controller");
    owners =
        std::make_unique<informer>(self, context.informers(), kind(), owners_tag,
                                   [this](const object_ptr& before, const object_ptr& after) {
                                     const auto& object = after ? *after : *before;
                                     auto key = cache_key(object);
                                     // Expectations belong to one object, not to its
                                     // name: a relist may show a deleted and re-created
                                     // owner as one change, and the new one must not
                                     // wait for the old one's pods.
                                     if (!after || (before && uid_of(*before) != uid_of(*after)))
                                       expected.erase(key);
                                     queue->add(key);
                                   });
    pods = std::make_unique<informer>(
        self, context.informers(), *messages::find_kind(Pod::descriptor()), pods_tag,
        [this](const object_ptr& before, const object_ptr& after) { on_pod(before, after); });
    // Owners are reconciled only once both caches hold a full list.
    owners->start([this] { pods->start([this] { enqueue_all(); }); });
  }

  void enqueue_all() {
    for (const auto& key : owners->keys())
      queue->add(key);
  }

  // The owners a pod change concerns: its controller, if of this kind; else, for an orphan,
  // every owner in its namespace whose selector matches it (Kubernetes' getPodReplicaSets).
  void on_pod(const object_ptr& before, const object_ptr& after) {
    const auto* now = static_cast<const Pod*>(after.get());
    const auto* old = static_cast<const Pod*>(before.get());
    const std::string pod_key = cache_key(now ? *now : *old);
    for (const Pod* pod : {old, now}) {
      if (pod == nullptr) continue;
      if (const auto* ref = controller_of(pod->metadata())) {
        if (ref->kind() != kind().kind) continue;
        auto owner_key = pod->metadata().namespace_() + "/" + ref->name();
        auto owner = owners->find(owner_key);
        if (!owner || messages::metadata_of(*owner)->uid() != ref->uid()) continue;
        observe(owner_key, old, now, pod_key);
        queue->add(owner_key);
      } else if (pod == now) {
        for (const auto& owner : owners->in_namespace(pod->metadata().namespace_()))
          if (selects(*owner, *pod)) queue->add(cache_key(*owner));
      }
    }
  }

  replica_owner_read read_owner(const google::protobuf::Message& object) const {
    return which == replica_kind::replica_set
               ? owner_of(static_cast<const messages::ReplicaSet&>(object))
               : owner_of(static_cast<const messages::ReplicationController&>(object));
  }

  bool selects(const google::protobuf::Message& owner, const Pod& pod) const {
    auto read = read_owner(owner);
    return read.value && read.value->selector.matches(pod.metadata().labels());
  }

  // Lowers the owner's expectations by what the pod change shows.
  void observe(const std::string& owner_key, const Pod* old, const Pod* now,
               const std::string& pod_key) {
    auto it = expected.find(owner_key);
    if (it == expected.end()) return;
    if (old == nullptr && now != nullptr) --it->second.adds;
    if (now == nullptr || now->metadata().has_deletion_timestamp())
      it->second.deletes.erase(pod_key);
  }

  // A reconcile reads the summaries of the owner's pods (pod_summary.hpp): about 7 ms for
  // 10,000 on an idle core. While a large rollout's pods change, the owner is asked for on
  // every change; a pass that only refreshed the status (it created, deleted, adopted and
  // released nothing, and waits for no write to show) and still took 5 ms or more holds its
  // owner back for nine times as long as it took, so that status churn costs at most a tenth of
  // a core. Passes that act are never held back. The changes meanwhile are not lost: the owner
  // is queued again when its quiet time ends.
  void reconcile(const std::string& key) {
    const int64_t start = context.now_ms();
    if (auto it = quiet_until.find(key); it != quiet_until.end()) {
      auto& [until, asked] = it->second;
      if (start < until) {
        // Asked for during its quiet time: once, when the time ends.
        if (!asked) queue->add_after(key, std::chrono::milliseconds(until - start));
        asked = true;
        return;
      }
      quiet_until.erase(it);
    }
    const bool acted = reconcile_now(key);
    const int64_t took = context.now_ms() - start;
    // Writes still unseen (expectations) mean a burst is under way: its next step must not wait.
    if (!acted && !expected.count(key) && took >= min_costly_reconcile_ms)
      quiet_until[key] = {start + 10 * took, false};
  }

  // True when the pass wrote pods (creates, deletes, adoptions, releases).
  bool reconcile_now(const std::string& key) {
    auto object = owners->find(key);
    if (!object) return false;
    const int64_t now = context.now_ms();
    auto read = read_owner(*object);
    if (!read.value) return false;  // validation keeps such owners out; nothing sensible to do
    const replica_owner& owner = *read.value;
    auto held = pods->claimable_pods(owner.uid, owner.ns, owner.selector);
    std::vector<const pod_summary*> candidates;
    candidates.reserve(held.size());
    for (const auto& p : held)
      candidates.push_back(p.get());
    bool acted = false;
    auto it = expected.find(key);
    if (it == expected.end() || it->second.satisfied(now)) {
      if (it != expected.end()) expected.erase(it);
      acted = act(key, *object, owner, controllers::reconcile(owner, candidates, now));
    }
    update_status(*object, compute_status(owner, candidates, now), key);
    return acted;
  }

  // Carries out `actions`; true when there were any.
  bool act(const std::string& key, const google::protobuf::Message& object,
           const replica_owner& owner, replica_actions actions) {
    // The cache may have moved on since the summaries were read: each pod is checked again as
    // it is now, and written with that version's resourceVersion as the precondition.
    for (const auto& name : actions.adopt_names)
      if (auto pod = pods->get<Pod>(owner.ns + "/" + name))
        if (auto adopted = adopted_pod(owner, *pod)) write_pod(*adopted);
    for (const auto& name : actions.release_names)
      if (auto pod = pods->get<Pod>(owner.ns + "/" + name))
        if (auto released = released_pod(owner, *pod)) write_pod(*released);
    if (actions.create.empty() && actions.delete_names.empty())
      return !actions.adopt_names.empty() || !actions.release_names.empty();
    auto& wait = expected[key];
    wait.deadline_ms = context.now_ms() + expectations_timeout_ms;
    wait.adds = static_cast<int>(actions.create.size());
    // Expectations that are never met (the effect of a write never showed in the cache) hold
    // the owner only until their deadline, and only if something brings it back here then:
    // this does, else a quiet owner stayed off its replicas for good.
    queue->add_after(key, std::chrono::milliseconds(expectations_timeout_ms + 1));
    std::shared_ptr<const google::protobuf::Message> keep(object.New());
    const_cast<google::protobuf::Message&>(*keep).CopyFrom(object);
    for (auto& pod : actions.create) {
      ApiRequest request = pod_request(ApiRequest::CREATE, owner.ns, "");
      request.set_object(pod.SerializeAsString());
      self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
          .then(
              [this, keep](messages::ApiResponse& response) {
                Pod created;
                if (created.ParseFromString(response.object()))
                  events->normal(*keep, "SuccessfulCreate",
                                 "Created pod: " + created.metadata().name());
              },
              [this, key, keep](caf::error& e) {
                if (auto it = expected.find(key); it != expected.end()) --it->second.adds;
                events->warning(*keep, "FailedCreate",
                                "Error creating: " + messages::message_of(e));
                queue->add_after(key, std::chrono::seconds(1));
              });
    }
    for (const auto& name : actions.delete_names) {
      const std::string pod_key = owner.ns + "/" + name;
      wait.deletes.insert(pod_key);
      self->request(context.gateway, request_timeout, atoms::api_atom_v,
                    pod_request(ApiRequest::DELETE, owner.ns, name))
          .then(
              [this, keep, name](messages::ApiResponse&) {
                events->normal(*keep, "SuccessfulDelete", "Deleted pod: " + name);
              },
              [this, key, pod_key](caf::error&) {
                if (auto it = expected.find(key); it != expected.end())
                  it->second.deletes.erase(pod_key);
                queue->add_after(key, std::chrono::seconds(1));
              });
    }
    return true;
  }

  static ApiRequest pod_request(ApiRequest::Verb verb, const std::string& ns,
                                const std::string& name) {
    ApiRequest request;
    request.set_verb(verb);
    request.set_resource("pods");
    request.set_namespace_(ns);
    request.set_name(name);
    return request;
  }

  // Adoption and release: an update with the pod's resourceVersion as the precondition; a
  // conflict means the pod changed, and its watch event brings the owner back here.
  void write_pod(const Pod& pod) {
    ApiRequest request =
        pod_request(ApiRequest::UPDATE, pod.metadata().namespace_(), pod.metadata().name());
    request.set_object(pod.SerializeAsString());
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([](messages::ApiResponse&) {}, [](caf::error&) {});
  }

  void update_status(const google::protobuf::Message& object, const replica_status& computed,
                     const std::string& key) {
    std::unique_ptr<google::protobuf::Message> updated(object.New());
    updated->CopyFrom(object);
    bool changed = false;
    if (auto* rs = dynamic_cast<messages::ReplicaSet*>(updated.get()))
      changed = write_status(*rs->mutable_status(), computed);
    else if (auto* rc = dynamic_cast<messages::ReplicationController*>(updated.get()))
      changed = write_status(*rc->mutable_status(), computed);
    if (computed.recheck_at_ms)
      queue->add_after(key, std::chrono::milliseconds(
                                std::max<int64_t>(1, *computed.recheck_at_ms - context.now_ms())));
    if (!changed) return;
    const auto& meta = *messages::metadata_of(*updated);
    ApiRequest request;
    request.set_verb(ApiRequest::UPDATE_STATUS);
    request.set_group(std::string(kind().group));
    request.set_resource(std::string(kind().resource));
    request.set_namespace_(meta.namespace_());
    request.set_name(meta.name());
    request.set_object(updated->SerializeAsString());
    // A conflict means the owner changed, and not_found that it is gone: their watch events
    // queue it again. Any other failure (no leader, a lost reply) comes with no event, and
    // the status would stay stale until something else touched the owner.
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([](messages::ApiResponse&) {},
              [this, key](caf::error& e) {
                if (!messages::is_error(e, messages::errc::conflict) &&
                    !messages::is_error(e, messages::errc::not_found))
                  queue->add_after(key, std::chrono::seconds(1));
              });
  }
};

caf::behavior replication_controller(caf::stateful_actor<replication_state>* self,
                                     controller_context context, replica_kind which) {
  auto& st = self->state;
  st.self = self;
  st.context = std::move(context);
  st.which = which;
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
    return std::vector<informer*>{st.owners.get(), st.pods.get()};
  }));
}

}  // namespace

caf::actor spawn_replication_controller(caf::actor_system& system, controller_context context,
                                        replica_kind kind) {
  return system.spawn(replication_controller, std::move(context), kind);
}

}  // namespace troupe::actors::controllers
