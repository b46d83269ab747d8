// troupectl cluster-info: which API server answers, kubectl's first line adapted
// ("Troupe control plane is running at HOST:PORT"), after checking that the server serves
// the API (it reads namespace default). kubectl's add-on service lines and its hint at
// `cluster-info dump` are left out: Troupe has neither.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/config.hpp"

namespace troupe::cli {
namespace {

constexpr flag_spec cluster_info_flags[] = {server_flag};

int run_cluster_info(const parsed_flags& flags, cli_io& io) {
  if (!flags.positional.empty()) {
    const auto& sub = flags.positional[0];
    if (sub == "dump") return fail(io, "\"troupectl cluster-info dump\" is not supported");
    return fail(io, "unknown command \"" + sub + "\" for \"troupectl cluster-info\"");
  }
  std::vector<std::string> servers;
  if (flags.has("server")) {
    servers = {flags.get("server")};
  } else {
    std::string error;
    auto config = read_config(error);
    if (!config) return fail(io, error);
    servers = config->servers;
  }
  // One server at a time, to name the one that answered.
  std::string error;
  for (const auto& server : servers) {
    auto client = api_client::connect({server}, error);
    if (!client) continue;
    auto request =
        request_for(*messages::find_resource("namespaces"), messages::ApiRequest::GET, "");
    request.set_name("default");
    auto outcome = client->call(request);
    if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
      io.err << failed->to_string() << '\n';
      return 1;
    }
    io.out << "Troupe control plane is running at " << server << '\n';
    return 0;
  }
  io.err << error << '\n';
  return 1;
}

}  // namespace

const command cluster_info_command{"cluster-info", "Display cluster information",
                                   "troupectl cluster-info [flags] [options]", cluster_info_flags,
                                   run_cluster_info};

}  // namespace troupe::cli
