#include "node/node_agent.hpp"

#include <chrono>
#include <memory>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/event_sink.hpp"
#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "node/pod_actor.hpp"
#include "node/pod_router.hpp"

namespace troupe::node {
namespace {

using messages::ApiRequest;
constexpr auto request_timeout = std::chrono::seconds(30);
constexpr uint64_t pods_tag = 1;
constexpr auto register_retry = std::chrono::seconds(1);
constexpr uint64_t status_every_renewals = 5;

messages::Time time_at(int64_t unix_ms) {
  messages::Time t;
  t.set_seconds(unix_ms / 1000);
  t.set_nanos(static_cast<int32_t>(unix_ms % 1000) * 1000000);
  return t;
}

messages::Quantity quantity(int64_t value, const char* format) {
  messages::Quantity q;
  q.set_milli(value * 1000);
  q.set_format(format);
  return q;
}

struct agent_state {
  static inline const char* name = "node-agent";

  caf::stateful_actor<agent_state>* self = nullptr;
  node_agent_options options;
  std::unique_ptr<actors::controllers::informer> pods;
  // Pod actors by pod cache key. Shared with the agent's exit functor, which runs after CAF
  // has destroyed this state.
  std::shared_ptr<std::map<std::string, caf::actor>> workers =
      std::make_shared<std::map<std::string, caf::actor>>();
  uint32_t next_ip = 2;   // the sim's pod addresses: .2, .3, ...
  uint64_t renewals = 0;  // lease renewals so far

  // Invariant: options.unix_ms is set (node_agent() fills in the system clock): the agent and
  // its pod actors read one clock, which a simulation replaces.
  int64_t now() const { return options.unix_ms(); }

  ApiRequest request(ApiRequest::Verb verb, std::string group, std::string resource, std::string ns,
                     const google::protobuf::Message* object) {
    ApiRequest r;
    r.set_verb(verb);
    r.set_group(std::move(group));
    r.set_resource(std::move(resource));
    r.set_namespace_(std::move(ns));
    r.set_name(options.node_name);
    if (object) r.set_object(object->SerializeAsString());
    return r;
  }

  messages::Node node_object() {
    messages::Node node;
    auto& meta = *node.mutable_metadata();
    meta.set_name(options.node_name);
    auto& labels = *meta.mutable_labels();
    labels["kubernetes.io/hostname"] = options.node_name;
    labels["kubernetes.io/os"] = "linux";
    labels["kubernetes.io/arch"] = "amd64";
    for (const auto& [k, v] : options.labels)
      labels[k] = v;
    node.mutable_spec()->set_pod_cidr(options.pod_cidr);
    node.mutable_spec()->add_pod_cidrs(options.pod_cidr);
    auto& status = *node.mutable_status();
    for (auto* resources : {status.mutable_capacity(), status.mutable_allocatable()}) {
      (*resources)["cpu"].set_milli(options.cpu_milli);
      (*resources)["cpu"].set_format("DecimalSI");
      (*resources)["memory"] = quantity(options.memory_bytes, "BinarySI");
      (*resources)["pods"] = quantity(options.pods, "DecimalSI");
    }
    auto* ready = status.add_conditions();
    ready->set_type("Ready");
    ready->set_status("True");
    ready->set_reason("KubeletReady");
    ready->set_message("kubelet is posting ready status");
    *ready->mutable_last_heartbeat_time() = time_at(now() / 1000 * 1000);
    *ready->mutable_last_transition_time() = time_at(now() / 1000 * 1000);
    auto* address = status.add_addresses();
    address->set_type("InternalIP");
    address->set_address(options.internal_ip);
    auto* hostname = status.add_addresses();
    hostname->set_type("Hostname");
    hostname->set_address(options.node_name);
    auto& info = *status.mutable_node_info();
    info.set_operating_system("linux");
    info.set_architecture("amd64");
    info.set_container_runtime_version("sim://0.1.0");
    info.set_kubelet_version("v1.32.0-troupe");
    info.set_os_image("Troupe hollow node");
    return node;
  }

  // Creates the Node, or, when it exists (a restart, a node coming back), reports it Ready.
  void register_node() {
    auto node = node_object();
    self->request(options.gateway, request_timeout, atoms::api_atom_v,
                  request(ApiRequest::CREATE, "", "nodes", "", &node))
        .then([this](messages::ApiResponse&) { registered(); },
              [this, node](caf::error& e) mutable {
                if (!messages::is_error(e, messages::errc::already_exists)) return retry_register();
                post_status([this] { registered(); }, [this] { retry_register(); });
              });
  }

  // Reports the node Ready with its capacity, as the kubelet's node status update does.
  template <class Done, class Failed>
  void post_status(Done done, Failed failed) {
    auto node = node_object();
    self->request(options.gateway, request_timeout, atoms::api_atom_v,
                  request(ApiRequest::UPDATE_STATUS, "", "nodes", "", &node))
        .then([done](messages::ApiResponse&) mutable { done(); },
              [failed](caf::error&) mutable { failed(); });
  }

  // Posts the node status when the server's copy does not show the node Ready.
  void correct_status() {
    ApiRequest get;
    get.set_verb(ApiRequest::GET);
    get.set_resource("nodes");
    get.set_name(options.node_name);
    self->request(options.gateway, request_timeout, atoms::api_atom_v, get)
        .then(
            [this](messages::ApiResponse& response) {
              messages::Node node;
              if (!node.ParseFromString(response.object())) return;
              for (const auto& c : node.status().conditions())
                if (c.type() == "Ready" && c.status() == "True") return;
              post_status([] {}, [] {});
            },
            [](caf::error&) {});
  }

  void retry_register() { self->delayed_send(self, register_retry, atoms::retry_atom_v); }

  void registered() {
    renew_lease();
    if (!options.own_pod_watch) return;
    pods = std::make_unique<actors::controllers::informer>(
        self, options.gateway, *messages::find_kind(messages::Pod::descriptor()), pods_tag,
        [this](const actors::controllers::object_ptr& before,
               const actors::controllers::object_ptr& after) { on_pod(before, after); },
        "spec.nodeName=" + options.node_name);
    pods->start();
  }

  void renew_lease() {
    messages::Lease lease;
    lease.mutable_metadata()->set_name(options.node_name);
    lease.mutable_metadata()->set_namespace_("kube-node-lease");
    lease.mutable_spec()->set_holder_identity(options.node_name);
    lease.mutable_spec()->set_lease_duration_seconds(
        static_cast<int32_t>(options.lease_duration.count()));
    *lease.mutable_spec()->mutable_renew_time() = time_at(now());
    auto update =
        request(ApiRequest::UPDATE, "coordination.k8s.io", "leases", "kube-node-lease", &lease);
    self->request(options.gateway, request_timeout, atoms::api_atom_v, update)
        .then([](messages::ApiResponse&) {},
              [this, lease](caf::error& e) {
                if (!messages::is_error(e, messages::errc::not_found)) return;
                self->request(options.gateway, request_timeout, atoms::api_atom_v,
                              request(ApiRequest::CREATE, "coordination.k8s.io", "leases",
                                      "kube-node-lease", &lease))
                    .then([](messages::ApiResponse&) {}, [](caf::error&) {});
              });
    // The node status too, every few renewals (the kubelet's nodeStatusUpdateFrequency):
    // once the node lifecycle controller marked the node Unknown (renewals failed for a
    // while, say without a leader), only the agent can say it is Ready again. Without this a
    // live node stayed NotReady, its pods evicted, until the agent restarted. As the kubelet
    // does, it compares with the server's copy and writes only when they differ: a read per
    // node every few seconds instead of a write that every node watcher would see.
    if (++renewals % status_every_renewals == 0) correct_status();
    self->delayed_send(self, options.lease_renew, atoms::tick_atom_v);
  }

  void on_pod(const actors::controllers::object_ptr& before,
              const actors::controllers::object_ptr& after) {
    const auto& any = static_cast<const messages::Pod&>(after ? *after : *before);
    const auto key = actors::controllers::cache_key(any);
    auto it = workers->find(key);
    if (!after) {
      if (it != workers->end()) {
        caf::anon_send(it->second, atoms::pod_gone_atom_v);
        workers->erase(it);
      }
      return;
    }
    const auto& pod = static_cast<const messages::Pod&>(*after);
    if (it != workers->end()) {
      caf::anon_send(it->second, atoms::pod_update_atom_v, pod);
      return;
    }
    pod_actor_options worker;
    worker.gateway = options.gateway;
    worker.node_name = options.node_name;
    worker.event_sink = options.event_sink;
    worker.host_ip = options.internal_ip;
    worker.pod_ip = next_pod_ip();
    worker.runtime = options.runtime;
    worker.runtime.seed = options.runtime.seed ^ std::hash<std::string>{}(key);
    worker.unix_ms = options.unix_ms;
    auto actor = spawn_pod_actor(self->home_system(), pod, std::move(worker));
    self->monitor(actor);
    workers->emplace(key, actor);
  }

  // The next address of this node's /24, as a sim stand-in for IPAM.
  std::string next_pod_ip() {
    auto base = options.pod_cidr.substr(0, options.pod_cidr.rfind('.') + 1);
    std::string ip = base + std::to_string(next_ip);
    next_ip = next_ip >= 254 ? 2 : next_ip + 1;
    return ip;
  }
};

caf::behavior node_agent(caf::stateful_actor<agent_state>* self, node_agent_options options) {
  self->state.self = self;
  self->state.options = std::move(options);
  if (!self->state.options.unix_ms) {
    self->state.options.unix_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!self->state.options.event_sink) {
    // Its own event sink, which goes down with it.
    self->state.options.event_sink =
        actors::controllers::spawn_event_sink(self->home_system(), self->state.options.gateway);
    self->link_to(self->state.options.event_sink);
  }
  self->set_down_handler([self](caf::down_msg& down) {
    auto& workers = *self->state.workers;
    for (auto it = workers.begin(); it != workers.end(); ++it)
      if (it->second.address() == down.source) {
        workers.erase(it);
        break;
      }
  });
  // Pod actors go down with their agent, as a killed kubelet's pod workers do. The functor
  // runs once the state is gone: it holds the map itself (reading self->state there was a
  // use after free whenever an agent stopped).
  self->attach_functor([workers = self->state.workers] {
    for (const auto& [_, worker] : *workers)
      caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  });
  self->state.register_node();
  caf::message_handler own{
      [self](atoms::retry_atom) { self->state.register_node(); },
      [self](atoms::tick_atom) { self->state.renew_lease(); },
      // From the pod router, when the agent has no watch of its own.
      [self](atoms::pod_update_atom, messages::Pod& pod) {
        self->state.on_pod(nullptr, std::make_shared<messages::Pod>(std::move(pod)));
      },
      [self](atoms::pod_gone_atom, messages::Pod& pod) {
        self->state.on_pod(std::make_shared<messages::Pod>(std::move(pod)), nullptr);
      },
  };
  return own.or_else(actors::controllers::informer_messages(
      [self] { return std::vector<actors::controllers::informer*>{self->state.pods.get()}; }));
}

}  // namespace

caf::actor spawn_node_agent(caf::actor_system& system, node_agent_options options) {
  return system.spawn(node_agent, std::move(options));
}

std::vector<caf::actor> spawn_hollow_nodes(caf::actor_system& system,
                                           const actors::gateway_actor& gateway,
                                           const hollow_node_options& hollow) {
  std::vector<caf::actor> agents;
  std::map<std::string, caf::actor> by_name;
  for (int i = 0; i < hollow.count; ++i) {
    node_agent_options options;
    options.node_name = hollow.prefix + "-" + std::to_string(i);
    options.gateway = gateway;
    // The /24s from 10.244.0.0 on, wrapping within 10.0.0.0/8: a /16 holds only 256 nodes,
    // and scale tests run thousands.
    const int cidr = (244 * 256 + hollow.first_cidr + i) % (256 * 256);
    options.pod_cidr =
        "10." + std::to_string(cidr / 256) + "." + std::to_string(cidr % 256) + ".0/24";
    options.labels["node.troupe.dev/hollow"] = "true";
    options.runtime = hollow.runtime;
    options.runtime.seed = hollow.runtime.seed + static_cast<uint64_t>(i);
    options.lease_renew = hollow.lease_renew;
    options.unix_ms = hollow.unix_ms;
    options.own_pod_watch = false;
    const std::string name = options.node_name;  // read before options is moved from
    by_name[name] = agents.emplace_back(spawn_node_agent(system, std::move(options)));
  }
  if (!agents.empty() && hollow.run_pods)
    agents.push_back(spawn_pod_router(system, gateway, std::move(by_name)));
  return agents;
}

}  // namespace troupe::node
