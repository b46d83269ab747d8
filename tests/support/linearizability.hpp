// A linearizability checker for histories that tests and simulations record: Wing & Gong's
// backtracking search with Lowe's memoization, over Porcupine-style models. Test code only;
// single-threaded, no shared state, so each thread may run its own checks.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace troupe::test_support {

// The return time of an operation whose outcome its client never learned.
inline constexpr std::int64_t never_returned = std::numeric_limits<std::int64_t>::max();

// One operation as its client saw it. Times are virtual clock ticks of a deterministic run.
template <class Input, class Output>
struct operation {
  std::int64_t client_id = 0;  // only for the witness; the search does not need it
  Input input{};
  // nullopt: the outcome is unknown (timeout, crash). Such an operation may take effect at any
  // time after its call, even after its client gave up, or never.
  // Invariant: nullopt exactly when return_time == never_returned.
  std::optional<Output> output;
  std::int64_t call_time = 0;
  std::int64_t return_time = never_returned;  // Invariant: call_time <= return_time
};

// What the checker knows about the object under test. A struct of functions rather than a
// concept so that a model is a value: a test can pick one at run time (say, with or without
// partitioning) and pass it around without templates of its own.
template <class State, class Input, class Output>
struct model {
  using state_type = State;
  using input_type = Input;
  using output_type = Output;
  using operation_type = operation<Input, Output>;
  using history_type = std::vector<operation_type>;

  // P-compositionality: splits a history into sub-histories that can be checked on their own
  // (one per key for a key-value store). Each is a list of indices into the history, so the
  // witness can cite operations by their place in the recorded history; every index must
  // appear exactly once. Empty: the whole history is one partition.
  std::function<std::vector<std::vector<std::size_t>>(const history_type&)> partition;
  // The state before any operation.
  std::function<State()> init;
  // The state after `input` took effect and returned `output`, or nullopt if `output` is
  // impossible from `state`. A nullopt output (outcome unknown) must be accepted: return the
  // state after the operation had whatever effect it would have had. When it would have
  // failed, returning `state` unchanged is right, because a failure then is the same as never
  // taking effect. Must be a pure function: the search memoizes on its results.
  std::function<std::optional<State>(const State&, const Input&, const std::optional<Output>&)>
      step;
  // Empty: State's operator== and std::hash<State>. States that compare equal must hash alike.
  std::function<bool(const State&, const State&)> equal;
  std::function<std::size_t(const State&)> hash;
  // One operation for the witness, such as `get(k) -> "v"@7`. Empty: "?".
  std::function<std::string(const Input&, const std::optional<Output>&)> describe_operation;
  // The state the witness reached, such as `k = "v"@7`. Empty: not shown.
  std::function<std::string(const State&)> describe_state;
};

enum class check_verdict : std::uint8_t {
  ok,       // some order of the operations respects real time and the model
  illegal,  // none does; check_result::witness says where every order got stuck
  unknown,  // the budget ran out first
};

std::string_view to_string(check_verdict verdict);
std::ostream& operator<<(std::ostream& out, check_verdict verdict);  // for test messages

// Bounds on one check() call, so that a pathological history cannot hang a test.
struct check_limits {
  // Model steps over all partitions. Deterministic, so a simulation seed replays to the same
  // verdict. Memory grows with steps too: the memo keeps up to one entry (the set of
  // linearized operations and a state) per step, which for the key-value model over 1,000
  // unpartitioned operations is about 170 bytes. The default bounds a check to a few seconds
  // and a few hundred megabytes; a per-key check of 1,000 operations needs about 1,100 steps.
  std::uint64_t max_steps = 1'000'000;
  // An extra wall-clock bound for interactive use. Empty: none. With it, the verdict may
  // depend on the machine, so seeded CI runs should rely on max_steps.
  std::optional<std::chrono::nanoseconds> timeout;
};

// Why a history is not linearizable, in terms of one partition. Indices are into the history
// passed to check().
struct linearizability_witness {
  std::size_t partition = 0;  // its place in the model's partition() result
  // A legal order of some of the partition's operations, taken from the search state that got
  // furthest in time (and, among those, linearized the most operations).
  std::vector<std::size_t> prefix;
  // The operation at whose return every explored order got stuck: no order of the operations
  // called before that return makes its output (or theirs) possible.
  std::size_t blocked = 0;
  // The operations outside `prefix` that were called before `blocked` returned, `blocked`
  // included: none of them could be linearized next after `prefix`.
  std::vector<std::size_t> pending;
};

struct check_result {
  check_verdict verdict = check_verdict::ok;
  std::uint64_t steps = 0;                         // model steps taken, over all partitions
  std::size_t partitions = 0;                      // partitions the model split the history into
  std::optional<linearizability_witness> witness;  // set exactly when illegal
  // When illegal or unknown: a multi-line report for a test failure message.
  std::string explanation;
};

namespace detail {

// A set of a partition's operations, by partition-local index.
class op_bitset {
 public:
  explicit op_bitset(std::size_t size) : words_((size + 63) / 64, 0) {}
  void set(std::size_t i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  void reset(std::size_t i) { words_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  std::size_t hash() const;
  friend bool operator==(const op_bitset&, const op_bitset&) = default;

 private:
  std::vector<std::uint64_t> words_;
};

// A partition's call and return events as a doubly linked list in time order, from which the
// search lifts an operation's two events when it linearizes the operation and puts them back
// when it backtracks (dancing links, so both are O(1)).
//
// Order: by time; at equal times calls come before returns, so an operation that returns at
// tick t and one called at tick t are concurrent. A virtual clock does not order the events
// of one tick, so only return_time < call_time (strictly) proves one operation came before
// the other. Ties among calls or among returns go by index, which keeps the order total and
// the search deterministic.
class event_list {
 public:
  static constexpr std::int32_t none = -1;

  // intervals[i]: the (call, return) times of the partition's operation i.
  explicit event_list(const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals);

  // The first event still in the list; `none` when every operation is lifted.
  std::int32_t first() const { return next(head); }
  std::int32_t next(std::int32_t event) const {
    std::int32_t n = nodes_[static_cast<std::size_t>(event)].next;
    return n == tail() ? none : n;
  }
  bool is_call(std::int32_t event) const { return node(event).is_call; }
  std::size_t op(std::int32_t event) const { return node(event).op; }
  std::int32_t call_of(std::size_t op) const { return call_of_[op]; }

  // Removes op's call and return. Invariant: op is in the list.
  void lift(std::size_t op) {
    unlink(call_of_[op]);
    unlink(return_of_[op]);
  }
  // Undoes the latest lift that is not yet undone; lifts and unlifts nest like a stack.
  void unlift(std::size_t op) {
    relink(return_of_[op]);
    relink(call_of_[op]);
  }

 private:
  struct node_type {
    std::int32_t prev = none;
    std::int32_t next = none;
    std::uint32_t op = 0;
    bool is_call = false;
  };
  static constexpr std::int32_t head = 0;  // sentinel; events are 1..2n in time order
  std::int32_t tail() const { return static_cast<std::int32_t>(nodes_.size()) - 1; }
  const node_type& node(std::int32_t event) const {
    return nodes_[static_cast<std::size_t>(event)];
  }
  node_type& node(std::int32_t event) { return nodes_[static_cast<std::size_t>(event)]; }
  void unlink(std::int32_t event) {
    node(node(event).prev).next = node(event).next;
    node(node(event).next).prev = node(event).prev;
  }
  void relink(std::int32_t event) {
    node(node(event).prev).next = event;
    node(node(event).next).prev = event;
  }

  std::vector<node_type> nodes_;  // head sentinel, events in time order, tail sentinel
  std::vector<std::int32_t> call_of_;
  std::vector<std::int32_t> return_of_;
};

// Counts model steps against check_limits; shared by all partitions of one check().
class step_budget {
 public:
  explicit step_budget(const check_limits& limits);
  // Whether another step is allowed. Reads the clock only every 1024 steps.
  bool allows_step();
  void spend() { ++taken_; }
  std::uint64_t taken() const { return taken_; }
  const check_limits& limits() const { return limits_; }

 private:
  check_limits limits_;
  std::uint64_t taken_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool expired_ = false;
};

// One history operation, rendered for a report: "#12 client 3 [40, 55] get(k) -> ...".
std::string render_operation(std::size_t index, std::int64_t client_id, std::int64_t call_time,
                             std::int64_t return_time, const std::string& description);

// The report of an illegal partition; operation lines come from render_operation.
std::string render_illegal(std::size_t partition, std::size_t partitions,
                           std::size_t partition_size, const std::vector<std::string>& prefix,
                           const std::string& state, const std::string& blocked,
                           const std::vector<std::string>& pending);
std::string render_unknown(const step_budget& budget, std::size_t partition, std::size_t partitions,
                           std::size_t partition_size);

// A malformed history or model is a bug in the test that recorded it: log, then abort.
[[noreturn]] void abort_malformed(const std::string& what);

template <class State>
struct cache_entry {
  op_bitset linearized;
  State state;
  std::size_t hash = 0;  // of both fields, computed once
};

template <class State>
struct cache_entry_hash {
  std::size_t operator()(const cache_entry<State>& e) const noexcept { return e.hash; }
};

template <class State>
struct cache_entry_equal {
  const std::function<bool(const State&, const State&)>* equal;
  bool operator()(const cache_entry<State>& a, const cache_entry<State>& b) const {
    return a.hash == b.hash && a.linearized == b.linearized && (*equal)(a.state, b.state);
  }
};

// What the search of one partition found. Indices are partition-local.
template <class State>
struct partition_outcome {
  check_verdict verdict = check_verdict::ok;
  std::vector<std::size_t> prefix;
  std::optional<State> state_after_prefix;
  std::size_t blocked = 0;
  std::vector<std::size_t> pending;
};

// Wing & Gong's search with Lowe's memo over one partition's operations. The list holds the
// events of the operations not yet linearized. Walking it from the front, a call is a
// candidate to linearize next: if the model accepts it and the resulting (linearized set,
// state) pair was never reached before, lift it and restart from the front. Reaching a return
// means its operation had to take effect by then and could not, so the latest linearization
// is undone and the walk resumes after its call. Operations of unknown outcome return at
// never_returned, so they never block; the search succeeds once every known one is placed.
// Each of them may or may not have happened, so on an illegal partition they can multiply the
// work; a harness should leave out lost operations that cannot change the state (reads).
template <class State, class Input, class Output>
partition_outcome<State> search_partition(
    const std::vector<operation<Input, Output>>& ops, const model<State, Input, Output>& m,
    const std::function<bool(const State&, const State&)>& equal,
    const std::function<std::size_t(const State&)>& hash, step_budget& budget) {
  std::vector<std::pair<std::int64_t, std::int64_t>> intervals;
  std::size_t known_left = 0;  // known-outcome operations not yet linearized
  intervals.reserve(ops.size());
  for (const auto& op : ops) {
    intervals.emplace_back(op.call_time, op.return_time);
    if (op.output) ++known_left;
  }
  event_list events(intervals);
  std::unordered_set<cache_entry<State>, cache_entry_hash<State>, cache_entry_equal<State>> memo(
      0, cache_entry_hash<State>{}, cache_entry_equal<State>{&equal});

  struct frame {
    std::size_t op;
    State before;
  };
  std::vector<frame> stack;  // the linearization so far, in order
  op_bitset linearized(ops.size());
  State state = m.init();
  partition_outcome<State> outcome;
  std::int32_t furthest = event_list::none;  // the latest return any order got stuck at

  std::int32_t entry = events.first();
  while (known_left > 0) {
    // Invariant: a known operation returns before any unknown one, so with known operations
    // left the walk meets a return before it runs off the end of the list.
    if (entry == event_list::none) abort_malformed("linearizability: event list ran out");
    if (events.is_call(entry)) {
      if (!budget.allows_step()) {
        outcome.verdict = check_verdict::unknown;
        return outcome;
      }
      budget.spend();
      const std::size_t i = events.op(entry);
      std::optional<State> next = m.step(state, ops[i].input, ops[i].output);
      if (next) {
        linearized.set(i);
        cache_entry<State> key{linearized, *next, 0};
        std::size_t h = hash(key.state);
        key.hash = key.linearized.hash() ^ (h + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
        if (memo.insert(std::move(key)).second) {
          stack.push_back(frame{i, std::move(state)});
          state = std::move(*next);
          events.lift(i);
          if (ops[i].output) --known_left;
          entry = events.first();
          continue;
        }
        linearized.reset(i);  // this (set, state) pair was explored before, and failed
      }
      entry = events.next(entry);
      continue;
    }
    // A return: the prefix on the stack cannot be extended past it. Event ids are positions in
    // time order, so the furthest stuck point is the largest id.
    if (entry > furthest || (entry == furthest && stack.size() > outcome.prefix.size())) {
      furthest = entry;
      outcome.prefix.clear();
      for (const frame& f : stack)
        outcome.prefix.push_back(f.op);
      outcome.state_after_prefix = state;
      outcome.blocked = events.op(entry);
      outcome.pending.clear();
      for (std::int32_t e = events.first(); e != entry; e = events.next(e)) {
        if (events.is_call(e)) outcome.pending.push_back(events.op(e));
      }
    }
    if (stack.empty()) {
      outcome.verdict = check_verdict::illegal;
      return outcome;
    }
    frame top = std::move(stack.back());
    stack.pop_back();
    linearized.reset(top.op);
    state = std::move(top.before);
    events.unlift(top.op);
    if (ops[top.op].output) ++known_left;
    entry = events.next(events.call_of(top.op));
  }
  return outcome;
}

template <class State, class Input, class Output>
std::function<bool(const State&, const State&)> state_equal(const model<State, Input, Output>& m) {
  if (m.equal) return m.equal;
  if constexpr (std::equality_comparable<State>) {
    return [](const State& a, const State& b) { return a == b; };
  } else {
    abort_malformed("linearizability: the model's State has no operator==; set model::equal");
  }
}

template <class State, class Input, class Output>
std::function<std::size_t(const State&)> state_hash(const model<State, Input, Output>& m) {
  if (m.hash) return m.hash;
  if constexpr (requires(const State& s) {
                  { std::hash<State>{}(s) } -> std::convertible_to<std::size_t>;
                }) {
    return [](const State& s) { return std::hash<State>{}(s); };
  } else {
    abort_malformed("linearizability: the model's State has no std::hash; set model::hash");
  }
}

template <class Input, class Output>
void validate_history(const std::vector<operation<Input, Output>>& history) {
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& op = history[i];
    const std::string where = "linearizability: history[" + std::to_string(i) + "] ";
    if (op.return_time < op.call_time) abort_malformed(where + "returns before its call");
    if (op.output.has_value() == (op.return_time == never_returned)) {
      abort_malformed(where +
                      "must have an output exactly when its return_time is not never_returned");
    }
  }
}

}  // namespace detail

// Whether `history` is linearizable with respect to `m`, checking each of the model's
// partitions on its own. Stops at the first illegal partition, or when `limits` run out.
template <class State, class Input, class Output>
check_result check(const std::vector<operation<Input, Output>>& history,
                   const model<State, Input, Output>& m, const check_limits& limits = {}) {
  detail::validate_history(history);
  if (!m.init || !m.step) detail::abort_malformed("linearizability: model lacks init or step");
  const auto equal = detail::state_equal(m);
  const auto hash = detail::state_hash(m);

  std::vector<std::vector<std::size_t>> partitions;
  if (m.partition) {
    partitions = m.partition(history);
  } else {
    partitions.emplace_back(history.size());
    for (std::size_t i = 0; i < history.size(); ++i)
      partitions[0][i] = i;
  }
  std::vector<bool> seen(history.size(), false);
  std::size_t seen_count = 0;
  for (const auto& members : partitions) {
    for (std::size_t i : members) {
      if (i >= history.size() || seen[i]) {
        detail::abort_malformed("linearizability: partition() must name each operation once");
      }
      seen[i] = true;
      ++seen_count;
    }
  }
  if (seen_count != history.size()) {
    detail::abort_malformed("linearizability: partition() left operations out");
  }

  check_result result;
  result.partitions = partitions.size();
  detail::step_budget budget(limits);
  for (std::size_t p = 0; p < partitions.size(); ++p) {
    const auto& members = partitions[p];
    std::vector<operation<Input, Output>> ops;
    ops.reserve(members.size());
    for (std::size_t i : members)
      ops.push_back(history[i]);
    auto outcome = detail::search_partition(ops, m, equal, hash, budget);
    result.steps = budget.taken();
    if (outcome.verdict == check_verdict::ok) continue;
    result.verdict = outcome.verdict;
    if (outcome.verdict == check_verdict::unknown) {
      result.explanation = detail::render_unknown(budget, p, partitions.size(), members.size());
      return result;
    }
    linearizability_witness w;
    w.partition = p;
    w.blocked = members[outcome.blocked];
    for (std::size_t i : outcome.prefix)
      w.prefix.push_back(members[i]);
    for (std::size_t i : outcome.pending)
      w.pending.push_back(members[i]);
    auto render = [&](std::size_t i) {
      const auto& op = history[i];
      return detail::render_operation(
          i, op.client_id, op.call_time, op.return_time,
          m.describe_operation ? m.describe_operation(op.input, op.output) : "?");
    };
    std::vector<std::string> prefix_lines;
    std::vector<std::string> pending_lines;
    for (std::size_t i : w.prefix)
      prefix_lines.push_back(render(i));
    for (std::size_t i : w.pending)
      pending_lines.push_back(render(i));
    std::string state_line;
    if (m.describe_state && outcome.state_after_prefix) {
      state_line = m.describe_state(*outcome.state_after_prefix);
    }
    result.explanation = detail::render_illegal(p, partitions.size(), members.size(), prefix_lines,
                                                state_line, render(w.blocked), pending_lines);
    result.witness = std::move(w);
    return result;
  }
  return result;
}

}  // namespace troupe::test_support
