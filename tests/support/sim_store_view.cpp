#include "tests/support/sim_store_view.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <utility>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errc.hpp"

namespace troupe::test_support {
namespace {

using messages::errc;
using list_promise =
    caf::typed_response_promise<std::vector<std::string>, std::vector<messages::StoredObject>,
                                uint64_t, std::string>;

// What the view sends itself: a held-back reply is due.
using view_impl = actors::store_api::extend<caf::reacts_to<atoms::tick_atom, uint64_t>>;

struct view_state {
  static inline const char* name = "sim-store-view";

  view_impl::stateful_pointer<view_state> self = nullptr;
  sim_store_actor store;
  uint64_t epoch = 0;
  const sim_store_faults* faults = nullptr;
  std::mt19937_64 rng;
  std::map<uint64_t, std::function<void()>> held;  // replies held back, by timer id
  uint64_t next_held = 1;

  bool chance(double p) {
    return p > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
  }

  // Runs `deliver` now, or after a random delay when the fault strikes.
  void reply(std::function<void()> deliver) {
    if (!chance(faults->delayed_reply) || faults->max_delay_ms <= 0) return deliver();
    const uint64_t id = next_held++;
    held.emplace(id, std::move(deliver));
    auto delay = std::uniform_int_distribution<int64_t>(1, faults->max_delay_ms)(rng);
    self->delayed_send(self, std::chrono::milliseconds(delay), atoms::tick_atom_v, id);
  }

  // The error a caller hears when the way to the store lost its call.
  caf::error lost() {
    if (epoch != 0 && chance(0.5))
      return caf::make_error(errc::not_leader, "");  // the leader stepped down meanwhile
    return caf::make_error(errc::unavailable, "sim: the store did not answer");
  }

  template <class Promise>
  auto fail_to(Promise rp) {
    return [this, rp](caf::error& e) mutable {
      reply([rp, e]() mutable { rp.deliver(std::move(e)); });
    };
  }

  caf::typed_response_promise<messages::StoreResult> on_propose(messages::StoreCommand& command) {
    auto rp = self->make_response_promise<messages::StoreResult>();
    if (chance(faults->lost_proposal)) {
      reply([rp, e = lost()]() mutable { rp.deliver(std::move(e)); });
      return rp;
    }
    const bool lose_reply = chance(faults->lost_reply);
    self->request(store, caf::infinite, atoms::propose_atom_v, epoch, std::move(command))
        .then(
            [this, rp, lose_reply](messages::StoreResult& result) mutable {
              if (lose_reply) {
                reply([rp, e = lost()]() mutable { rp.deliver(std::move(e)); });
              } else {
                reply(
                    [rp, result = std::move(result)]() mutable { rp.deliver(std::move(result)); });
              }
            },
            fail_to(rp));
    return rp;
  }

  caf::typed_response_promise<messages::StoredObject> on_get(std::string& key, bool serializable) {
    auto rp = self->make_response_promise<messages::StoredObject>();
    self->request(store, caf::infinite, atoms::store_get_atom_v, std::move(key), serializable)
        .then(
            [this, rp](messages::StoredObject& object) mutable {
              reply([rp, object = std::move(object)]() mutable { rp.deliver(std::move(object)); });
            },
            fail_to(rp));
    return rp;
  }

  list_promise on_list(std::string& prefix, uint64_t limit, std::string& token, bool serializable) {
    auto rp =
        self->make_response_promise<std::vector<std::string>, std::vector<messages::StoredObject>,
                                    uint64_t, std::string>();
    self->request(store, caf::infinite, atoms::store_list_atom_v, std::move(prefix), limit,
                  std::move(token), serializable)
        .then(
            [this, rp](std::vector<std::string>& keys, std::vector<messages::StoredObject>& objects,
                       uint64_t revision, std::string& next) mutable {
              reply([rp, keys = std::move(keys), objects = std::move(objects), revision,
                     next = std::move(next)]() mutable {
                rp.deliver(std::move(keys), std::move(objects), revision, std::move(next));
              });
            },
            fail_to(rp));
    return rp;
  }
};

view_impl::behavior_type store_view(view_impl::stateful_pointer<view_state> self,
                                    sim_store_actor store, uint64_t epoch,
                                    const sim_store_faults* faults, uint64_t seed) {
  auto& st = self->state;
  st.self = self;
  st.store = std::move(store);
  st.epoch = epoch;
  st.faults = faults;
  st.rng.seed(seed);
  return {
      [self](atoms::propose_atom, messages::StoreCommand& command) {
        return self->state.on_propose(command);
      },
      [self](atoms::store_get_atom, std::string& key, bool serializable) {
        return self->state.on_get(key, serializable);
      },
      [self](atoms::store_list_atom, std::string& prefix, uint64_t limit, std::string& token,
             bool serializable) { return self->state.on_list(prefix, limit, token, serializable); },
      // Watches go straight to the store, which feeds the subscriber itself.
      [self](atoms::watch_atom, std::string& prefix, uint64_t after, caf::actor& subscriber,
             uint64_t tag) {
        return self->delegate(self->state.store, atoms::watch_atom_v, std::move(prefix), after,
                              std::move(subscriber), tag);
      },
      [self](atoms::unwatch_atom, uint64_t id) {
        self->send(self->state.store, atoms::unwatch_atom_v, id);
      },
      [self](atoms::tick_atom, uint64_t id) {
        auto it = self->state.held.find(id);
        if (it == self->state.held.end()) return;
        auto deliver = std::move(it->second);
        self->state.held.erase(it);
        deliver();
      },
  };
}

}  // namespace

actors::store_api spawn_sim_store_view(caf::actor_system& system, sim_store_actor store,
                                       uint64_t epoch, const sim_store_faults& faults,
                                       uint64_t seed) {
  return caf::actor_cast<actors::store_api>(
      system.spawn(store_view, std::move(store), epoch, &faults, seed));
}

}  // namespace troupe::test_support
