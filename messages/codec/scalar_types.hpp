// The three messages that YAML and JSON write as scalars: Time (RFC 3339),
// Quantity ("500m", "1Gi") and IntOrString (80 or "http"). Pure functions.
#pragma once

#include <string>

#include "messages/codec/yaml_tree.hpp"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace troupe::messages::codec {

bool is_scalar_type(const google::protobuf::Descriptor& type);

// Fills `out` (a Time, Quantity or IntOrString) from a scalar; returns "" or the error.
std::string decode_scalar_type(const doc_node& node, google::protobuf::Message& out);

doc_node_ptr encode_scalar_type(const google::protobuf::Message& value);

}  // namespace troupe::messages::codec
