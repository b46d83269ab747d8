// End to end: three real `troupe server` processes on loopback take a continuous write load
// from an in-process store_client while the test kills the leader with SIGKILL five times,
// restarting it from its data directory each time. Every acknowledged write must survive and
// apply once; each failover (kill to the next acknowledged write) must take under 5 s.
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/raft_actor.hpp"
#include "actors/store_client.hpp"
#include "actors/system_config.hpp"
#include "messages/errc.hpp"
#include "messages/proto/core_pod.pb.h"
#include "tests/e2e/server_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

#ifndef TROUPE_SERVER_BINARY
#error "TROUPE_SERVER_BINARY must name the troupe executable"
#endif

namespace {

using troupe::test_support::free_port;

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using troupe::actors::raft_actor;
using troupe::messages::errc;
using troupe::messages::StoreCommand;
using troupe::messages::StoredObject;
using troupe::messages::StoreResult;
using troupe::test_support::server_process;
namespace atoms = troupe::atoms;

constexpr int kills = 5;
constexpr int writers = 4;  // writes in flight at once
constexpr auto failover_bound = 5s;
const std::string key_prefix = "/core/pods/e2e/";

std::string pod_key(int i) {
  return key_prefix + "p-" + std::to_string(i);
}

StoreCommand create(int i) {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name("p-" + std::to_string(i));
  pod.mutable_metadata()->set_namespace_("e2e");
  StoreCommand c;
  c.mutable_create()->set_key(pod_key(i));
  c.mutable_create()->set_value(pod.SerializeAsString());
  return c;
}

double ms(clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string tail(const std::string& path, std::size_t max_chars = 2000) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return text.size() > max_chars ? text.substr(text.size() - max_chars) : text;
}

// Three `troupe server` processes and, in the test's actor system, handles on their raft
// actors for status queries.
class process_cluster {
 public:
  explicit process_cluster(caf::actor_system& system) : system_(system) {
    std::string peers;
    for (int i = 0; i < 3; ++i) {
      ids_.push_back("s" + std::to_string(i + 1));
      ports_.push_back(free_port());
      if (!peers.empty()) peers += ",";
      peers += ids_.back() + "=" + address(i);
    }
    for (int i = 0; i < 3; ++i) {
      auto data = dir_.path() / ids_[i];
      std::vector<std::string> args = {
          "server",      "--name",           ids_[i],    "--data-dir",
          data.string(), "--listen",         address(i), "--peers",
          peers,         "--heartbeat-ms",   "100",      "--election-timeout-ms",
          "1000",        "--store-map-size", "256Mi"};
      servers_.push_back(std::make_unique<server_process>(
          TROUPE_SERVER_BINARY, args, (dir_.path() / (ids_[i] + ".log")).string()));
      handles_.emplace_back();
    }
    for (auto& s : servers_)
      s->start();
  }

  std::string address(int i) const { return "127.0.0.1:" + std::to_string(ports_[i]); }
  std::vector<std::string> addresses() const { return {address(0), address(1), address(2)}; }
  const std::string& id(int i) const { return ids_[i]; }
  server_process& process(int i) { return *servers_[i]; }

  void kill9(int i) {
    handles_[i] = nullptr;
    servers_[i]->kill9();
  }
  void restart(int i) {
    handles_[i] = nullptr;
    servers_[i]->start();
  }

  // The member's status, or nothing when it does not answer within a second.
  std::optional<troupe::actors::raft_status> status(int i) {
    if (!servers_[i]->running()) return std::nullopt;
    if (!handles_[i]) {
      auto h = system_.middleman().remote_actor<raft_actor>("127.0.0.1", ports_[i]);
      if (!h) return std::nullopt;
      handles_[i] = *h;
    }
    std::optional<troupe::actors::raft_status> out;
    caf::scoped_actor self{system_};
    self->request(handles_[i], 1s, atoms::raft_status_atom_v)
        .receive([&](std::string& id, std::string& role, uint64_t term, std::string& leader,
                     uint64_t commit,
                     uint64_t applied) { out.emplace(id, role, term, leader, commit, applied); },
                 [&](caf::error&) { handles_[i] = nullptr; });
    return out;
  }

  // The member that leads with every running member naming it, once they agree.
  std::optional<int> await_leader(clock_type::duration within) {
    auto deadline = clock_type::now() + within;
    while (clock_type::now() < deadline) {
      std::optional<int> leader;
      bool agreed = true;
      for (int i = 0; i < 3 && agreed; ++i) {
        if (!servers_[i]->running()) continue;
        auto st = status(i);
        if (!st) {
          agreed = false;
          break;
        }
        const auto& hint = std::get<3>(*st);
        auto it = std::find(ids_.begin(), ids_.end(), hint);
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

  // Member i answers, follows a leader and has applied everything the leader had committed
  // when it came back.
  bool await_rejoined(int i, clock_type::duration within) {
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

  std::string logs() {
    std::string out;
    for (int i = 0; i < 3; ++i)
      out += "--- " + ids_[i] + " (" + servers_[i]->log_path() + ")\n" +
             tail(servers_[i]->log_path()) + "\n";
    return out;
  }

 private:
  caf::actor_system& system_;
  troupe::test_support::temp_dir dir_{"troupe-e2e"};
  std::vector<std::string> ids_;
  std::vector<uint16_t> ports_;
  std::vector<std::unique_ptr<server_process>> servers_;
  std::vector<raft_actor> handles_;
};

// What the writers saw, shared with the test thread.
struct write_log {
  struct ack {
    int key;
    uint64_t revision;
    clock_type::time_point sent;
    clock_type::time_point acked;
  };
  std::mutex mutex;
  std::vector<ack> acks;
  std::vector<std::string> failures;
  std::set<int> already_exists;

  // The first write sent at or after `t` that was acknowledged: its ack time.
  std::optional<clock_type::time_point> first_ack_sent_after(clock_type::time_point t) {
    std::lock_guard lock{mutex};
    std::optional<clock_type::time_point> best;
    for (const auto& a : acks)
      if (a.sent >= t && (!best || a.acked < *best)) best = a.acked;
    return best;
  }
  std::size_t ack_count() {
    std::lock_guard lock{mutex};
    return acks.size();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_failover)

BOOST_AUTO_TEST_CASE(leader_kill9_five_times_keeps_every_write_once,
                     *boost::unit_test::timeout(150)) {
  const std::filesystem::path binary = TROUPE_SERVER_BINARY;
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(binary) && ::access(binary.c_str(), X_OK) == 0,
                        "the troupe server binary is missing or not executable: "
                            << binary << " (build the `troupe` target first)");

  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  process_cluster cluster{system};
  auto first = cluster.await_leader(20s);
  BOOST_REQUIRE_MESSAGE(first, "no leader among the three servers within 20 s\n" << cluster.logs());

  troupe::actors::store_client_options options;
  options.servers = cluster.addresses();
  options.client_id = "e2e-failover";
  options.give_up_after = 20s;
  auto client = troupe::actors::spawn_store_client(system, options);

  write_log log;
  std::atomic<bool> stop{false};
  std::atomic<int> next_key{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      caf::scoped_actor self{system};
      while (!stop.load()) {
        int k = next_key.fetch_add(1);
        auto sent = clock_type::now();
        self->request(client, 30s, atoms::propose_atom_v, create(k))
            .receive(
                [&](StoreResult& r) {
                  std::lock_guard lock{log.mutex};
                  if (r.code() == 0) {
                    log.acks.push_back({k, r.revision(), sent, clock_type::now()});
                  } else {
                    if (r.code() == static_cast<uint32_t>(errc::already_exists))
                      log.already_exists.insert(k);
                    log.failures.push_back(pod_key(k) + ": code " + std::to_string(r.code()) + " " +
                                           r.message());
                  }
                },
                [&](caf::error& e) {
                  std::lock_guard lock{log.mutex};
                  log.failures.push_back(pod_key(k) + ": " + system.render(e));
                });
      }
    });
  }
  // Whatever happens below, the writers stop and the client goes before the cluster.
  struct stopper {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    void operator()() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
    ~stopper() { (*this)(); }
  } stop_writers{stop, threads};

  // Let the load settle before the first kill.
  auto warm = clock_type::now() + 10s;
  while (log.ack_count() < 50 && clock_type::now() < warm)
    std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE_MESSAGE(log.ack_count() > 0, "no write acknowledged within 10 s\n"
                                                 << cluster.logs());

  std::vector<double> failovers;
  for (int round = 0; round < kills; ++round) {
    auto leader = cluster.await_leader(10s);
    BOOST_REQUIRE_MESSAGE(leader, "round " << round + 1 << ": no agreed leader within 10 s\n"
                                           << cluster.logs());
    std::this_thread::sleep_for(300ms);  // writes flow through this leader
    auto killed_at = clock_type::now();
    cluster.kill9(*leader);
    // How long the survivors take to agree on a new leader, for the report.
    auto elected = cluster.await_leader(10s);
    double election = ms(clock_type::now() - killed_at);

    std::optional<clock_type::time_point> acked;
    auto deadline = killed_at + 15s;
    while (!(acked = log.first_ack_sent_after(killed_at)) && clock_type::now() < deadline)
      std::this_thread::sleep_for(5ms);
    BOOST_REQUIRE_MESSAGE(acked, "round " << round + 1 << ": no write acknowledged within 15 s of "
                                          << "killing " << cluster.id(*leader) << "\n"
                                          << cluster.logs());
    double took = ms(*acked - killed_at);
    failovers.push_back(took);
    BOOST_TEST_MESSAGE("round " << round + 1 << ": killed leader " << cluster.id(*leader)
                                << ", next acknowledged write after " << took << " ms (new leader "
                                << (elected ? cluster.id(*elected) : "none") << " agreed after "
                                << election << " ms)");
    BOOST_TEST(took < ms(failover_bound),
               "round " << round + 1 << ": failover took " << took << " ms");

    cluster.restart(*leader);
    BOOST_REQUIRE_MESSAGE(cluster.await_rejoined(*leader, 20s),
                          "round " << round + 1 << ": " << cluster.id(*leader)
                                   << " did not rejoin within 20 s\n"
                                   << cluster.logs());
  }

  stop_writers();

  // Every acknowledged write is there, once: read the whole prefix back linearizably.
  caf::scoped_actor self{system};
  std::map<std::string, StoredObject> stored;
  std::string token;
  do {
    caf::error error;
    self->request(client, 30s, atoms::store_list_atom_v, key_prefix, uint64_t{1000}, token, false)
        .receive(
            [&](std::vector<std::string>& keys, std::vector<StoredObject>& objects, uint64_t,
                std::string& next) {
              for (std::size_t i = 0; i < keys.size(); ++i)
                stored[keys[i]] = objects[i];
              token = next;
            },
            [&](caf::error& e) { error = e; });
    BOOST_REQUIRE_MESSAGE(!error, "list failed: " << system.render(error));
  } while (!token.empty());

  std::lock_guard lock{log.mutex};
  for (const auto& f : log.failures)
    BOOST_ERROR("write failed: " << f);
  BOOST_TEST(log.already_exists.empty(), log.already_exists.size()
                                             << " writes of keys created once answered "
                                                "already_exists: a retry applied twice");
  std::size_t missing = 0, wrong_revision = 0;
  for (const auto& a : log.acks) {
    auto it = stored.find(pod_key(a.key));
    if (it == stored.end()) {
      if (++missing <= 10) BOOST_ERROR("acknowledged write " << pod_key(a.key) << " is missing");
    } else if (it->second.create_revision() != a.revision) {
      if (++wrong_revision <= 10)
        BOOST_ERROR(pod_key(a.key) << " was created at revision " << it->second.create_revision()
                                   << ", acknowledged at " << a.revision);
    }
  }
  BOOST_TEST(missing == 0u);
  BOOST_TEST(wrong_revision == 0u);
  // Nothing but this client's writes is there, and each key at most once (map keys).
  BOOST_TEST(stored.size() >= log.acks.size());
  BOOST_TEST(stored.size() <= static_cast<std::size_t>(next_key.load()));

  auto sorted = failovers;
  std::sort(sorted.begin(), sorted.end());
  std::ostringstream summary;
  summary << "failover times (ms):";
  for (double f : failovers)
    summary << " " << f;
  summary << "; median " << sorted[sorted.size() / 2] << ", max " << sorted.back() << "; "
          << log.acks.size() << " writes acknowledged, " << stored.size() << " stored";
  BOOST_TEST_MESSAGE(summary.str());
  std::cout << summary.str() << std::endl;

  caf::anon_send_exit(client, caf::exit_reason::kill);
}

BOOST_AUTO_TEST_SUITE_END()
