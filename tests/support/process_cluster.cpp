#include "tests/support/process_cluster.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "tests/support/free_port.hpp"

namespace troupe::test_support {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

std::string tail(const std::string& path, std::size_t max_chars = 2000) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return text.size() > max_chars ? text.substr(text.size() - max_chars) : text;
}

}  // namespace

process_cluster::process_cluster(caf::actor_system& system, process_cluster_options options)
    : system_(system), dir_(std::make_unique<temp_dir>("troupe-cluster", options.data_root)) {
  std::string peers;
  for (int i = 0; i < options.members; ++i) {
    ids_.push_back("s" + std::to_string(i + 1));
    ports_.push_back(free_port());
    api_ports_.push_back(free_port());
    if (!peers.empty()) peers += ",";
    peers += ids_.back() + "=" + address(i);
  }
  for (int i = 0; i < options.members; ++i) {
    std::vector<std::string> args = {
        "server",      "--name",   ids_[i],   "--data-dir", (dir_->path() / ids_[i]).string(),
        "--listen",    address(i), "--peers", peers,        "--api-listen",
        api_address(i)};
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    servers_.push_back(std::make_unique<server_process>(
        options.binary, args, (dir_->path() / (ids_[i] + ".log")).string()));
    handles_.emplace_back();
  }
  for (auto& s : servers_)
    s->start();
}

process_cluster::~process_cluster() {
  // The handles go first: their proxies must not outlive the connections' processes by much.
  handles_.clear();
  servers_.clear();
}

std::string process_cluster::address(int i) const {
  return "127.0.0.1:" + std::to_string(ports_[i]);
}

std::string process_cluster::api_address(int i) const {
  return "127.0.0.1:" + std::to_string(api_ports_[i]);
}

std::vector<std::string> process_cluster::addresses() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i)
    out.push_back(address(i));
  return out;
}

void process_cluster::kill9(int i) {
  handles_[i] = nullptr;
  servers_[i]->kill9();
}

void process_cluster::restart(int i) {
  handles_[i] = nullptr;
  servers_[i]->start();
}

std::optional<actors::raft_status> process_cluster::status(int i) {
  if (!servers_[i]->running()) return std::nullopt;
  if (!handles_[i]) {
    auto h = system_.middleman().remote_actor<actors::raft_actor>("127.0.0.1", ports_[i]);
    if (!h) return std::nullopt;
    handles_[i] = *h;
  }
  std::optional<actors::raft_status> out;
  caf::scoped_actor self{system_};
  self->request(handles_[i], 1s, atoms::raft_status_atom_v)
      .receive([&](std::string& id, std::string& role, uint64_t term, std::string& leader,
                   uint64_t commit,
                   uint64_t applied) { out.emplace(id, role, term, leader, commit, applied); },
               [&](caf::error&) { handles_[i] = nullptr; });
  return out;
}

std::optional<int> process_cluster::await_leader(duration within) {
  auto deadline = clock_type::now() + within;
  while (clock_type::now() < deadline) {
    std::optional<int> leader;
    bool agreed = true;
    for (int i = 0; i < size() && agreed; ++i) {
      if (!servers_[i]->running()) continue;
      auto st = status(i);
      auto it = st ? std::find(ids_.begin(), ids_.end(), std::get<3>(*st)) : ids_.end();
      if (it == ids_.end()) {
        agreed = false;
        break;
      }
      int named = static_cast<int>(it - ids_.begin());
      if (leader && *leader != named) agreed = false;
      leader = named;
    }
    if (agreed && leader) {
      auto st = status(*leader);
      if (st && std::get<1>(*st) == "leader") return leader;
    }
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

bool process_cluster::await_rejoined(int i, duration within) {
  auto deadline = clock_type::now() + within;
  std::optional<uint64_t> target;
  while (clock_type::now() < deadline) {
    if (!target) {
      if (auto leader = await_leader(500ms); leader && *leader != i) {
        if (auto st = status(*leader)) target = std::get<4>(*st);
      }
    }
    if (target) {
      auto st = status(i);
      if (st && !std::get<3>(*st).empty() && std::get<5>(*st) >= *target) return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

bool process_cluster::await_all_applied(duration within) {
  auto deadline = clock_type::now() + within;
  auto leader = await_leader(within);
  if (!leader) return false;
  auto st = status(*leader);
  if (!st) return false;
  const uint64_t target = std::get<4>(*st);
  for (int i = 0; i < size(); ++i) {
    if (!servers_[i]->running()) continue;
    for (;;) {
      auto member = status(i);
      if (member && std::get<5>(*member) >= target) break;
      if (clock_type::now() >= deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
  }
  return true;
}

std::string process_cluster::logs() const {
  std::string out;
  for (int i = 0; i < size(); ++i)
    out += "--- " + ids_[i] + " (" + servers_[i]->log_path() + ")\n" +
           tail(servers_[i]->log_path()) + "\n";
  return out;
}

}  // namespace troupe::test_support
