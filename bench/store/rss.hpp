// bench_store's memory phase: a fresh 3-server Troupe cluster is filled with `objects`
// creates of `value_bytes` each, and every server's resident set is read from /proc before
// and after. LMDB's pages are file-backed (the page cache can drop them), so the anonymous
// part is reported apart: it is what the server itself holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/store/troupe_cluster.hpp"

namespace troupe::bench {

struct process_memory {
  uint64_t rss_kib = 0;   // VmRSS
  uint64_t anon_kib = 0;  // RssAnon: heap, stacks
  uint64_t file_kib = 0;  // RssFile: mapped files, LMDB's data among them
};

// A process's resident memory, from /proc/<pid>/status.
process_memory read_memory(pid_t pid);

struct rss_result {
  uint64_t objects = 0;
  std::size_t value_bytes = 0;
  double fill_seconds = 0;
  uint64_t fill_failures = 0;
  std::vector<process_memory> idle;    // per server, before the fill
  std::vector<process_memory> filled;  // per server, once every member applied the fill
  std::string error;
};

rss_result measure_rss(const troupe_cluster_options& options, uint64_t objects,
                       std::size_t value_bytes);

// {"objects":..,"value_bytes":..,"idle_rss_mib":[..],"rss_mib":[..],"anon_mib":[..],...}
std::string to_json(const rss_result& result);

}  // namespace troupe::bench
