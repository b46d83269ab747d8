#include "actors/controllers/informer_hub.hpp"

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"

namespace troupe::actors::controllers {
namespace {

// One list+watch and who receives it.
struct stream {
  std::unique_ptr<informer> cache;
  std::vector<std::pair<caf::actor, uint64_t>> subscribers;  // (actor, its tag)
  informer_delta pending;                                    // changes not yet sent
  bool flush_queued = false;
};

// A delta keeps each change's parses (shared by every subscriber) up to this many changes;
// beyond, as in a relist of every pod, it carries bytes, so that no message ever holds a parse
// of every object (a parsed Pod is about 3.6 KB, its bytes about 300).
constexpr std::size_t keep_parsed_up_to = 1024;

struct hub_state {
  static inline const char* name = "informer-hub";

  caf::stateful_actor<hub_state>* self = nullptr;
  gateway_actor gateway;
  // By (resource, group, field selector); the stream's tag is its index in `tags`.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> by_key;
  std::vector<std::unique_ptr<stream>> tags;

  void subscribe(const std::string& resource, const std::string& group, const std::string& selector,
                 caf::actor subscriber, uint64_t tag) {
    const messages::kind_info* kind = messages::find_resource(resource);
    if (kind == nullptr || kind->group != group) return;  // no such kind: nothing will come
    auto [it, fresh] = by_key.try_emplace({resource, group, selector}, tags.size());
    if (fresh) start_stream(*kind, selector);
    stream& s = *tags[it->second];
    self->monitor(subscriber);
    if (s.cache->synced()) {
      // The others get the changes not yet sent first: the newcomer's snapshot includes them,
      // and everything after it reaches everyone alike.
      flush(it->second);
      informer_delta all;
      all.cache = s.cache->cache();
      all.synced = true;
      for (auto& key : all.cache->keys()) {
        auto bytes = all.cache->bytes(key);
        all.changes.push_back({std::move(key), nullptr, std::move(bytes), nullptr, nullptr});
      }
      self->send(subscriber, atoms::informer_delta_atom_v, tag, std::move(all));
    }
    s.subscribers.emplace_back(std::move(subscriber), tag);
  }

  void start_stream(const messages::kind_info& kind, const std::string& selector) {
    const uint64_t id = tags.size();
    auto s = std::make_unique<stream>();
    stream* raw = s.get();
    s->cache = std::make_unique<informer>(
        self, gateway, kind, id,
        [this, raw, id](const object_ptr& before, const object_ptr& after) {
          auto key = cache_key(after ? *after : *before);
          auto& changes = raw->pending.changes;
          if (changes.size() < keep_parsed_up_to) {
            changes.push_back({std::move(key), nullptr, nullptr, before, after});
          } else {
            // A relist's worth of changes: bytes only, parsed by each subscriber in turn.
            auto after_bytes = after ? raw->cache->cache()->bytes(key) : nullptr;
            auto before_bytes =
                before ? std::make_shared<const std::string>(before->SerializeAsString()) : nullptr;
            changes.push_back({std::move(key), std::move(before_bytes), std::move(after_bytes),
                               nullptr, nullptr});
          }
          queue_flush(*raw, id);
        },
        selector);
    tags.push_back(std::move(s));
    raw->cache->start([this, raw, id] {
      raw->pending.synced = true;
      queue_flush(*raw, id);
    });
  }

  // A change batch goes out once the handler that made it is done: all changes of one watch
  // message or one list travel together.
  void queue_flush(stream& s, uint64_t id) {
    if (s.flush_queued) return;
    s.flush_queued = true;
    self->send(self, atoms::flush_atom_v, id);
  }

  void flush(uint64_t id) {
    if (id >= tags.size()) return;
    stream& s = *tags[id];
    s.flush_queued = false;
    if (s.pending.changes.empty() && !s.pending.synced) return;
    informer_delta out = std::move(s.pending);
    s.pending = {};
    out.cache = s.cache->cache();
    for (const auto& [subscriber, tag] : s.subscribers)
      self->send(subscriber, atoms::informer_delta_atom_v, tag, out);
  }

  void drop(const caf::actor_addr& who) {
    for (auto& s : tags)
      std::erase_if(s->subscribers, [&](const auto& sub) { return sub.first.address() == who; });
  }

  std::vector<informer*> informers() {
    std::vector<informer*> out;
    for (auto& s : tags)
      out.push_back(s->cache.get());
    return out;
  }
};

caf::behavior informer_hub(caf::stateful_actor<hub_state>* self, gateway_actor gateway) {
  self->state.self = self;
  self->state.gateway = std::move(gateway);
  self->set_down_handler([self](caf::down_msg& msg) { self->state.drop(msg.source); });
  caf::message_handler own{
      [self](atoms::subscribe_atom, std::string& resource, std::string& group,
             std::string& selector, caf::actor& subscriber, uint64_t tag) {
        self->state.subscribe(resource, group, selector, std::move(subscriber), tag);
      },
      [self](atoms::flush_atom, uint64_t id) { self->state.flush(id); },
  };
  return own.or_else(informer_messages([self] { return self->state.informers(); }));
}

}  // namespace

caf::actor spawn_informer_hub(caf::actor_system& system, gateway_actor gateway) {
  return system.spawn(informer_hub, std::move(gateway));
}

}  // namespace troupe::actors::controllers
