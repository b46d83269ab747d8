#include "actors/gateway/service_allocation.hpp"

#include <algorithm>
#include <charconv>

#include "messages/proto/core.pb.h"

namespace troupe::actors::gateway {
namespace {

using messages::Service;

constexpr std::string_view ip_resource = "serviceipallocations";
constexpr std::string_view port_resource = "servicenodeportallocations";

uint64_t range_size(const service_ranges& r) {
  return uint64_t{1} << (32 - r.cidr_prefix);
}

// Kubernetes' %#v of the clusterIPs (which it fills from clusterIP): []string{"10.96.0.10"}.
std::string go_strings(const Service& service) {
  if (service.spec().cluster_ips_size() == 0 && !service.spec().cluster_ip().empty())
    return "[]string{\"" + service.spec().cluster_ip() + "\"}";
  std::string out = "[]string{";
  for (int i = 0; i < service.spec().cluster_ips_size(); ++i)
    out += (i ? ", \"" : "\"") + service.spec().cluster_ips(i) + "\"";
  return out + "}";
}

// A free value of [low, high] not in `used`, starting at a random one and probing upwards
// (wrapping); nullopt when every one is used.
template <class T>
std::optional<T> pick_free(T low, T high, const std::set<T>& used, std::mt19937_64& rng,
                           const std::set<T>& also_used) {
  const uint64_t count = static_cast<uint64_t>(high) - static_cast<uint64_t>(low) + 1;
  const uint64_t start = std::uniform_int_distribution<uint64_t>(0, count - 1)(rng);
  for (uint64_t i = 0; i < count; ++i) {
    const T candidate = static_cast<T>(static_cast<uint64_t>(low) + (start + i) % count);
    if (!used.count(candidate) && !also_used.count(candidate)) return candidate;
  }
  return std::nullopt;
}

void set_cluster_ip(Service& service, const std::string& ip) {
  service.mutable_spec()->set_cluster_ip(ip);
  service.mutable_spec()->clear_cluster_ips();
  service.mutable_spec()->add_cluster_ips(ip);
}

// Allocates a ClusterIP for `service`, whose clusterIP is empty or requested.
void allocate_ip(Service& service, const used_values& used, std::mt19937_64& rng,
                 const service_ranges& ranges, allocation_plan& plan) {
  const auto& spec = service.spec();
  std::string requested = spec.cluster_ip();
  if (requested.empty() && spec.cluster_ips_size() > 0) requested = spec.cluster_ips(0);
  if (requested.empty()) {
    // Neither the network address, 10.96.0.1 (the kubernetes service's) nor the broadcast.
    auto ip = pick_free<uint32_t>(ranges.cidr_base + 2,
                                  static_cast<uint32_t>(ranges.cidr_base + range_size(ranges) - 2),
                                  used.ips, rng, {});
    if (!ip) {
      plan.error = "failed to allocate a serviceIP: range is full";
      plan.internal = true;
      return;
    }
    set_cluster_ip(service, format_ipv4(*ip));
    plan.new_ips.push_back(*ip);
    return;
  }
  set_cluster_ip(service, requested);
  auto failed = [&](const std::string& why) {
    plan.error = "spec.clusterIPs: Invalid value: " + go_strings(service) +
                 ": failed to allocate IP " + requested + ": " + why;
  };
  auto ip = parse_ipv4(requested);
  const uint64_t offset = ip ? uint64_t{*ip} - ranges.cidr_base : 0;
  if (!ip || *ip < ranges.cidr_base || offset == 0 || offset >= range_size(ranges) - 1)
    return failed("the provided IP (" + requested +
                  ") is not in the valid range. The range of valid IPs is " + ranges.cidr());
  if (used.ips.count(*ip)) return failed("provided IP is already allocated");
  plan.new_ips.push_back(*ip);
  plan.requested_ips.insert(*ip);
}

// Allocates NodePorts for the ports of `service` that have none and checks those that do,
// except the ones in `kept` (already held by this service).
void allocate_node_ports(Service& service, const std::set<int32_t>& kept, const used_values& used,
                         std::mt19937_64& rng, const service_ranges& ranges,
                         allocation_plan& plan) {
  auto& ports = *service.mutable_spec()->mutable_ports();
  std::set<int32_t> taken;  // by this service, so far
  for (int i = 0; i < ports.size(); ++i) {
    const int32_t wanted = ports[i].node_port();
    if (wanted != 0) {
      // Held already, or shared by this service's TCP and UDP ports: one allocation.
      if (kept.count(wanted) || taken.count(wanted)) {
        taken.insert(wanted);
        continue;
      }
      if (used.node_ports.count(wanted)) {
        plan.error = "spec.ports[" + std::to_string(i) +
                     "].nodePort: Invalid value: " + std::to_string(wanted) +
                     ": provided port is already allocated";
        return;
      }
      plan.new_node_ports.push_back(wanted);
      plan.requested_node_ports.insert(wanted);
      taken.insert(wanted);
      continue;
    }
    std::set<int32_t> busy = taken;
    busy.insert(kept.begin(), kept.end());
    auto port =
        pick_free<int32_t>(ranges.node_port_min, ranges.node_port_max, used.node_ports, rng, busy);
    if (!port) {
      plan.error = "failed to allocate a nodePort: range is full";
      plan.internal = true;
      return;
    }
    ports[i].set_node_port(*port);
    plan.new_node_ports.push_back(*port);
    taken.insert(*port);
  }
}

std::set<int32_t> node_ports_of(const Service& service) {
  std::set<int32_t> out;
  for (const auto& p : service.spec().ports())
    if (p.node_port() != 0) out.insert(p.node_port());
  return out;
}

}  // namespace

std::string service_ranges::cidr() const {
  return format_ipv4(cidr_base) + "/" + std::to_string(cidr_prefix);
}

std::optional<uint32_t> parse_ipv4(std::string_view text) {
  uint32_t out = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (text.empty() || text[0] != '.') return std::nullopt;
      text.remove_prefix(1);
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const auto digits = static_cast<std::size_t>(end - text.data());
    if (ec != std::errc() || value > 255 || digits == 0 || (digits > 1 && text[0] == '0'))
      return std::nullopt;
    text.remove_prefix(digits);
    out = (out << 8) | value;
  }
  if (!text.empty()) return std::nullopt;
  return out;
}

std::string format_ipv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

std::string cluster_ip_prefix() {
  return "/core/" + std::string(ip_resource) + "/";
}

std::string node_port_prefix() {
  return "/core/" + std::string(port_resource) + "/";
}

std::string cluster_ip_key(uint32_t address) {
  return cluster_ip_prefix() + "/" + format_ipv4(address);
}

std::string node_port_key(int32_t port) {
  return node_port_prefix() + "/" + std::to_string(port);
}

void note_used_key(std::string_view key, used_values& used) {
  auto under = [&](const std::string& prefix) {
    const std::string full = prefix + "/";
    if (key.substr(0, full.size()) != full) return std::string_view();
    return key.substr(full.size());
  };
  if (auto name = under(cluster_ip_prefix()); !name.empty()) {
    if (auto ip = parse_ipv4(name)) used.ips.insert(*ip);
  } else if (auto port_name = under(node_port_prefix()); !port_name.empty()) {
    int32_t port = 0;
    auto [end, ec] = std::from_chars(port_name.data(), port_name.data() + port_name.size(), port);
    if (ec == std::errc() && end == port_name.data() + port_name.size())
      used.node_ports.insert(port);
  }
}

bool needs_cluster_ip(const Service& service) {
  const auto& spec = service.spec();
  return spec.type() != "ExternalName" && spec.cluster_ip() != "None" &&
         !(spec.cluster_ips_size() > 0 && spec.cluster_ips(0) == "None");
}

bool needs_node_ports(const Service& service) {
  const auto& spec = service.spec();
  if (spec.type() == "NodePort") return true;
  return spec.type() == "LoadBalancer" && (!spec.has_allocate_load_balancer_node_ports() ||
                                           spec.allocate_load_balancer_node_ports());
}

allocation_plan allocate_for_create(Service& service, const used_values& used, std::mt19937_64& rng,
                                    const service_ranges& ranges) {
  allocation_plan plan;
  if (needs_cluster_ip(service)) allocate_ip(service, used, rng, ranges, plan);
  if (plan.error.empty() && needs_node_ports(service))
    allocate_node_ports(service, {}, used, rng, ranges, plan);
  return plan;
}

allocation_plan allocate_for_update(Service& incoming, const Service& current,
                                    const used_values& used, std::mt19937_64& rng,
                                    const service_ranges& ranges) {
  allocation_plan plan;
  auto& spec = *incoming.mutable_spec();
  const auto& was = current.spec();
  const bool had_ip = needs_cluster_ip(current) && !was.cluster_ip().empty();
  // Kubernetes' patchAllocatedValues: what the update leaves empty keeps the current value.
  if (had_ip && needs_cluster_ip(incoming)) {
    if (spec.cluster_ip().empty() && spec.cluster_ips_size() == 0) {
      set_cluster_ip(incoming, was.cluster_ip());
    } else if (spec.cluster_ip() != was.cluster_ip()) {
      plan.error = "spec.clusterIPs[0]: Invalid value: " + go_strings(incoming) +
                   ": may not change once set";
      return plan;
    } else if (spec.cluster_ips_size() == 0) {
      spec.add_cluster_ips(was.cluster_ip());
    }
  } else if (had_ip) {
    // Now headless or ExternalName: the address it kept goes (dropTypeDependentFields).
    if (spec.cluster_ip() == was.cluster_ip()) {
      spec.clear_cluster_ip();
      spec.clear_cluster_ips();
    }
    if (auto ip = parse_ipv4(was.cluster_ip())) plan.released_ips.push_back(*ip);
  } else if (needs_cluster_ip(incoming)) {
    allocate_ip(incoming, used, rng, ranges, plan);
    if (!plan.error.empty()) return plan;
  }

  const auto held = node_ports_of(current);
  if (needs_node_ports(incoming)) {
    if (needs_node_ports(current)) {
      for (auto& port : *spec.mutable_ports()) {
        if (port.node_port() != 0) continue;
        for (const auto& old : was.ports())
          if (old.port() == port.port() && old.protocol() == port.protocol())
            port.set_node_port(old.node_port());
      }
    }
    allocate_node_ports(incoming, held, used, rng, ranges, plan);
    if (!plan.error.empty()) return plan;
  } else {
    // A type without NodePorts drops those it kept from the current service.
    for (auto& port : *spec.mutable_ports())
      if (held.count(port.node_port())) port.set_node_port(0);
  }
  const auto now = node_ports_of(incoming);
  for (int32_t port : held)
    if (!now.count(port)) plan.released_node_ports.push_back(port);
  return plan;
}

std::vector<std::string> allocation_keys(const Service& service) {
  std::vector<std::string> out;
  if (needs_cluster_ip(service))
    if (auto ip = parse_ipv4(service.spec().cluster_ip())) out.push_back(cluster_ip_key(*ip));
  for (int32_t port : node_ports_of(service))
    out.push_back(node_port_key(port));
  return out;
}

std::string allocation_value(std::string_view name, const Service& service) {
  messages::ServiceAllocation a;
  a.mutable_metadata()->set_name(std::string(name));
  a.set_service_namespace(service.metadata().namespace_());
  a.set_service_name(service.metadata().name());
  a.set_service_uid(service.metadata().uid());
  return a.SerializeAsString();
}

}  // namespace troupe::actors::gateway
