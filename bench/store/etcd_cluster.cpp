#include "bench/store/etcd_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "etcd_rpc.grpc.pb.h"

namespace troupe::bench {

namespace {

using clock_type = std::chrono::steady_clock;

std::string find_binary(const std::string& explicit_path) {
  if (!explicit_path.empty()) return access(explicit_path.c_str(), X_OK) == 0 ? explicit_path : "";
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      auto candidate = (dir.empty() ? std::string(".") : dir) + "/etcd";
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return access("/usr/bin/etcd", X_OK) == 0 ? "/usr/bin/etcd" : "";
}

// Ports the kernel hands out for 127.0.0.1:0. All sockets stay open until the end, so the ports
// are distinct; another process may still take one before etcd binds it, which start reports.
std::vector<int> free_ports(std::size_t count) {
  std::vector<int> sockets, ports;
  for (std::size_t i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      break;
    sockets.push_back(fd);
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets)
    close(fd);
  return ports;
}

std::string tail(const std::string& file, std::size_t bytes = 1500) {
  std::ifstream in(file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto text = buffer.str();
  if (text.empty()) return "(empty)";
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// Forks and execs etcd with stdout and stderr going to `log`. The child dies with its parent.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec, since the parent may run threads.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int in = open("/dev/null", O_RDONLY);
  if (out < 0 || in < 0) _exit(126);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  execv(args[0], args.data());
  _exit(127);
}

grpc::ClientContext* with_deadline(grpc::ClientContext& context, int timeout_ms) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  return &context;
}

bool put_once(const std::string& endpoint, int timeout_ms) {
  auto stub =
      etcdserverpb::KV::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  etcdserverpb::PutRequest request;
  etcdserverpb::PutResponse response;
  request.set_key("troupe-bench/health");
  request.set_value("ok");
  return stub->Put(with_deadline(context, timeout_ms), request, &response).ok();
}

bool status(const std::string& endpoint, etcdserverpb::StatusResponse& response) {
  auto stub = etcdserverpb::Maintenance::NewStub(
      grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  return stub->Status(with_deadline(context, 2000), etcdserverpb::StatusRequest{}, &response).ok();
}

}  // namespace

std::unique_ptr<etcd_cluster> etcd_cluster::start(const etcd_cluster_options& options,
                                                  std::string& error) {
  auto binary = find_binary(options.binary);
  if (binary.empty()) {
    error = "etcd: no executable " +
            (options.binary.empty() ? "etcd on PATH or /usr/bin/etcd" : options.binary) +
            "; install Debian's etcd-server (scripts/install-deps.sh)";
    return nullptr;
  }
  auto ports = free_ports(2 * options.members);
  if (ports.size() != 2 * options.members) {
    error = "etcd: cannot find free ports on 127.0.0.1";
    return nullptr;
  }
  std::unique_ptr<etcd_cluster> cluster(new etcd_cluster());
  std::string pattern = options.data_root + "/troupe-etcd-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    error = "etcd: cannot create a directory in " + options.data_root + ": " + strerror(errno);
    return nullptr;
  }
  cluster->data_dir_ = pattern;

  auto url = [](int port) { return "http://127.0.0.1:" + std::to_string(port); };
  std::string initial_cluster;
  for (std::size_t i = 0; i < options.members; ++i)
    initial_cluster += (i ? ",m" : "m") + std::to_string(i) + "=" + url(ports[2 * i + 1]);
  for (std::size_t i = 0; i < options.members; ++i) {
    auto name = "m" + std::to_string(i);
    auto client = url(ports[2 * i]), peer = url(ports[2 * i + 1]);
    // Heartbeat, election and fsync stay at etcd's defaults: no --unsafe-no-fsync.
    std::vector<std::string> argv = {binary,
                                     "--name=" + name,
                                     "--data-dir=" + cluster->data_dir_ + "/" + name,
                                     "--listen-client-urls=" + client,
                                     "--advertise-client-urls=" + client,
                                     "--listen-peer-urls=" + peer,
                                     "--initial-advertise-peer-urls=" + peer,
                                     "--initial-cluster=" + initial_cluster,
                                     "--initial-cluster-token=troupe-bench",
                                     "--initial-cluster-state=new",
                                     "--logger=zap"};
    cluster->logs_.push_back(cluster->data_dir_ + "/" + name + ".log");
    pid_t pid = spawn(argv, cluster->logs_.back());
    if (pid < 0) {
      error = std::string("etcd: fork failed: ") + strerror(errno);
      return nullptr;
    }
    cluster->pids_.push_back(pid);
    cluster->endpoints_.push_back("127.0.0.1:" + std::to_string(ports[2 * i]));
  }
  if (!cluster->wait_healthy(options.start_timeout_ms, error)) return nullptr;
  return cluster;
}

bool etcd_cluster::wait_healthy(int timeout_ms, std::string& error) {
  auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<bool> healthy(endpoints_.size(), false);
  for (;;) {
    bool all = true;
    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
      int wait_status = 0;
      if (waitpid(pids_[i], &wait_status, WNOHANG) == pids_[i]) {
        pids_[i] = -1;
        auto code = WIFEXITED(wait_status)
                        ? "exit status " + std::to_string(WEXITSTATUS(wait_status))
                        : "signal " + std::to_string(WTERMSIG(wait_status));
        error = "etcd member m" + std::to_string(i) + " exited during start (" + code +
                "); its log ends:\n" + tail(logs_[i]);
        return false;
      }
      if (!healthy[i]) healthy[i] = put_once(endpoints_[i], 1000);
      all = all && healthy[i];
    }
    if (all) break;
    if (clock_type::now() > deadline) {
      error = "etcd: members did not accept a Put within " + std::to_string(timeout_ms) +
              " ms; m0's log ends:\n" + tail(logs_[0]);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  etcdserverpb::StatusResponse response;
  if (status(endpoints_[0], response)) version_ = response.version();
  return true;
}

std::string etcd_cluster::leader_endpoint() const {
  for (const auto& endpoint : endpoints_) {
    etcdserverpb::StatusResponse response;
    if (status(endpoint, response) && response.leader() == response.header().member_id())
      return endpoint;
  }
  return "";
}

void etcd_cluster::stop() {
  // SIGKILL at once: the data is thrown away, and after SIGTERM two of the three members took
  // about 7 s to exit here.
  for (pid_t& pid : pids_) {
    if (pid <= 0) continue;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
}

etcd_cluster::~etcd_cluster() {
  stop();
  std::error_code ignored;
  if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ignored);
}

}  // namespace troupe::bench
