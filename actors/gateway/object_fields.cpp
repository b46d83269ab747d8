#include "actors/gateway/object_fields.hpp"

#include "messages/kinds.hpp"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors {

std::string field_value(const google::protobuf::Message& object, std::string_view field) {
  const auto* meta = messages::metadata_of(object);
  if (field == "metadata.name") return meta ? meta->name() : "";
  if (field == "metadata.namespace") return meta ? meta->namespace_() : "";
  if (const auto* pod = dynamic_cast<const messages::Pod*>(&object)) {
    if (field == "spec.nodeName") return pod->spec().node_name();
    if (field == "status.phase") return pod->status().phase();
  }
  return "";
}

bool supports_field(std::string_view resource, std::string_view field) {
  const bool pod_only = field == "spec.nodeName" || field == "status.phase";
  return !pod_only || resource == "pods";
}

}  // namespace troupe::actors
