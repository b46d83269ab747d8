#include "actors/raft_io_actor.hpp"

#include <caf/local_actor.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace troupe::actors {
namespace {

raft_io_actor::behavior_type raft_io(raft_io_actor::stateful_pointer<raft_io_state> self,
                                     std::shared_ptr<raft_storage> storage) {
  self->state.storage = std::move(storage);
  return {
      [self](io_batch& batch) { return self->state.storage->execute(std::move(batch)); },
      [self](atoms::retry_atom) { return self->state.storage->retry_applies(); },
  };
}

}  // namespace

raft_io_actor spawn_raft_io(caf::local_actor* owner, std::shared_ptr<raft_storage> storage) {
  return owner->spawn<caf::detached + caf::linked>(raft_io, std::move(storage));
}

}  // namespace troupe::actors
