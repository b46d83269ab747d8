#include "cli/printers.hpp"

#include <google/protobuf/message.h>

#include "messages/codec/encoder.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {

std::optional<output_format> parse_output_format(std::string_view text) {
  if (text == "yaml") return output_format::yaml;
  if (text == "json") return output_format::json;
  if (text == "name") return output_format::name;
  return std::nullopt;
}

std::string unknown_output_format(std::string_view text) {
  return "unable to match a printer suitable for the output format \"" + std::string(text) +
         "\", allowed formats are: json,name,yaml";
}

std::string object_name(const google::protobuf::Message& object, const messages::kind_info& kind) {
  const auto* meta = messages::metadata_of(object);
  return kind.qualified_kind() + "/" + (meta ? meta->name() : "");
}

void print_object(std::ostream& out, output_format format, const google::protobuf::Message& object,
                  const messages::kind_info& kind, std::size_t index) {
  namespace codec = messages::codec;
  switch (format) {
    case output_format::yaml:
      if (index > 0) out << "---\n";
      out << codec::to_yaml(*codec::encode_object(object, kind));
      break;
    case output_format::json:
      out << codec::to_json(*codec::encode_object(object, kind));
      break;
    case output_format::name:
    case output_format::human:
      out << object_name(object, kind) << '\n';
      break;
  }
}

}  // namespace troupe::cli
