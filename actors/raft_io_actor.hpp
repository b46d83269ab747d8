// The raft actor's I/O worker: a detached actor (its own thread) that runs raft_storage,
// so the fsync of every batch and the LMDB writes of every apply never block a CAF worker
// thread. Only its raft actor talks to it, and it replies to each batch in the order the
// batches came, which the raft actor relies on.
//
// Snapshots: a take_snapshot batch starts one (io_done.snapshot_started) and is answered at
// once; the file is written on a thread of the storage's own while batches go on. The raft
// actor then asks (snapshot_atom), and is answered once the file is written and recorded.
#pragma once

#include <memory>
#include <optional>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/raft_storage.hpp"
#include "messages/caf_types.hpp"

// Never leave the process: the raft actor hands its own batches to its own worker, and a
// copy per hop would cost as much as the write.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::actors::io_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::actors::io_done)

namespace troupe::actors {

using raft_io_actor = caf::typed_actor<
    // Persists and applies one batch; io_done.failure set means the server must stop.
    caf::replies_to<io_batch>::with<io_done>,
    // Retries the applies that a full map held back (apply_backlog > 0).
    caf::replies_to<atoms::retry_atom>::with<io_done>,
    // After a batch that started a snapshot: its snapshot_taken (or snapshot_failure), once
    // the file is written.
    caf::replies_to<atoms::snapshot_atom>::with<io_done>,
    // From the snapshot's thread: the file is written.
    caf::reacts_to<atoms::written_atom>>;

struct raft_io_state {
  static inline const char* name = "raft_io";
  std::shared_ptr<raft_storage> storage;
  bool written = false;  // the file is written, and nobody asked for it yet
  std::optional<caf::typed_response_promise<io_done>> asked;  // asked before it was written
};

// Spawns the worker detached and linked to `owner`: it ends with its raft actor.
raft_io_actor spawn_raft_io(caf::local_actor* owner, std::shared_ptr<raft_storage> storage);

}  // namespace troupe::actors
