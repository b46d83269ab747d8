// ClusterIP and NodePort allocation for Services, as Kubernetes' service REST storage does it:
// a Service without a clusterIP gets a free address of the service CIDR (10.96.0.0/12 by
// default; never the network or broadcast address, and 10.96.0.1, the `kubernetes` service's,
// is never handed out), one of type NodePort or LoadBalancer gets a free port of 30000-32767
// for each port without one, and requested values must be free and in range. `clusterIP: None`
// (headless) and ExternalName services take no address.
//
// What is taken lives in the store, one ServiceAllocation per value under the keys below. The
// gateway reads those keys, plans with the functions here, and commits the new allocation keys
// and the Service in one atomic StoreBatch (store.proto): if another create took a value
// meanwhile, the batch fails as a whole and the gateway plans again. Values a Service gives up
// (deleted, or an update dropped its NodePorts) are released after that write commits, so a
// value is never free while a Service holds it; a crash in between leaks it, as a Kubernetes
// allocator would until its repair loop runs.
//
// Plain functions, no CAF; randomness is injected. Any thread may call them on objects it owns.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::messages {
class Service;
}  // namespace troupe::messages

namespace troupe::actors::gateway {

struct service_ranges {
  uint32_t cidr_base = (10u << 24) | (96u << 16);  // 10.96.0.0
  int cidr_prefix = 12;
  int32_t node_port_min = 30000;
  int32_t node_port_max = 32767;

  std::string cidr() const;  // "10.96.0.0/12"
};

std::optional<uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(uint32_t address);

// "/core/serviceipallocations/" and "/core/servicenodeportallocations/": list prefixes.
std::string cluster_ip_prefix();
std::string node_port_prefix();
// "/core/serviceipallocations//10.96.0.10", "/core/servicenodeportallocations//30080".
std::string cluster_ip_key(uint32_t address);
std::string node_port_key(int32_t port);

// What the allocation keys listed under the prefixes say is taken.
struct used_values {
  std::set<uint32_t> ips;
  std::set<int32_t> node_ports;
};

// Adds the value that one listed key holds (keys of other shapes are ignored).
void note_used_key(std::string_view key, used_values& used);

// What a create or an update takes and gives up.
struct allocation_plan {
  std::vector<uint32_t> new_ips;
  std::vector<int32_t> new_node_ports;
  std::vector<uint32_t> released_ips;
  std::vector<int32_t> released_node_ports;
  // Values the user asked for, rather than ones chosen here: losing one of them to a
  // concurrent create is the user's error, not a reason to plan again.
  std::set<uint32_t> requested_ips;
  std::set<int32_t> requested_node_ports;
  // The field error Kubernetes reports, e.g. `spec.ports[0].nodePort: Invalid value: 30080:
  // provided port is already allocated`; empty on success. `internal` marks an exhausted
  // range ("failed to allocate a serviceIP: range is full"), an InternalError rather than an
  // Invalid one.
  std::string error;
  bool internal = false;
};

// Whether a Service of this spec needs a ClusterIP / NodePorts (by type; headless and
// ExternalName take no address, LoadBalancer may opt out of NodePorts).
bool needs_cluster_ip(const messages::Service& service);
bool needs_node_ports(const messages::Service& service);

// Create: fills `service`'s empty clusterIP (and clusterIPs) and zero nodePorts with free
// values, and checks the requested ones. `service` is defaulted and validated.
allocation_plan allocate_for_create(messages::Service& service, const used_values& used,
                                    std::mt19937_64& rng, const service_ranges& ranges = {});

// Update of `current` to `incoming` (prepared and defaulted): as Kubernetes' update, an
// incoming Service that leaves clusterIP or a port's nodePort empty keeps current's; a changed
// clusterIP is refused ("may not change once set"); a type that no longer needs them drops
// the values it kept; new needs are allocated as on create.
allocation_plan allocate_for_update(messages::Service& incoming, const messages::Service& current,
                                    const used_values& used, std::mt19937_64& rng,
                                    const service_ranges& ranges = {});

// The allocation keys a stored Service holds, for releasing them when it is deleted.
std::vector<std::string> allocation_keys(const messages::Service& service);

// The store value of an allocation key held by `service`.
std::string allocation_value(std::string_view name, const messages::Service& service);

}  // namespace troupe::actors::gateway
