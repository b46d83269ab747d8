// The error codes that cross actor boundaries. A code exists only if some caller
// reacts to it differently from the others. Plain C++: no CAF here, so the store and
// the codec can use it; messages/caf_types.hpp registers it as a CAF error category.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace troupe::messages {

enum class errc : uint8_t {
  // Zero is reserved by CAF for "no error".
  not_leader = 1,   // ask the member named in the context, which is the leader
  conflict,         // a resourceVersion precondition failed: re-read, then retry
  not_found,        // no object under that key
  already_exists,   // create of a key that exists
  gone,             // a watch revision older than the compaction point: re-list
  invalid,          // the request or object is malformed; retrying will not help
  forbidden,        // authenticated, but RBAC or admission refused it
  unauthenticated,  // no valid identity
  unavailable,      // no quorum, no leader, full map or disk: retry later
};

std::string_view to_string(errc code);
std::optional<errc> errc_from_string(std::string_view name);

// Kubernetes' reason for an HTTP status, as kubectl prints it: "NotFound", "Conflict".
std::string_view kubernetes_reason(errc code);

}  // namespace troupe::messages
