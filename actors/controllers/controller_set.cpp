#include "actors/controllers/controller_set.hpp"

#include "actors/controllers/deployment_controller.hpp"
#include "actors/controllers/event_sink.hpp"
#include "actors/controllers/garbage_collector.hpp"
#include "actors/controllers/informer_hub.hpp"
#include "actors/controllers/node_lifecycle_controller.hpp"
#include "actors/controllers/replication_controller.hpp"
#include "actors/scheduler/scheduler_actor.hpp"

namespace troupe::actors::controllers {

std::vector<caf::actor> start_controllers(caf::actor_system& system,
                                          const controller_context& context,
                                          const node_lifecycle_options& node_lifecycle) {
  controller_context shared = context;
  shared.informer_hub = spawn_informer_hub(system, context.gateway);
  shared.event_sink = spawn_event_sink(system, context.gateway);
  return {
      shared.informer_hub,
      shared.event_sink,
      spawn_replication_controller(system, shared, replica_kind::replica_set),
      spawn_replication_controller(system, shared, replica_kind::replication_controller),
      spawn_deployment_controller(system, shared),
      spawn_garbage_collector(system, shared),
      spawn_node_lifecycle_controller(system, shared, node_lifecycle),
      scheduler::spawn_scheduler(system, shared),
  };
}

}  // namespace troupe::actors::controllers
