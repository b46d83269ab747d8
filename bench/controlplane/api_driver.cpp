#include "bench/controlplane/api_driver.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <caf/scoped_actor.hpp>

#include "actors/gateway/gateway_proxy.hpp"

namespace troupe::bench {

using clock_type = std::chrono::steady_clock;

api_driver::api_driver(std::vector<std::string> servers) {
  actors::gateway_proxy_options options;
  options.servers = std::move(servers);
  gateway_ = actors::spawn_gateway_proxy(system_, std::move(options));
}

api_driver::~api_driver() {
  caf::anon_send_exit(gateway_, caf::exit_reason::user_shutdown);
}

std::optional<messages::ApiResponse> api_driver::call(const messages::ApiRequest& request,
                                                      std::string* error) {
  caf::scoped_actor self{system_};
  std::optional<messages::ApiResponse> out;
  self->request(gateway_, std::chrono::seconds(60), atoms::api_atom_v, request)
      .receive([&](messages::ApiResponse& r) { out = std::move(r); },
               [&](caf::error& e) {
                 if (error) *error = messages::message_of(e);
               });
  return out;
}

std::vector<double> api_driver::run_all(const std::vector<messages::ApiRequest>& requests,
                                        int threads, uint64_t& failures) {
  std::vector<double> latencies(requests.size(), -1);
  std::atomic<std::size_t> next{0};
  std::atomic<uint64_t> failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < requests.size(); i = next++) {
        auto start = clock_type::now();
        if (!call(requests[i])) ++failed;
        latencies[i] = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
      }
    });
  for (auto& t : pool)
    t.join();
  failures = failed;
  return latencies;
}

std::vector<double> api_driver::run_paced(const std::function<messages::ApiRequest(int)>& make,
                                          int count, int per_second, int threads,
                                          uint64_t& failures) {
  std::vector<double> latencies(static_cast<std::size_t>(count), -1);
  std::atomic<int> next{0};
  std::atomic<uint64_t> failed{0};
  const auto start = clock_type::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        // Request i is due at start + i / rate; latency counts from when it was due.
        auto due = start + std::chrono::microseconds(int64_t{1000000} * i / per_second);
        std::this_thread::sleep_until(due);
        auto request = make(i);
        if (!call(request)) ++failed;
        latencies[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::milli>(clock_type::now() - due).count();
      }
    });
  for (auto& t : pool)
    t.join();
  failures = failed;
  return latencies;
}

std::size_t api_driver::count(messages::ApiRequest list) {
  list.set_verb(messages::ApiRequest::LIST);
  auto r = call(list);
  return r ? static_cast<std::size_t>(r->items_size()) : 0;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace troupe::bench
