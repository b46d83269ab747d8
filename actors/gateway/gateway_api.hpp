// The API gateway's interface: the Kubernetes API as one typed message. Every server
// publishes a gateway; troupectl, agents and controllers send it ApiRequests. Errors are
// caf::error in the "troupe" category, with the text kubectl prints after
// "Error from server (<Reason>): ", e.g. `pods "x" not found` (api_errors.hpp).
#pragma once

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/caf_types.hpp"
#include "messages/proto/api.pb.h"

namespace troupe::actors {

// WATCH: (watch_atom, request, subscriber, tag) with the LIST fields of the request (group,
// resource, namespace, selectors) and resource_version, the revision to start after (a
// list's). The reply is the watch's id; the subscriber then gets, labelled with its tag,
// (watch_events_atom, tag, std::vector<WatchEvent>) whose values are the objects as GET
// returns them, filtered by the selectors, and at the end (watch_end_atom, tag, caf::error),
// gone when the revision is compacted away (list again). (unwatch_atom, id) ends it.
using gateway_actor = caf::typed_actor<
    caf::replies_to<atoms::api_atom, messages::ApiRequest>::with<messages::ApiResponse>,
    caf::replies_to<atoms::watch_atom, messages::ApiRequest, caf::actor, uint64_t>::with<uint64_t>,
    caf::reacts_to<atoms::unwatch_atom, uint64_t>>;

}  // namespace troupe::actors
