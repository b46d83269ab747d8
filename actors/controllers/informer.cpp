#include "actors/controllers/informer.hpp"

#include <chrono>
#include <set>

#include <caf/send.hpp>

#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/meta.pb.h"
#include "messages/proto/store.pb.h"

namespace troupe::actors::controllers {
namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
// After a failed list, wait this long before listing again.
constexpr auto relist_delay = std::chrono::milliseconds(200);

}  // namespace

std::string cache_key(const google::protobuf::Message& object) {
  const auto* meta = messages::metadata_of(object);
  if (meta == nullptr) return {};
  return meta->namespace_().empty() ? meta->name() : meta->namespace_() + "/" + meta->name();
}

informer::informer(caf::event_based_actor* self, informer_source source,
                   const messages::kind_info& kind, uint64_t tag, change_handler on_change,
                   std::string field_selector)
    : self_(self),
      gateway_(std::move(source.gateway)),
      hub_(std::move(source.hub)),
      kind_(kind),
      tag_(tag),
      on_change_(std::move(on_change)),
      field_selector_(std::move(field_selector)) {
  if (!hub_) {
    own_ = std::make_shared<object_cache>(kind_);
    cache_ = own_;
  }
}

informer::~informer() {
  if (watch_id_ != 0) caf::anon_send(gateway_, atoms::unwatch_atom_v, watch_id_);
}

void informer::start(std::function<void()> on_synced) {
  on_synced_ = std::move(on_synced);
  if (hub_)
    self_->send(hub_, atoms::subscribe_atom_v, std::string(kind_.resource),
                std::string(kind_.group), field_selector_, caf::actor_cast<caf::actor>(self_),
                tag_);
  else
    list();
}

bool informer::on_delta(uint64_t tag, const informer_delta& delta) {
  if (tag != tag_) return false;
  if (!cache_) cache_ = delta.cache;
  auto parsed = [this](const object_ptr& kept, const object_bytes& bytes) {
    return kept || !bytes ? kept : cache_->parse(*bytes);
  };
  for (const auto& change : delta.changes) {
    auto before = parsed(change.before, change.before_bytes);
    auto after = parsed(change.after, change.after_bytes);
    if (before || after) on_change_(before, after);
  }
  if (delta.synced && !synced_) {
    synced_ = true;
    if (on_synced_) on_synced_();
  }
  return true;
}

object_ptr informer::find(const std::string& key) const {
  return cache_ ? cache_->find(key) : nullptr;
}

std::vector<std::string> informer::keys() const {
  return cache_ ? cache_->keys() : std::vector<std::string>{};
}

std::vector<object_ptr> informer::in_namespace(const std::string& ns) const {
  return cache_ ? cache_->in_namespace(ns) : std::vector<object_ptr>{};
}

std::vector<object_ptr> informer::indexed(std::string_view index, const std::string& value) const {
  return cache_ ? cache_->indexed(index, value) : std::vector<object_ptr>{};
}

std::vector<pod_summary_ptr> informer::claimable_pods(
    const std::string& owner_uid, const std::string& ns,
    const messages::label_selector& selector) const {
  return cache_ ? cache_->claimable_pods(owner_uid, ns, selector) : std::vector<pod_summary_ptr>{};
}

void informer::list() {
  const uint64_t generation = ++generation_;
  if (watch_id_ != 0) {
    caf::anon_send(gateway_, atoms::unwatch_atom_v, watch_id_);
    watch_id_ = 0;
  }
  messages::ApiRequest request;
  request.set_verb(messages::ApiRequest::LIST);
  request.set_group(std::string(kind_.group));
  request.set_resource(std::string(kind_.resource));
  request.set_field_selector(field_selector_);
  self_->request(gateway_, request_timeout, atoms::api_atom_v, request)
      .then(
          [this, generation](messages::ApiResponse& response) {
            if (generation != generation_) return;
            // The list replaces the cache: what it lacks was deleted meanwhile. Each item is
            // parsed, applied and dropped in turn, so a list of every pod never exists parsed.
            std::set<std::string> listed;
            for (const auto& item : response.items()) {
              auto object = own_->parse(item);
              if (!object) continue;
              auto key = cache_key(*object);
              listed.insert(key);
              apply(key, std::make_shared<const std::string>(item), std::move(object));
            }
            for (const auto& key : own_->keys())
              if (!listed.count(key)) apply(key, nullptr, nullptr);
            watch_from(response.resource_version());
            if (!synced_) {
              synced_ = true;
              if (on_synced_) on_synced_();
            }
          },
          [this, generation](caf::error&) {
            if (generation != generation_) return;
            self_->delayed_send(self_, relist_delay, atoms::watch_end_atom_v, tag_, caf::error{});
          });
}

void informer::watch_from(const std::string& revision) {
  const uint64_t generation = generation_;
  messages::ApiRequest request;
  request.set_verb(messages::ApiRequest::LIST);
  request.set_group(std::string(kind_.group));
  request.set_resource(std::string(kind_.resource));
  request.set_field_selector(field_selector_);
  request.set_resource_version(revision);
  self_
      ->request(gateway_, request_timeout, atoms::watch_atom_v, request,
                caf::actor_cast<caf::actor>(self_), tag_)
      .then(
          [this, generation](uint64_t id) {
            if (generation == generation_)
              watch_id_ = id;
            else
              caf::anon_send(gateway_, atoms::unwatch_atom_v, id);
          },
          [this, generation](caf::error&) {
            if (generation == generation_) list();
          });
}

bool informer::on_events(uint64_t tag, std::vector<messages::WatchEvent>& events) {
  if (tag != tag_) return false;
  for (auto& event : events) {
    auto object = own_->parse(event.value());
    if (!object) continue;
    auto key = cache_key(*object);
    if (event.type() == messages::WatchEvent::DELETED)
      apply(key, nullptr, nullptr);
    else
      apply(key, std::make_shared<const std::string>(std::move(*event.mutable_value())),
            std::move(object));
  }
  return true;
}

bool informer::on_end(uint64_t tag, const caf::error&) {
  if (tag != tag_) return false;
  // Whatever ended it (a dead server, a compacted revision, a failed list), a new list
  // brings the cache up to date without losing a change.
  watch_id_ = 0;
  list();
  return true;
}

void informer::apply(const std::string& key, object_bytes bytes, object_ptr after) {
  auto held = own_->bytes(key);
  if (!held && !after) return;
  if (held && bytes && *held == *bytes) return;  // a relist's unchanged object
  object_ptr before = held ? own_->find(key) : nullptr;
  if (before && after &&
      messages::metadata_of(*before)->resource_version() ==
          messages::metadata_of(*after)->resource_version())
    return;
  own_->put(key, before, bytes, after);
  if (before || after) on_change_(before, after);
}

caf::message_handler informer_messages(std::function<std::vector<informer*>()> informers) {
  return {
      [informers](atoms::watch_events_atom, uint64_t tag,
                  std::vector<messages::WatchEvent>& events) {
        for (informer* i : informers())
          if (i != nullptr && i->on_events(tag, events)) return;
      },
      [informers](atoms::watch_end_atom, uint64_t tag, caf::error& why) {
        for (informer* i : informers())
          if (i != nullptr && i->on_end(tag, why)) return;
      },
      [informers](atoms::informer_delta_atom, uint64_t tag, const informer_delta& delta) {
        for (informer* i : informers())
          if (i != nullptr && i->on_delta(tag, delta)) return;
      },
  };
}

}  // namespace troupe::actors::controllers
