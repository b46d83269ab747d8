#include "bench/store/troupe_cluster.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/store_client.hpp"
#include "actors/system_config.hpp"
#include "bench/store/troupe_target.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/support/free_port.hpp"

#ifndef TROUPE_SERVER_BINARY
#error "TROUPE_SERVER_BINARY must name the troupe executable"
#endif

namespace troupe::bench {
namespace {

using clock_type = std::chrono::steady_clock;

std::string tail(const std::string& path, std::size_t max_chars = 1500) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return text.size() > max_chars ? text.substr(text.size() - max_chars) : text;
}

}  // namespace

std::unique_ptr<troupe_cluster> troupe_cluster::start(const troupe_cluster_options& options,
                                                      std::string& error) {
  std::unique_ptr<troupe_cluster> c{new troupe_cluster};
  c->binary_ = options.binary.empty() ? std::string(TROUPE_SERVER_BINARY) : options.binary;
  if (::access(c->binary_.c_str(), X_OK) != 0) {
    error = "the troupe binary is missing or not executable: " + c->binary_;
    return nullptr;
  }
  std::string pattern =
      (std::filesystem::path(options.data_root) / "troupe-bench-store-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a data directory like " + pattern;
    return nullptr;
  }
  c->data_dir_ = pattern;

  std::vector<std::string> ids;
  std::string peers;
  try {
    for (std::size_t i = 0; i < options.members; ++i) {
      ids.push_back("s" + std::to_string(i + 1));
      c->addresses_.push_back("127.0.0.1:" + std::to_string(test_support::free_port()));
      if (!peers.empty()) peers += ",";
      peers += ids.back() + "=" + c->addresses_.back();
    }
    for (std::size_t i = 0; i < options.members; ++i) {
      auto dir = std::filesystem::path(c->data_dir_) / ids[i];
      std::vector<std::string> args = {"server",         "--name",     ids[i],
                                       "--data-dir",     dir.string(), "--listen",
                                       c->addresses_[i], "--peers",    peers};
      c->servers_.push_back(std::make_unique<test_support::server_process>(
          c->binary_, args, (std::filesystem::path(c->data_dir_) / (ids[i] + ".log")).string()));
    }
    for (auto& s : c->servers_)
      s->start();
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
  if (!c->wait_writable(options.start_timeout_ms, error)) return nullptr;
  return c;
}

bool troupe_cluster::wait_writable(int timeout_ms, std::string& error) {
  auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  actors::system_config cfg;
  caf::actor_system system{cfg};
  actors::store_client_options options;
  options.servers = addresses_;
  options.client_id = "bench-store-probe";
  options.give_up_after = std::chrono::milliseconds(timeout_ms);
  auto client = actors::spawn_store_client(system, options);
  bool ok = false;
  std::string last;
  int attempt = 0;
  while (!ok && clock_type::now() < deadline) {
    for (auto& s : servers_) {
      if (!s->running()) {
        last = "a troupe server exited during start-up";
        deadline = clock_type::now();
      }
    }
    if (clock_type::now() >= deadline) break;
    messages::StoreCommand command;
    command.mutable_create()->set_key("/bench/probe/x/k" + std::to_string(attempt++));
    command.mutable_create()->set_value(troupe_target::wrap_value(std::string(64, 'p'), 64));
    caf::scoped_actor self{system};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    self->request(client, left + std::chrono::seconds(1), atoms::propose_atom_v, command)
        .receive(
            [&](messages::StoreResult& r) {
              if (r.code() == 0) {
                ok = true;
              } else {
                last = "code " + std::to_string(r.code()) + ": " + r.message();
              }
            },
            [&](caf::error& e) { last = system.render(e); });
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  if (!ok) error = "no write succeeded on the troupe cluster (" + last + ")\n" + logs();
  return ok;
}

std::string troupe_cluster::logs() const {
  std::string out;
  for (const auto& s : servers_)
    out += "--- " + s->log_path() + "\n" + tail(s->log_path()) + "\n";
  return out;
}

void troupe_cluster::stop() {
  for (auto& s : servers_)
    s->kill9();
  servers_.clear();
  if (!data_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

troupe_cluster::~troupe_cluster() {
  stop();
}

}  // namespace troupe::bench
