// Kubernetes' format checks for names, keys and values (k8s.io/apimachinery util/validation):
// each returns the reasons a value is invalid, worded as Kubernetes words them, and is empty
// when the value is valid. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::messages {

using reasons = std::vector<std::string>;

inline constexpr std::size_t dns1123_label_max_length = 63;
inline constexpr std::size_t dns1123_subdomain_max_length = 253;
inline constexpr std::size_t dns1035_label_max_length = 63;
inline constexpr std::size_t qualified_name_max_length = 63;
inline constexpr std::size_t label_value_max_length = 63;

// "a-b.c": lower case alphanumerics and '-', at most 63 characters (container, port names).
reasons is_dns1123_label(std::string_view value);
// "example.com": dot-separated DNS-1123 labels, at most 253 characters (most object names).
reasons is_dns1123_subdomain(std::string_view value);
// "my-name": a DNS-1123 label that starts with a letter (Service names).
reasons is_dns1035_label(std::string_view value);
// "example.com/MyName": label and annotation keys, with an optional DNS subdomain prefix.
reasons is_qualified_name(std::string_view value);
// "" or "my_value": label values.
reasons is_valid_label_value(std::string_view value);
// IANA_SVC_NAME: "http", at most 15 characters with at least one letter (container port names).
reasons is_valid_port_name(std::string_view value);
// 1-65535.
reasons is_valid_port_num(int64_t port);
// "MY_VAR.name": environment variable names.
reasons is_env_var_name(std::string_view value);
// "key.name": ConfigMap and Secret keys.
reasons is_config_map_key(std::string_view value);
// "25%".
reasons is_valid_percent(std::string_view value);
// Not ".", "..", and no '/' or '%': names that appear as one URL path segment (RBAC objects).
reasons is_valid_path_segment_name(std::string_view value);

// Object name checks (apimachinery's ValidateNameFunc). With `prefix` the value is a
// generateName, to which random characters are appended, so a trailing '-' is allowed.
reasons name_is_dns_subdomain(std::string_view name, bool prefix);
reasons name_is_dns_label(std::string_view name, bool prefix);
reasons name_is_dns1035_label(std::string_view name, bool prefix);
reasons name_is_path_segment(std::string_view name, bool prefix);

// IPv4 (leading zeros allowed, as Go's ParseIPSloppy) or IPv6 text.
bool is_ip_address(std::string_view value);
// "10.0.0.0/16" or "fd00::/8"; the address need not be the network's first.
bool is_cidr(std::string_view value);

// Kubernetes' ValidateNonSpecialIP: why an address cannot be an endpoint or external IP
// (unspecified, loopback, link-local unicast or multicast); Kubernetes puts the address itself
// into the "unspecified" reason.
reasons non_special_ip_reasons(std::string_view value);
// Whether CIDR `inner` lies inside CIDR `outer` and is strictly smaller (NetworkPolicy except).
bool cidr_is_strict_subset(std::string_view outer, std::string_view inner);

// Resource names (core/helper): "hugepages-2Mi"; names without a '/' or in kubernetes.io/;
// vendor devices such as "example.com/gpu"; the bare names Kubernetes knows.
bool is_hugepages_resource(std::string_view name);
bool is_native_resource(std::string_view name);
bool is_extended_resource(std::string_view name);
bool is_standard_resource_name(std::string_view name);
// cpu, memory, ephemeral-storage or hugepages-*.
bool is_standard_container_resource(std::string_view name);
// Requests must equal limits for hugepages and extended resources.
bool is_overcommit_allowed(std::string_view name);

// "net.core.somaxconn" or "kernel/shm_rmid_forced": at most 253 characters.
bool is_sysctl_name(std::string_view name);

// Kubernetes' reasons for an invalid IP address or CIDR.
inline constexpr std::string_view invalid_ip_reason =
    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
inline constexpr std::string_view invalid_cidr_reason =
    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

// "must be between 1 and 65535, inclusive".
std::string inclusive_range_error(int64_t lo, int64_t hi);

}  // namespace troupe::messages
