// Shared informers over a real one-member control plane: every subscriber reads the one cache
// the hub keeps (what keeps the leader's memory at one copy per pod however many controllers
// watch pods), a subscriber that comes late starts from the full list, and changes and
// deletions reach every subscriber.
#include "actors/controllers/informer_hub.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/controllers/informer.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/core_pod.pb.h"
#include "tests/support/gateway_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::actors::controllers::informer;
using troupe::actors::controllers::informer_messages;
using troupe::messages::ApiRequest;
using troupe::test_support::fixture;
namespace atoms = troupe::atoms;

struct probe_state {
  std::unique_ptr<informer> pods;
  std::set<std::string> told;  // the keys the changes it was told of leave
};

// An actor whose only state is a shared pod informer; (echo_atom) answers what it reads and
// what it was told as "synced@cache|key|key...", the cache's address showing whose it reads.
// Read and told must agree, or the answer says so.
caf::behavior probe(caf::stateful_actor<probe_state>* self, caf::actor hub,
                    troupe::actors::gateway_actor gateway) {
  self->state.pods = std::make_unique<informer>(
      self, troupe::actors::controllers::informer_source{gateway, hub},
      *troupe::messages::find_kind(troupe::messages::Pod::descriptor()), 7,
      [self](const auto& before, const auto& after) {
        if (after)
          self->state.told.insert(troupe::actors::controllers::cache_key(*after));
        else
          self->state.told.erase(troupe::actors::controllers::cache_key(*before));
      });
  self->state.pods->start();
  caf::message_handler own{
      [self](atoms::echo_atom) {
        const auto& pods = *self->state.pods;
        std::ostringstream out;
        out << (pods.synced() ? "synced" : "listing") << "@"
            << reinterpret_cast<std::uintptr_t>(pods.cache().get());
        auto keys = pods.keys();
        if (std::set<std::string>(keys.begin(), keys.end()) != self->state.told)
          out << "|told other changes than the cache holds";
        for (const auto& key : keys)
          out << "|" << key;
        return out.str();
      },
  };
  return own.or_else(
      informer_messages([self] { return std::vector<informer*>{self->state.pods.get()}; }));
}

std::string held(fixture& f, const caf::actor& p) {
  caf::scoped_actor self{f.system};
  std::string out;
  self->request(p, 5s, atoms::echo_atom_v)
      .receive([&](std::string& s) { out = s; }, [&](caf::error&) { out = "no answer"; });
  return out;
}

// Polls both probes until `want(first)` holds and both read the same cache and were told alike.
bool agree(fixture& f, const caf::actor& a, const caf::actor& b,
           const std::function<bool(const std::string&)>& want) {
  for (int i = 0; i < 200; ++i) {
    auto x = held(f, a);
    if (want(x) && x == held(f, b)) return true;
    std::this_thread::sleep_for(25ms);
  }
  BOOST_TEST_MESSAGE("first: " << held(f, a) << "\nsecond: " << held(f, b));
  return false;
}

int count_of(const std::string& s, char c) {
  return static_cast<int>(std::count(s.begin(), s.end(), c));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_informer_hub)

BOOST_FIXTURE_TEST_CASE(subscribers_read_one_cache_and_late_ones_get_the_full_list, fixture,
                        *boost::unit_test::timeout(60)) {
  auto hub = troupe::actors::controllers::spawn_informer_hub(system, plane.gateway);
  auto early = system.spawn(probe, hub, plane.gateway);
  for (const char* name : {"a", "b"}) {
    troupe::messages::Pod p;
    p.mutable_metadata()->set_name(name);
    auto* c = p.mutable_spec()->add_containers();
    c->set_name("c");
    c->set_image("nginx");
    BOOST_TEST_REQUIRE(std::holds_alternative<troupe::messages::ApiResponse>(
        write(ApiRequest::CREATE, "", "pods", "default", p)));
  }
  auto late = system.spawn(probe, hub, plane.gateway);
  BOOST_TEST(agree(*this, early, late, [](const std::string& s) {
    return s.starts_with("synced@") && s.ends_with("|default/a|default/b") && count_of(s, '|') == 2;
  }));

  auto deleted = call([] {
    ApiRequest r;
    r.set_verb(ApiRequest::DELETE);
    r.set_resource("pods");
    r.set_namespace_("default");
    r.set_name("a");
    r.set_grace_period_seconds(0);
    return r;
  }());
  BOOST_TEST_REQUIRE(std::holds_alternative<troupe::messages::ApiResponse>(deleted));
  BOOST_TEST(agree(*this, early, late, [](const std::string& s) {
    return s.starts_with("synced@") && s.ends_with("|default/b") && count_of(s, '|') == 1;
  }));
  for (const auto& a : {early, late, hub})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
