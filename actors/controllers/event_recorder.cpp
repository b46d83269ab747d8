#include "actors/controllers/event_recorder.hpp"

#include <chrono>
#include <cstdio>

#include <caf/send.hpp>

#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::actors::controllers {
namespace {

messages::Time time_at(int64_t unix_ms) {
  messages::Time t;
  t.set_seconds(unix_ms / 1000);
  return t;
}

}  // namespace

event_recorder::event_recorder(caf::event_based_actor* self, gateway_actor gateway,
                               std::string component, std::function<int64_t()> unix_ms,
                               std::string host, caf::actor sink)
    : self_(self),
      gateway_(std::move(gateway)),
      sink_(std::move(sink)),
      component_(std::move(component)),
      host_(std::move(host)),
      unix_ms_(std::move(unix_ms)) {}

void event_recorder::record(const google::protobuf::Message& object, std::string_view type,
                            std::string_view reason, std::string message) {
  const auto* kind = messages::find_kind(object.GetDescriptor());
  const auto* meta = messages::metadata_of(object);
  if (kind == nullptr || meta == nullptr) return;
  const int64_t now = unix_ms_();
  std::string identity =
      meta->uid() + '\n' + std::string(type) + '\n' + std::string(reason) + '\n' + message;
  messages::ApiRequest request;
  request.set_resource("events");
  request.set_namespace_(meta->namespace_().empty() ? "default" : meta->namespace_());
  auto it = seen_.find(identity);
  if (it != seen_.end()) {
    auto& event = it->second;
    event.set_count(event.count() + 1);
    *event.mutable_last_timestamp() = time_at(now);
    event.mutable_metadata()->clear_resource_version();  // last writer wins, as in Kubernetes
    request.set_verb(messages::ApiRequest::UPDATE);
    request.set_name(event.metadata().name());
    request.set_object(event.SerializeAsString());
  } else {
    if (seen_.size() >= max_remembered) {
      auto end = seen_.begin();
      std::advance(end, static_cast<long>(seen_.size() / 2));
      seen_.erase(seen_.begin(), end);
    }
    messages::Event event;
    // Kubernetes names an event after its object and the time in hex nanoseconds; the
    // sequence keeps two events of one millisecond apart.
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".%llx",
                  static_cast<unsigned long long>(now * 1000000 + (sequence_++ % 1000000)));
    event.mutable_metadata()->set_name(meta->name() + suffix);
    event.mutable_metadata()->set_namespace_(request.namespace_());
    auto& involved = *event.mutable_involved_object();
    involved.set_kind(std::string(kind->kind));
    involved.set_api_version(kind->api_version());
    involved.set_namespace_(meta->namespace_());
    involved.set_name(meta->name());
    involved.set_uid(meta->uid());
    involved.set_resource_version(meta->resource_version());
    event.set_reason(std::string(reason));
    event.set_message(std::move(message));
    event.set_type(std::string(type));
    event.mutable_source()->set_component(component_);
    if (!host_.empty()) event.mutable_source()->set_host(host_);
    *event.mutable_first_timestamp() = time_at(now);
    *event.mutable_last_timestamp() = time_at(now);
    event.set_count(1);
    event.set_reporting_component(component_);
    event.set_reporting_instance(host_);
    request.set_verb(messages::ApiRequest::CREATE);
    request.set_object(event.SerializeAsString());
    seen_.emplace(std::move(identity), std::move(event));
  }
  if (sink_) {
    self_->send(sink_, atoms::api_atom_v, std::move(request));
    return;
  }
  self_->request(gateway_, std::chrono::seconds(30), atoms::api_atom_v, std::move(request))
      .then([](messages::ApiResponse&) {}, [](caf::error&) {});
}

}  // namespace troupe::actors::controllers
