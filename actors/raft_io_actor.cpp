#include "actors/raft_io_actor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/local_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace troupe::actors {
namespace {

raft_io_actor::behavior_type raft_io(raft_io_actor::stateful_pointer<raft_io_state> self,
                                     std::shared_ptr<raft_storage> storage) {
  auto& st = self->state;
  st.storage = std::move(storage);
  st.storage->on_snapshot_written(
      // A weak handle: the storage outlives no actor it would keep alive.
      [io = self->address()] {
        if (auto alive = caf::actor_cast<caf::actor>(io))
          caf::anon_send(alive, atoms::written_atom_v);
      });
  return {
      [self](io_batch& batch) { return self->state.storage->execute(std::move(batch)); },
      [self](atoms::retry_atom) { return self->state.storage->retry_applies(); },
      [self](atoms::snapshot_atom) -> caf::result<io_done> {
        auto& st = self->state;
        if (!st.written) return *(st.asked = self->make_response_promise<io_done>());
        st.written = false;
        return st.storage->finish_snapshot();
      },
      [self](atoms::written_atom) {
        auto& st = self->state;
        if (!st.asked) {
          st.written = true;
          return;
        }
        st.asked->deliver(st.storage->finish_snapshot());
        st.asked.reset();
      },
  };
}

}  // namespace

raft_io_actor spawn_raft_io(caf::local_actor* owner, std::shared_ptr<raft_storage> storage) {
  return owner->spawn<caf::detached + caf::linked>(raft_io, std::move(storage));
}

}  // namespace troupe::actors
