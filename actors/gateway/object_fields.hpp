// The fields a field selector may name, read from an object: metadata.name and
// metadata.namespace for every kind, spec.nodeName and status.phase for pods.
#pragma once

#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace troupe::actors {

// The field's value on `object`; "" when the kind does not have it.
std::string field_value(const google::protobuf::Message& object, std::string_view field);

// Whether `kind` (its resource name) supports selecting on `field`.
bool supports_field(std::string_view resource, std::string_view field);

}  // namespace troupe::actors
