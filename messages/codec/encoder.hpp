// Encoding of protobuf API objects back into document trees, and printing those trees
// as kubectl does: YAML with sorted keys, JSON in field order with 4-space indent.
// Stateless; safe from any thread.
#pragma once

#include <string>

#include "messages/codec/yaml_tree.hpp"
#include "messages/kinds.hpp"

namespace troupe::messages::codec {

// The object with apiVersion and kind first, then its set fields in field order.
doc_node_ptr encode_object(const google::protobuf::Message& object, const kind_info& kind);

// A message's set fields, in field-number order; map keys sorted.
doc_node_ptr encode_message(const google::protobuf::Message& message);

// Block-style YAML as kubectl prints it: keys sorted, list items at their key's indent.
std::string to_yaml(const doc_node& node);

// JSON as kubectl prints it: fields in the object's own order, 4-space indent.
std::string to_json(const doc_node& node);

}  // namespace troupe::messages::codec
