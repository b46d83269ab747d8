// Output formats for objects, as kubectl's -o flag: yaml, json, name, and the
// human default. Used only by troupectl verbs.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "messages/kinds.hpp"

namespace troupe::cli {

enum class output_format { human, yaml, json, name };

// Parses -o's value; nullopt for a format this verb does not offer.
std::optional<output_format> parse_output_format(std::string_view text);

// kubectl's message for an unknown -o value.
std::string unknown_output_format(std::string_view text);

// "deployment.apps/myapp-deployment"
std::string object_name(const google::protobuf::Message& object, const messages::kind_info& kind);

// Prints one object of a sequence; `index` > 0 separates YAML documents with "---".
void print_object(std::ostream& out, output_format format, const google::protobuf::Message& object,
                  const messages::kind_info& kind, std::size_t index);

}  // namespace troupe::cli
