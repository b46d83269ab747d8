#include "node/pod_router.hpp"

#include <memory>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/core_pod.pb.h"

namespace troupe::node {
namespace {

struct router_state {
  static inline const char* name = "pod-router";
  std::unique_ptr<actors::controllers::informer> pods;
  std::map<std::string, caf::actor> agents;
};

caf::behavior pod_router(caf::stateful_actor<router_state>* self, actors::gateway_actor gateway,
                         std::map<std::string, caf::actor> agents) {
  auto& st = self->state;
  st.agents = std::move(agents);
  // Only bound pods concern an agent; the selector keeps the rest off the watch.
  st.pods = std::make_unique<actors::controllers::informer>(
      self, gateway, *messages::find_kind(messages::Pod::descriptor()), 1,
      [self](const actors::controllers::object_ptr& before,
             const actors::controllers::object_ptr& after) {
        const auto& pod = static_cast<const messages::Pod&>(after ? *after : *before);
        auto it = self->state.agents.find(pod.spec().node_name());
        if (it == self->state.agents.end()) return;
        if (after)
          caf::anon_send(it->second, atoms::pod_update_atom_v, pod);
        else
          caf::anon_send(it->second, atoms::pod_gone_atom_v, pod);
      },
      "spec.nodeName!=");
  st.pods->start();
  // The agents go down with their router's process; stopping the router stops them too.
  for (const auto& [_, agent] : st.agents)
    self->link_to(agent);
  return actors::controllers::informer_messages(
      [self] { return std::vector<actors::controllers::informer*>{self->state.pods.get()}; });
}

}  // namespace

caf::actor spawn_pod_router(caf::actor_system& system, actors::gateway_actor gateway,
                            std::map<std::string, caf::actor> agents) {
  return system.spawn(pod_router, std::move(gateway), std::move(agents));
}

}  // namespace troupe::node
