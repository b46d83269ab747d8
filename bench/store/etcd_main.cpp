// bench_store_etcd: the etcd half of the store benchmark on its own. Starts a 3-member etcd on
// loopback (fsync on), writes 256-byte values in a closed loop at each client concurrency, and
// prints a table, then one JSON line with every figure.
//
// Usage: bench_store_etcd [--seconds 5] [--warmup 1] [--concurrency 1,16,64,256]
//                         [--send-to leader|all] [--connections 2] [--data-root DIR] [--etcd PATH]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/store/etcd_cluster.hpp"
#include "bench/store/etcd_target.hpp"
#include "bench/store/load.hpp"

namespace bench = troupe::bench;

namespace {

struct options {
  double seconds = 5;
  double warmup = 1;
  std::vector<std::size_t> concurrency = {1, 16, 64, 256};
  // "leader": every Put goes to the leader, as a leader-aware client does; "all": round-robin
  // over the three members (followers forward to the leader), as etcd's own benchmark tool does
  // when given every endpoint.
  std::string send_to = "leader";
  std::size_t connections = 2;
  bench::etcd_cluster_options cluster;
};

const char* usage =
    "usage: bench_store_etcd [--seconds N] [--warmup N] [--concurrency 1,16,64,256]\n"
    "                        [--send-to leader|all] [--connections N] [--data-root DIR]\n"
    "                        [--etcd PATH]\n";

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
      out.cluster.data_root = value;
    } else if (flag == "--etcd") {
      out.cluster.binary = value;
    } else {
      return false;
    }
  }
  for (auto c : out.concurrency)
    if (c == 0) return false;
  return out.seconds > 0 && out.warmup >= 0 && out.connections > 0 && !out.concurrency.empty();
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) opts.cluster.data_root = tmp;
  if (!parse(argc, argv, opts)) {
    std::fputs(usage, stderr);
    return 2;
  }

  std::string error;
  auto cluster = bench::etcd_cluster::start(opts.cluster, error);
  if (!cluster) {
    std::fprintf(stderr, "bench_store_etcd: %s\n", error.c_str());
    return 1;
  }
  auto endpoints = cluster->endpoints();
  if (opts.send_to == "leader") {
    auto leader = cluster->leader_endpoint();
    if (leader.empty()) {
      std::fprintf(stderr, "bench_store_etcd: no etcd member reports itself as leader\n");
      return 1;
    }
    endpoints = {leader};
  }

  std::printf("etcd %s, %zu members on 127.0.0.1, fsync on, data in %s\n",
              cluster->version().c_str(), cluster->endpoints().size(), cluster->data_dir().c_str());
  std::printf(
      "Puts of 256-byte values to %s over %zu connection(s) each; %g s warm-up, %g s "
      "measured\n\n",
      opts.send_to == "leader" ? "the leader" : "all members", opts.connections, opts.warmup,
      opts.seconds);
  std::printf("%12s %12s %10s %10s %9s\n", "concurrency", "writes/s", "p50 ms", "p99 ms",
              "failures");

  std::vector<bench::load_result> results;
  bool clean = true;
  {
    bench::etcd_target target(endpoints, opts.connections);
    for (auto c : opts.concurrency) {
      bench::load_options load;
      load.concurrency = c;
      load.warmup = millis(opts.warmup);
      load.measure = millis(opts.seconds);
      load.key_prefix = "bench/c" + std::to_string(c) + "/";
      auto r = bench::run_closed_loop(target, load);
      std::printf("%12zu %12.0f %10.2f %10.2f %9llu\n", r.concurrency, r.writes_per_s, r.p50_ms,
                  r.p99_ms, static_cast<unsigned long long>(r.failures));
      std::fflush(stdout);
      results.push_back(r);
      clean = clean && r.drained && r.failures == 0 && r.writes > 0;
      if (!r.drained) {
        std::fprintf(stderr, "bench_store_etcd: etcd stopped answering\n");
        break;
      }
    }
  }

  std::printf(
      "\n{\"benchmark\":\"store-etcd\",\"etcd_version\":\"%s\",\"members\":%zu,"
      "\"value_bytes\":256,\"fsync\":true,\"seconds\":%g,\"send_to\":\"%s\","
      "\"connections\":%zu,\"etcd\":%s}\n",
      cluster->version().c_str(), cluster->endpoints().size(), opts.seconds, opts.send_to.c_str(),
      opts.connections, bench::to_json(results).c_str());
  return clean ? 0 : 1;
}
