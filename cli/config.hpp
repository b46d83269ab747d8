// troupectl's connection settings: $TROUPE_HOME/config (TROUPE_HOME defaults to ~/.troupe),
// a small YAML file that `troupe up` writes:
//
//   servers:
//   - 127.0.0.1:6443
//   namespace: default
//
// TROUPE_HOME moves the config and the embedded cluster's data together, so several
// clusters can live side by side.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace troupe::cli {

struct cli_config {
  std::vector<std::string> servers;  // API gateways, host:port, tried in order
  std::string ns = "default";        // the namespace when -n is not given
};

// $TROUPE_HOME, else $HOME/.troupe.
std::filesystem::path troupe_home();

// The config in troupe_home(); nullopt with `error` set when it is missing or malformed.
std::optional<cli_config> read_config(std::string& error);

// Writes the config into troupe_home(), creating the directory.
bool write_config(const cli_config& config, std::string& error);

}  // namespace troupe::cli
