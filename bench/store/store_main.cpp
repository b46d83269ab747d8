// bench_store: the store benchmark. Runs the same closed-loop write load (256-byte values,
// fsync on, 3 members on loopback) against Troupe and then against etcd in one run, prints both
// side by side with the ratio troupe/etcd, then one JSON line with every figure. Troupe also
// gets a failover phase (the leader killed --failovers times, default timeouts) and a memory
// phase (a fresh cluster filled with --rss-objects objects of 1 KiB).
//
// Usage: bench_store [--seconds 5] [--warmup 1] [--concurrency 1,16,64,256]
//                    [--send-to leader|all] [--connections 2] [--data-root DIR] [--etcd PATH]
//                    [--troupe PATH] [--failovers 20] [--rss-objects 100000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/store/etcd_cluster.hpp"
#include "bench/store/etcd_target.hpp"
#include "bench/store/failover.hpp"
#include "bench/store/load.hpp"
#include "bench/store/rss.hpp"
#include "bench/store/troupe_cluster.hpp"
#include "bench/store/troupe_target.hpp"

namespace bench = troupe::bench;

namespace {

struct options {
  double seconds = 5;
  double warmup = 1;
  std::vector<std::size_t> concurrency = {1, 16, 64, 256};
  std::string send_to = "leader";
  std::size_t connections = 2;
  int failovers = 20;                  // 0: no failover phase
  unsigned long rss_objects = 100000;  // 0: no memory phase
  bench::etcd_cluster_options etcd;
  bench::troupe_cluster_options troupe;
};

const char* usage =
    "usage: bench_store [--seconds N] [--warmup N] [--concurrency 1,16,64,256]\n"
    "                   [--send-to leader|all] [--connections N] [--data-root DIR]\n"
    "                   [--etcd PATH] [--troupe PATH] [--failovers N] [--rss-objects N]\n";

bool parse(int argc, char** argv, options& out) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (flag == "--seconds") {
      out.seconds = std::atof(value.c_str());
    } else if (flag == "--warmup") {
      out.warmup = std::atof(value.c_str());
    } else if (flag == "--concurrency") {
      out.concurrency.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');)
        out.concurrency.push_back(std::strtoul(item.c_str(), nullptr, 10));
    } else if (flag == "--send-to" && (value == "leader" || value == "all")) {
      out.send_to = value;
    } else if (flag == "--connections") {
      out.connections = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--data-root") {
      out.etcd.data_root = value;
      out.troupe.data_root = value;
    } else if (flag == "--etcd") {
      out.etcd.binary = value;
    } else if (flag == "--troupe") {
      out.troupe.binary = value;
    } else if (flag == "--failovers") {
      out.failovers = std::atoi(value.c_str());
    } else if (flag == "--rss-objects") {
      out.rss_objects = std::strtoul(value.c_str(), nullptr, 10);
    } else {
      return false;
    }
  }
  for (auto c : out.concurrency)
    if (c == 0) return false;
  return out.seconds > 0 && out.warmup >= 0 && out.failovers >= 0 && out.connections > 0 &&
         !out.concurrency.empty();
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// Runs every concurrency against `target`; false when a run was not clean.
bool run_all(const char* name, bench::put_target& target, const options& opts,
             std::vector<bench::load_result>& results) {
  bool clean = true;
  std::printf("%s\n%12s %12s %10s %10s %9s\n", name, "concurrency", "writes/s", "p50 ms", "p99 ms",
              "failures");
  for (auto c : opts.concurrency) {
    bench::load_options load;
    load.concurrency = c;
    load.warmup = millis(opts.warmup);
    load.measure = millis(opts.seconds);
    load.key_prefix = "/bench/c" + std::to_string(c) + "/";
    auto r = bench::run_closed_loop(target, load);
    std::printf("%12zu %12.0f %10.2f %10.2f %9llu\n", r.concurrency, r.writes_per_s, r.p50_ms,
                r.p99_ms, static_cast<unsigned long long>(r.failures));
    std::fflush(stdout);
    results.push_back(r);
    clean = clean && r.drained && r.failures == 0 && r.writes > 0;
    if (!r.drained) {
      std::fprintf(stderr, "bench_store: %s stopped answering\n", name);
      return false;
    }
  }
  std::printf("\n");
  return clean;
}

double ratio(double a, double b) {
  return b > 0 ? a / b : 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) {
    opts.etcd.data_root = tmp;
    opts.troupe.data_root = tmp;
  }
  if (!parse(argc, argv, opts)) {
    std::fputs(usage, stderr);
    return 2;
  }
  std::printf(
      "Store benchmark: 3 members on 127.0.0.1, fsync on, closed-loop creates/Puts of 256-byte "
      "values; %g s warm-up, %g s measured per concurrency\n\n",
      opts.warmup, opts.seconds);

  bool clean = true;
  std::string error;

  // Troupe first, torn down entirely before etcd starts, so neither competes for the CPU.
  std::vector<bench::load_result> troupe_results;
  bench::failover_result failover;
  bench::rss_result rss;
  {
    auto cluster = bench::troupe_cluster::start(opts.troupe, error);
    if (!cluster) {
      std::fprintf(stderr, "bench_store: %s\n", error.c_str());
      return 1;
    }
    std::printf("Troupe (%s), data in %s, via store_client (CAF)\n", cluster->binary().c_str(),
                cluster->data_dir().c_str());
    {
      bench::troupe_target target(cluster->addresses());
      clean = run_all("troupe", target, opts, troupe_results) && clean;
    }
    if (opts.failovers > 0) {
      std::printf(
          "Troupe failover: the leader killed with SIGKILL %d times under 4 writers, "
          "default timeouts (100 ms heartbeat, 1 s election timeout)\n",
          opts.failovers);
      failover = bench::measure_failover(*cluster, opts.failovers);
      if (!failover.error.empty()) {
        std::fprintf(stderr, "bench_store: failover: %s\n", failover.error.c_str());
        clean = false;
      }
      std::printf("failover: median %.1f ms, max %.1f ms over %zu kills\n\n", failover.median_ms,
                  failover.max_ms, failover.failover_ms.size());
    }
  }
  if (opts.rss_objects > 0) {
    std::printf("Troupe memory: a fresh cluster filled with %lu objects of 1 KiB\n",
                opts.rss_objects);
    rss = bench::measure_rss(opts.troupe, opts.rss_objects, 1024);
    if (!rss.error.empty()) {
      std::fprintf(stderr, "bench_store: memory: %s\n", rss.error.c_str());
      clean = false;
    }
    std::printf("%8s %14s %14s %14s %14s\n", "server", "idle RSS MiB", "filled RSS MiB",
                "of it anon MiB", "of it file MiB");
    for (std::size_t i = 0; i < rss.filled.size() && i < rss.idle.size(); ++i)
      std::printf("%8zu %14.1f %14.1f %14.1f %14.1f\n", i + 1, rss.idle[i].rss_kib / 1024.0,
                  rss.filled[i].rss_kib / 1024.0, rss.filled[i].anon_kib / 1024.0,
                  rss.filled[i].file_kib / 1024.0);
    std::printf("fill: %.1f s, %llu failures\n\n", rss.fill_seconds,
                static_cast<unsigned long long>(rss.fill_failures));
  }

  std::vector<bench::load_result> etcd_results;
  std::string etcd_version;
  {
    auto cluster = bench::etcd_cluster::start(opts.etcd, error);
    if (!cluster) {
      std::fprintf(stderr, "bench_store: %s\n", error.c_str());
      return 1;
    }
    etcd_version = cluster->version();
    auto endpoints = cluster->endpoints();
    if (opts.send_to == "leader") {
      auto leader = cluster->leader_endpoint();
      if (leader.empty()) {
        std::fprintf(stderr, "bench_store: no etcd member reports itself as leader\n");
        return 1;
      }
      endpoints = {leader};
    }
    std::printf("etcd %s, data in %s, gRPC KV.Put to %s over %zu connection(s)\n",
                etcd_version.c_str(), cluster->data_dir().c_str(),
                opts.send_to == "leader" ? "the leader" : "all members", opts.connections);
    bench::etcd_target target(endpoints, opts.connections);
    clean = run_all("etcd", target, opts, etcd_results) && clean;
  }

  std::printf("%12s | %12s %12s %8s | %10s %10s %8s\n", "concurrency", "troupe w/s", "etcd w/s",
              "ratio", "troupe p99", "etcd p99", "ratio");
  std::string ratio_json = "{";
  for (std::size_t i = 0; i < troupe_results.size() && i < etcd_results.size(); ++i) {
    const auto& t = troupe_results[i];
    const auto& e = etcd_results[i];
    double rw = ratio(t.writes_per_s, e.writes_per_s);
    double rp = ratio(t.p99_ms, e.p99_ms);
    std::printf("%12zu | %12.0f %12.0f %8.2f | %10.2f %10.2f %8.2f\n", t.concurrency,
                t.writes_per_s, e.writes_per_s, rw, t.p99_ms, e.p99_ms, rp);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s\"c%zu\":{\"writes_per_s\":%.3f,\"p99_ms\":%.3f}",
                  i == 0 ? "" : ",", t.concurrency, rw, rp);
    ratio_json += buf;
  }
  ratio_json += "}";

  std::printf(
      "\n{\"benchmark\":\"store\",\"members\":3,\"value_bytes\":256,\"fsync\":true,"
      "\"seconds\":%g,\"warmup\":%g,\"etcd_version\":\"%s\",\"send_to\":\"%s\","
      "\"connections\":%zu,\"troupe\":%s,\"etcd\":%s,\"ratio\":%s,\"troupe_failover\":%s,"
      "\"troupe_memory\":%s}\n",
      opts.seconds, opts.warmup, etcd_version.c_str(), opts.send_to.c_str(), opts.connections,
      bench::to_json(troupe_results).c_str(), bench::to_json(etcd_results).c_str(),
      ratio_json.c_str(), opts.failovers > 0 ? bench::to_json(failover).c_str() : "null",
      opts.rss_objects > 0 ? bench::to_json(rss).c_str() : "null");
  return clean ? 0 : 1;
}
