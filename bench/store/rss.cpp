#include "bench/store/rss.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/store/load.hpp"
#include "bench/store/troupe_target.hpp"

namespace troupe::bench {

process_memory read_memory(pid_t pid) {
  process_memory m;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    std::istringstream fields(line);
    std::string name;
    uint64_t kib = 0;
    fields >> name >> kib;
    if (name == "VmRSS:") m.rss_kib = kib;
    if (name == "RssAnon:") m.anon_kib = kib;
    if (name == "RssFile:") m.file_kib = kib;
  }
  return m;
}

namespace {

std::vector<process_memory> read_all(troupe_cluster& cluster) {
  std::vector<process_memory> out;
  for (int i = 0; i < cluster.processes().size(); ++i)
    out.push_back(read_memory(cluster.processes().process(i).pid()));
  return out;
}

std::string mib_list(const std::vector<process_memory>& list, uint64_t process_memory::*field) {
  std::string out = "[";
  for (const auto& m : list) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.1f", out.size() > 1 ? "," : "",
                  static_cast<double>(m.*field) / 1024.0);
    out += buf;
  }
  return out + "]";
}

}  // namespace

rss_result measure_rss(const troupe_cluster_options& options, uint64_t objects,
                       std::size_t value_bytes) {
  rss_result out;
  out.objects = objects;
  out.value_bytes = value_bytes;
  auto cluster = troupe_cluster::start(options, out.error);
  if (!cluster) return out;
  out.idle = read_all(*cluster);
  {
    troupe_target target(cluster->addresses());
    load_options fill;
    fill.concurrency = 256;
    fill.warmup = std::chrono::milliseconds(0);
    fill.measure = std::chrono::minutes(30);
    fill.value_bytes = value_bytes;
    fill.key_prefix = "/bench/rss/";
    fill.max_writes = objects;
    auto r = run_closed_loop(target, fill);
    out.fill_seconds = r.seconds;
    out.fill_failures = r.failures;
    if (r.writes + r.failures < objects) {
      out.error = "the fill stopped after " + std::to_string(r.writes) + " of " +
                  std::to_string(objects) + " writes";
      return out;
    }
  }
  // Every member holds the objects before it is measured: a follower that lags would look
  // smaller than it will be.
  if (!cluster->processes().await_all_applied(std::chrono::seconds(60))) {
    out.error = "the members did not all apply the fill within 60 s";
    return out;
  }
  out.filled = read_all(*cluster);
  return out;
}

std::string to_json(const rss_result& r) {
  char head[160];
  std::snprintf(
      head, sizeof head,
      "{\"objects\":%llu,\"value_bytes\":%zu,\"fill_seconds\":%.1f,\"fill_failures\":%llu,",
      static_cast<unsigned long long>(r.objects), r.value_bytes, r.fill_seconds,
      static_cast<unsigned long long>(r.fill_failures));
  return head + std::string("\"idle_rss_mib\":") + mib_list(r.idle, &process_memory::rss_kib) +
         ",\"rss_mib\":" + mib_list(r.filled, &process_memory::rss_kib) +
         ",\"anon_mib\":" + mib_list(r.filled, &process_memory::anon_kib) +
         ",\"file_mib\":" + mib_list(r.filled, &process_memory::file_kib) + "}";
}

}  // namespace troupe::bench
