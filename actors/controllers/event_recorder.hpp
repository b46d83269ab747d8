// Events as Kubernetes' client-go EventRecorder writes them: one Event object per distinct
// (object, type, reason, message, source), whose count and lastTimestamp grow when it happens
// again ("2m (x3 over 10m)" in describe). Used from inside one actor (not thread-safe); writes
// are fire-and-forget, as Kubernetes' are: an event that cannot be written is dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <caf/event_based_actor.hpp>

#include "actors/gateway/gateway_api.hpp"
#include "messages/proto/core.pb.h"

namespace troupe::actors::controllers {

class event_recorder {
 public:
  // `component` is the source ("deployment-controller", "default-scheduler"; for an agent
  // "kubelet" with `host` its node). Writes go through `sink` (event_sink.hpp) when given,
  // which batches them, else straight to the gateway.
  event_recorder(caf::event_based_actor* self, gateway_actor gateway, std::string component,
                 std::function<int64_t()> unix_ms, std::string host = {}, caf::actor sink = {});

  // Records that `reason` happened to `object` (a Pod, ReplicaSet, ...; any API kind).
  void record(const google::protobuf::Message& object, std::string_view type,
              std::string_view reason, std::string message);
  void normal(const google::protobuf::Message& object, std::string_view reason,
              std::string message) {
    record(object, "Normal", reason, std::move(message));
  }
  void warning(const google::protobuf::Message& object, std::string_view reason,
               std::string message) {
    record(object, "Warning", reason, std::move(message));
  }

 private:
  caf::event_based_actor* self_;
  gateway_actor gateway_;
  caf::actor sink_;
  std::string component_;
  std::string host_;
  std::function<int64_t()> unix_ms_;
  // The events written so far, by what makes them the same event. Bounded: the oldest half is
  // forgotten when it grows past max_remembered (a forgotten one starts a new Event).
  std::map<std::string, messages::Event> seen_;
  static constexpr std::size_t max_remembered = 4096;
  uint64_t sequence_ = 0;
};

}  // namespace troupe::actors::controllers
