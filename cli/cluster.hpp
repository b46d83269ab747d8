// What every verb that talks to a cluster shares: the --server and --namespace flags, the
// config file (cli/config.hpp), and the connection (cli/api_client.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/api_client.hpp"
#include "cli/command.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::cli {

inline constexpr flag_spec server_flag{
    "server", 's', true, {}, "The address and port of the Troupe API server"};
inline constexpr flag_spec namespace_flag{
    "namespace", 'n', true, {}, "If present, the namespace scope for this CLI request"};

inline constexpr flag_spec output_flag{
    "output", 'o', true, {}, "Output format. One of: (json, yaml, name)."};
inline constexpr flag_spec dry_run_flag{
    "dry-run", 0, true, "client",
    "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that "
    "would be sent, without sending it."};

struct cluster {
  std::unique_ptr<api_client> client;
  std::string ns;            // -n, else the config's namespace, else "default"
  bool explicit_ns = false;  // -n was given
};

// Connects as the flags and the config say; nullopt after printing kubectl's error.
std::optional<cluster> open_cluster(const parsed_flags& flags, cli_io& io);

// A request for `kind` with its group, resource and (for namespaced kinds) namespace set.
messages::ApiRequest request_for(const messages::kind_info& kind, messages::ApiRequest::Verb verb,
                                 const std::string& ns);

}  // namespace troupe::cli
