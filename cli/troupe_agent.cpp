#include "cli/troupe_agent.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <sstream>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/gateway/gateway_proxy.hpp"
#include "actors/system_config.hpp"
#include "cli/flags.hpp"
#include "node/node_agent.hpp"

namespace troupe::cli {
namespace {

constexpr flag_spec agent_flags[] = {
    {.name = "server",
     .usage = "The API gateways of the cluster's servers: host:port,host:port,... (required)."},
    {.name = "node-name", .usage = "This node's name (the host name)."},
    {.name = "hollow-nodes",
     .usage = "Run this many hollow nodes (agents on the sim runtime) instead of one node."},
    {.name = "hollow-prefix", .usage = "Hollow nodes are named <prefix>-0, ... (hollow-node)."},
    {.name = "hollow-cidr-offset",
     .usage = "Hollow node i gets podCIDR 10.244.<offset + i>.0/24, so that several agent "
              "processes do not overlap (1)."},
    {.name = "hollow-run-pods",
     .takes_value = false,
     .usage = "Hollow nodes run the pods bound to them (true); with =false they only register "
              "and heartbeat, like scheduler_perf's nodes, for scheduler benchmarks."},
    {.name = "lease-renew-interval",
     .usage = "How often each node renews its lease (2s); keep it well under the servers' "
              "--node-monitor-grace-period."},
    {.name = "help", .shorthand = 'h', .takes_value = false, .usage = "Help for agent."},
};

int usage_error(const std::string& message) {
  std::cerr << "error: " << message << "\nSee 'troupe agent --help' for usage.\n";
  return 1;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::optional<int> parse_count(const parsed_flags& flags, std::string_view name, int fallback) {
  if (!flags.has(name)) return fallback;
  try {
    std::size_t used = 0;
    int v = std::stoi(flags.get(name), &used);
    if (used != flags.get(name).size() || v < 0) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

int run_agent(std::span<const std::string> args) {
  auto flags = parse_flags(args, agent_flags);
  if (flags.error) return usage_error(*flags.error);
  if (flags.has("help")) {
    std::cout << "Run a worker node: a node agent, or hollow nodes on the sim runtime.\n\n"
                 "Usage:\n  troupe agent --server HOST:PORT[,...] [--node-name NAME | "
                 "--hollow-nodes N]\n\nOptions:\n"
              << describe_flags(agent_flags);
    return 0;
  }
  auto servers = split_commas(flags.get("server"));
  if (servers.empty()) return usage_error("--server is required");
  auto hollow = parse_count(flags, "hollow-nodes", 0);
  auto offset = parse_count(flags, "hollow-cidr-offset", 1);
  if (!hollow) return usage_error("invalid --hollow-nodes \"" + flags.get("hollow-nodes") + "\"");
  if (!offset)
    return usage_error("invalid --hollow-cidr-offset \"" + flags.get("hollow-cidr-offset") + "\"");
  auto renew = std::chrono::milliseconds(2000);
  if (flags.has("lease-renew-interval")) {
    auto d = duration_ms(flags.get("lease-renew-interval"));
    if (!d || d->count() <= 0)
      return usage_error("invalid --lease-renew-interval \"" + flags.get("lease-renew-interval") +
                         "\": want a duration such as 2s");
    renew = *d;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  actors::system_config cfg;
  caf::actor_system system{cfg};
  actors::gateway_proxy_options proxy;
  proxy.servers = servers;
  auto gateway = actors::spawn_gateway_proxy(system, std::move(proxy));
  std::vector<caf::actor> agents;
  if (*hollow > 0) {
    node::hollow_node_options options;
    options.count = *hollow;
    options.prefix = flags.get("hollow-prefix", "hollow-node");
    options.first_cidr = *offset;
    options.lease_renew = renew;
    options.run_pods = !flags.has("hollow-run-pods") || flags.enabled("hollow-run-pods");
    agents = node::spawn_hollow_nodes(system, gateway, options);
  } else {
    node::node_agent_options options;
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    options.node_name = flags.get("node-name", host);
    options.gateway = gateway;
    options.lease_renew = renew;
    agents.push_back(node::spawn_node_agent(system, std::move(options)));
  }
  std::cerr << "troupe agent: " << agents.size() << " node(s), API at " << flags.get("server")
            << "\n";
  int signal = 0;
  sigwait(&stop_signals, &signal);
  for (const auto& agent : agents)
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  return 0;
}

}  // namespace troupe::cli
