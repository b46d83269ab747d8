#include "actors/controllers/controller_set.hpp"

#include "actors/controllers/deployment_controller.hpp"
#include "actors/controllers/garbage_collector.hpp"
#include "actors/controllers/node_lifecycle_controller.hpp"
#include "actors/controllers/replication_controller.hpp"
#include "actors/scheduler/scheduler_actor.hpp"

namespace troupe::actors::controllers {

std::vector<caf::actor> start_controllers(caf::actor_system& system,
                                          const controller_context& context,
                                          const node_lifecycle_options& node_lifecycle) {
  return {
      spawn_replication_controller(system, context, replica_kind::replica_set),
      spawn_replication_controller(system, context, replica_kind::replication_controller),
      spawn_deployment_controller(system, context),
      spawn_garbage_collector(system, context),
      spawn_node_lifecycle_controller(system, context, node_lifecycle),
      scheduler::spawn_scheduler(system, context),
  };
}

}  // namespace troupe::actors::controllers
