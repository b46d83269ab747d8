#include "tests/support/linearizability.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <tuple>

namespace troupe::test_support {

std::string_view to_string(check_verdict verdict) {
  switch (verdict) {
    case check_verdict::ok:
      return "ok";
    case check_verdict::illegal:
      return "illegal";
    case check_verdict::unknown:
      return "unknown";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, check_verdict verdict) {
  return out << to_string(verdict);
}

namespace detail {

namespace {

// splitmix64's finalizer: spreads every input bit over the whole word.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::string render_time(std::int64_t t) {
  return t == never_returned ? "never" : std::to_string(t);
}

// The witness's prefix can be as long as a partition; the last steps before the stuck point
// are the ones that explain it.
constexpr std::size_t shown_prefix = 20;

}  // namespace

std::size_t op_bitset::hash() const {
  std::uint64_t h = words_.size();
  for (std::uint64_t w : words_)
    h = mix(h ^ w);
  return static_cast<std::size_t>(h);
}

event_list::event_list(const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals) {
  struct event {
    std::int64_t time;
    bool is_return;  // false sorts first: calls before returns at equal times
    std::uint32_t op;
  };
  std::vector<event> sorted;
  sorted.reserve(2 * intervals.size());
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    sorted.push_back({intervals[i].first, false, static_cast<std::uint32_t>(i)});
    sorted.push_back({intervals[i].second, true, static_cast<std::uint32_t>(i)});
  }
  std::sort(sorted.begin(), sorted.end(), [](const event& a, const event& b) {
    return std::tie(a.time, a.is_return, a.op) < std::tie(b.time, b.is_return, b.op);
  });

  nodes_.resize(sorted.size() + 2);
  call_of_.resize(intervals.size());
  return_of_.resize(intervals.size());
  const auto last = static_cast<std::int32_t>(nodes_.size()) - 1;
  for (std::int32_t id = 0; id <= last; ++id) {
    auto& n = nodes_[static_cast<std::size_t>(id)];
    n.prev = id - 1;
    n.next = id + 1;
  }
  for (std::size_t k = 0; k < sorted.size(); ++k) {
    const auto id = static_cast<std::int32_t>(k + 1);
    auto& n = nodes_[k + 1];
    n.op = sorted[k].op;
    n.is_call = !sorted[k].is_return;
    (n.is_call ? call_of_ : return_of_)[sorted[k].op] = id;
  }
}

step_budget::step_budget(const check_limits& limits) : limits_(limits) {
  if (limits_.timeout) {
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(*limits_.timeout);
  }
}

bool step_budget::allows_step() {
  if (taken_ >= limits_.max_steps || expired_) return false;
  if (deadline_ && taken_ % 1024 == 0 && std::chrono::steady_clock::now() >= *deadline_) {
    expired_ = true;
  }
  return !expired_;
}

std::string render_operation(std::size_t index, std::int64_t client_id, std::int64_t call_time,
                             std::int64_t return_time, const std::string& description) {
  return "#" + std::to_string(index) + " client " + std::to_string(client_id) + " [" +
         render_time(call_time) + ", " + render_time(return_time) + "] " + description;
}

std::string render_illegal(std::size_t partition, std::size_t partitions,
                           std::size_t partition_size, const std::vector<std::string>& prefix,
                           const std::string& state, const std::string& blocked,
                           const std::vector<std::string>& pending) {
  std::string out = "not linearizable: partition " + std::to_string(partition + 1) + " of " +
                    std::to_string(partitions) + " (" + std::to_string(partition_size) +
                    " operations). No order of its operations gets past the return of\n  " +
                    blocked + "\n";
  out +=
      "Longest legal prefix before that return: " + std::to_string(prefix.size()) + " operations";
  const std::size_t skipped = prefix.size() > shown_prefix ? prefix.size() - shown_prefix : 0;
  if (skipped > 0) out += ", the last " + std::to_string(shown_prefix) + " shown";
  out += ":\n";
  for (std::size_t i = skipped; i < prefix.size(); ++i)
    out += "  " + prefix[i] + "\n";
  if (!state.empty()) out += "State after the prefix: " + state + "\n";
  out += "Called by then but not linearizable next:\n";
  for (const auto& line : pending)
    out += "  " + line + "\n";
  return out;
}

std::string render_unknown(const step_budget& budget, std::size_t partition, std::size_t partitions,
                           std::size_t partition_size) {
  std::string why =
      budget.taken() >= budget.limits().max_steps
          ? "the step budget (max_steps " + std::to_string(budget.limits().max_steps) + ") ran out"
          : "the timeout expired";
  return "linearizability unknown: " + why + " after " + std::to_string(budget.taken()) +
         " model steps, in partition " + std::to_string(partition + 1) + " of " +
         std::to_string(partitions) + " (" + std::to_string(partition_size) +
         " operations). Raise check_limits::max_steps, or record shorter or less concurrent "
         "histories.\n";
}

void abort_malformed(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

}  // namespace detail

}  // namespace troupe::test_support
