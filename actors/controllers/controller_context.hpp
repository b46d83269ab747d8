// What the leader supervisor hands every controller and the scheduler when it starts them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <memory>
#include <string>

#include "actors/controllers/event_recorder.hpp"
#include "actors/controllers/informer.hpp"
#include "actors/gateway/gateway_api.hpp"

namespace troupe::actors::controllers {

struct controller_context {
  // The gateway of the leader's own store: its writes go to this server's Raft member only,
  // so once it is deposed they fail (the fencing), instead of being forwarded to the new
  // leader while the new leader's controllers also act.
  gateway_actor gateway;
  // Unix milliseconds; the system clock when unset.
  std::function<int64_t()> unix_ms;
  // The process's informer hub (informer_hub.hpp): controllers' caches share its list+watch
  // and its objects. Null: each informer lists and watches on its own.
  caf::actor informer_hub;

  // The process's event sink (event_sink.hpp), which batches the controllers' events. Null:
  // each recorder writes its own.
  caf::actor event_sink;

  informer_source informers() const { return {gateway, informer_hub}; }

  // An event recorder for the controller `component`, writing through the sink.
  std::unique_ptr<event_recorder> recorder(caf::event_based_actor* self,
                                           std::string component) const {
    return std::make_unique<event_recorder>(
        self, gateway, std::move(component), [ctx = *this] { return ctx.now_ms(); }, std::string{},
        event_sink);
  }

  int64_t now_ms() const {
    if (unix_ms) return unix_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace troupe::actors::controllers
