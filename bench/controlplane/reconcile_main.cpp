// bench_reconcile: one ReplicaSet pass over the pods it owns, as the leader's controller makes
// one per pod change during a rollout: reading the owner's pod summaries from the informer
// cache, deciding (reconcile) and computing the status. Beside it, what the same pass cost
// before the cache kept summaries at the least: parsing every owned pod back from its bytes.
// The pods look like a hollow node's running pods (about 790 bytes serialized).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "actors/controllers/informer.hpp"
#include "actors/controllers/object_cache.hpp"
#include "actors/controllers/replica_set_logic.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

using namespace troupe;
using namespace troupe::actors::controllers;
using clock_type = std::chrono::steady_clock;

constexpr int64_t now_ms = 1'700'000'100'000;

messages::ReplicaSet replica_set(int replicas) {
  messages::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web-7d9f8c6b5");
  rs.mutable_metadata()->set_namespace_("default");
  rs.mutable_metadata()->set_uid("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
  rs.mutable_spec()->set_replicas(replicas);
  auto& labels = *rs.mutable_spec()->mutable_selector()->mutable_match_labels();
  labels["app"] = "web";
  labels["pod-template-hash"] = "7d9f8c6b5";
  *rs.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels() = labels;
  return rs;
}

// A running pod of `rs` as the API server holds it once its hollow node reported it ready.
std::shared_ptr<messages::Pod> running_pod(const messages::ReplicaSet& rs, int i) {
  auto pod = std::make_shared<messages::Pod>();
  auto& meta = *pod->mutable_metadata();
  meta.set_name(rs.metadata().name() + "-" + std::to_string(10000 + i));
  meta.set_namespace_("default");
  meta.set_uid("1b1c2d3e-4f50-6172-8394-a5b6c7d" + std::to_string(10000 + i));
  *meta.mutable_labels() = rs.spec().selector().match_labels();
  meta.mutable_creation_timestamp()->set_seconds(1'700'000'000);
  auto& ref = *meta.add_owner_references();
  ref.set_api_version("apps/v1");
  ref.set_kind("ReplicaSet");
  ref.set_name(rs.metadata().name());
  ref.set_uid(rs.metadata().uid());
  ref.set_controller(true);
  auto& spec = *pod->mutable_spec();
  auto& c = *spec.add_containers();
  c.set_name("nginx");
  c.set_image("nginx:1.25");
  c.add_ports()->set_container_port(80);
  (*c.mutable_resources()->mutable_requests())["cpu"].set_milli(100);
  (*c.mutable_resources()->mutable_requests())["memory"].set_milli(int64_t{64} << 30);
  c.set_termination_message_path("/dev/termination-log");
  c.set_image_pull_policy("IfNotPresent");
  spec.set_restart_policy("Always");
  spec.set_dns_policy("ClusterFirst");
  spec.set_scheduler_name("default-scheduler");
  spec.set_service_account_name("default");
  spec.set_termination_grace_period_seconds(30);
  spec.set_node_name("hollow-node-" + std::to_string(i % 1000));
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    auto& t = *spec.add_tolerations();
    t.set_key(key);
    t.set_operator_("Exists");
    t.set_effect("NoExecute");
    t.set_toleration_seconds(10);
  }
  auto& status = *pod->mutable_status();
  status.set_phase("Running");
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    auto& cond = *status.add_conditions();
    cond.set_type(type);
    cond.set_status("True");
    cond.mutable_last_transition_time()->set_seconds(1'700'000'010);
  }
  status.set_host_ip("10.0.0.1");
  status.set_pod_ip("10.244.0." + std::to_string(i % 250));
  status.mutable_start_time()->set_seconds(1'700'000'001);
  status.set_qos_class("Burstable");
  auto& cs = *status.add_container_statuses();
  cs.set_name("nginx");
  cs.set_ready(true);
  cs.set_started(true);
  cs.set_image("nginx:1.25");
  cs.set_image_id("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  cs.set_container_id("sim://0123456789abcdef");
  cs.mutable_state()->mutable_running()->mutable_started_at()->set_seconds(1'700'000'005);
  return pod;
}

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  constexpr int pods = 10000;
  constexpr int rounds = 21;
  const auto rs = replica_set(pods);
  const auto owner = *owner_of(rs).value;
  object_cache cache(*messages::find_kind(messages::Pod::descriptor()));
  std::size_t pod_bytes = 0;
  for (int i = 0; i < pods; ++i) {
    auto pod = running_pod(rs, i);
    auto bytes = std::make_shared<const std::string>(pod->SerializeAsString());
    pod_bytes = bytes->size();
    cache.put(cache_key(*pod), nullptr, bytes, pod);
  }
  std::vector<double> read_ms, decide_ms, pass_ms, parse_ms;
  for (int round = 0; round < rounds; ++round) {
    auto start = clock_type::now();
    auto held = cache.claimable_pods(owner.uid, owner.ns, owner.selector);
    std::vector<const pod_summary*> summaries;
    summaries.reserve(held.size());
    for (const auto& s : held)
      summaries.push_back(s.get());
    read_ms.push_back(ms_since(start));
    auto decided = clock_type::now();
    auto actions = reconcile(owner, summaries, now_ms);
    auto status = compute_status(owner, summaries, now_ms);
    decide_ms.push_back(ms_since(decided));
    pass_ms.push_back(ms_since(start));
    if (!actions.create.empty() || status.replicas != pods) {
      std::cerr << "bench_reconcile: the pass did not see the " << pods << " pods\n";
      return 1;
    }
    auto parsing = clock_type::now();
    auto parsed = cache.indexed(by::owner, owner.uid);
    parse_ms.push_back(ms_since(parsing));
  }
  std::cout << "bench_reconcile (one ReplicaSet of " << pods << " running pods, " << pod_bytes
            << " bytes each; medians of " << rounds << " passes)\n\n";
  std::printf("  read the summaries            %7.2f ms\n", median(read_ms));
  std::printf("  reconcile + status            %7.2f ms\n", median(decide_ms));
  std::printf("  the whole pass                %7.2f ms\n", median(pass_ms));
  std::printf("  parse the same pods (before)  %7.2f ms\n\n", median(parse_ms));
  std::printf(
      "{\"pods\":%d,\"pod_bytes\":%zu,\"read_ms\":%.2f,\"decide_ms\":%.2f,\"pass_ms\":%.2f,"
      "\"parse_all_ms\":%.2f}\n",
      pods, pod_bytes, median(read_ms), median(decide_ms), median(pass_ms), median(parse_ms));
  return 0;
}
