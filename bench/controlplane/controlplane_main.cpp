// bench_controlplane: Troupe's control plane at scale, beside Kubernetes' published figures.
//   1. Scheduling decisions/s of the scheduler's decision engine (scheduling_logic, one core)
//      with 1,000 and 5,000 nodes and 30,000 pods.
//   2. Committed bindings/s on 3 servers, 30,000 pods, 1,000 and 5,000 hollow nodes (one
//      `troupe agent` process), measured as scheduler_perf measures kube-scheduler: the nodes
//      only register and heartbeat (no kubelets running the pods), and the scheduler works
//      through a backlog: the pods are created first, with no node to go to, then the nodes
//      join; from the agent's start (node registration included) until every pod is bound.
//      Beside it, with pods running (kubemark-like): 30,000 pods created against 1,000 hollow
//      nodes that run them, from the first create until every pod is bound.
//   3. A Deployment of 10,000 replicas on 1,000 hollow nodes: create until every pod Running.
//   4. API: mutating p99 at 500 requests/s (ConfigMap creates), and LIST of 10,000 pods p99.
//   5. Server RSS holding 10,000 and 100,000 pods.
// Peers (quoted, not run): kube-scheduler's scheduler_perf thresholds, 680-810 pods/s at
// 5,000 nodes; Kubernetes' API SLOs: mutating calls p99 <= 1 s, LIST p99 <= 30 s.
// Prints a table, and as its last line one JSON object. `--quick` shrinks every size 10x;
// `--bindings` runs only the backlog bindings (2, without the pods-running row), for medians;
// `--cluster` only the Deployment, the API and the fill to 100,000 pods (3-5), with every
// server's RSS.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/scheduler/scheduling_logic.hpp"
#include "actors/system_config.hpp"
#include "bench/controlplane/api_driver.hpp"
#include "bench/store/rss.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "tests/support/process_cluster.hpp"
#include "tests/support/server_process.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::bench::api_driver;
using troupe::bench::percentile;
using troupe::messages::ApiRequest;
using clock_type = std::chrono::steady_clock;
namespace m = troupe::messages;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

m::Quantity quantity(int64_t milli) {
  m::Quantity q;
  q.set_milli(milli);
  return q;
}

m::Pod bench_pod(const std::string& name, const std::string& node_name = "") {
  m::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "bench";
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("c");
  c->set_image("pause");
  (*c->mutable_resources()->mutable_requests())["cpu"] = quantity(10);                      // 10m
  (*c->mutable_resources()->mutable_requests())["memory"] = quantity((16LL << 20) * 1000);  // 16Mi
  pod.mutable_spec()->set_node_name(node_name);
  return pod;
}

ApiRequest create(const std::string& resource, const google::protobuf::Message& object,
                  const std::string& group = "") {
  ApiRequest r;
  r.set_verb(ApiRequest::CREATE);
  r.set_group(group);
  r.set_resource(resource);
  r.set_namespace_("default");
  r.set_object(object.SerializeAsString());
  return r;
}

ApiRequest list(const std::string& resource, const std::string& field_selector = "") {
  ApiRequest r;
  r.set_verb(ApiRequest::LIST);
  r.set_resource(resource);
  r.set_field_selector(field_selector);
  return r;
}

// -- 1. decisions/s of the decision engine ------------------------------------------------

double decisions_per_second(int nodes, int pods) {
  troupe::actors::scheduler::scheduling_logic logic;
  for (int i = 0; i < nodes; ++i) {
    m::Node node;
    node.mutable_metadata()->set_name("node-" + std::to_string(i));
    auto& alloc = *node.mutable_status()->mutable_allocatable();
    alloc["cpu"] = quantity(4000);
    alloc["memory"] = quantity((16LL << 30) * 1000);
    alloc["pods"] = quantity(110 * 1000);
    auto* ready = node.mutable_status()->add_conditions();
    ready->set_type("Ready");
    ready->set_status("True");
    logic.upsert_node(node);
  }
  std::vector<m::Pod> batch;
  for (int i = 0; i < pods; ++i) {
    auto pod = bench_pod("p-" + std::to_string(i));
    pod.mutable_metadata()->set_uid("uid-" + std::to_string(i));
    auto* ref = pod.mutable_metadata()->add_owner_references();
    ref->set_uid("owner-" + std::to_string(i % 30));
    ref->set_controller(true);
    batch.push_back(std::move(pod));
  }
  auto start = clock_type::now();
  int placed = 0;
  for (const auto& pod : batch) {
    auto result = logic.schedule(pod);
    if (result.scheduled()) {
      logic.assume(pod, result.node);
      ++placed;
    }
  }
  const double s = seconds_since(start);
  return placed / s;
}

// -- a cluster of 3 servers and one agent process with hollow nodes ----------------------

struct bench_cluster {
  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  troupe::test_support::process_cluster servers;
  std::unique_ptr<troupe::test_support::server_process> agent;
  std::unique_ptr<api_driver> api;

  // The servers, and unless `later`, the agent with its nodes registered. `run_pods`: the
  // hollow nodes run the pods bound to them.
  bench_cluster(int hollow_nodes, bool run_pods = true, bool later = false)
      : servers(system, {.binary = TROUPE_SERVER_BINARY,
                         .members = 3,
                         .data_root = {},
                         // Leases renewed every 60 s: the grace period must exceed that.
                         .extra_args = {"--node-monitor-grace-period=300s"}}),
        nodes_(hollow_nodes),
        run_pods_(run_pods) {
    std::vector<std::string> apis;
    for (int i = 0; i < servers.size(); ++i) {
      apis.push_back(servers.api_address(i));
      joined_ += (i ? "," : "") + servers.api_address(i);
    }
    api = std::make_unique<api_driver>(apis);
    if (!later) {
      start_agent();
      auto deadline = clock_type::now() + 600s;
      while (api->count(list("nodes")) < static_cast<std::size_t>(hollow_nodes) &&
             clock_type::now() < deadline)
        std::this_thread::sleep_for(500ms);
    }
  }

  void start_agent() {
    agent = std::make_unique<troupe::test_support::server_process>(
        TROUPE_SERVER_BINARY,
        std::vector<std::string>{"agent", "--server", joined_, "--hollow-nodes",
                                 std::to_string(nodes_), "--lease-renew-interval", "60s",
                                 run_pods_ ? "--hollow-run-pods=true" : "--hollow-run-pods=false"},
        (servers.data_dir() / "agent.log").string());
    agent->start();
  }

  // Waits until a LIST with `field_selector` returns `want` objects (or less, with `below`).
  double wait_for(const std::string& field_selector, std::size_t want, bool below,
                  clock_type::time_point since, std::chrono::seconds within) {
    auto deadline = clock_type::now() + within;
    while (clock_type::now() < deadline) {
      auto n = api->count(list("pods", field_selector));
      if (below ? n <= want : n >= want) return seconds_since(since);
      std::this_thread::sleep_for(250ms);
    }
    return -1;
  }

  // Every server's resident set in MiB: all of it, or (anon) only the anonymous part, without
  // LMDB's file-backed pages, which the page cache may drop.
  std::vector<double> rss_mib(bool anon = false) {
    std::vector<double> out;
    for (int i = 0; i < servers.size(); ++i) {
      auto m = troupe::bench::read_memory(servers.process(i).pid());
      out.push_back((anon ? m.anon_kib : m.rss_kib) / 1024.0);
    }
    return out;
  }

 private:
  int nodes_;
  bool run_pods_;
  std::string joined_;
};

struct binding_result {
  int nodes = 0;
  int pods = 0;
  double create_seconds = 0;
  double all_bound_seconds = 0;  // from the start of the measurement
  uint64_t failures = 0;
  // Backlog only: when every node had registered, and when the first pod was bound.
  double registered_seconds = 0;
  double first_bound_seconds = 0;

  // Bindings per second while the scheduler had work: from the first binding, or (pods
  // running) from the first create.
  double per_second() const {
    const double window = all_bound_seconds - first_bound_seconds;
    return window > 0 ? pods / window : 0;
  }
};

// Progress on stderr: the phases take minutes.
void progress(const std::string& what) {
  std::cerr << "bench_controlplane: " << what << std::endl;
}

std::vector<ApiRequest> pod_creates(int pods) {
  std::vector<ApiRequest> requests;
  for (int i = 0; i < pods; ++i)
    requests.push_back(create("pods", bench_pod("p-" + std::to_string(i))));
  return requests;
}

// scheduler_perf's way: a backlog of pods, then nodes that only register and heartbeat.
binding_result backlog_bindings(int nodes, int pods) {
  progress("bindings (backlog): creating " + std::to_string(pods) + " pods with no nodes");
  bench_cluster cluster(nodes, /*run_pods=*/false, /*later=*/true);
  binding_result r{nodes, pods, 0, 0, 0};
  auto created = clock_type::now();
  cluster.api->run_all(pod_creates(pods), 64, r.failures);
  r.create_seconds = seconds_since(created);
  progress("bindings (backlog): created in " + std::to_string(r.create_seconds) + " s; " +
           std::to_string(nodes) + " hollow nodes join");
  auto start = clock_type::now();
  cluster.start_agent();
  const auto unbound = list("pods", "spec.nodeName=");
  while (seconds_since(start) < 600) {
    if (r.registered_seconds == 0 &&
        cluster.api->count(list("nodes")) >= static_cast<std::size_t>(nodes))
      r.registered_seconds = seconds_since(start);
    const auto left = cluster.api->count(unbound);
    if (r.first_bound_seconds == 0 && left < static_cast<std::size_t>(pods))
      r.first_bound_seconds = seconds_since(start);
    if (left == 0) {
      r.all_bound_seconds = seconds_since(start);
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  return r;
}

// kubemark's way: pods created while hollow nodes run them.
binding_result running_bindings(int nodes, int pods) {
  progress("bindings (pods running): " + std::to_string(nodes) + " hollow nodes");
  bench_cluster cluster(nodes);
  progress("bindings (pods running): creating " + std::to_string(pods) + " pods");
  binding_result r{nodes, pods, 0, 0, 0};
  auto start = clock_type::now();
  cluster.api->run_all(pod_creates(pods), 32, r.failures);
  r.create_seconds = seconds_since(start);
  r.all_bound_seconds = cluster.wait_for("spec.nodeName=", 0, true, start, 600s);
  return r;
}

std::string fmt(double v, int decimals = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string backlog_detail(const binding_result& r) {
  return "(backlog of " + std::to_string(r.pods) + " pods; after the agent started: nodes " +
         fmt(r.registered_seconds, 1) + " s, first bound " + fmt(r.first_bound_seconds, 1) +
         " s, all bound " + fmt(r.all_bound_seconds, 1) + " s)";
}

// A Deployment of `replicas` pods: seconds from its create until every pod is Running.
double deploy(bench_cluster& cluster, int replicas) {
  m::Deployment d;
  d.mutable_metadata()->set_name("bench");
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(replicas);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "bench-deploy";
  auto* tmpl = d.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "bench-deploy";
  *tmpl->mutable_spec() = bench_pod("x").spec();
  auto start = clock_type::now();
  std::string error;
  cluster.api->call(create("deployments", d, "apps"), &error);
  return cluster.wait_for("status.phase=Running", static_cast<std::size_t>(replicas), false, start,
                          1200s);
}

struct api_result {
  std::vector<double> list_ms, mutate_ms;
  uint64_t mutate_failures = 0;
};

// 4. LISTs of every pod one after another, then ConfigMap creates paced at 500/s.
api_result measure_api(bench_cluster& cluster, bool quick) {
  api_result r;
  uint64_t list_failures = 0;
  std::vector<ApiRequest> lists(quick ? 10 : 30, list("pods"));
  r.list_ms = cluster.api->run_all(lists, 1, list_failures);
  r.mutate_ms = cluster.api->run_paced(
      [](int i) {
        m::ConfigMap cm;
        cm.mutable_metadata()->set_name("cm-" + std::to_string(i));
        (*cm.mutable_data())["key"] = "value";
        return create("configmaps", cm);
      },
      quick ? 1000 : 5000, 500, 16, r.mutate_failures);
  return r;
}

// Pods `from`..`to` (exclusive), bound to a node that does not exist: nothing runs them, the
// servers hold them. Then the servers settle: the resident sets are read every 5 s until none
// moved by more than 2% (at most a minute), so that what is measured is what holding the pods
// costs, not the work still queued from creating them.
void fill_pods(bench_cluster& cluster, int from, int to) {
  progress("memory: filling to " + std::to_string(to) + " pods");
  std::vector<ApiRequest> fill;
  for (int i = from; i < to; ++i)
    fill.push_back(create("pods", bench_pod("held-" + std::to_string(i), "nowhere")));
  uint64_t failures = 0;
  cluster.api->run_all(fill, 32, failures);
  auto last = cluster.rss_mib();
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(5s);
    auto now = cluster.rss_mib();
    bool settled = true;
    for (std::size_t s = 0; s < now.size(); ++s)
      settled = settled && std::abs(now[s] - last[s]) <= 0.02 * last[s];
    last = now;
    if (settled) break;
  }
}

double max_of(const std::vector<double>& v) {
  return *std::max_element(v.begin(), v.end());
}

}  // namespace

// `--bindings`: the backlog bindings alone, for repeated runs.
int bindings_only() {
  auto small = backlog_bindings(1000, 30000);
  auto large = backlog_bindings(5000, 30000);
  std::cout << "bench_controlplane --bindings\n\n"
            << "  committed bindings/s, 1000 nodes  " << fmt(small.per_second()) << "  "
            << backlog_detail(small) << "\n"
            << "  committed bindings/s, 5000 nodes  " << fmt(large.per_second()) << "  "
            << backlog_detail(large) << "\n\n";
  std::printf("{\"bindings_per_s\":{\"1000\":%.0f,\"5000\":%.0f},\"pods\":30000}\n",
              small.per_second(), large.per_second());
  return 0;
}

std::string per_server(const std::vector<double>& mib) {
  std::string out;
  for (double v : mib)
    out += (out.empty() ? "" : " / ") + fmt(v, 1);
  return out;
}

// `--cluster`: phases 3-5 alone, on one cluster (the Deployment, the API, memory), with every
// server's RSS (the leader runs the controllers and the scheduler; followers hold only the
// store). The pods are those of the full run: 10,000 of a Deployment, running, and 90,000 held.
int cluster_only() {
  bench_cluster cluster(1000);
  auto idle = cluster.rss_mib(), idle_anon = cluster.rss_mib(true);
  progress("cluster: a Deployment of 10000 replicas");
  const double deploy_seconds = deploy(cluster, 10000);
  progress("cluster: API");
  auto api = measure_api(cluster, false);
  fill_pods(cluster, 10000, 100000);
  auto full = cluster.rss_mib(), full_anon = cluster.rss_mib(true);
  const double per_1000 = (max_of(full) - max_of(idle)) / 100.0;
  const double anon_per_1000 = (max_of(full_anon) - max_of(idle_anon)) / 100.0;
  std::cout << "bench_controlplane --cluster (3 servers; 1000 hollow nodes)\n\n"
            << "  Deployment of 10000 replicas: " << fmt(deploy_seconds, 1) << " s to all Running\n"
            << "  mutating p99 at 500/s (ms)  " << fmt(percentile(api.mutate_ms, 99), 1) << " (p50 "
            << fmt(percentile(api.mutate_ms, 50), 1) << ", failures " << api.mutate_failures
            << ")\n"
            << "  LIST 10000 pods p99 (ms)    " << fmt(percentile(api.list_ms, 99), 1) << " (p50 "
            << fmt(percentile(api.list_ms, 50), 1) << ")\n"
            << "  RSS idle (MiB)              " << per_server(idle) << "\n"
            << "  RSS at 100000 pods (MiB)    " << per_server(full) << "\n"
            << "  anonymous idle (MiB)        " << per_server(idle_anon) << "\n"
            << "  anonymous at 100000 pods    " << per_server(full_anon) << "\n"
            << "  largest: " << fmt(per_1000, 2) << " MiB per 1,000 pods (anonymous "
            << fmt(anon_per_1000, 2) << ")\n\n";
  std::printf(
      "{\"deployment_seconds_to_running\":%.2f,\"api\":{\"mutating_p50_ms\":%.2f,"
      "\"mutating_p99_ms\":%.2f,\"list_p50_ms\":%.2f,\"list_p99_ms\":%.2f},\"rss_mib\":{"
      "\"idle\":%.1f,\"at_100000_pods\":%.1f,\"per_1000_pods\":%.2f,\"anon_per_1000_pods\":%.2f}}"
      "\n",
      deploy_seconds, percentile(api.mutate_ms, 50), percentile(api.mutate_ms, 99),
      percentile(api.list_ms, 50), percentile(api.list_ms, 99), max_of(idle), max_of(full),
      per_1000, anon_per_1000);
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--bindings") return bindings_only();
  if (argc > 1 && std::string(argv[1]) == "--cluster") return cluster_only();
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int scale = quick ? 10 : 1;
  const int pods = 30000 / scale, small = 1000 / scale, large = 5000 / scale;
  const int replicas = 10000 / scale, rss_pods = 100000 / scale;

  // 1. The decision engine.
  const double decisions_small = decisions_per_second(small, pods);
  const double decisions_large = decisions_per_second(large, pods);
  progress("decisions/s: " + std::to_string(decisions_small) + ", " +
           std::to_string(decisions_large));

  // 2. Committed bindings on 3 servers.
  auto bind_small = backlog_bindings(small, pods);
  auto bind_large = backlog_bindings(large, pods);
  auto bind_running = running_bindings(small, pods);

  // 3-5. One cluster with 1,000 hollow nodes: the Deployment, the API, memory.
  progress("deployment: " + std::to_string(small) + " hollow nodes");
  bench_cluster cluster(small);
  auto idle_rss = cluster.rss_mib();
  auto idle_anon = cluster.rss_mib(true);
  const double deploy_seconds = deploy(cluster, replicas);
  auto rss_at_deploy = cluster.rss_mib();
  progress("deployment: " + std::to_string(deploy_seconds) + " s; API");

  auto [list_ms, mutate_ms, mutate_failures] = measure_api(cluster, quick);

  // 5. Memory: more pods up to rss_pods, bound to a node that does not exist (nothing runs
  // them; the servers hold them).
  fill_pods(cluster, replicas, rss_pods);
  auto rss_at_full = cluster.rss_mib();
  auto anon_at_full = cluster.rss_mib(true);
  const double thousands = static_cast<double>(rss_pods) / 1000.0;
  const double per_1000 = (max_of(rss_at_full) - max_of(idle_rss)) / thousands;
  const double anon_per_1000 = (max_of(anon_at_full) - max_of(idle_anon)) / thousands;

  std::cout
      << "bench_controlplane" << (quick ? " --quick" : "") << "\n\n"
      << "scheduler                          Troupe                 kube-scheduler (published)\n"
      << "  decisions/s, " << small << " nodes          " << fmt(decisions_small)
      << "\n  decisions/s, " << large << " nodes          " << fmt(decisions_large)
      << "                  680-810 pods/s (scheduler_perf, 5,000 nodes)\n"
      << "  committed bindings/s, " << small << " nodes  " << fmt(bind_small.per_second()) << "  "
      << backlog_detail(bind_small) << "\n"
      << "  committed bindings/s, " << large << " nodes  " << fmt(bind_large.per_second()) << "  "
      << backlog_detail(bind_large) << "\n"
      << "  with pods running, " << small << " nodes  " << fmt(bind_running.per_second()) << "  ("
      << pods << " pods created in " << fmt(bind_running.create_seconds, 1)
      << " s, all bound after " << fmt(bind_running.all_bound_seconds, 1) << " s)\n\n"
      << "deployment of " << replicas << " replicas on " << small
      << " hollow nodes: " << fmt(deploy_seconds, 1) << " s to all Running\n\n"
      << "API                                Troupe      Kubernetes SLO\n"
      << "  mutating p99 at 500/s (ms)       " << fmt(percentile(mutate_ms, 99), 1)
      << "        1000 (p50 " << fmt(percentile(mutate_ms, 50), 1) << ", failures "
      << mutate_failures << ")\n"
      << "  LIST " << replicas << " pods p99 (ms)        " << fmt(percentile(list_ms, 99), 1)
      << "       30000 (p50 " << fmt(percentile(list_ms, 50), 1) << ")\n\n"
      << "server RSS (MiB, largest of 3)     idle " << fmt(max_of(idle_rss), 1) << ", " << replicas
      << " pods " << fmt(max_of(rss_at_deploy), 1) << ", " << rss_pods << " pods "
      << fmt(max_of(rss_at_full), 1) << " -> " << fmt(per_1000, 2)
      << " MiB per 1,000 pods (target <= 5 MB); anonymous only: " << fmt(anon_per_1000, 2)
      << " MiB per 1,000 pods (LMDB's pages are file-backed)\n\n";
  std::printf(
      "{\"quick\":%s,\"decisions_per_s\":{\"%d\":%.0f,\"%d\":%.0f},\"bindings_per_s\":{\"%d\":%.0f,"
      "\"%d\":%.0f},\"bindings_per_s_pods_running\":{\"%d\":%.0f},\"pods\":%d,"
      "\"create_s_pods_running\":%.2f,\"deployment\":{"
      "\"replicas\":%d,\"nodes\":%d,\"seconds_to_running\":%.2f},\"api\":{\"mutating_p50_ms\":%.2f,"
      "\"mutating_p99_ms\":%.2f,\"mutating_failures\":%llu,\"list_pods\":%d,\"list_p50_ms\":%.2f,"
      "\"list_p99_ms\":%.2f},\"rss_mib\":{\"idle\":%.1f,\"at_%d_pods\":%.1f,\"at_%d_pods\":%.1f,"
      "\"per_1000_pods\":%.2f,\"anon_per_1000_pods\":%.2f},\"peers\":{\"kube_scheduler_perf_pods_"
      "per_s_5000_nodes\":[680,810],"
      "\"k8s_mutating_p99_slo_ms\":1000,\"k8s_list_p99_slo_ms\":30000}}\n",
      quick ? "true" : "false", small, decisions_small, large, decisions_large, small,
      bind_small.per_second(), large, bind_large.per_second(), small, bind_running.per_second(),
      pods, bind_running.create_seconds, replicas, small, deploy_seconds, percentile(mutate_ms, 50),
      percentile(mutate_ms, 99), static_cast<unsigned long long>(mutate_failures), replicas,
      percentile(list_ms, 50), percentile(list_ms, 99), max_of(idle_rss), replicas,
      max_of(rss_at_deploy), rss_pods, max_of(rss_at_full), per_1000, anon_per_1000);
  return 0;
}
