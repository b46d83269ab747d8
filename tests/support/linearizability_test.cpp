// The linearizability checker and the store's key-value model: classic hand-written register
// histories, the model's revision rules, and randomized histories from sequential executions.
#include "tests/support/linearizability.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/kv_model.hpp"

namespace ts = troupe::test_support;

namespace {

// A single integer register, initially 0: the model of Porcupine's and Knossos' examples.
struct register_input {
  bool is_write = false;
  int value = 0;  // written value; unused by reads
};
using register_op = ts::operation<register_input, int>;
using register_history = std::vector<register_op>;

ts::model<int, register_input, int> register_model() {
  ts::model<int, register_input, int> m;
  m.init = [] { return 0; };
  m.step = [](int state, const register_input& in,
              const std::optional<int>& out) -> std::optional<int> {
    if (in.is_write) return in.value;
    if (!out || *out == state) return state;
    return std::nullopt;
  };
  m.describe_operation = [](const register_input& in, const std::optional<int>& out) {
    std::string s = in.is_write ? "write(" + std::to_string(in.value) + ")" : "read()";
    if (!in.is_write) s += " -> " + (out ? std::to_string(*out) : std::string("?"));
    return s;
  };
  m.describe_state = [](int state) { return std::to_string(state); };
  return m;
}

register_op write(std::int64_t client, int value, std::int64_t call, std::int64_t ret) {
  return register_op{client, {true, value}, 0, call, ret};
}

register_op write_unknown_outcome(std::int64_t client, int value, std::int64_t call) {
  return register_op{client, {true, value}, std::nullopt, call, ts::never_returned};
}

register_op read(std::int64_t client, int value, std::int64_t call, std::int64_t ret) {
  return register_op{client, {false, 0}, value, call, ret};
}

ts::check_verdict verdict(const register_history& h, const ts::check_limits& limits = {}) {
  return ts::check(h, register_model(), limits).verdict;
}

// One operation per 10 ticks, none overlapping: the history of a sequential client.
ts::kv_history sequential(const std::vector<std::pair<ts::kv_input, ts::kv_output>>& steps) {
  ts::kv_history h;
  std::int64_t t = 0;
  for (const auto& [in, out] : steps) {
    h.push_back(ts::kv_completed(1, in, out, t, t + 5));
    t += 10;
  }
  return h;
}

ts::check_verdict kv_verdict(const ts::kv_history& h) {
  return ts::check(h, ts::make_kv_model()).verdict;
}

// Records a history from a real execution: `clients` sequential clients issue random
// operations on `keys` keys; each takes effect at a random tick inside its interval, and the
// reference store applies them in that order, numbering writes like Raft indexes (one shared
// counter, so a key sees gaps). With `unknown_rate`, an operation's reply is lost: it returns
// never, took effect or not (half each), and its client carries on under a new id, as Jepsen
// does after a crash.
ts::kv_history record_history(std::mt19937_64& rng, std::size_t ops, std::size_t keys,
                              std::size_t clients, double unknown_rate) {
  auto uniform = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  std::bernoulli_distribution lost(unknown_rate);
  std::bernoulli_distribution coin(0.5);

  struct pending {
    std::int64_t apply_time;
    std::size_t index;
    bool applied;
  };
  ts::kv_history history;
  std::vector<pending> schedule;
  std::vector<std::int64_t> free_at(clients, 0);
  std::vector<std::int64_t> client_id(clients);
  for (std::size_t c = 0; c < clients; ++c)
    client_id[c] = static_cast<std::int64_t>(c);
  std::int64_t next_client_id = static_cast<std::int64_t>(clients);

  for (std::size_t i = 0; i < ops; ++i) {
    const auto c = static_cast<std::size_t>(std::min_element(free_at.begin(), free_at.end()) -
                                            free_at.begin());
    const std::int64_t call = free_at[c] + uniform(0, 2);
    const std::int64_t apply = call + uniform(0, 10);
    const std::int64_t ret = apply + uniform(0, 10);
    ts::kv_input in;
    const std::int64_t kind = uniform(0, 99);
    in.kind = kind < 40   ? ts::kv_kind::get
              : kind < 55 ? ts::kv_kind::create
              : kind < 85 ? ts::kv_kind::update
                          : ts::kv_kind::remove;
    in.key = "k" + std::to_string(uniform(0, static_cast<std::int64_t>(keys) - 1));
    if (in.kind == ts::kv_kind::create || in.kind == ts::kv_kind::update) {
      in.value = "v" + std::to_string(i);
    }
    if (lost(rng)) {
      history.push_back(ts::kv_unknown_outcome(client_id[c], in, call));
      schedule.push_back({apply, i, coin(rng)});
      free_at[c] = call + 25;  // the client's timeout
      client_id[c] = next_client_id++;
    } else {
      history.push_back(ts::kv_completed(client_id[c], in, ts::kv_output{}, call, ret));
      schedule.push_back({apply, i, true});
      free_at[c] = ret + 1;
    }
  }

  std::sort(schedule.begin(), schedule.end(), [](const pending& a, const pending& b) {
    return std::pair(a.apply_time, a.index) < std::pair(b.apply_time, b.index);
  });
  struct stored {
    std::string value;
    std::uint64_t revision;
  };
  std::map<std::string, stored> store;
  std::uint64_t raft_index = 0;
  for (const pending& p : schedule) {
    if (!p.applied) continue;
    ts::kv_operation& op = history[p.index];
    ts::kv_input& in = op.input;
    auto it = store.find(in.key);
    if (in.kind == ts::kv_kind::update || in.kind == ts::kv_kind::remove) {
      // Chosen now, when the store applies it, so that preconditions often hold; a client
      // would have read the revision earlier, which the checker cannot tell apart.
      const std::int64_t pick = uniform(0, 9);
      if (pick < 5) {
        in.expected_revision = 0;
      } else if (pick < 8 && it != store.end()) {
        in.expected_revision = it->second.revision;
      } else {
        in.expected_revision =
            static_cast<std::uint64_t>(uniform(1, static_cast<std::int64_t>(raft_index) + 1));
      }
    }
    ts::kv_output out;
    if (in.kind == ts::kv_kind::get) {
      out = it == store.end() ? ts::kv_failed(ts::kv_status::not_found)
                              : ts::kv_found(it->second.value, it->second.revision);
    } else {
      ++raft_index;  // every command takes a log entry, whether or not it succeeds
      if (in.kind == ts::kv_kind::create) {
        if (it != store.end()) {
          out = ts::kv_failed(ts::kv_status::already_exists);
        } else {
          store[in.key] = stored{in.value, raft_index};
          out = ts::kv_ok(raft_index);
        }
      } else if (it == store.end()) {
        out = ts::kv_failed(ts::kv_status::not_found);
      } else if (in.expected_revision != 0 && in.expected_revision != it->second.revision) {
        out = ts::kv_failed(ts::kv_status::conflict);
      } else if (in.kind == ts::kv_kind::update) {
        it->second = stored{in.value, raft_index};
        out = ts::kv_ok(raft_index);
      } else {
        store.erase(it);
        out = ts::kv_ok(raft_index);
      }
    }
    if (op.output) op.output = out;
  }
  return history;
}

// Makes one completed get return a value nobody wrote; returns its index, or nullopt if the
// history has no completed get.
std::optional<std::size_t> corrupt_one_read(ts::kv_history& history, std::mt19937_64& rng) {
  std::vector<std::size_t> reads;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].input.kind == ts::kv_kind::get && history[i].output) reads.push_back(i);
  }
  if (reads.empty()) return std::nullopt;
  const std::size_t victim =
      reads[std::uniform_int_distribution<std::size_t>(0, reads.size() - 1)(rng)];
  ts::kv_output& out = *history[victim].output;
  out = ts::kv_found("corrupt", out.status == ts::kv_status::ok ? out.revision : 1);
  return victim;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(support_linearizability)

BOOST_AUTO_TEST_CASE(register_concurrent_history_is_linearizable) {
  // Porcupine's first example: the read of 0 goes before the write, the read of 100 after.
  register_history h{write(0, 100, 0, 100), read(1, 100, 25, 75), read(2, 0, 30, 60)};
  auto result = ts::check(h, register_model());
  BOOST_TEST(result.verdict == ts::check_verdict::ok, result.explanation);
  BOOST_TEST(!result.witness);
  BOOST_TEST(result.partitions == 1u);
  BOOST_TEST(verdict({}) == ts::check_verdict::ok);
}

BOOST_AUTO_TEST_CASE(register_porcupine_stale_read_is_illegal) {
  // Porcupine's second example: once a read saw 200, a later read cannot see 0.
  register_history h{write(0, 200, 0, 100), read(1, 200, 10, 30), read(2, 0, 40, 90)};
  BOOST_TEST(verdict(h) == ts::check_verdict::illegal);
  // Overlapping the two reads makes it legal again, which shows the order above mattered.
  h[2].call_time = 20;
  BOOST_TEST(verdict(h) == ts::check_verdict::ok);
}

BOOST_AUTO_TEST_CASE(register_stale_read_after_completed_write_names_the_read) {
  register_history h{write(1, 1, 0, 10), read(2, 0, 20, 30)};
  auto result = ts::check(h, register_model());
  BOOST_TEST_REQUIRE(result.verdict == ts::check_verdict::illegal);
  BOOST_TEST_REQUIRE(result.witness.has_value());
  BOOST_TEST(result.witness->blocked == 1u);
  BOOST_TEST(result.witness->prefix == std::vector<std::size_t>{0});
  BOOST_TEST(result.witness->pending == std::vector<std::size_t>{1});
  BOOST_TEST(result.explanation.find("#1 client 2 [20, 30] read() -> 0") != std::string::npos,
             result.explanation);
  BOOST_TEST(result.explanation.find("State after the prefix: 1") != std::string::npos,
             result.explanation);
}

BOOST_AUTO_TEST_CASE(witness_blames_the_return_no_order_gets_past) {
  // The read of 9 (#8) is the culprit. A wrong guess (write 2 before write 1) lets the five
  // reads of 2 go next, a deeper prefix than any right guess reaches, but it then gets stuck
  // earlier, at the read of 1 (#7). The witness follows the search that got furthest in time.
  register_history h{write(0, 1, 0, 10), write(1, 2, 0, 10)};
  for (int i = 0; i < 5; ++i)
    h.push_back(read(2 + i, 2, 12, 500));
  h.push_back(read(7, 1, 15, 16));
  h.push_back(read(8, 9, 20, 30));
  h.push_back(write(9, 2, 40, 50));
  auto result = ts::check(h, register_model());
  BOOST_TEST_REQUIRE(result.verdict == ts::check_verdict::illegal);
  BOOST_TEST(result.witness->blocked == 8u, result.explanation);
  BOOST_TEST(result.witness->prefix == (std::vector<std::size_t>{1, 0, 7}), result.explanation);
  // Without the culprit the history is fine.
  h.erase(h.begin() + 8);
  BOOST_TEST(verdict(h) == ts::check_verdict::ok);
}

BOOST_AUTO_TEST_CASE(register_reads_in_opposite_orders_are_illegal) {
  // Two concurrent writes; two readers see them in opposite orders.
  register_history h{write(0, 1, 0, 100), write(1, 2, 0, 100), read(2, 1, 10, 20),
                     read(2, 2, 30, 40),  read(3, 2, 10, 20),  read(3, 1, 30, 40)};
  BOOST_TEST(verdict(h) == ts::check_verdict::illegal);
  // Both readers seeing 1 then 2 is fine.
  h[4].output = 1;
  h[5].output = 2;
  BOOST_TEST(verdict(h) == ts::check_verdict::ok);
}

BOOST_AUTO_TEST_CASE(equal_times_count_as_concurrent) {
  // A write returning at tick 10 and a read called at tick 10 may be in either order.
  BOOST_TEST(verdict({write(1, 1, 0, 10), read(2, 0, 10, 20)}) == ts::check_verdict::ok);
  BOOST_TEST(verdict({write(1, 1, 0, 10), read(2, 0, 11, 20)}) == ts::check_verdict::illegal);
  // An instantaneous operation is fine too.
  BOOST_TEST(verdict({write(1, 1, 5, 5), read(2, 1, 5, 5)}) == ts::check_verdict::ok);
}

BOOST_AUTO_TEST_CASE(unknown_outcome_may_or_may_not_take_effect) {
  // The write took effect before the read...
  BOOST_TEST(verdict({write_unknown_outcome(1, 1, 0), read(2, 1, 10, 20)}) ==
             ts::check_verdict::ok);
  // ...or it never did (or did later).
  BOOST_TEST(verdict({write_unknown_outcome(1, 1, 0), read(2, 0, 10, 20)}) ==
             ts::check_verdict::ok);
  BOOST_TEST(verdict({write_unknown_outcome(1, 1, 0), read(2, 0, 10, 20), read(2, 1, 30, 40)}) ==
             ts::check_verdict::ok);
  // But it takes effect at most once, and not before its call.
  BOOST_TEST(verdict({write_unknown_outcome(1, 1, 0), read(2, 1, 10, 20), read(2, 0, 30, 40)}) ==
             ts::check_verdict::illegal);
  BOOST_TEST(verdict({read(2, 1, 10, 20), write_unknown_outcome(1, 1, 30)}) ==
             ts::check_verdict::illegal);
}

BOOST_AUTO_TEST_CASE(kv_model_checks_values_and_revisions) {
  using ts::kv_status;
  const auto ok = ts::check_verdict::ok;
  const auto illegal = ts::check_verdict::illegal;
  BOOST_TEST(
      kv_verdict(sequential({{ts::kv_get("a"), ts::kv_failed(kv_status::not_found)},
                             {ts::kv_create("a", "x"), ts::kv_ok(3)},
                             {ts::kv_get("a"), ts::kv_found("x", 3)},
                             {ts::kv_create("a", "y"), ts::kv_failed(kv_status::already_exists)},
                             {ts::kv_update("a", "y", 3), ts::kv_ok(7)},
                             {ts::kv_update("a", "z", 3), ts::kv_failed(kv_status::conflict)},
                             {ts::kv_get("a"), ts::kv_found("y", 7)},
                             {ts::kv_delete("a", 7), ts::kv_ok()},
                             {ts::kv_delete("a"), ts::kv_failed(kv_status::not_found)},
                             {ts::kv_update("a", "w"), ts::kv_failed(kv_status::not_found)},
                             {ts::kv_create("a", "w"), ts::kv_ok(9)},
                             {ts::kv_get("a"), ts::kv_found("w", 9)}})) == ok);
  // A get returns the latest value with exactly its revision.
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(3)},
                                    {ts::kv_get("a"), ts::kv_found("x", 4)}})) == illegal);
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(3)},
                                    {ts::kv_update("a", "y"), ts::kv_ok(4)},
                                    {ts::kv_get("a"), ts::kv_found("x", 3)}})) == illegal);
  // A key's revisions only grow, across a delete too.
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(3)},
                                    {ts::kv_update("a", "y"), ts::kv_ok(3)}})) == illegal);
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(5)},
                                    {ts::kv_delete("a"), ts::kv_ok(6)},
                                    {ts::kv_create("a", "y"), ts::kv_ok(6)}})) == illegal);
  // Preconditions: a matching revision cannot conflict, a stale one cannot succeed.
  BOOST_TEST(kv_verdict(sequential(
                 {{ts::kv_create("a", "x"), ts::kv_ok(3)},
                  {ts::kv_delete("a", 3), ts::kv_failed(kv_status::conflict)}})) == illegal);
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(3)},
                                    {ts::kv_update("a", "y", 2), ts::kv_ok(4)}})) == illegal);
  // A create of an existing key, or a write to a missing one, cannot succeed.
  BOOST_TEST(kv_verdict(sequential({{ts::kv_create("a", "x"), ts::kv_ok(3)},
                                    {ts::kv_create("a", "y"), ts::kv_ok(4)}})) == illegal);
  BOOST_TEST(kv_verdict(sequential({{ts::kv_update("a", "y"), ts::kv_ok(4)}})) == illegal);
  // The model's text, as a witness shows it.
  BOOST_TEST(ts::describe_kv_operation(ts::kv_update("a", "v\n", 5), ts::kv_ok(9)) ==
             "update(a, \"v\\x0a\", expected 5) -> ok@9");
  BOOST_TEST(ts::describe_kv_operation(ts::kv_get("a"), std::nullopt) == "get(a) -> ?");
}

BOOST_AUTO_TEST_CASE(kv_unknown_outcome_writes_may_or_may_not_take_effect) {
  using ts::kv_status;
  const auto ok = ts::check_verdict::ok;
  const auto illegal = ts::check_verdict::illegal;
  auto lost_create = ts::kv_unknown_outcome(1, ts::kv_create("a", "x"), 0);
  // Took effect, with a revision the client never learned and a later get reveals.
  BOOST_TEST(kv_verdict({lost_create, ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 5), 10,
                                                       20)}) == ok);
  BOOST_TEST(kv_verdict({lost_create, ts::kv_completed(2, ts::kv_create("a", "y"),
                                                       ts::kv_failed(kv_status::already_exists), 10,
                                                       20)}) == ok);
  // Did not take effect (yet).
  BOOST_TEST(kv_verdict({lost_create,
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_failed(kv_status::not_found),
                                          10, 20)}) == ok);
  BOOST_TEST(kv_verdict({lost_create, ts::kv_completed(2, ts::kv_create("a", "y"), ts::kv_ok(2), 10,
                                                       20)}) == ok);
  // Revealed revisions stick: a second get cannot see another one.
  BOOST_TEST(
      kv_verdict({lost_create, ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 5), 10, 20),
                  ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 6), 30, 40)}) == illegal);
  // A lost conditional update after a lost create: the update's precondition pins the create's
  // revision, and the update's own revision is above it.
  auto lost_update = ts::kv_unknown_outcome(3, ts::kv_update("a", "y", 7), 1);
  BOOST_TEST(kv_verdict({lost_create, lost_update,
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("y", 9), 10, 20)}) ==
             ok);
  BOOST_TEST(kv_verdict({lost_create, lost_update,
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 7), 10, 20)}) ==
             ok);
  BOOST_TEST(kv_verdict({lost_create, lost_update,
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("y", 7), 10, 20)}) ==
             illegal);
  // A lost delete either happened or not.
  auto created = ts::kv_completed(1, ts::kv_create("a", "x"), ts::kv_ok(1), 0, 5);
  auto lost_delete = ts::kv_unknown_outcome(1, ts::kv_delete("a", 1), 10);
  BOOST_TEST(kv_verdict({created, lost_delete,
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 1), 20, 30),
                         ts::kv_completed(2, ts::kv_get("a"), ts::kv_failed(kv_status::not_found),
                                          40, 50)}) == ok);
  BOOST_TEST(
      kv_verdict({created, lost_delete,
                  ts::kv_completed(2, ts::kv_get("a"), ts::kv_failed(kv_status::not_found), 20, 30),
                  ts::kv_completed(2, ts::kv_get("a"), ts::kv_found("x", 1), 40, 50)}) == illegal);
}

BOOST_AUTO_TEST_CASE(randomized_sequential_executions_are_linearizable) {
  const auto kv = ts::make_kv_model();
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    ts::kv_history h = record_history(rng, 30, 3, 4, 0.1);
    auto result = ts::check(h, kv);
    BOOST_TEST(result.verdict == ts::check_verdict::ok,
               "seed " << seed << ": " << result.explanation);
  }
}

BOOST_AUTO_TEST_CASE(randomized_corrupted_read_is_illegal_and_named) {
  const auto kv = ts::make_kv_model();
  std::size_t corrupted = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    ts::kv_history h = record_history(rng, 30, 3, 4, 0.1);
    auto victim = corrupt_one_read(h, rng);
    if (!victim) continue;
    ++corrupted;
    auto result = ts::check(h, kv);
    BOOST_TEST_REQUIRE(result.verdict == ts::check_verdict::illegal, "seed " << seed);
    BOOST_TEST_REQUIRE(result.witness.has_value());
    BOOST_TEST(result.witness->blocked == *victim, "seed " << seed << ": " << result.explanation);
    const auto& op = h[*victim];
    BOOST_TEST(result.explanation.find(ts::describe_kv_operation(op.input, op.output)) !=
                   std::string::npos,
               "seed " << seed << ": " << result.explanation);
  }
  BOOST_TEST(corrupted > 190u);
}

BOOST_AUTO_TEST_CASE(per_key_partitioning_checks_keys_separately) {
  // Key a is fine; key b has a stale read. The witness is about b alone.
  ts::kv_history h{
      ts::kv_completed(1, ts::kv_create("a", "x"), ts::kv_ok(1), 0, 10),
      ts::kv_completed(2, ts::kv_create("b", "y"), ts::kv_ok(2), 0, 10),
      ts::kv_completed(3, ts::kv_get("a"), ts::kv_found("x", 1), 20, 30),
      ts::kv_completed(4, ts::kv_get("b"), ts::kv_failed(ts::kv_status::not_found), 20, 30),
  };
  const auto per_key = ts::make_kv_model();
  const auto parts = per_key.partition(h);
  BOOST_TEST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0] == (std::vector<std::size_t>{0, 2}));
  BOOST_TEST(parts[1] == (std::vector<std::size_t>{1, 3}));
  auto result = ts::check(h, per_key);
  BOOST_TEST_REQUIRE(result.verdict == ts::check_verdict::illegal);
  BOOST_TEST(result.partitions == 2u);
  BOOST_TEST(result.witness->partition == 1u);
  BOOST_TEST(result.witness->blocked == 3u);
  BOOST_TEST(result.witness->prefix == std::vector<std::size_t>{1});
  BOOST_TEST(result.explanation.find("b = \"y\"@2") != std::string::npos, result.explanation);

  // On random histories both ways agree, and partitioning is the cheaper search.
  const auto whole = ts::make_kv_model(ts::kv_partitioning::none);
  std::uint64_t per_key_steps = 0;
  std::uint64_t whole_steps = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed);
    ts::kv_history r = record_history(rng, 60, 6, 6, 0.05);
    auto a = ts::check(r, per_key);
    auto b = ts::check(r, whole);
    BOOST_TEST(a.verdict == ts::check_verdict::ok, "seed " << seed << ": " << a.explanation);
    BOOST_TEST(b.verdict == ts::check_verdict::ok, "seed " << seed << ": " << b.explanation);
    per_key_steps += a.steps;
    whole_steps += b.steps;
    if (!corrupt_one_read(r, rng)) continue;
    BOOST_TEST(ts::check(r, per_key).verdict == ts::check_verdict::illegal, "seed " << seed);
    BOOST_TEST(ts::check(r, whole).verdict == ts::check_verdict::illegal, "seed " << seed);
  }
  BOOST_TEST(per_key_steps < whole_steps);
}

BOOST_AUTO_TEST_CASE(budget_exhaustion_returns_unknown) {
  // Twenty concurrent writes, then a read of a value nobody wrote: proving it illegal means
  // trying every subset of the writes, about 20 * 2^19 memo states.
  register_history h;
  for (int i = 1; i <= 20; ++i)
    h.push_back(write(i, i, 0, 100));
  h.push_back(read(0, 99, 200, 210));
  ts::check_limits limits;
  limits.max_steps = 100'000;
  auto result = ts::check(h, register_model(), limits);
  BOOST_TEST(result.verdict == ts::check_verdict::unknown);
  BOOST_TEST(!result.witness);
  BOOST_TEST(result.steps == 100'000u);
  BOOST_TEST(result.explanation.find("max_steps 100000") != std::string::npos, result.explanation);

  ts::check_limits no_time;
  no_time.timeout = std::chrono::nanoseconds(0);
  auto timed_out = ts::check(h, register_model(), no_time);
  BOOST_TEST(timed_out.verdict == ts::check_verdict::unknown);
  BOOST_TEST(timed_out.explanation.find("timeout") != std::string::npos, timed_out.explanation);

  // A smaller instance of the same history is searched to the end.
  register_history small(h.begin(), h.begin() + 6);
  small.push_back(read(0, 99, 200, 210));
  BOOST_TEST(verdict(small, limits) == ts::check_verdict::illegal);
}

BOOST_AUTO_TEST_CASE(large_history_checks) {
  // 1,000 operations on 10 keys from 8 concurrent clients; the check should take well under a
  // second (printed with --log_level=message, not asserted).
  std::mt19937_64 rng(42);
  ts::kv_history h = record_history(rng, 1000, 10, 8, 0.05);
  const auto start = std::chrono::steady_clock::now();
  auto result = ts::check(h, ts::make_kv_model());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST(result.verdict == ts::check_verdict::ok, result.explanation);
  BOOST_TEST(result.partitions == 10u);
  BOOST_TEST_MESSAGE("1000-operation check: "
                     << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()
                     << " us, " << result.steps << " steps");

  auto victim = corrupt_one_read(h, rng);
  BOOST_TEST_REQUIRE(victim.has_value());
  auto corrupted = ts::check(h, ts::make_kv_model());
  BOOST_TEST(corrupted.verdict == ts::check_verdict::illegal);
  BOOST_TEST(corrupted.witness->blocked == *victim, corrupted.explanation);
}

BOOST_AUTO_TEST_SUITE_END()
