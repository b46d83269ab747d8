// The control-plane simulation's store (tests/sim/control_plane_sim_test.cpp): the state
// machine a Raft cluster replicates (object_store over LMDB in a temporary directory),
// applied in order by one actor, plus what a cluster adds around it: leadership epochs. A
// proposal carries the epoch of the leader that proposed it and fails with not_leader once a
// newer epoch has begun, which is what a deposed Raft leader's writes do (the fencing that
// leader_supervisor relies on); reads and watches keep working, as a follower serves them.
//
// Test code only. Everything runs on the simulation's one thread (CAF's test_coordinator),
// so the harness reads sim_store_shared between steps and flips its leadership fields
// directly: the store sees the change at its next message, as a member learns of a new term.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/store_api.hpp"
#include "store/lmdb_env.hpp"
#include "store/object_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace troupe::test_support {

// The harness's faults, told to the store actor: end the watch at position pick % (number of
// watches), with this error (unavailable: its server went away; gone: compacted).
using sim_drop_watch_atom = caf::atom_constant<caf::atom("simdropw")>;
// The store's own timer: compact the event log, so that slow watchers meet a real `gone`.
using sim_compact_atom = caf::atom_constant<caf::atom("simcompact")>;

// State the harness and the store actor share (one thread; see above).
struct sim_store_shared {
  temp_dir dir{"troupe-cpsim"};
  std::unique_ptr<store::lmdb_env> env;
  std::unique_ptr<store::object_store> objects;

  // The leadership epoch: proposals from an older one fail with not_leader and change
  // nothing. Invariant: never decreases.
  uint64_t epoch = 0;
  // False between the loss of a leader and the start of the next: every proposal and
  // linearizable read fails with unavailable, as without a quorum.
  bool leading = false;
  // Unix milliseconds for proposed_at_ms: the virtual clock.
  std::function<int64_t()> unix_ms;

  // Every applied proposal, by revision: the epoch that proposed it (0: the front door,
  // which always reaches the current leader). check_fencing() holds it against the epochs.
  struct applied_write {
    uint64_t revision = 0;
    uint64_t epoch = 0;
    uint64_t current_epoch = 0;  // the epoch in force when it applied
  };
  std::vector<applied_write> writes;
  uint64_t fenced_writes = 0;  // proposals refused because their epoch was deposed
  uint64_t watches_dropped = 0;
  uint64_t compactions = 0;

  // Opens a fresh store in `dir`, with an event log kept short so compaction bites.
  static std::unique_ptr<sim_store_shared> open(std::function<int64_t()> unix_ms);
};

using sim_store_actor = caf::typed_actor<
    // (epoch of the proposing leader, 0 for the front door, command)
    caf::replies_to<atoms::propose_atom, uint64_t,
                    messages::StoreCommand>::with<messages::StoreResult>,
    caf::replies_to<atoms::store_get_atom, std::string, bool>::with<messages::StoredObject>,
    caf::replies_to<atoms::store_list_atom, std::string, uint64_t, std::string, bool>::with<
        std::vector<std::string>, std::vector<messages::StoredObject>, uint64_t, std::string>,
    caf::replies_to<atoms::watch_atom, std::string, uint64_t, caf::actor, uint64_t>::with<uint64_t>,
    caf::reacts_to<atoms::unwatch_atom, uint64_t>,
    caf::reacts_to<sim_drop_watch_atom, uint64_t, caf::error>, caf::reacts_to<sim_compact_atom>>;

// `shared` must outlive the actor.
sim_store_actor spawn_sim_store(caf::actor_system& system, sim_store_shared& shared);

}  // namespace troupe::test_support
