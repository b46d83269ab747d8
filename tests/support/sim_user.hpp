// The simulated users of the control-plane simulation: each write goes through the front-door
// gateway and is retried until it takes effect, as a person at troupectl would retry it:
// an update is a read-modify-write that starts over on a conflict, and any failure that may
// pass (unavailable, not_leader, a timeout) is tried again after a pause. A write whose
// outcome was lost may so apply twice in effect: a create then meets already_exists and a
// delete not_found, which count as done.
//
// Test code only.
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_api.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
struct kind_info;
}  // namespace troupe::messages

namespace troupe::test_support {

struct user_write {
  enum class verb { create, update, remove };
  verb what = verb::create;
  const messages::kind_info* kind = nullptr;
  std::string ns;
  std::string name;
  std::string object;  // create: the serialized object
  // update: edits the object as read; false when there is nothing to change.
  std::function<bool(google::protobuf::Message&)> edit;
  std::string propagation;  // remove: Background, Foreground or Orphan
};

// Runs `write` in an actor of its own; `done` runs in it once the write took effect or found
// nothing to do (error empty), or failed for good (invalid: a bug in the workload).
caf::actor spawn_user_write(caf::actor_system& system, actors::gateway_actor front_door,
                            user_write write, std::function<void(const std::string& error)> done);

}  // namespace troupe::test_support
