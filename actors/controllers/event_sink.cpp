#include "actors/controllers/event_sink.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/proto/api.pb.h"

namespace troupe::actors::controllers {
namespace {

using messages::ApiRequest;

constexpr auto request_timeout = std::chrono::seconds(30);
// A batch larger than this is split: one Raft entry stays a few hundred KiB.
constexpr int max_batch = 1024;

struct sink_state {
  static inline const char* name = "event-sink";

  caf::stateful_actor<sink_state>* self = nullptr;
  gateway_actor gateway;
  std::vector<ApiRequest> queued;         // arrived since the last flush, in order
  std::vector<ApiRequest> flush_updates;  // the current flush's updates, sent after its creates
  int in_flight = 0;                      // requests not yet answered

  void queue(ApiRequest& request) {
    queued.push_back(std::move(request));
    if (in_flight == 0 && flush_updates.empty()) flush();
  }

  // Everything queued goes: its creates in batches, then (on their answers) its updates.
  void flush() {
    std::map<std::string, std::vector<std::string>> creates;  // by namespace
    for (auto& request : queued) {
      if (request.verb() == ApiRequest::CREATE)
        creates[request.namespace_()].push_back(std::move(*request.mutable_object()));
      else
        flush_updates.push_back(std::move(request));
    }
    queued.clear();
    for (auto& [ns, events] : creates)
      for (std::size_t from = 0; from < events.size(); from += max_batch) {
        ApiRequest request;
        request.set_verb(ApiRequest::CREATE);
        request.set_resource("events");
        request.set_namespace_(ns);
        for (std::size_t i = from; i < std::min(events.size(), from + max_batch); ++i)
          request.add_objects(std::move(events[i]));
        send(std::move(request));
      }
    if (in_flight == 0) send_updates();
  }

  // An update may refer to an event of this flush's creates, so it waits for them.
  void send_updates() {
    auto pending = std::move(flush_updates);
    flush_updates.clear();
    for (auto& request : pending)
      send(std::move(request));
  }

  void send(ApiRequest request) {
    ++in_flight;
    self->request(gateway, request_timeout, atoms::api_atom_v, std::move(request))
        .then([this](messages::ApiResponse&) { done(); }, [this](caf::error&) { done(); });
  }

  void done() {
    if (--in_flight > 0) return;
    if (!flush_updates.empty())
      send_updates();
    else if (!queued.empty())
      flush();
  }
};

caf::behavior event_sink(caf::stateful_actor<sink_state>* self, gateway_actor gateway) {
  self->state.self = self;
  self->state.gateway = std::move(gateway);
  return {
      [self](atoms::api_atom, ApiRequest& request) { self->state.queue(request); },
  };
}

}  // namespace

caf::actor spawn_event_sink(caf::actor_system& system, gateway_actor gateway) {
  return system.spawn(event_sink, std::move(gateway));
}

}  // namespace troupe::actors::controllers
