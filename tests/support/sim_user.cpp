#include "tests/support/sim_user.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/caf_types.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::test_support {
namespace {

using messages::ApiRequest;
using messages::errc;

constexpr auto request_timeout = std::chrono::seconds(10);
constexpr int64_t first_pause_ms = 250;
constexpr int64_t max_pause_ms = 4000;

struct user_state {
  static inline const char* name = "sim-user";

  caf::stateful_actor<user_state>* self = nullptr;
  actors::gateway_actor gateway;
  user_write write;
  std::function<void(const std::string&)> done;
  int64_t pause_ms = first_pause_ms;

  ApiRequest request(ApiRequest::Verb verb) const {
    ApiRequest r;
    r.set_verb(verb);
    r.set_group(std::string(write.kind->group));
    r.set_resource(std::string(write.kind->resource));
    r.set_namespace_(write.ns);
    r.set_name(write.name);
    return r;
  }

  void attempt() {
    switch (write.what) {
      case user_write::verb::create: {
        auto r = request(ApiRequest::CREATE);
        r.set_object(write.object);
        send(std::move(r), errc::already_exists);
        break;
      }
      case user_write::verb::update:
        read_modify_write();
        break;
      case user_write::verb::remove: {
        auto r = request(ApiRequest::DELETE);
        r.set_propagation_policy(write.propagation);
        send(std::move(r), errc::not_found);
        break;
      }
    }
  }

  void read_modify_write() {
    self->request(gateway, request_timeout, atoms::api_atom_v, request(ApiRequest::GET))
        .then(
            [this](messages::ApiResponse& response) {
              auto object = write.kind->new_object();
              object->ParseFromString(response.object());
              // The read's resourceVersion stays: a concurrent change makes this a conflict.
              if (!write.edit(*object)) return finish({});
              auto r = request(ApiRequest::UPDATE);
              r.set_object(object->SerializeAsString());
              send(std::move(r), errc::not_found);
            },
            [this](caf::error& e) { on_error(e, errc::not_found); });
  }

  // `settled`: the error that means the write has nothing left to do.
  void send(ApiRequest r, errc settled) {
    self->request(gateway, request_timeout, atoms::api_atom_v, std::move(r))
        .then([this](messages::ApiResponse&) { finish({}); },
              [this, settled](caf::error& e) { on_error(e, settled); });
  }

  void on_error(const caf::error& e, errc settled) {
    if (messages::is_error(e, settled)) return finish({});
    if (messages::is_error(e, errc::conflict)) return attempt();  // read again, then write
    if (messages::is_error(e, errc::invalid) || messages::is_error(e, errc::forbidden))
      return finish(messages::message_of(e));
    // unavailable, not_leader, a timeout: the user tries again in a while.
    self->delayed_send(self, std::chrono::milliseconds(pause_ms), atoms::retry_atom_v);
    pause_ms = std::min(max_pause_ms, pause_ms * 2);
  }

  void finish(const std::string& error) {
    done(error);
    self->quit();
  }
};

caf::behavior user_actor(caf::stateful_actor<user_state>* self, actors::gateway_actor gateway,
                         user_write write, std::function<void(const std::string&)> done) {
  auto& st = self->state;
  st.self = self;
  st.gateway = std::move(gateway);
  st.write = std::move(write);
  st.done = std::move(done);
  st.attempt();
  return {
      [self](atoms::retry_atom) { self->state.attempt(); },
  };
}

}  // namespace

caf::actor spawn_user_write(caf::actor_system& system, actors::gateway_actor front_door,
                            user_write write, std::function<void(const std::string&)> done) {
  return system.spawn(user_actor, std::move(front_door), std::move(write), std::move(done));
}

}  // namespace troupe::test_support
