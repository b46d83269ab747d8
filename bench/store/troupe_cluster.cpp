#include "bench/store/troupe_cluster.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/store_client.hpp"
#include "actors/system_config.hpp"
#include "bench/store/troupe_target.hpp"

#ifndef TROUPE_SERVER_BINARY
#error "TROUPE_SERVER_BINARY must name the troupe executable"
#endif

namespace troupe::bench {
namespace {

using clock_type = std::chrono::steady_clock;

}  // namespace

std::unique_ptr<troupe_cluster> troupe_cluster::start(const troupe_cluster_options& options,
                                                      std::string& error) {
  std::unique_ptr<troupe_cluster> c{new troupe_cluster};
  c->binary_ = options.binary.empty() ? std::string(TROUPE_SERVER_BINARY) : options.binary;
  if (::access(c->binary_.c_str(), X_OK) != 0) {
    error = "the troupe binary is missing or not executable: " + c->binary_;
    return nullptr;
  }
  try {
    test_support::process_cluster_options cluster;
    cluster.binary = c->binary_;
    cluster.members = options.members;
    cluster.data_root = options.data_root;
    c->processes_ = std::make_unique<test_support::process_cluster>(c->system_, cluster);
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
  if (!c->wait_writable(options.start_timeout_ms, error)) return nullptr;
  return c;
}

bool troupe_cluster::wait_writable(int timeout_ms, std::string& error) {
  auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  auto& system = system_;
  actors::store_client_options options;
  options.servers = addresses();
  options.client_id = "bench-store-probe";
  options.give_up_after = std::chrono::milliseconds(timeout_ms);
  auto client = actors::spawn_store_client(system, options);
  bool ok = false;
  std::string last;
  int attempt = 0;
  while (!ok && clock_type::now() < deadline) {
    for (int i = 0; i < processes_->size(); ++i) {
      if (!processes_->process(i).running()) {
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
  if (!ok) error = "no write succeeded on the troupe cluster (" + last + ")\n" + processes_->logs();
  return ok;
}

troupe_cluster::~troupe_cluster() {
  // The servers go before the actor system that holds connections to them.
  processes_.reset();
}

}  // namespace troupe::bench
