// The clients of the Raft simulation (tests/sim/): each issues one key-value operation at
// a time against whoever it believes leads, follows not_leader hints, and retries a write
// with the SAME sequence number after a timeout or a leader change, so sessions make it
// apply once. Every operation is recorded for the linearizability checker; one a client
// gave up on has an unknown outcome. Test code only; driven by raft_cluster's event loop.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/support/kv_model.hpp"

namespace troupe::test_support {

struct client_request {
  std::size_t client = 0;  // index into the clients
  std::string client_id;   // the session's name in the log
  std::string member;      // whom it is sent to
  uint64_t sequence = 0;   // the same on every attempt of one operation
  uint64_t attempt = 0;
  kv_input input;
};

struct client_reply {
  enum class kind : uint8_t {
    done,        // output is the operation's result
    not_leader,  // not proposed here; leader_hint may name the leader
    retry,       // proposed or started here but lost (leadership changed): ask again
  };
  std::size_t client = 0;
  uint64_t sequence = 0;
  uint64_t attempt = 0;
  kind what = kind::retry;
  std::string leader_hint;
  kv_output output;
};

struct client_options {
  std::size_t clients = 3;
  std::size_t keys = 4;              // few keys, so that operations contend
  std::size_t value_padding = 0;     // values grow by up to this many bytes (big snapshots)
  int64_t think_max_ms = 20;         // pause between a client's operations: [0, this]
  int64_t attempt_timeout_ms = 600;  // then retry elsewhere
  int64_t retry_backoff_ms = 15;     // after not_leader or retry
  int64_t give_up_ms = 6000;         // then the outcome is unknown
  // Percent of operations that start at a random member rather than the last one that
  // answered (a reconnect through a load balancer), so deposed leaders keep seeing reads.
  int64_t wander_percent = 10;
};

struct client_stats {
  uint64_t writes_ok = 0;  // writes with a known outcome (including failed preconditions)
  uint64_t reads_ok = 0;
  uint64_t unknown = 0;  // given up
  uint64_t attempts = 0;
};

class sim_clients {
 public:
  // How the clients reach the cluster; raft_cluster implements it.
  class transport {
   public:
    virtual ~transport() = default;
    virtual void send_request(const client_request& request) = 0;
    virtual void set_client_timer(std::size_t client, int64_t delay_ms, uint64_t token) = 0;
  };

  sim_clients(client_options options, std::mt19937_64& rng, transport& transport);
  sim_clients(const sim_clients&) = delete;
  sim_clients& operator=(const sim_clients&) = delete;

  // Whom a client asks when it knows no leader.
  void set_members(std::vector<std::string> ids) { members_ = std::move(ids); }
  void start(int64_t now_ms);
  // No new operations; those in flight go on until they finish or give up.
  void stop() { running_ = false; }
  bool idle() const;

  void on_reply(const client_reply& reply, int64_t now_ms);
  void on_timer(std::size_t client, uint64_t token, int64_t now_ms);

  // Everything so far; operations still in flight have unknown outcomes.
  kv_history history() const;
  const client_stats& stats() const { return stats_; }

 private:
  enum class phase : uint8_t { thinking, waiting, backing_off };
  struct client {
    std::string id;
    phase what = phase::thinking;
    bool in_flight = false;
    uint64_t sequence = 0;
    uint64_t attempt = 0;
    kv_input input;
    int64_t call_time = 0;
    std::string target;
    uint64_t timer = 0;                         // the live timer's token
    std::map<std::string, uint64_t> revisions;  // last seen per key, for conditional writes
  };

  void next_operation(std::size_t i, int64_t now_ms);
  void send_attempt(std::size_t i, int64_t now_ms);
  void retry_later(std::size_t i, const std::string& hint, int64_t delay_ms, int64_t now_ms);
  void finish(std::size_t i, std::optional<kv_output> output, int64_t now_ms);
  void set_timer(std::size_t i, int64_t delay_ms);
  std::string random_member();
  int64_t uniform(int64_t lo, int64_t hi);

  client_options options_;
  std::mt19937_64& rng_;
  transport& transport_;
  std::vector<std::string> members_;
  std::vector<client> clients_;
  bool running_ = false;
  kv_history history_;
  client_stats stats_;
};

}  // namespace troupe::test_support
