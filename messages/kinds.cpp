#include "messages/kinds.hpp"

#include "messages/proto/meta.pb.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <google/protobuf/message.h>

#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"

namespace troupe::messages {
namespace {

using names = std::span<const std::string_view>;
constexpr std::string_view po[] = {"po"}, svc[] = {"svc"}, rc[] = {"rc"}, rs[] = {"rs"},
                           deploy[] = {"deploy"}, ep[] = {"ep"}, no[] = {"no"}, ns[] = {"ns"},
                           cm[] = {"cm"}, pv[] = {"pv"}, pvc[] = {"pvc"}, hpa[] = {"hpa"},
                           ev[] = {"ev"}, sa[] = {"sa"}, netpol[] = {"netpol"};
constexpr std::string_view rbac = "rbac.authorization.k8s.io";

template <class T>
const google::protobuf::Descriptor* descriptor_of() {
  return T::descriptor();
}

const std::array<kind_info, 22> kinds{{
    {"", "v1", "Pod", "pods", po, true, descriptor_of<Pod>},
    {"", "v1", "Service", "services", svc, true, descriptor_of<Service>},
    {"", "v1", "ReplicationController", "replicationcontrollers", rc, true,
     descriptor_of<ReplicationController>},
    {"apps", "v1", "ReplicaSet", "replicasets", rs, true, descriptor_of<ReplicaSet>},
    {"apps", "v1", "Deployment", "deployments", deploy, true, descriptor_of<Deployment>},
    {"", "v1", "Endpoints", "endpoints", ep, true, descriptor_of<Endpoints>},
    {"", "v1", "Namespace", "namespaces", ns, false, descriptor_of<Namespace>},
    {"", "v1", "Node", "nodes", no, false, descriptor_of<Node>},
    {"", "v1", "ConfigMap", "configmaps", cm, true, descriptor_of<ConfigMap>},
    {"", "v1", "Secret", "secrets", {}, true, descriptor_of<Secret>},
    {"", "v1", "PersistentVolume", "persistentvolumes", pv, false, descriptor_of<PersistentVolume>},
    {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", pvc, true,
     descriptor_of<PersistentVolumeClaim>},
    {"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", hpa, true,
     descriptor_of<HorizontalPodAutoscaler>},
    {"autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", hpa, true,
     descriptor_of<HorizontalPodAutoscalerV1>},
    {"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", netpol, true,
     descriptor_of<NetworkPolicy>},
    {"", "v1", "Event", "events", ev, true, descriptor_of<Event>},
    {"", "v1", "ServiceAccount", "serviceaccounts", sa, true, descriptor_of<ServiceAccount>},
    {rbac, "v1", "Role", "roles", {}, true, descriptor_of<Role>},
    {rbac, "v1", "ClusterRole", "clusterroles", {}, false, descriptor_of<ClusterRole>},
    {rbac, "v1", "RoleBinding", "rolebindings", {}, true, descriptor_of<RoleBinding>},
    {rbac,
     "v1",
     "ClusterRoleBinding",
     "clusterrolebindings",
     {},
     false,
     descriptor_of<ClusterRoleBinding>},
    {"coordination.k8s.io", "v1", "Lease", "leases", {}, true, descriptor_of<Lease>},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return lower(a) == lower(b);
}

}  // namespace

std::string kind_info::api_version() const {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

std::string kind_info::qualified_kind() const {
  auto out = lower(kind);
  if (!group.empty()) out += "." + std::string(group);
  return out;
}

std::unique_ptr<google::protobuf::Message> kind_info::new_object() const {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor())->New());
}

std::span<const kind_info> all_kinds() {
  return kinds;
}

const kind_info* find_kind(std::string_view api_version, std::string_view kind) {
  for (const auto& k : kinds)
    if (k.kind == kind && k.api_version() == api_version) return &k;
  return nullptr;
}

const kind_info* find_kind(const google::protobuf::Descriptor* descriptor) {
  for (const auto& k : kinds)
    if (k.descriptor() == descriptor) return &k;
  return nullptr;
}

const kind_info* find_resource(std::string_view name) {
  auto wanted = lower(name);
  // kubectl's RESOURCE[.VERSION][.GROUP]: "replicasets.apps", "deployment.v1.apps", as
  // `get -o name` prints them.
  std::string qualifier;
  if (auto dot = wanted.find('.'); dot != std::string::npos) {
    qualifier = wanted.substr(dot + 1);
    wanted.resize(dot);
  }
  for (const auto& k : kinds) {
    if (!qualifier.empty() && qualifier != k.group &&
        qualifier != std::string(k.version) + "." + std::string(k.group))
      continue;
    if (wanted == k.resource || wanted == lower(k.kind)) return &k;
    if (std::find(k.short_names.begin(), k.short_names.end(), wanted) != k.short_names.end())
      return &k;
  }
  return nullptr;
}

std::string suggest_kind(std::string_view api_version, std::string_view kind) {
  // A case slip in either part ("V1", "deployment") is the common mistake.
  for (const auto& k : kinds) {
    if (!iequals(k.kind, kind) || !iequals(k.api_version(), api_version)) continue;
    if (k.api_version() != api_version)
      return "did you mean apiVersion \"" + k.api_version() + "\"?";
    return "did you mean kind \"" + std::string(k.kind) + "\"?";
  }
  // The right kind in the wrong group: "apps/v1" for a Service, "v1" for a Deployment.
  for (const auto& k : kinds)
    if (k.kind == kind)
      return "kind \"" + std::string(kind) + "\" is in apiVersion \"" + k.api_version() + "\"";
  // A misspelt kind in a known apiVersion: the nearest kind by edit distance.
  const kind_info* best = nullptr;
  std::size_t best_distance = 4;  // more edits than this is not a typo
  for (const auto& k : kinds) {
    if (k.api_version() != api_version && !iequals(k.api_version(), api_version)) continue;
    auto a = lower(kind), b = lower(k.kind);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
      row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[b.size()] < best_distance) {
      best_distance = row[b.size()];
      best = &k;
    }
  }
  if (best) {
    std::string hint = "did you mean kind \"" + std::string(best->kind) + "\"";
    if (best->api_version() != api_version)
      hint += " in apiVersion \"" + best->api_version() + "\"";
    return hint + "?";
  }
  return "";
}

ObjectMeta* metadata_of(google::protobuf::Message& object) {
  const auto* field = object.GetDescriptor()->FindFieldByName("metadata");
  if (field == nullptr || field->message_type() != ObjectMeta::descriptor()) return nullptr;
  return static_cast<ObjectMeta*>(object.GetReflection()->MutableMessage(&object, field));
}

const ObjectMeta* metadata_of(const google::protobuf::Message& object) {
  const auto* field = object.GetDescriptor()->FindFieldByName("metadata");
  if (field == nullptr || field->message_type() != ObjectMeta::descriptor()) return nullptr;
  return &static_cast<const ObjectMeta&>(object.GetReflection()->GetMessage(object, field));
}

}  // namespace troupe::messages
