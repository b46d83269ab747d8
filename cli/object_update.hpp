// The read-modify-write that troupectl's editing verbs (scale, label, annotate, set image,
// rollout pause/resume/restart/undo) share: read the object, change it, write it back with the
// resourceVersion read as the precondition, and start over on a Conflict, which is what
// kubectl's patches amount to. Blocking; used only by troupectl verbs.
#pragma once

#include <functional>
#include <memory>

#include "cli/cluster.hpp"
#include "cli/targets.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::cli {

// What a change made of the object it was given.
enum class change {
  write,      // changed: write it back
  unchanged,  // nothing to write; the verb still succeeded
  refused,    // the verb refuses this object; the change printed why
};

// Changes the object read; `attempt` counts from 1, so messages about what was read can be
// printed once. Called again with a fresh copy after a Conflict.
using object_change = std::function<change(google::protobuf::Message& object, int attempt)>;

// Attempts at one object before a Conflict is reported: controllers write status meanwhile.
inline constexpr int max_update_attempts = 5;

struct update_result {
  change outcome = change::refused;
  // The object as the server stored it (write) or as read (unchanged); null when refused or
  // when reading or writing failed (after printing kubectl's error line).
  std::unique_ptr<google::protobuf::Message> object;
};

update_result update_object(const target_object& t, cluster& c, cli_io& io,
                            const object_change& edit);

}  // namespace troupe::cli
