// The project's single CAF type-ID block, its atoms, the error category, and the
// `inspect` that carries protobuf messages across actor and process boundaries.
// Include this only where actors are defined or spawned: it pulls in CAF headers.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include <google/protobuf/message_lite.h>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "messages/errc.hpp"

// Forward declarations keep the generated protobuf headers out of every includer;
// a file that sends one of these includes its messages/proto/*.pb.h itself.
namespace troupe::messages {
class ApiRequest;
class ApiResponse;
class ClusterRole;
class ClusterRoleBinding;
class ConfigMap;
class Configuration;
class Deployment;
class Endpoints;
class Event;
class Lease;
class HorizontalPodAutoscaler;
class HorizontalPodAutoscalerV1;
class Member;
class Namespace;
class NetworkPolicy;
class Node;
class PersistentVolume;
class PersistentVolumeClaim;
class Pod;
class RaftMessage;
class ReplicaSet;
class ReplicationController;
class Role;
class RoleBinding;
class Secret;
class Service;
class ServiceAccount;
class StoreCommand;
class StoredObject;
class StoreResult;
class WatchEvent;
}  // namespace troupe::messages

CAF_BEGIN_TYPE_ID_BLOCK(troupe, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ClusterRole))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ClusterRoleBinding))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ConfigMap))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Deployment))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Endpoints))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Event))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Lease))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::HorizontalPodAutoscaler))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::HorizontalPodAutoscalerV1))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Namespace))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::NetworkPolicy))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Node))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::PersistentVolume))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::PersistentVolumeClaim))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Pod))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ReplicaSet))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ReplicationController))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Role))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::RoleBinding))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Secret))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Service))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ServiceAccount))
// The API gateway (actors/gateway/gateway_api.hpp).
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ApiRequest))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::ApiResponse))
// The replicated store (actors/raft_actor.hpp, actors/store_api.hpp).
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Configuration))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::Member))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::RaftMessage))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::StoreCommand))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::StoredObject))
CAF_ADD_TYPE_ID(troupe, (std::vector<troupe::messages::StoredObject>))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::StoreResult))
CAF_ADD_TYPE_ID(troupe, (troupe::messages::WatchEvent))
CAF_ADD_TYPE_ID(troupe, (std::vector<troupe::messages::WatchEvent>))

// Atoms: at most 10 characters in CAF 0.17.
CAF_ADD_ATOM(troupe, troupe::atoms, echo_atom, "echo")
// The store's client interface (actors/store_api.hpp).
CAF_ADD_ATOM(troupe, troupe::atoms, propose_atom, "propose")
CAF_ADD_ATOM(troupe, troupe::atoms, store_get_atom, "store_get")
CAF_ADD_ATOM(troupe, troupe::atoms, store_list_atom, "store_list")
CAF_ADD_ATOM(troupe, troupe::atoms, watch_atom, "watch")
CAF_ADD_ATOM(troupe, troupe::atoms, unwatch_atom, "unwatch")
CAF_ADD_ATOM(troupe, troupe::atoms, watch_events_atom, "watch_evts")
CAF_ADD_ATOM(troupe, troupe::atoms, watch_end_atom, "watch_end")
// Shared informers (actors/controllers/informer_hub.hpp).
CAF_ADD_ATOM(troupe, troupe::atoms, subscribe_atom, "subscribe")
CAF_ADD_ATOM(troupe, troupe::atoms, informer_delta_atom, "inf_delta")
// The API gateway (actors/gateway/gateway_api.hpp).
CAF_ADD_ATOM(troupe, troupe::atoms, api_atom, "api")
// A server's Raft administration (actors/raft_actor.hpp).
CAF_ADD_ATOM(troupe, troupe::atoms, raft_status_atom, "raft_stat")
CAF_ADD_ATOM(troupe, troupe::atoms, add_member_atom, "add_member")
CAF_ADD_ATOM(troupe, troupe::atoms, remove_member_atom, "rm_member")
CAF_ADD_ATOM(troupe, troupe::atoms, transfer_atom, "transfer")
// A raft actor's snapshot, written on a thread of its own (actors/raft_io_actor.hpp).
CAF_ADD_ATOM(troupe, troupe::atoms, snapshot_atom, "snapshot")
CAF_ADD_ATOM(troupe, troupe::atoms, written_atom, "written")
// Timers and retries that actors send themselves.
CAF_ADD_ATOM(troupe, troupe::atoms, tick_atom, "tick")
CAF_ADD_ATOM(troupe, troupe::atoms, reconnect_atom, "reconnect")
CAF_ADD_ATOM(troupe, troupe::atoms, retry_atom, "retry")
CAF_ADD_ATOM(troupe, troupe::atoms, flush_atom, "flush")
// The node agent and its pod actors (node/).
CAF_ADD_ATOM(troupe, troupe::atoms, pod_update_atom, "pod_update")
CAF_ADD_ATOM(troupe, troupe::atoms, pod_gone_atom, "pod_gone")
CAF_END_TYPE_ID_BLOCK(troupe)

// Errors of this enum travel as caf::error in the "troupe" category.
CAF_ERROR_CODE_ENUM(troupe::messages::errc, "troupe")

namespace troupe::messages {

// Registers the type-ID block and the error category with a CAF config. Every actor
// system in the project calls this once, before it starts.
void register_caf_types(caf::actor_system_config& cfg);

// Whether `e` is this project's error `code` (the "troupe" category).
bool is_error(const caf::error& e, errc code);

// The text a troupe error carries (kubectl's message), else CAF's rendering of the error.
std::string message_of(const caf::error& e);

// Protobuf messages cross actors and the middleman as their binary encoding: the
// wire format is the same one the store writes to disk. ADL finds this for every
// generated type in troupe::messages.
template <class Inspector, class T>
requires std::is_base_of_v<google::protobuf::MessageLite, T>
typename Inspector::result_type inspect(Inspector& f, T& x) {
  if constexpr (Inspector::reads_state) {
    std::string bytes = x.SerializeAsString();
    return f(caf::meta::type_name("troupe.messages"), bytes);
  } else {
    std::string bytes;
    auto parse = caf::meta::load_callback([&]() -> caf::error {
      if (!x.ParseFromString(bytes))
        return caf::make_error(errc::invalid, "malformed protobuf " + x.GetTypeName());
      return caf::none;
    });
    return f(caf::meta::type_name("troupe.messages"), bytes, parse);
  }
}

}  // namespace troupe::messages
