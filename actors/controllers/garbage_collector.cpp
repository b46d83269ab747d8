#include "actors/controllers/garbage_collector.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/informer.hpp"
#include "actors/controllers/work_queue.hpp"
#include "actors/gateway/subresources.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::actors::controllers {
namespace {

using google::protobuf::Message;
using messages::ApiRequest;
constexpr auto request_timeout = std::chrono::seconds(30);

// The kinds watched, by informer tag (its index here). Owners: Deployment, ReplicaSet,
// ReplicationController. Dependents: ReplicaSet, Pod.
const messages::kind_info& watched(std::size_t i) {
  static const std::array<const messages::kind_info*, 4> kinds = {
      messages::find_kind(messages::Deployment::descriptor()),
      messages::find_kind(messages::ReplicaSet::descriptor()),
      messages::find_kind(messages::ReplicationController::descriptor()),
      messages::find_kind(messages::Pod::descriptor()),
  };
  return *kinds[i];
}
constexpr std::size_t kinds_watched = 4;
bool is_owner_kind(std::size_t i) {
  return i < 3;
}
bool is_dependent_kind(std::size_t i) {
  return i == 1 || i == 3;
}

const messages::kind_info* owner_kind(std::string_view kind) {
  for (std::size_t i = 0; i < kinds_watched; ++i)
    if (is_owner_kind(i) && watched(i).kind == kind) return &watched(i);
  return nullptr;
}

// Queue keys: "<tag>|<cache key>".
std::string queue_key(std::size_t tag, const std::string& key) {
  return std::to_string(tag) + "|" + key;
}

ApiRequest request_on(ApiRequest::Verb verb, const messages::kind_info& kind,
                      const messages::ObjectMeta& meta) {
  ApiRequest r;
  r.set_verb(verb);
  r.set_group(std::string(kind.group));
  r.set_resource(std::string(kind.resource));
  r.set_namespace_(meta.namespace_());
  r.set_name(meta.name());
  return r;
}

bool has_finalizer(const messages::ObjectMeta& meta, std::string_view name) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), name) !=
         meta.finalizers().end();
}

struct collector_state {
  static inline const char* name = "garbage-collector";

  caf::stateful_actor<collector_state>* self = nullptr;
  controller_context context;
  std::array<std::unique_ptr<informer>, kinds_watched> caches;
  std::unordered_map<std::string, object_ptr> owners_by_uid;
  std::unique_ptr<work_queue> queue;
  std::size_t synced = 0;

  void start() {
    queue = std::make_unique<work_queue>(self);
    for (std::size_t i = 0; i < kinds_watched; ++i) {
      caches[i] =
          std::make_unique<informer>(self, context.informers(), watched(i), i,
                                     [this, i](const object_ptr& before, const object_ptr& after) {
                                       on_change(i, before, after);
                                     });
    }
    for (auto& cache : caches)
      cache->start([this] {
        if (++synced == kinds_watched)
          for (std::size_t i = 0; i < kinds_watched; ++i)
            for (const auto& key : caches[i]->keys())
              queue->add(queue_key(i, key));
      });
  }

  void on_change(std::size_t tag, const object_ptr& before, const object_ptr& after) {
    const auto& meta = *messages::metadata_of(after ? *after : *before);
    if (is_owner_kind(tag)) {
      if (after)
        owners_by_uid[meta.uid()] = after;
      else
        owners_by_uid.erase(meta.uid());
      // Its dependents may now be orphans, or be waiting for it (foreground, orphan).
      enqueue_dependents(meta);
    }
    if (is_dependent_kind(tag)) {
      // An owner being deleted waits for its dependents to go (foreground) or to let go of it
      // (orphan): each change of theirs may be the last it waits for. Without this the owner
      // was looked at again only if something else touched it, and a Deployment deleted in
      // the foreground kept its finalizer forever once its last ReplicaSet was gone.
      if (before) enqueue_owners_being_deleted(*messages::metadata_of(*before));
      if (after) enqueue_owners_being_deleted(*messages::metadata_of(*after));
    }
    queue->add(queue_key(tag, cache_key(after ? *after : *before)));
  }

  void enqueue_owners_being_deleted(const messages::ObjectMeta& dependent) {
    for (const auto& ref : dependent.owner_references()) {
      auto it = owners_by_uid.find(ref.uid());
      if (it == owners_by_uid.end()) continue;
      const auto& owner = *it->second;
      if (!messages::metadata_of(owner)->has_deletion_timestamp()) continue;
      for (std::size_t i = 0; i < kinds_watched; ++i)
        if (watched(i).descriptor() == owner.GetDescriptor())
          queue->add(queue_key(i, cache_key(owner)));
    }
  }

  void enqueue_dependents(const messages::ObjectMeta& owner) {
    for (std::size_t i = 0; i < kinds_watched; ++i)
      for (const auto& d : dependents_of(i, owner))
        queue->add(queue_key(i, cache_key(*d)));
  }

  std::vector<object_ptr> dependents_of(const messages::ObjectMeta& owner) {
    std::vector<object_ptr> out;
    for (std::size_t i = 0; i < kinds_watched; ++i)
      for (auto& d : dependents_of(i, owner))
        out.push_back(std::move(d));
    return out;
  }

  // The objects of kind `tag` in the owner's namespace with an ownerReference to it.
  std::vector<object_ptr> dependents_of(std::size_t tag, const messages::ObjectMeta& owner) {
    if (!is_dependent_kind(tag)) return {};
    auto out = caches[tag]->indexed(by::owner, owner.uid());
    std::erase_if(out, [&](const object_ptr& d) {
      return messages::metadata_of(*d)->namespace_() != owner.namespace_();
    });
    return out;
  }

  void process(const std::string& key) {
    if (synced < kinds_watched) return;
    const auto bar = key.find('|');
    const std::size_t tag = std::stoul(key.substr(0, bar));
    auto object = caches[tag]->find(key.substr(bar + 1));
    if (!object) return;
    const auto& meta = *messages::metadata_of(*object);
    // Any kind, not only the owner kinds: the collector deletes the dependents of a
    // foreground deletion in the foreground too, so a pod may carry foregroundDeletion as
    // well (or a user asked for it), and only the collector ever removes that finalizer.
    // Without this, such a pod, and its owners up the chain, stayed Terminating forever.
    if (meta.has_deletion_timestamp()) finish_owner(tag, object);
    if (is_dependent_kind(tag) && meta.owner_references_size() > 0 &&
        !meta.has_deletion_timestamp())
      check_owners(tag, object);
  }

  // Foreground and orphan deletion of an object that is being deleted: handles its
  // dependents, then removes the finalizer once they are gone (at once when it has none).
  void finish_owner(std::size_t tag, const object_ptr& owner) {
    const auto& meta = *messages::metadata_of(*owner);
    const bool orphan = has_finalizer(meta, gateway::orphan_finalizer);
    const bool foreground = has_finalizer(meta, gateway::foreground_finalizer);
    if (!orphan && !foreground) return;
    auto dependents = dependents_of(meta);
    for (const auto& d : dependents) {
      const auto& dm = *messages::metadata_of(*d);
      const auto& kind = *messages::find_kind(d->GetDescriptor());
      if (orphan) {
        std::shared_ptr<Message> released(d->New());
        released->CopyFrom(*d);
        auto* refs = messages::metadata_of(*released)->mutable_owner_references();
        refs->erase(std::remove_if(refs->begin(), refs->end(),
                                   [&](const auto& r) { return r.uid() == meta.uid(); }),
                    refs->end());
        auto request = request_on(ApiRequest::UPDATE, kind, dm);
        request.set_object(released->SerializeAsString());
        send(std::move(request), queue_key(tag, cache_key(*owner)));
      } else if (!dm.has_deletion_timestamp()) {
        auto request = request_on(ApiRequest::DELETE, kind, dm);
        request.set_propagation_policy("Foreground");
        send(std::move(request), queue_key(tag, cache_key(*owner)));
      }
    }
    // Foreground waits for the dependents to be gone; orphaning for the references to be.
    if (!dependents.empty()) return;
    std::shared_ptr<Message> done(owner->New());
    done->CopyFrom(*owner);
    auto* finalizers = messages::metadata_of(*done)->mutable_finalizers();
    finalizers->erase(std::remove_if(finalizers->begin(), finalizers->end(),
                                     [](const std::string& f) {
                                       return f == gateway::orphan_finalizer ||
                                              f == gateway::foreground_finalizer;
                                     }),
                      finalizers->end());
    auto request = request_on(ApiRequest::UPDATE, watched(tag), meta);
    request.set_object(done->SerializeAsString());
    send(std::move(request), queue_key(tag, cache_key(*owner)));
  }

  // Background deletion: a dependent whose every owner is gone goes too. An owner missing from
  // the cache is looked up by name first (the cache may be behind a new owner).
  void check_owners(std::size_t tag, const object_ptr& dependent) {
    const auto& meta = *messages::metadata_of(*dependent);
    std::vector<messages::OwnerReference> unknown;
    for (const auto& ref : meta.owner_references()) {
      if (owners_by_uid.count(ref.uid())) return;     // an owner lives
      if (owner_kind(ref.kind()) == nullptr) return;  // not ours to judge
      unknown.push_back(ref);
    }
    auto remaining = std::make_shared<std::size_t>(unknown.size());
    auto alive = std::make_shared<bool>(false);
    for (const auto& ref : unknown) {
      const auto& kind = *owner_kind(ref.kind());
      messages::ObjectMeta owner_meta;
      owner_meta.set_namespace_(meta.namespace_());
      owner_meta.set_name(ref.name());
      auto uid = ref.uid();
      self->request(context.gateway, request_timeout, atoms::api_atom_v,
                    request_on(ApiRequest::GET, kind, owner_meta))
          .then(
              [this, &kind, uid, remaining, alive, tag, dependent](messages::ApiResponse& r) {
                auto owner = kind.new_object();
                if (owner->ParseFromString(r.object()) &&
                    messages::metadata_of(*owner)->uid() == uid)
                  *alive = true;
                if (--*remaining == 0 && !*alive) remove(tag, dependent);
              },
              [this, remaining, alive, tag, dependent](caf::error& e) {
                if (!messages::is_error(e, messages::errc::not_found)) *alive = true;
                if (--*remaining == 0 && !*alive) remove(tag, dependent);
              });
    }
  }

  void remove(std::size_t tag, const object_ptr& dependent) {
    const auto& meta = *messages::metadata_of(*dependent);
    auto request = request_on(ApiRequest::DELETE, watched(tag), meta);
    request.set_resource_version(meta.resource_version());
    send(std::move(request), queue_key(tag, cache_key(*dependent)));
  }

  // A write whose failure (a conflict with a newer version) retries the key later.
  void send(ApiRequest request, std::string retry_key) {
    self->request(context.gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([](messages::ApiResponse&) {},
              [this, retry_key](caf::error& e) {
                if (!messages::is_error(e, messages::errc::not_found))
                  queue->add_after(retry_key, std::chrono::milliseconds(500));
              });
  }
};

caf::behavior garbage_collector(caf::stateful_actor<collector_state>* self,
                                controller_context context) {
  self->state.self = self;
  self->state.context = std::move(context);
  self->state.start();
  caf::message_handler own{
      [self](atoms::flush_atom) {
        auto& st = self->state;
        st.queue->drain([&st](const std::string& key) { st.process(key); });
      },
      [self](atoms::retry_atom, std::string& key) { self->state.queue->add(key); },
  };
  return own.or_else(informer_messages([self] {
    std::vector<informer*> all;
    for (auto& cache : self->state.caches)
      all.push_back(cache.get());
    return all;
  }));
}

}  // namespace

caf::actor spawn_garbage_collector(caf::actor_system& system, controller_context context) {
  return system.spawn(garbage_collector, std::move(context));
}

}  // namespace troupe::actors::controllers
