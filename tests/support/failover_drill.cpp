#include "tests/support/failover_drill.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "messages/errc.hpp"

namespace troupe::test_support {
namespace {

using namespace std::chrono_literals;

double ms(write_load::clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

write_load::write_load(caf::actor_system& system, actors::store_client_actor client, int writers,
                       std::function<messages::StoreCommand(int key)> make) {
  for (int w = 0; w < writers; ++w) {
    threads_.emplace_back([this, &system, client, make] {
      caf::scoped_actor self{system};
      while (!stop_.load()) {
        int k = next_key_.fetch_add(1);
        auto sent = clock_type::now();
        self->request(client, 30s, atoms::propose_atom_v, make(k))
            .receive(
                [&](messages::StoreResult& r) {
                  std::lock_guard lock{mutex_};
                  if (r.code() == 0) {
                    record_.acks.push_back({k, r.revision(), sent, clock_type::now()});
                    return;
                  }
                  if (r.code() == static_cast<uint32_t>(messages::errc::already_exists))
                    record_.already_exists.insert(k);
                  record_.failures.push_back(std::to_string(k) + ": code " +
                                             std::to_string(r.code()) + " " + r.message());
                },
                [&](caf::error& e) {
                  std::lock_guard lock{mutex_};
                  record_.failures.push_back(std::to_string(k) + ": " + system.render(e));
                });
      }
    });
  }
}

write_load::~write_load() {
  stop();
}

void write_load::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::size_t write_load::ack_count() {
  std::lock_guard lock{mutex_};
  return record_.acks.size();
}

std::optional<write_load::clock_type::time_point> write_load::first_ack_sent_after(
    clock_type::time_point t) {
  std::lock_guard lock{mutex_};
  std::optional<clock_type::time_point> best;
  for (const auto& a : record_.acks)
    if (a.sent >= t && (!best || a.acked < *best)) best = a.acked;
  return best;
}

write_load::record write_load::snapshot() {
  std::lock_guard lock{mutex_};
  record out = record_;
  out.keys_issued = next_key_.load();
  return out;
}

std::variant<failover_round, std::string> kill_leader_once(process_cluster& cluster,
                                                           write_load& load,
                                                           std::chrono::milliseconds settle) {
  using clock_type = write_load::clock_type;
  auto leader = cluster.await_leader(10s);
  if (!leader) return "no agreed leader within 10 s\n" + cluster.logs();
  std::this_thread::sleep_for(settle);  // writes flow through this leader
  failover_round round;
  round.killed = cluster.id(*leader);
  auto killed_at = clock_type::now();
  cluster.kill9(*leader);
  auto elected = cluster.await_leader(10s);
  round.election_ms = ms(clock_type::now() - killed_at);
  if (elected) round.new_leader = cluster.id(*elected);
  std::optional<clock_type::time_point> acked;
  auto deadline = killed_at + 15s;
  while (!(acked = load.first_ack_sent_after(killed_at)) && clock_type::now() < deadline)
    std::this_thread::sleep_for(5ms);
  if (!acked)
    return "no write acknowledged within 15 s of killing " + round.killed + "\n" + cluster.logs();
  round.failover_ms = ms(*acked - killed_at);
  cluster.restart(*leader);
  if (!cluster.await_rejoined(*leader, 20s))
    return round.killed + " did not rejoin within 20 s\n" + cluster.logs();
  return round;
}

}  // namespace troupe::test_support
