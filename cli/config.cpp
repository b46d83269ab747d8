#include "cli/config.hpp"

#include <cstdlib>
#include <fstream>

#include <yaml-cpp/yaml.h>

namespace troupe::cli {

std::filesystem::path troupe_home() {
  if (const char* home = std::getenv("TROUPE_HOME"); home && *home) return home;
  const char* user_home = std::getenv("HOME");
  return std::filesystem::path(user_home && *user_home ? user_home : ".") / ".troupe";
}

std::optional<cli_config> read_config(std::string& error) {
  const auto path = troupe_home() / "config";
  std::ifstream in(path);
  if (!in) {
    error = "no cluster configured: " + path.string() +
            " is missing. Start one with `troupe up`, or pass --server HOST:PORT";
    return std::nullopt;
  }
  try {
    YAML::Node root = YAML::Load(in);
    cli_config config;
    if (root["servers"]) {
      for (const auto& s : root["servers"])
        config.servers.push_back(s.as<std::string>());
    }
    if (root["namespace"]) config.ns = root["namespace"].as<std::string>();
    if (config.servers.empty()) {
      error = path.string() + " lists no servers";
      return std::nullopt;
    }
    return config;
  } catch (const YAML::Exception& e) {
    error = path.string() + ": " + e.what();
    return std::nullopt;
  }
}

bool write_config(const cli_config& config, std::string& error) {
  const auto dir = troupe_home();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "servers" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : config.servers)
    out << s;
  out << YAML::EndSeq << YAML::Key << "namespace" << YAML::Value << config.ns << YAML::EndMap;
  std::ofstream file(dir / "config", std::ios::trunc);
  file << "# troupectl's cluster; written by `troupe up`\n" << out.c_str() << "\n";
  if (!file) {
    error = "cannot write " + (dir / "config").string();
    return false;
  }
  return true;
}

}  // namespace troupe::cli
