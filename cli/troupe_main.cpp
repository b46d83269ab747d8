// The troupe daemon binary: `troupe server` (a control-plane member: Raft, the store and
// the API gateway), `troupe up` / `troupe down` (the embedded single-server cluster),
// `troupe agent` (not there yet), `troupe version`.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <variant>

#include "actors/control_plane.hpp"
#include "actors/heap_config.hpp"
#include "actors/raft_actor.hpp"
#include "actors/system_config.hpp"
#include "cli/api_client.hpp"
#include "cli/config.hpp"
#include "cli/flags.hpp"
#include "cli/troupe_agent.hpp"
#include "messages/caf_types.hpp"
#include "messages/quantity.hpp"
#include "node/node_agent.hpp"

namespace {

using troupe::cli::flag_spec;

// The node lifecycle's times, which `troupe server` and `troupe up` both take.
constexpr flag_spec grace_period_flag{
    .name = "node-monitor-grace-period",
    .usage =
        "How long a node may miss renewing its lease before it is NotReady and tainted "
        "unreachable (6s; Kubernetes: 50s)."};
constexpr flag_spec toleration_flag{
    .name = "default-unreachable-toleration-seconds",
    .usage =
        "How long pods stay on an unreachable or not-ready node before they are evicted, "
        "unless they tolerate it otherwise (10; Kubernetes: 300)."};

// Reads the two flags above into `out`; false with `error` set for a bad value.
bool parse_node_lifecycle(const troupe::cli::parsed_flags& flags,
                          troupe::actors::controllers::node_lifecycle_options& out,
                          std::string& error) {
  if (flags.has(grace_period_flag.name)) {
    auto d = troupe::cli::duration_ms(flags.get(grace_period_flag.name));
    if (!d || d->count() <= 0) {
      error = "invalid --node-monitor-grace-period \"" + flags.get(grace_period_flag.name) +
              "\": want a duration such as 8s";
      return false;
    }
    out.grace_period = *d;
  }
  if (flags.has(toleration_flag.name)) {
    const auto text = flags.get(toleration_flag.name);
    try {
      std::size_t used = 0;
      long long v = std::stoll(text, &used);
      if (used != text.size() || v < 0) throw std::invalid_argument(text);
      out.eviction_timeout = std::chrono::seconds(v);
    } catch (const std::exception&) {
      error = "invalid --default-unreachable-toleration-seconds \"" + text +
              "\": want a number of seconds";
      return false;
    }
  }
  return true;
}

constexpr flag_spec server_flags[] = {
    grace_period_flag,
    toleration_flag,
    {.name = "name", .usage = "This member's id, unique in the cluster (e.g. s1)."},
    {.name = "data-dir", .usage = "Where this member keeps its LMDB environment."},
    {.name = "listen", .usage = "host:port where this member listens for the others."},
    {.name = "api-listen",
     .usage = "host:port of the API gateway, where troupectl connects (the --listen port + 1)."},
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

// Node agents a process runs next to its server: its own (named after the host) and hollow
// ones, all on the sim runtime.
struct local_agents {
  bool local = false;
  int hollow = 0;
};
int serve(troupe::actors::control_plane_options options, const std::string& what,
          local_agents agents = {});

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

  std::string api_listen = flags.get("api-listen");
  if (api_listen.empty()) {
    auto hp = troupe::actors::split_host_port(options.listen);
    api_listen = hp->first + ":" + std::to_string(hp->second + 1);
  }
  troupe::actors::control_plane_options plane;
  if (!parse_node_lifecycle(flags, plane.node_lifecycle, error)) return usage_error(error);
  plane.raft = std::move(options);
  plane.api_listen = std::move(api_listen);
  return serve(std::move(plane), "troupe server");
}

// Runs a control-plane member until a signal asks it to stop or its raft actor stops on
// its own (a failed fsync, corrupt data), which it has logged.
int serve(troupe::actors::control_plane_options options, const std::string& what,
          local_agents agents) {
  // Signals go to sigwait below, not to whichever thread CAF happens to run: block them
  // before the actor system starts its threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  const std::string id = options.raft.id;
  const std::string listen = options.raft.listen;
  const std::string api = options.api_listen;
  auto started = troupe::actors::start_control_plane(system, std::move(options));
  if (!started) {
    std::cerr << "error: " << what << " " << id
              << " could not start: " << system.render(started.error()) << "\n";
    return 1;
  }
  std::cerr << what + " " + id + " listening on " + listen + ", API on " + api + "\n";
  std::vector<caf::actor> agent_actors;
  if (agents.local) {
    troupe::node::node_agent_options local;
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    local.node_name = host;
    local.gateway = started->gateway;
    agent_actors.push_back(troupe::node::spawn_node_agent(system, std::move(local)));
  }
  troupe::node::hollow_node_options hollow;
  hollow.count = agents.hollow;
  for (auto& agent : troupe::node::spawn_hollow_nodes(system, started->gateway, hollow))
    agent_actors.push_back(std::move(agent));
  caf::scoped_actor self{system};
  self->monitor(started->raft);
  std::thread signals([stop_signals, plane = *started, id, what] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cerr << what + " " + id + ": stopping on signal " + std::to_string(signal) + "\n";
    troupe::actors::stop_control_plane(plane);
  });
  // The thread may still wait in sigwait when the process exits; that is fine.
  signals.detach();
  caf::error reason;
  self->receive([&](caf::down_msg& down) { reason = down.reason; });
  // The actor system waits for every actor when it goes: stop the agents (and with them their
  // pod actors) too.
  for (const auto& agent : agent_actors)
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  troupe::actors::stop_control_plane(*started);
  if (reason == caf::exit_reason::user_shutdown) return 0;
  std::cerr << what + " " + id + " stopped: " + system.render(reason) + "\n";
  return 1;
}

constexpr flag_spec up_flags[] = {
    {.name = "api-listen",
     .usage = "host:port of the API gateway, where troupectl connects (127.0.0.1:6443)."},
    {.name = "raft-listen", .usage = "host:port of the embedded server's Raft (127.0.0.1:6444)."},
    {.name = "foreground",
     .takes_value = false,
     .usage = "Run in this process instead of starting in the background."},
    {.name = "hollow-nodes",
     .usage = "Also run this many hollow nodes (agents on the sim runtime) in the process (0)."},
    grace_period_flag,
    toleration_flag,
    {.name = "help", .shorthand = 'h', .takes_value = false, .usage = "Help for up."},
};

std::filesystem::path pid_path() {
  return troupe::cli::troupe_home() / "troupe.pid";
}

// The pid of a running `troupe up`, if its pid file names a live process.
std::optional<pid_t> running_pid() {
  std::ifstream in(pid_path());
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (::kill(pid, 0) != 0) return std::nullopt;
  return pid;
}

// Waits until the API at `api` answers a list of namespaces (the default ones exist).
bool await_api(const std::string& api, pid_t child, std::chrono::seconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return false;
    std::string error;
    if (auto client = troupe::cli::api_client::connect({api}, error)) {
      troupe::messages::ApiRequest request;
      request.set_verb(troupe::messages::ApiRequest::GET);
      request.set_resource("namespaces");
      request.set_name("default");
      if (std::holds_alternative<troupe::messages::ApiResponse>(
              client->call(request, std::chrono::seconds(2))))
        return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int run_up(std::span<const std::string> args) {
  auto flags = troupe::cli::parse_flags(args, up_flags);
  if (flags.error) return usage_error(*flags.error);
  if (flags.has("help")) {
    std::cout << "Start the embedded cluster: one server (Raft, store, API) with its data in "
                 "$TROUPE_HOME (~/.troupe), and configure troupectl for it.\n\nUsage:\n"
                 "  troupe up [--foreground] [--api-listen HOST:PORT]\n\nOptions:\n"
              << troupe::cli::describe_flags(up_flags);
    return 0;
  }
  const auto home = troupe::cli::troupe_home();
  const std::string api = flags.get("api-listen", "127.0.0.1:6443");
  const std::string raft = flags.get("raft-listen", "127.0.0.1:6444");
  int hollow = 0;
  if (flags.has("hollow-nodes")) {
    try {
      hollow = std::stoi(flags.get("hollow-nodes"));
    } catch (...) {
      hollow = -1;
    }
    if (hollow < 0 || hollow > 10000)
      return usage_error("invalid --hollow-nodes \"" + flags.get("hollow-nodes") +
                         "\": want a number from 0 to 10000");
  }
  for (const auto* address : {&api, &raft})
    if (auto hp = troupe::actors::split_host_port(*address); !hp || hp->second == 0)
      return usage_error("invalid address \"" + *address + "\": want host:port");
  if (troupe::actors::controllers::node_lifecycle_options checked; true) {
    std::string error;
    if (!parse_node_lifecycle(flags, checked, error)) return usage_error(error);
  }
  if (flags.has("foreground")) {
    troupe::actors::control_plane_options options;
    options.raft.id = "local";
    options.raft.data_dir = (home / "data").string();
    options.raft.listen = raft;
    troupe::messages::Member self;
    self.set_id("local");
    self.set_address(raft);
    options.raft.bootstrap = {self};
    // A single member needs no time to notice a dead peer: short timeouts start it fast.
    options.raft.heartbeat_ms = 50;
    options.raft.election_timeout_ms = 150;
    options.api_listen = api;
    std::string error;
    if (!parse_node_lifecycle(flags, options.node_lifecycle, error)) return usage_error(error);
    local_agents agents{.local = true, .hollow = hollow};
    return serve(std::move(options), "troupe up", agents);
  }
  if (auto pid = running_pid()) {
    std::cout << "Troupe is already running (pid " << *pid << "), API at " << api << ".\n";
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  const auto log = home / "troupe.log";
  pid_t child = ::fork();
  if (child < 0) {
    std::cerr << "error: fork failed\n";
    return 1;
  }
  if (child == 0) {
    ::setsid();
    int devnull = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    std::vector<std::string> argv_text = {
        "troupe",        "up", "--foreground",   "--api-listen",        api,
        "--raft-listen", raft, "--hollow-nodes", std::to_string(hollow)};
    for (const auto* forwarded : {&grace_period_flag, &toleration_flag})
      if (flags.has(forwarded->name))
        argv_text.push_back("--" + std::string(forwarded->name) + "=" + flags.get(forwarded->name));
    std::vector<char*> argv;
    for (auto& a : argv_text)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  std::ofstream(pid_path(), std::ios::trunc) << child << "\n";
  if (!await_api(api, child, std::chrono::seconds(60))) {
    std::cerr << "error: the embedded cluster did not start; see " << log.string() << "\n";
    ::kill(child, SIGTERM);
    std::filesystem::remove(pid_path(), ec);
    return 1;
  }
  std::string error;
  if (!troupe::cli::write_config({{api}, "default"}, error)) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  std::cout << "Troupe is running (pid " << child << "): API at " << api << ", data in "
            << (home / "data").string() << ", log in " << log.string() << ".\n"
            << "troupectl is configured (" << (home / "config").string()
            << "). Stop it with `troupe down`.\n";
  return 0;
}

int run_down() {
  auto pid = running_pid();
  std::error_code ec;
  if (!pid) {
    std::filesystem::remove(pid_path(), ec);
    std::cout << "Troupe is not running.\n";
    return 0;
  }
  ::kill(*pid, SIGTERM);
  for (int i = 0; i < 200 && ::kill(*pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (::kill(*pid, 0) == 0) {
    std::cerr << "error: troupe (pid " << *pid << ") did not stop within 10 s\n";
    return 1;
  }
  std::filesystem::remove(pid_path(), ec);
  std::cout << "Troupe stopped.\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  troupe::actors::configure_heap();
  std::string_view verb = argc > 1 ? argv[1] : "";
  if (verb == "version" || verb == "--version") {
    std::cout << "troupe v" TROUPE_VERSION "\n";
    return 0;
  }
  if (verb == "server") {
    std::vector<std::string> args(argv + 2, argv + argc);
    return run_server(args);
  }
  if (verb == "up") {
    std::vector<std::string> args(argv + 2, argv + argc);
    return run_up(args);
  }
  if (verb == "down") return run_down();
  if (verb == "agent") {
    std::vector<std::string> args(argv + 2, argv + argc);
    return troupe::cli::run_agent(args);
  }
  std::cerr << "usage: troupe up | down | server | agent | version\n";
  return verb.empty() || verb == "--help" || verb == "-h" ? (verb.empty() ? 1 : 0) : 1;
}
