#include "bench/store/load.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

namespace troupe::bench {

put_target::~put_target() = default;

namespace {

using clock_type = std::chrono::steady_clock;

// One virtual client. Only the thread running its current write's callback touches it, and the
// target orders one callback before the next start_put, so it needs no lock.
struct client_state {
  std::uint64_t sequence = 0;
  std::vector<double> latencies_ms;
  std::uint64_t failures = 0;
  // Set under run_state::mutex once the client has stopped; only then may the runner read it.
  bool finished = false;
};

// Shared with every callback, so a target that answers after the runner gave up stays safe.
struct run_state {
  put_target* target = nullptr;
  std::string value;
  std::string key_prefix;
  clock_type::time_point window_start;
  clock_type::time_point window_end;
  std::vector<client_state> clients;
  std::mutex mutex;
  std::condition_variable all_finished;
  // Clients still issuing writes. Guarded by mutex.
  std::size_t active = 0;
  std::uint64_t max_writes = 0;  // 0: no limit
  std::atomic<std::uint64_t> started{0};
};

void issue(const std::shared_ptr<run_state>& state, std::size_t index);

void on_done(const std::shared_ptr<run_state>& state, std::size_t index,
             clock_type::time_point started, bool ok) {
  auto now = clock_type::now();
  auto& client = state->clients[index];
  if (now >= state->window_start && now <= state->window_end) {
    if (ok)
      client.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(now - started).count());
    else
      ++client.failures;
  }
  if (now < state->window_end &&
      (state->max_writes == 0 || state->started.fetch_add(1) < state->max_writes)) {
    issue(state, index);
    return;
  }
  std::lock_guard<std::mutex> guard(state->mutex);
  client.finished = true;
  if (--state->active == 0) state->all_finished.notify_all();
}

void issue(const std::shared_ptr<run_state>& state, std::size_t index) {
  auto& client = state->clients[index];
  std::string key =
      state->key_prefix + std::to_string(index) + '/' + std::to_string(client.sequence++);
  auto started = clock_type::now();
  state->target->start_put(std::move(key), state->value, [state, index, started](bool ok) {
    on_done(state, index, started, ok);
  });
}

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// Printable bytes from a fixed seed, so every run and every store writes the same values.
std::string make_value(std::size_t bytes) {
  std::mt19937 rng(256);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::string value(bytes, ' ');
  for (auto& c : value)
    c = static_cast<char>(letter(rng));
  return value;
}

}  // namespace

load_result run_closed_loop(put_target& target, const load_options& options) {
  auto state = std::make_shared<run_state>();
  state->target = &target;
  state->value = make_value(options.value_bytes);
  state->key_prefix = options.key_prefix;
  state->clients.resize(options.concurrency);
  state->active = options.concurrency;
  state->window_start = clock_type::now() + options.warmup;
  state->window_end = state->window_start + options.measure;

  state->max_writes = options.max_writes;
  const auto began = clock_type::now();
  for (std::size_t i = 0; i < options.concurrency; ++i) {
    if (state->max_writes != 0 && state->started.fetch_add(1) >= state->max_writes) {
      std::lock_guard<std::mutex> guard(state->mutex);
      state->clients[i].finished = true;
      --state->active;
      continue;
    }
    issue(state, i);
  }

  load_result result;
  result.concurrency = options.concurrency;
  result.seconds = std::chrono::duration<double>(options.measure).count();
  std::vector<double> latencies;
  std::unique_lock<std::mutex> lock(state->mutex);
  result.drained = state->all_finished.wait_until(lock, state->window_end + options.drain_timeout,
                                                  [&] { return state->active == 0; });
  for (const auto& client : state->clients) {
    if (!client.finished) continue;
    latencies.insert(latencies.end(), client.latencies_ms.begin(), client.latencies_ms.end());
    result.failures += client.failures;
  }
  lock.unlock();
  if (options.max_writes != 0)
    result.seconds = std::chrono::duration<double>(clock_type::now() - began).count();

  std::sort(latencies.begin(), latencies.end());
  result.writes = latencies.size();
  result.writes_per_s = static_cast<double>(result.writes) / result.seconds;
  result.p50_ms = percentile(latencies, 0.50);
  result.p99_ms = percentile(latencies, 0.99);
  return result;
}

std::string to_json(const std::vector<load_result>& results) {
  std::string json = "{";
  char buffer[256];
  for (const auto& r : results) {
    std::snprintf(buffer, sizeof buffer,
                  "%s\"c%zu\":{\"writes_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                  "\"writes\":%llu,\"failures\":%llu}",
                  json.size() > 1 ? "," : "", r.concurrency, r.writes_per_s, r.p50_ms, r.p99_ms,
                  static_cast<unsigned long long>(r.writes),
                  static_cast<unsigned long long>(r.failures));
    json += buffer;
  }
  return json + "}";
}

}  // namespace troupe::bench
