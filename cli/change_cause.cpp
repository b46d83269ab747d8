#include "cli/change_cause.hpp"

#include <ostream>

#include "messages/kinds.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {

std::string change_cause(std::string_view binary, const parsed_flags& flags) {
  std::string out(binary);
  if (!flags.command_path.empty()) out += " " + flags.command_path;
  for (const auto& arg : flags.positional)
    out += " " + arg;
  for (const auto& [name, value] : flags.given)
    out += " --" + name + "=" + value;
  return out;
}

std::string change_cause_to_record(const parsed_flags& flags, cli_io& io) {
  if (!flags.has("record")) return {};
  io.err << "Flag --record has been deprecated, --record will be removed in the future\n";
  return flags.enabled("record") ? change_cause("troupectl", flags) : std::string();
}

void record_change_cause(google::protobuf::Message& object, const std::string& cause) {
  (*messages::metadata_of(object)->mutable_annotations())["kubernetes.io/change-cause"] = cause;
}

}  // namespace troupe::cli
