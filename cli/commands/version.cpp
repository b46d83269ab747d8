// troupectl version: the client's version (the server's arrives with the control plane).
#include <ostream>

#include "cli/commands/commands.hpp"
#include "cli/printers.hpp"
#include "messages/codec/encoder.hpp"

namespace troupe::cli {
namespace {

constexpr flag_spec version_flags[] = {
    {"client", 0, false, {}, "If true, shows client version only (no server required)."},
    {"output", 'o', true, {}, "One of 'yaml' or 'json'."},
};

int run_version(const parsed_flags& flags, cli_io& io) {
  namespace codec = messages::codec;
  const std::string version = "v" TROUPE_VERSION;
  auto format = flags.get("output");
  if (format.empty()) {
    io.out << "Client Version: " << version << '\n';
    return 0;
  }
  if (format != "yaml" && format != "json") return fail(io, "--output must be 'yaml' or 'json'");
  auto info = codec::doc_node::make_mapping();
  info->entries.emplace_back(codec::doc_node::make_string("gitVersion"),
                             codec::doc_node::make_string(version));
  auto root = codec::doc_node::make_mapping();
  root->entries.emplace_back(codec::doc_node::make_string("clientVersion"), info);
  io.out << (format == "yaml" ? codec::to_yaml(*root) : codec::to_json(*root));
  return 0;
}

}  // namespace

const command version_command{"version", "Print the client and server version information",
                              "troupectl version [flags] [options]", version_flags, run_version};

}  // namespace troupe::cli
