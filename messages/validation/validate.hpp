// Validation of API objects as the Kubernetes API server does it on create, after
// defaulting: names, required fields, selectors against template labels, ports and
// ranges, quantities, allowed enum values, duplicates. Pure; safe from any thread.
#pragma once

#include "messages/kinds.hpp"
#include "messages/validation/field_errors.hpp"

namespace troupe::messages {

// Every error in `object`, a message of `kind`'s type; empty when valid.
field_errors validate(const google::protobuf::Message& object, const kind_info& kind);

}  // namespace troupe::messages
