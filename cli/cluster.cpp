#include "cli/cluster.hpp"

#include <ostream>

#include "cli/config.hpp"

namespace troupe::cli {

std::optional<cluster> open_cluster(const parsed_flags& flags, cli_io& io) {
  cli_config config;
  if (flags.has("server")) {
    config.servers = {flags.get("server")};
  } else {
    std::string error;
    auto read = read_config(error);
    if (!read) {
      fail(io, error);
      return std::nullopt;
    }
    config = std::move(*read);
  }
  std::string error;
  cluster out;
  out.client = api_client::connect(config.servers, error);
  if (!out.client) {
    io.err << error << '\n';
    return std::nullopt;
  }
  out.explicit_ns = flags.has("namespace");
  out.ns = flags.get("namespace", config.ns.empty() ? "default" : config.ns);
  return out;
}

messages::ApiRequest request_for(const messages::kind_info& kind, messages::ApiRequest::Verb verb,
                                 const std::string& ns) {
  messages::ApiRequest request;
  request.set_verb(verb);
  request.set_group(std::string(kind.group));
  request.set_resource(std::string(kind.resource));
  if (kind.namespaced) request.set_namespace_(ns);
  return request;
}

}  // namespace troupe::cli
