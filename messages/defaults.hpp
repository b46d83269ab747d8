// Kubernetes' defaulting of API objects, applied before validation as the API server
// does: replicas 1, restartPolicy Always, protocol TCP, Service type ClusterIP, the
// RollingUpdate 25%/25% strategy, imagePullPolicy from the image tag, and the rest.
// Pure; safe from any thread.
#pragma once

#include "messages/kinds.hpp"

namespace troupe::messages {

// Fills every unset field that Kubernetes defaults, in place. Idempotent.
void apply_defaults(google::protobuf::Message& object, const kind_info& kind);

}  // namespace troupe::messages
