// The keys a controller actor has yet to reconcile, as client-go's workqueue keeps them: a key
// added several times before it is processed is processed once (changes coalesce, since
// reconciliation is level-triggered). Used from one actor only.
//
// The actor drains the queue on a self-message, so a burst of watch events costs one pass:
// `add` sends (flush_atom) to the actor when the queue goes from empty to non-empty, and the
// actor's flush handler calls `drain`.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <set>
#include <string>

#include <caf/event_based_actor.hpp>

#include "messages/caf_types.hpp"

namespace troupe::actors::controllers {

class work_queue {
 public:
  explicit work_queue(caf::event_based_actor* self) : self_(self) {}

  void add(const std::string& key) {
    keys_.insert(key);
    if (!flush_pending_) {
      flush_pending_ = true;
      self_->send(self_, atoms::flush_atom_v);
    }
  }

  // Adds `key` again after `delay` (a retry, or a time the object changes by itself, e.g. a
  // pod becoming available after minReadySeconds): the actor handles
  // (retry_atom, std::string key) by calling add(key).
  void add_after(const std::string& key, std::chrono::milliseconds delay) {
    self_->delayed_send(self_, delay, atoms::retry_atom_v, key);
  }

  // Takes out at most `budget` keys and hands each to `reconcile`; whatever is left (or added
  // meanwhile) gets another flush, so other messages are served in between.
  void drain(const std::function<void(const std::string&)>& reconcile, std::size_t budget = 256) {
    flush_pending_ = false;
    for (std::size_t n = 0; n < budget && !keys_.empty(); ++n) {
      std::string key = *keys_.begin();
      keys_.erase(keys_.begin());
      reconcile(key);
    }
    if (!keys_.empty() && !flush_pending_) {
      flush_pending_ = true;
      self_->send(self_, atoms::flush_atom_v);
    }
  }

  std::size_t size() const { return keys_.size(); }

 private:
  caf::event_based_actor* self_;
  std::set<std::string> keys_;
  bool flush_pending_ = false;
};

}  // namespace troupe::actors::controllers
