#include "actors/gateway/watch_relay.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "actors/gateway/object_fields.hpp"
#include "messages/caf_types.hpp"
#include "messages/proto/meta.pb.h"
#include "messages/proto/store.pb.h"

namespace troupe::actors {
namespace {

caf::behavior watch_relay(caf::event_based_actor* self, watch_relay_spec spec) {
  self->monitor(spec.subscriber);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  return {
      [self, spec](atoms::watch_events_atom, uint64_t, std::vector<messages::WatchEvent>& events) {
        std::vector<messages::WatchEvent> out;
        for (auto& e : events) {
          auto object = spec.kind->new_object();
          if (!object->ParseFromString(e.value())) continue;
          auto* meta = messages::metadata_of(*object);
          if (meta) meta->set_resource_version(std::to_string(e.revision()));
          if (meta && !spec.labels.matches(meta->labels())) continue;
          const auto& o = *object;
          if (!spec.fields.matches([&o](std::string_view f) { return field_value(o, f); }))
            continue;
          e.set_value(object->SerializeAsString());
          out.push_back(std::move(e));
        }
        if (!out.empty())
          caf::anon_send(spec.subscriber, atoms::watch_events_atom_v, spec.tag, std::move(out));
      },
      [self, spec](atoms::watch_end_atom, uint64_t, caf::error& why) {
        caf::anon_send(spec.subscriber, atoms::watch_end_atom_v, spec.tag, std::move(why));
        self->quit();
      },
  };
}

}  // namespace

caf::actor spawn_watch_relay(caf::actor_system& system, watch_relay_spec spec) {
  return system.spawn(watch_relay, std::move(spec));
}

}  // namespace troupe::actors
