// The API server's error texts, as kubectl prints them after "Error from server (Reason): ".
// Each returns a caf::error in the "troupe" category whose errc gives the reason.
#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "messages/kinds.hpp"

namespace troupe::actors::api_errors {

// "pods", "deployments.apps": how Kubernetes names a resource in messages.
std::string resource_name(const messages::kind_info& kind);

// pods "x" not found
std::string not_found_message(const messages::kind_info& kind, std::string_view name);
caf::error not_found(const messages::kind_info& kind, std::string_view name);
// pods "x" already exists
caf::error already_exists(const messages::kind_info& kind, std::string_view name);
// Operation cannot be fulfilled on pods "x": the object has been modified; please apply
// your changes to the latest version and try again
std::string conflict_message(const messages::kind_info& kind, std::string_view name);
caf::error conflict(const messages::kind_info& kind, std::string_view name);
// the server could not find the requested resource ("pod" is not a resource)
caf::error unknown_resource(std::string_view group, std::string_view resource);
// invalid, with the message as given ("Pod \"x\" is invalid: ...")
caf::error invalid(std::string message);
// namespaces "default" is forbidden: this namespace may not be deleted
caf::error forbidden(std::string message);

}  // namespace troupe::actors::api_errors
