// The troupe daemon binary: `troupe server` (a control-plane member: Raft and the store),
// `troupe agent` and `troupe up` (not there yet), `troupe version`.
#include <signal.h>

#include <cstdint>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/raft_actor.hpp"
#include "actors/system_config.hpp"
#include "cli/flags.hpp"
#include "messages/caf_types.hpp"
#include "messages/quantity.hpp"

namespace {

using troupe::cli::flag_spec;

constexpr flag_spec server_flags[] = {
    {.name = "name", .usage = "This member's id, unique in the cluster (e.g. s1)."},
    {.name = "data-dir", .usage = "Where this member keeps its LMDB environment."},
    {.name = "listen", .usage = "host:port where this member listens for the others."},
    {.name = "peers",
     .usage = "The members of a new cluster: name=host:port,... (this one may be listed). "
              "Ignored once --data-dir holds a cluster."},
    {.name = "join",
     .takes_value = false,
     .usage = "Start empty and wait to be added to a running cluster (with its leader's "
              "add-member) instead of forming one from --peers."},
    {.name = "heartbeat-ms", .usage = "Raft heartbeat interval in milliseconds (100)."},
    {.name = "election-timeout-ms",
     .usage = "Raft election timeout in milliseconds, randomized up to twice this (1000)."},
    {.name = "store-map-size",
     .usage = "The largest the store's data file may grow, as a quantity (8Gi)."},
    {.name = "help", .shorthand = 'h', .takes_value = false, .usage = "Help for server."},
};

int usage_error(const std::string& what) {
  std::cerr << "error: " << what << "\nSee 'troupe server --help' for usage.\n";
  return 1;
}

// "s1=10.0.0.1:7001,s2=10.0.0.2:7001"
bool parse_peers(const std::string& text, std::vector<troupe::messages::Member>& out,
                 std::string& error) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      error = "invalid --peers entry \"" + item + "\": want name=host:port";
      return false;
    }
    troupe::messages::Member m;
    m.set_id(item.substr(0, eq));
    m.set_address(item.substr(eq + 1));
    if (auto hp = troupe::actors::split_host_port(m.address()); !hp) {
      error = "invalid --peers entry \"" + item + "\": the address is not host:port";
      return false;
    }
    out.push_back(std::move(m));
  }
  return true;
}

bool parse_ms(const troupe::cli::parsed_flags& flags, std::string_view name, int64_t& out,
              std::string& error) {
  if (!flags.has(name)) return true;
  std::string text = flags.get(name);
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used != text.size() || v <= 0) throw std::invalid_argument(text);
    out = v;
    return true;
  } catch (const std::exception&) {
    error = "invalid --" + std::string(name) + " \"" + text + "\": want a positive integer";
    return false;
  }
}

int run_server(std::span<const std::string> args) {
  auto flags = troupe::cli::parse_flags(args, server_flags);
  if (flags.error) return usage_error(*flags.error);
  if (flags.has("help")) {
    std::cout << "Run a control-plane member: Raft and the replicated store.\n\nUsage:\n"
                 "  troupe server --name s1 --data-dir DIR --listen HOST:PORT "
                 "[--peers s1=HOST:PORT,s2=HOST:PORT,...]\n\nOptions:\n"
              << troupe::cli::describe_flags(server_flags);
    return 0;
  }
  if (!flags.positional.empty())
    return usage_error("unexpected argument \"" + flags.positional.front() + "\"");
  troupe::actors::raft_server_options options;
  options.id = flags.get("name");
  options.data_dir = flags.get("data-dir");
  options.listen = flags.get("listen");
  if (options.id.empty()) return usage_error("--name is required");
  if (options.data_dir.empty()) return usage_error("--data-dir is required");
  if (options.listen.empty()) return usage_error("--listen is required");
  if (auto hp = troupe::actors::split_host_port(options.listen); !hp || hp->second == 0)
    return usage_error("invalid --listen \"" + options.listen + "\": want host:port");
  options.join = flags.has("join");
  std::string error;
  if (!parse_peers(flags.get("peers"), options.bootstrap, error)) return usage_error(error);
  if (!parse_ms(flags, "heartbeat-ms", options.heartbeat_ms, error) ||
      !parse_ms(flags, "election-timeout-ms", options.election_timeout_ms, error))
    return usage_error(error);
  if (options.election_timeout_ms <= options.heartbeat_ms)
    return usage_error("--election-timeout-ms must be above --heartbeat-ms");
  if (flags.has("store-map-size")) {
    auto q = troupe::messages::parse_quantity(flags.get("store-map-size"));
    if (!q.value || troupe::messages::quantity_value_ceil(*q.value) < (1 << 20))
      return usage_error("invalid --store-map-size \"" + flags.get("store-map-size") +
                         "\": want a size of at least 1Mi, such as 8Gi");
    options.storage.env.map_size =
        static_cast<uint64_t>(troupe::messages::quantity_value_ceil(*q.value));
  }
  options.seed = std::hash<std::string>{}(options.id) ^
                 static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());

  // Signals go to sigwait below, not to whichever thread CAF happens to run: block them
  // before the actor system starts its threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  const std::string id = options.id;
  const std::string listen = options.listen;
  auto started = troupe::actors::spawn_raft_actor(system, std::move(options));
  if (!started) {
    std::cerr << "error: troupe server " << id
              << " could not start: " << system.render(started.error()) << "\n";
    return 1;
  }
  std::cerr << "troupe server " + id + " listening on " + listen + "\n";
  // The server runs until a signal asks it to stop, or until its raft actor stops on its
  // own (a failed fsync, corrupt data), which it has logged.
  caf::scoped_actor self{system};
  self->monitor(started->actor);
  std::thread signals([stop_signals, actor = started->actor, id] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cerr << "troupe server " + id + ": stopping on signal " + std::to_string(signal) + "\n";
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  });
  // The thread may still wait in sigwait when the process exits; that is fine.
  signals.detach();
  caf::error reason;
  self->receive([&](caf::down_msg& down) { reason = down.reason; });
  if (reason == caf::exit_reason::user_shutdown) return 0;
  std::cerr << "troupe server " + id + " stopped: " + system.render(reason) + "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view verb = argc > 1 ? argv[1] : "";
  if (verb == "version" || verb == "--version") {
    std::cout << "troupe v" TROUPE_VERSION "\n";
    return 0;
  }
  if (verb == "server") {
    std::vector<std::string> args(argv + 2, argv + argc);
    return run_server(args);
  }
  if (verb == "up" || verb == "agent") {
    std::cerr << "troupe " << verb
              << ": not there yet. `troupe server` runs a control-plane member (Raft and the "
                 "replicated store); the embedded cluster and the node agent are the next "
                 "pieces of work. Today troupectl decodes, defaults and validates manifests "
                 "offline (troupectl create --dry-run=client -f manifests/ -o yaml).\n";
    return 1;
  }
  std::cerr << "usage: troupe up | server | agent | version\n";
  return verb.empty() || verb == "--help" || verb == "-h" ? (verb.empty() ? 1 : 0) : 1;
}
