// The store's key layout: /<group>/<resource>/<namespace>/<name>. Pure functions; safe from
// any thread. Used by the store, the gateway (to build keys from requests) and tests.
//
// Encoding:
// - The group segment of the core API group ("" in apiVersion "v1") is "core", so no
//   segment of a namespaced key is empty: /core/pods/default/nginx, /apps/deployments/default/web.
// - A cluster-scoped object has an empty namespace segment: /core/nodes//n1,
//   /rbac.authorization.k8s.io/clusterroles//admin. Since namespaces are never empty, the
//   scope is visible in the key itself and no cluster-scoped key shares a namespace prefix.
// - Segments never contain '/' or NUL, so the segments of a key are exactly its '/'-separated
//   parts, and a prefix ending in '/' selects whole segments (/core/pods/default/ does not
//   match /core/pods/default2/x).
// - Keys sort bytewise (LMDB's order), so a prefix is a contiguous key range.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "store/status.hpp"

namespace troupe::store {

inline constexpr std::string_view core_group = "core";

// LMDB's key limit in Debian's build; longer keys are refused with errc::invalid.
inline constexpr std::size_t max_key_length = 511;

struct object_key {
  std::string group;     // "core", "apps"
  std::string resource;  // the plural, lower case: "pods", "deployments"
  std::string ns;        // the namespace; empty for a cluster-scoped object
  std::string name;

  bool cluster_scoped() const { return ns.empty(); }
  friend bool operator==(const object_key&, const object_key&) = default;
};

// "/core/pods/default/nginx". `group` may be "" or "core" for the core group; `ns` is empty
// for a cluster-scoped object. errc::invalid names the bad segment.
result<std::string> make_key(std::string_view group, std::string_view resource, std::string_view ns,
                             std::string_view name);
inline result<std::string> make_key(const object_key& key) {
  return make_key(key.group, key.resource, key.ns, key.name);
}

// The inverse of make_key: errc::invalid unless `key` has exactly four valid segments.
result<object_key> parse_key(std::string_view key);

// "/core/pods/": every object of a resource, in every namespace (list --all-namespaces).
result<std::string> resource_prefix(std::string_view group, std::string_view resource);

// "/core/pods/default/": the objects of one namespace. With an empty `ns`, "/core/nodes//":
// the cluster-scoped objects of a resource.
result<std::string> namespace_prefix(std::string_view group, std::string_view resource,
                                     std::string_view ns);

// The name Kubernetes uses in messages: "pods", "deployments.apps".
std::string resource_display_name(const object_key& key);

}  // namespace troupe::store
