// The apiVersion/kind table follows Kubernetes.
#include <boost/test/unit_test.hpp>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "messages/kinds.hpp"

namespace msg = troupe::messages;

BOOST_AUTO_TEST_SUITE(messages_kinds)

BOOST_AUTO_TEST_CASE(find_kind_by_kubernetes_api_version) {
  const std::pair<const char*, const char*> table[] = {
      {"v1", "Pod"},
      {"v1", "Service"},
      {"v1", "ReplicationController"},
      {"v1", "ConfigMap"},
      {"v1", "Secret"},
      {"v1", "PersistentVolume"},
      {"v1", "PersistentVolumeClaim"},
      {"v1", "Namespace"},
      {"v1", "Node"},
      {"v1", "Endpoints"},
      {"v1", "Event"},
      {"v1", "ServiceAccount"},
      {"apps/v1", "ReplicaSet"},
      {"apps/v1", "Deployment"},
      {"autoscaling/v1", "HorizontalPodAutoscaler"},
      {"autoscaling/v2", "HorizontalPodAutoscaler"},
      {"networking.k8s.io/v1", "NetworkPolicy"},
      {"rbac.authorization.k8s.io/v1", "Role"},
      {"rbac.authorization.k8s.io/v1", "ClusterRole"},
      {"rbac.authorization.k8s.io/v1", "RoleBinding"},
      {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"},
      {"coordination.k8s.io/v1", "Lease"},
  };
  for (const auto& [version, kind] : table) {
    const auto* k = msg::find_kind(version, kind);
    BOOST_REQUIRE_MESSAGE(k != nullptr, version << " " << kind);
    BOOST_TEST(k->api_version() == version);
    BOOST_TEST(msg::find_kind(k->descriptor()) == k);
  }
  BOOST_TEST(msg::all_kinds().size() == std::size(table));
  BOOST_TEST(msg::find_kind("v1", "Deployment") == nullptr);
  BOOST_TEST(msg::find_kind("apps/v1", "deployment") == nullptr);  // kinds are case-sensitive
}

BOOST_AUTO_TEST_CASE(hpa_versions_are_distinct_messages) {
  auto v1 = msg::find_kind("autoscaling/v1", "HorizontalPodAutoscaler");
  auto v2 = msg::find_kind("autoscaling/v2", "HorizontalPodAutoscaler");
  BOOST_TEST(v1->descriptor()->name() == "HorizontalPodAutoscalerV1");
  BOOST_TEST(v2->descriptor()->name() == "HorizontalPodAutoscaler");
  BOOST_TEST(msg::find_resource("hpa") == v2);  // the preferred version
}

BOOST_AUTO_TEST_CASE(find_resource_by_any_name_kubectl_accepts) {
  const std::pair<const char*, const char*> names[] = {
      {"po", "Pod"},
      {"pods", "Pod"},
      {"rs", "ReplicaSet"},
      {"rc", "ReplicationController"},
      {"deploy", "Deployment"},
      {"Deployment", "Deployment"},
      {"svc", "Service"},
      {"ep", "Endpoints"},
      {"no", "Node"},
      {"ns", "Namespace"},
      {"cm", "ConfigMap"},
      {"pv", "PersistentVolume"},
      {"pvc", "PersistentVolumeClaim"},
      {"ev", "Event"},
      {"netpol", "NetworkPolicy"},
      {"secrets", "Secret"},
  };
  for (const auto& [name, kind] : names) {
    const auto* k = msg::find_resource(name);
    BOOST_REQUIRE_MESSAGE(k != nullptr, name);
    BOOST_TEST(k->kind == kind);
  }
  BOOST_TEST(msg::find_resource("deploymentz") == nullptr);
}

BOOST_AUTO_TEST_CASE(find_resource_takes_a_version_and_group_as_get_o_name_prints_them) {
  BOOST_TEST(msg::find_resource("replicaset.apps")->kind == "ReplicaSet");
  BOOST_TEST(msg::find_resource("deployments.v1.apps")->kind == "Deployment");
  BOOST_TEST(msg::find_resource("deploy.apps")->kind == "Deployment");
  BOOST_TEST(msg::find_resource("hpa.v1.autoscaling")->version == "v1");
  BOOST_TEST(msg::find_resource("hpa.autoscaling")->version == "v2");
  BOOST_TEST(msg::find_resource("pods.apps") == nullptr);
  BOOST_TEST(msg::find_resource("deployment.v2.apps") == nullptr);
}

BOOST_AUTO_TEST_CASE(qualified_kind_names_as_kubectl_prints) {
  BOOST_TEST(msg::find_kind("apps/v1", "Deployment")->qualified_kind() == "deployment.apps");
  BOOST_TEST(msg::find_kind("v1", "Service")->qualified_kind() == "service");
  BOOST_TEST(msg::find_kind("networking.k8s.io/v1", "NetworkPolicy")->qualified_kind() ==
             "networkpolicy.networking.k8s.io");
}

BOOST_AUTO_TEST_CASE(new_object_has_the_kind_type) {
  for (const auto& k : msg::all_kinds()) {
    auto object = k.new_object();
    BOOST_TEST(object->GetDescriptor() == k.descriptor());
  }
}

BOOST_AUTO_TEST_SUITE_END()
