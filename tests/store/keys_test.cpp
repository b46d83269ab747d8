#include "store/keys.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using troupe::messages::errc;
using troupe::store::make_key;
using troupe::store::max_key_length;
using troupe::store::namespace_prefix;
using troupe::store::object_key;
using troupe::store::parse_key;
using troupe::store::resource_display_name;
using troupe::store::resource_prefix;

}  // namespace

BOOST_AUTO_TEST_SUITE(store_keys)

BOOST_AUTO_TEST_CASE(make_key_namespaced_objects) {
  BOOST_TEST(*make_key("core", "pods", "default", "nginx") == "/core/pods/default/nginx");
  // The core group's empty name in apiVersion "v1" becomes "core".
  BOOST_TEST(*make_key("", "pods", "default", "nginx") == "/core/pods/default/nginx");
  BOOST_TEST(*make_key("apps", "deployments", "default", "web") == "/apps/deployments/default/web");
}

BOOST_AUTO_TEST_CASE(make_key_cluster_scoped_has_empty_namespace_segment) {
  BOOST_TEST(*make_key("core", "nodes", "", "n1") == "/core/nodes//n1");
  auto parsed = parse_key("/core/nodes//n1");
  BOOST_TEST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed->cluster_scoped());
  BOOST_TEST(parsed->name == "n1");
}

BOOST_AUTO_TEST_CASE(parse_key_round_trips_make_key) {
  for (const object_key& k : {object_key{"core", "pods", "default", "nginx"},
                              object_key{"apps", "replicasets", "prod", "web-5d8f"},
                              object_key{"rbac.authorization.k8s.io", "clusterroles", "", "a"}}) {
    auto key = make_key(k);
    BOOST_TEST_REQUIRE(key.ok());
    auto back = parse_key(*key);
    BOOST_TEST_REQUIRE(back.ok());
    BOOST_TEST((*back == k));
  }
}

BOOST_AUTO_TEST_CASE(make_key_refuses_bad_segments_naming_them) {
  auto slash = make_key("core", "pods", "default", "a/b");
  BOOST_TEST_REQUIRE(!slash.ok());
  BOOST_TEST((slash.error().code() == errc::invalid));
  BOOST_TEST(slash.error().message().find("the name segment \"a/b\" contains '/'") !=
             std::string::npos);
  auto empty_name = make_key("core", "pods", "default", "");
  BOOST_TEST(!empty_name.ok());
  BOOST_TEST(empty_name.error().message().find("the name segment is empty") != std::string::npos);
  BOOST_TEST(!make_key("core", "", "default", "x").ok());
  BOOST_TEST(!make_key("core", "pods", std::string("a\0b", 3), "x").ok());
  auto long_key = make_key("core", "configmaps", "default", std::string(max_key_length, 'a'));
  BOOST_TEST_REQUIRE(!long_key.ok());
  BOOST_TEST(long_key.error().message().find("at most 511 are allowed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parse_key_refuses_malformed_keys) {
  for (const char* bad : {"", "core/pods/default/x", "/core/pods/default", "/core/pods/default/",
                          "/core/pods/default/x/y", "//pods/default/x", "/core//default/x"}) {
    BOOST_TEST_CONTEXT("key " << bad) {
      auto parsed = parse_key(bad);
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST((parsed.error().code() == errc::invalid));
      BOOST_TEST(parsed.error().message().find("/<group>/<resource>/<namespace>/<name>") !=
                 std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(prefixes_select_whole_segments) {
  BOOST_TEST(*resource_prefix("", "pods") == "/core/pods/");
  BOOST_TEST(*namespace_prefix("core", "pods", "default") == "/core/pods/default/");
  BOOST_TEST(*namespace_prefix("core", "nodes", "") == "/core/nodes//");
  std::string key = *make_key("core", "pods", "default2", "x");
  BOOST_TEST(key.starts_with(*resource_prefix("core", "pods")));
  BOOST_TEST(!key.starts_with(*namespace_prefix("core", "pods", "default")));
  BOOST_TEST(!std::string("/core/podsx/default/x").starts_with(*resource_prefix("core", "pods")));
  BOOST_TEST(!resource_prefix("core", "po/ds").ok());
}

BOOST_AUTO_TEST_CASE(resource_display_name_like_kubernetes) {
  BOOST_TEST(resource_display_name({"core", "pods", "default", "x"}) == "pods");
  BOOST_TEST(resource_display_name({"apps", "deployments", "default", "x"}) == "deployments.apps");
}

BOOST_AUTO_TEST_SUITE_END()
