// Strict decoding of one document tree into the protobuf message of its kind, through
// protobuf reflection. Unknown fields, wrong types and unknown kinds are errors that
// name the field path and the source position. Stateless; safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <google/protobuf/message.h>

#include "messages/codec/yaml_tree.hpp"
#include "messages/kinds.hpp"

namespace troupe::messages::codec {

struct decode_error {
  position pos;
  std::string message;
};

// Where each field path ("spec.template.spec.containers[0]") was written, so that
// validation errors found later can point at a line.
using source_map = std::unordered_map<std::string, position>;

struct decoded_object {
  const kind_info* kind = nullptr;
  std::unique_ptr<google::protobuf::Message> object;
  source_map positions;
};

struct decode_result {
  decoded_object value;              // kind and object set when errors is empty
  std::vector<decode_error> errors;  // every error found, in document order
};

// Reads `apiVersion` and `kind`, then every other field into the kind's message.
decode_result decode_object(const doc_node& root);

// Decodes a mapping into an existing message (no apiVersion/kind), appending errors.
// `path` prefixes field paths in errors ("" at the top).
void decode_message(const doc_node& node, google::protobuf::Message& out, const std::string& path,
                    std::vector<decode_error>& errors, source_map* positions = nullptr);

}  // namespace troupe::messages::codec
