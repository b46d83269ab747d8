#include "actors/controllers/leader_supervisor.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/controller_set.hpp"
#include "actors/gateway/gateway_actor.hpp"

namespace troupe::actors::controllers {
namespace {

struct supervisor_state {
  static inline const char* name = "leader-supervisor";

  caf::stateful_actor<supervisor_state>* self = nullptr;
  leader_supervisor_options options;
  gateway_actor gateway;            // over our own Raft member; null while not leading
  std::vector<caf::actor> running;  // the controllers and the scheduler
  bool asking = false;

  void poll() {
    if (asking) return;
    asking = true;
    self->request(options.raft, options.poll * 10, atoms::raft_status_atom_v)
        .then(
            [this](std::string&, std::string& role, uint64_t, std::string&, uint64_t, uint64_t) {
              asking = false;
              if (role == "leader" && running.empty()) start();
              if (role != "leader" && !running.empty()) stop();
            },
            [this](caf::error&) {
              asking = false;
              stop();
            });
  }

  void start() {
    gateway_options gw;
    gw.store = options.raft;
    gw.unix_ms = options.unix_ms;
    // The controllers create the pods through this gateway: without it, their pods got the
    // gateway's built-in 10 s instead of --eviction-timeout.
    gw.default_toleration_seconds = options.node_lifecycle.toleration_seconds();
    gateway = spawn_gateway(self->home_system(), std::move(gw));
    controller_context context{gateway, options.unix_ms, {}, {}};
    running = start_controllers(self->home_system(), context, options.node_lifecycle);
    // Linked: they go down with this actor when it is stopped, and it hears of their failure.
    running.push_back(caf::actor_cast<caf::actor>(gateway));
    for (const auto& actor : running)
      self->link_to(actor);
  }

  void stop() {
    for (const auto& actor : running) {
      self->unlink_from(actor);
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    }
    running.clear();  // the gateway among them
    gateway = nullptr;
  }
};

caf::behavior leader_supervisor(caf::stateful_actor<supervisor_state>* self,
                                leader_supervisor_options options) {
  self->state.self = self;
  self->state.options = std::move(options);
  // A controller that fails takes the others down with it (linked); stop them cleanly and let
  // the next poll start a fresh set while we still lead.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& running = self->state.running;
    const bool from_controller =
        std::any_of(running.begin(), running.end(),
                    [&](const caf::actor& a) { return a.address() == msg.source; });
    if (from_controller)
      self->state.stop();
    else
      self->quit(msg.reason);  // we are told to stop
  });
  self->send(self, atoms::tick_atom_v);
  return {
      [self](atoms::tick_atom) {
        self->state.poll();
        self->delayed_send(self, self->state.options.poll, atoms::tick_atom_v);
      },
  };
}

}  // namespace

caf::actor spawn_leader_supervisor(caf::actor_system& system, leader_supervisor_options options) {
  return system.spawn(leader_supervisor, std::move(options));
}

}  // namespace troupe::actors::controllers
