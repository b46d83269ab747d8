#include "tests/support/sim_store.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <utility>

#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/store_serving.hpp"
#include "messages/errc.hpp"

namespace troupe::test_support {
namespace {

using messages::errc;

// How often the event log is compacted, and what it keeps: short enough that a watcher
// which fell behind during a fault meets `gone` for real.
constexpr auto compact_every = std::chrono::seconds(5);

struct sim_store_state {
  static inline const char* name = "sim-store";

  sim_store_actor::stateful_pointer<sim_store_state> self = nullptr;
  sim_store_shared* shared = nullptr;
  actors::store_watches watches{1};

  const store::object_store& objects() const { return *shared->objects; }

  caf::error unavailable() const {
    return caf::make_error(errc::unavailable, "no leader: the cluster is electing one");
  }

  caf::result<messages::StoreResult> on_propose(uint64_t epoch, messages::StoreCommand& command) {
    if (epoch != 0 && epoch != shared->epoch) {
      ++shared->fenced_writes;
      return caf::make_error(errc::not_leader, "");
    }
    if (!shared->leading) return unavailable();
    command.set_proposed_at_ms(shared->unix_ms());
    const uint64_t index = objects().applied_index() + 1;
    auto applied = shared->objects->apply(index, command);
    if (!applied.ok()) return actors::to_error(applied.error());
    shared->writes.push_back({index, epoch, shared->epoch});
    watches.pump_all(objects());
    return std::move(applied->result);
  }

  caf::result<messages::StoredObject> on_get(const std::string& key, bool serializable) {
    if (!serializable && !shared->leading) return unavailable();
    auto object = objects().get(key);
    if (!object.ok()) return actors::to_error(object.error());
    return std::move(*object);
  }

  caf::result<std::vector<std::string>, std::vector<messages::StoredObject>, uint64_t, std::string>
  on_list(const std::string& prefix, uint64_t limit, const std::string& token, bool serializable) {
    if (!serializable && !shared->leading) return unavailable();
    auto page = actors::read_list_page(objects(), prefix, limit, token);
    if (!page) return std::move(page.error());
    return caf::make_result(std::move(page->keys), std::move(page->objects), page->revision,
                            std::move(page->continue_token));
  }

  caf::result<uint64_t> on_watch(std::string& prefix, uint64_t after, caf::actor& subscriber,
                                 uint64_t tag) {
    auto id = watches.add(objects(), std::move(prefix), after, subscriber, tag);
    if (!id) return std::move(id.error());
    self->monitor(subscriber);
    return *id;
  }

  void on_drop_watch(uint64_t pick, const caf::error& why) {
    auto ids = watches.ids();
    if (ids.empty()) return;
    ++shared->watches_dropped;
    watches.end(ids[pick % ids.size()], why);
  }

  void on_compact() {
    auto compacted = shared->objects->compact(shared->unix_ms());
    if (!compacted.ok()) {
      // A broken invariant of the store itself, not a fault the simulation injected.
      std::cerr << "sim store: compaction failed: " << compacted.error().to_string() << "\n";
      std::abort();
    }
    if (compacted->dropped_events > 0) ++shared->compactions;
    // A watch behind the compacted revision ends with gone when it is next pumped.
    watches.pump_all(objects());
    self->delayed_send(self, compact_every, sim_compact_atom::value);
  }
};

sim_store_actor::behavior_type sim_store(sim_store_actor::stateful_pointer<sim_store_state> self,
                                         sim_store_shared* shared) {
  auto& st = self->state;
  st.self = self;
  st.shared = shared;
  self->set_down_handler(
      [self](caf::down_msg& down) { self->state.watches.remove_subscriber(down.source); });
  self->delayed_send(self, compact_every, sim_compact_atom::value);
  return {
      [self](atoms::propose_atom, uint64_t epoch, messages::StoreCommand& command) {
        return self->state.on_propose(epoch, command);
      },
      [self](atoms::store_get_atom, std::string& key, bool serializable) {
        return self->state.on_get(key, serializable);
      },
      [self](atoms::store_list_atom, std::string& prefix, uint64_t limit, std::string& token,
             bool serializable) { return self->state.on_list(prefix, limit, token, serializable); },
      [self](atoms::watch_atom, std::string& prefix, uint64_t after, caf::actor& subscriber,
             uint64_t tag) { return self->state.on_watch(prefix, after, subscriber, tag); },
      [self](atoms::unwatch_atom, uint64_t id) { self->state.watches.remove(id); },
      [self](sim_drop_watch_atom, uint64_t pick, caf::error& why) {
        self->state.on_drop_watch(pick, why);
      },
      [self](sim_compact_atom) { self->state.on_compact(); },
  };
}

}  // namespace

std::unique_ptr<sim_store_shared> sim_store_shared::open(std::function<int64_t()> unix_ms) {
  auto shared = std::make_unique<sim_store_shared>();
  store::env_options env;
  env.map_size = uint64_t{512} << 20;
  auto opened = store::lmdb_env::open(shared->dir.path().string(), env);
  if (!opened.ok()) throw std::runtime_error("sim store: " + opened.error().to_string());
  shared->env = std::move(*opened);
  store::store_options options;
  options.event_max_age_ms = 30'000;
  options.event_min_count = 200;
  options.event_max_count = 5'000;
  auto objects = store::object_store::open(*shared->env, options);
  if (!objects.ok()) throw std::runtime_error("sim store: " + objects.error().to_string());
  shared->objects = std::move(*objects);
  shared->unix_ms = std::move(unix_ms);
  return shared;
}

sim_store_actor spawn_sim_store(caf::actor_system& system, sim_store_shared& shared) {
  return system.spawn(sim_store, &shared);
}

}  // namespace troupe::test_support
