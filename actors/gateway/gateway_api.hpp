// The API gateway's interface: the Kubernetes API as one typed message. Every server
// publishes a gateway; troupectl, agents and controllers send it ApiRequests. Errors are
// caf::error in the "troupe" category, with the text kubectl prints after
// "Error from server (<Reason>): ", e.g. `pods "x" not found` (api_errors.hpp).
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/caf_types.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::actors {

using gateway_actor = caf::typed_actor<
    caf::replies_to<atoms::api_atom, messages::ApiRequest>::with<messages::ApiResponse>>;

}  // namespace troupe::actors
