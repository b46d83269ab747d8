// Every controller the leader runs, in one list: adding a controller means adding it here.
#pragma once

#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/controllers/controller_context.hpp"
#include "actors/controllers/node_lifecycle_options.hpp"

namespace troupe::actors::controllers {

std::vector<caf::actor> start_controllers(caf::actor_system& system,
                                          const controller_context& context,
                                          const node_lifecycle_options& node_lifecycle);

}  // namespace troupe::actors::controllers
