// `troupectl describe`: the text kubectl 1.32's describers print for an object, laid out by
// the same tab rules, from the object and the related objects the CLI fetched. A pure
// printer (no I/O, no clock, no time zone lookups): any thread may call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
class Endpoints;
class Event;
class Pod;
class PodTemplateSpec;
class ReplicaSet;
}  // namespace troupe::messages

namespace troupe::cli {

// A node's heartbeat lease (kubectl shows coordination.k8s.io Leases; Troupe's agents
// heartbeat through the node status, so the CLI fills this from what it has).
struct node_lease {
  std::string holder_identity;  // "" prints "<unset>"
  int64_t acquire_time_ms = 0;  // Unix milliseconds; 0 (unset) prints "<unset>"
  int64_t renew_time_ms = 0;    // Unix milliseconds; 0 (unset) prints "<unset>"
};

// What kubectl's describers fetch besides the object. Pointers are borrowed for the call.
struct describe_context {
  // Events whose involvedObject is the object, in any order (printed oldest lastTimestamp
  // first). Ignored by kinds kubectl shows no events for (Secret, Namespace).
  std::vector<const messages::Event*> events;
  // --show-events=false: no Events section at all.
  bool show_events = true;
  // Deployment: the ReplicaSets of its namespace matching its selector. The printer keeps
  // those the deployment controls and splits them into the new one and the old ones.
  std::vector<const messages::ReplicaSet*> replica_sets;
  // ReplicaSet / ReplicationController: the pods matching its selector (only those it
  // controls are counted). Node: the node's pods that have not succeeded or failed.
  // PersistentVolumeClaim: the pods of its namespace (those mounting it are "Used By").
  std::vector<const messages::Pod*> pods;
  // Service: its Endpoints object, or null when there is none.
  const messages::Endpoints* endpoints = nullptr;
  // Node: its lease; absent prints every lease field as "<unset>".
  std::optional<node_lease> lease;
  // "Now" in Unix milliseconds, for ages ("2m (x3 over 10m)", "Terminating (lasts 30s)").
  int64_t now_ms = 0;
  // Offset from UTC, in seconds, that absolute times are shown in ("Tue, 14 Nov 2023
  // 22:00:01 +0000"). kubectl uses the local zone of each instant; callers pass the local
  // offset of now, so only times on the far side of a DST change differ by an hour.
  int32_t utc_offset_seconds = 0;
};

// The describe text of `object`, one of the API kinds of messages/kinds.hpp, ending in '\n'.
// Pod, ReplicaSet, ReplicationController, Deployment, Service, Endpoints, Node, Namespace,
// ConfigMap, Secret (sizes only, never values), PersistentVolume, PersistentVolumeClaim and
// HorizontalPodAutoscaler (v2 and v1) print as kubectl 1.32's describers do; every other
// kind prints as kubectl's generic describer (Name, Namespace, Labels, Annotations, then
// every field by its title-cased name). Precondition: `object` is an API kind (has
// metadata); anything else aborts.
std::string describe(const google::protobuf::Message& object, const describe_context& context);

// kubectl's DescribePodTemplate ("Pod Template:" and its indented sections), as `rollout
// history --revision=N` prints a revision's template. Ends in '\n'.
std::string describe_pod_template(const messages::PodTemplateSpec& tmpl);

// Go's text/tabwriter as kubectl's describe configures it (minwidth 0, tabwidth 8, padding 2,
// padded with spaces): '\t' ends a cell, and each column of a block of consecutive lines
// that have a cell in it is as wide as its widest cell plus 2. The text after a line's last
// tab is never padded. Widths count UTF-8 code points, as Go does.
std::string align_tabs(std::string_view text);

}  // namespace troupe::cli
