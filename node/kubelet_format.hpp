// How the kubelet formats what it reports, shared by the pod lifecycle's status texts and the
// kubelet's events.
#pragma once

#include <cstdint>
#include <string>

namespace troupe::messages {
class Pod;
}  // namespace troupe::messages

namespace troupe::node {

// Go's time.Duration.String() for whole milliseconds: "10s", "1m20s", "5m0s", "1.5s", "500ms".
std::string go_duration(int64_t ms);

// The kubelet's format.Pod: "name_namespace(uid)".
std::string pod_reference(const messages::Pod& pod);

}  // namespace troupe::node
