// The informers' cache: objects held as bytes come back parsed, and the indexes the
// controllers look pods up by (owner, orphans by label, node) follow every change.
#include "actors/controllers/object_cache.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace {

using troupe::actors::controllers::cache_key;
using troupe::actors::controllers::object_cache;
using troupe::actors::controllers::object_ptr;
using troupe::actors::controllers::pod_summary_ptr;
using troupe::messages::Pod;
namespace by = troupe::actors::controllers::by;

Pod pod(const std::string& name, const std::string& app, const std::string& controller_uid = "",
        const std::string& node = "") {
  Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_namespace_("default");
  (*p.mutable_metadata()->mutable_labels())["app"] = app;
  if (!controller_uid.empty()) {
    auto* ref = p.mutable_metadata()->add_owner_references();
    ref->set_uid(controller_uid);
    ref->set_controller(true);
  }
  p.mutable_spec()->set_node_name(node);
  return p;
}

struct cache_fixture {
  object_cache cache{*troupe::messages::find_kind(Pod::descriptor())};

  // Writes `p` over what its key holds, as an informer does.
  void put(const Pod& p) {
    auto key = cache_key(p);
    cache.put(key, cache.find(key), std::make_shared<const std::string>(p.SerializeAsString()),
              std::make_shared<const Pod>(p));
  }
  void remove(const std::string& key) { cache.put(key, cache.find(key), nullptr, nullptr); }

  static std::vector<std::string> names(const std::vector<object_ptr>& objects) {
    std::vector<std::string> out;
    for (const auto& o : objects)
      out.push_back(static_cast<const Pod&>(*o).metadata().name());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> names(const std::vector<pod_summary_ptr>& summaries) {
    std::vector<std::string> out;
    for (const auto& s : summaries)
      out.push_back(s->name);
    std::sort(out.begin(), out.end());
    return out;
  }
};

troupe::messages::label_selector selector(const std::string& text) {
  return *troupe::messages::label_selector::parse(text).value;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_object_cache)

BOOST_FIXTURE_TEST_CASE(an_object_comes_back_parsed_and_equal, cache_fixture) {
  put(pod("a", "web", "rs-1", "n1"));
  auto found = cache.find("default/a");
  BOOST_TEST_REQUIRE(found != nullptr);
  BOOST_TEST(found->SerializeAsString() == pod("a", "web", "rs-1", "n1").SerializeAsString());
  BOOST_TEST(cache.find("default/b") == nullptr);
  BOOST_TEST(cache.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(indexes_follow_owner_node_and_orphan_changes, cache_fixture) {
  put(pod("owned", "web", "rs-1", "n1"));
  put(pod("orphan-web", "web"));
  put(pod("orphan-db", "db", "", "n1"));
  BOOST_TEST(names(cache.indexed(by::owner, "rs-1")) == std::vector<std::string>{"owned"});
  BOOST_TEST(names(cache.indexed(by::node, "n1")) ==
             (std::vector<std::string>{"orphan-db", "owned"}));
  BOOST_TEST(names(cache.indexed(by::orphan, "default")) ==
             (std::vector<std::string>{"orphan-db", "orphan-web"}));

  // Released by its controller and moved: it leaves the owner and node indexes.
  put(pod("owned", "web", "", "n2"));
  BOOST_TEST(cache.indexed(by::owner, "rs-1").empty());
  BOOST_TEST(names(cache.indexed(by::node, "n2")) == std::vector<std::string>{"owned"});
  BOOST_TEST(names(cache.indexed(by::node, "n1")) == std::vector<std::string>{"orphan-db"});

  // Deleted: it leaves every index.
  remove("default/orphan-db");
  BOOST_TEST(cache.indexed(by::node, "n1").empty());
  BOOST_TEST(names(cache.indexed(by::orphan, "default")) ==
             (std::vector<std::string>{"orphan-web", "owned"}));
  BOOST_TEST(cache.find("default/orphan-db") == nullptr);
}

// An owner reads its own pods and the orphans that carry its selector's label, summarized.
BOOST_FIXTURE_TEST_CASE(claimable_pods_are_owned_ones_and_orphans_by_label, cache_fixture) {
  put(pod("web-1", "web"));
  put(pod("web-2", "web", "rs-1"));  // controlled: not an orphan
  put(pod("web-3", "web", "rs-2"));
  put(pod("db-1", "db"));
  using strings = std::vector<std::string>;
  BOOST_TEST(names(cache.claimable_pods("rs-1", "default", selector("app=web"))) ==
             (strings{"web-1", "web-2"}));
  BOOST_TEST(names(cache.claimable_pods("rs-9", "default", selector("app in (web,db)"))) ==
             (strings{"db-1", "web-1"}));
  BOOST_TEST(names(cache.claimable_pods("rs-1", "other", selector("app=web"))) == strings{"web-2"});
  // No equality to look up by: every orphan of the namespace, for the caller to match.
  BOOST_TEST(names(cache.claimable_pods("rs-9", "default", selector("app!=db"))) ==
             (strings{"db-1", "web-1"}));
  // A controlled pod's summary is made once, when it is stored, and follows its changes.
  auto held = cache.claimable_pods("rs-2", "default", selector("app=none"));
  BOOST_TEST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0]->controller_uid == "rs-2");
  BOOST_TEST(held[0].get() ==
             cache.claimable_pods("rs-2", "default", selector("app=none"))[0].get());
  put(pod("web-3", "web", "rs-2", "n4"));
  BOOST_TEST(cache.claimable_pods("rs-2", "default", selector("app=none"))[0]->node_name == "n4");
  // A new controller takes it; released, it is the old one's no more; deleted, nobody's.
  put(pod("web-3", "web", "rs-3", "n4"));
  BOOST_TEST(cache.claimable_pods("rs-2", "default", selector("app=none")).empty());
  BOOST_TEST(names(cache.claimable_pods("rs-3", "default", selector("app=none"))) ==
             strings{"web-3"});
  put(pod("web-3", "web", "", "n4"));
  BOOST_TEST(cache.claimable_pods("rs-3", "default", selector("app=none")).empty());
  put(pod("web-3", "web", "rs-3", "n4"));
  remove("default/web-3");
  BOOST_TEST(cache.claimable_pods("rs-3", "default", selector("app=none")).empty());
}

// Kinds other than pods are few and read on every pass: their parses are kept and shared.
BOOST_AUTO_TEST_CASE(other_kinds_stay_parsed) {
  object_cache nodes{*troupe::messages::find_kind(troupe::messages::Node::descriptor())};
  auto node = std::make_shared<troupe::messages::Node>();
  node->mutable_metadata()->set_name("n1");
  nodes.put("n1", nullptr, std::make_shared<const std::string>(node->SerializeAsString()), node);
  BOOST_TEST(nodes.find("n1").get() == node.get());
  cache_fixture pods;
  pods.put(pod("a", "web"));
  BOOST_TEST(pods.cache.find("default/a").get() != pods.cache.find("default/a").get());
}

BOOST_AUTO_TEST_SUITE_END()
