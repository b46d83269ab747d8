// store_client against a real three-member cluster: each server is a raft actor in its own
// actor system, and they, and the client's system, talk through the middleman on loopback.
// Real time and real sockets, so every wait is bounded.
#include "actors/store_client.hpp"

#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/raft_actor.hpp"
#include "actors/system_config.hpp"
#include "messages/proto/core_pod.pb.h"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using troupe::test_support::free_port;

using namespace std::chrono_literals;
using troupe::actors::raft_actor;
using troupe::messages::errc;
using troupe::messages::StoreCommand;
using troupe::messages::StoredObject;
using troupe::messages::StoreResult;
namespace atoms = troupe::atoms;

constexpr auto reply_timeout = 30s;

// One control-plane server: its own actor system (so that shutting it down is a crash as
// the others see it) and its raft actor.
struct server {
  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  raft_actor actor;

  ~server() { caf::anon_send_exit(actor, caf::exit_reason::kill); }

  troupe::actors::raft_status status() {
    troupe::actors::raft_status out;
    caf::scoped_actor self{system};
    self->request(actor, 5s, atoms::raft_status_atom_v)
        .receive([&](std::string& id, std::string& role, uint64_t term, std::string& leader,
                     uint64_t commit,
                     uint64_t applied) { out = {id, role, term, leader, commit, applied}; },
                 [&](caf::error&) {});
    return out;
  }
};

class cluster {
 public:
  explicit cluster(std::size_t size) : dirs_(size) {
    for (std::size_t i = 0; i < size; ++i) {
      troupe::messages::Member m;
      m.set_id("s" + std::to_string(i + 1));
      m.set_address("127.0.0.1:" + std::to_string(free_port()));
      members_.push_back(m);
    }
    servers_.resize(size);
    for (std::size_t i = 0; i < size; ++i)
      start(i);
  }

  void start(std::size_t i) {
    auto s = std::make_unique<server>();
    troupe::actors::raft_server_options options;
    options.id = members_[i].id();
    options.listen = members_[i].address();
    options.bootstrap = members_;
    options.data_dir = (dirs_[i].path() / "data").string();
    options.storage.env.map_size = uint64_t{256} << 20;
    options.heartbeat_ms = 50;
    options.election_timeout_ms = 300;
    options.seed = 1000 + i;
    auto started = troupe::actors::spawn_raft_actor(s->system, options);
    if (!started) throw std::runtime_error("start failed: " + s->system.render(started.error()));
    s->actor = started->actor;
    servers_[i] = std::move(s);
  }

  // Crashes member i as the others see it: its actors and its sockets go away.
  void stop(std::size_t i) { servers_[i].reset(); }

  // The index of the member that every running member names as leader, once they agree.
  std::optional<std::size_t> await_leader(std::chrono::milliseconds within = 10s) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<std::size_t> leader;
      bool agreed = true;
      for (std::size_t i = 0; i < servers_.size() && agreed; ++i) {
        if (!servers_[i]) continue;
        auto [id, role, term, hint, commit, applied] = servers_[i]->status();
        if (hint.empty()) agreed = false;
        for (std::size_t j = 0; j < members_.size() && agreed; ++j) {
          if (members_[j].id() != hint) continue;
          if (leader && *leader != j) agreed = false;
          leader = j;
        }
      }
      if (agreed && leader && servers_[*leader] &&
          std::get<1>(servers_[*leader]->status()) == "leader")
        return leader;
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }

  std::vector<std::string> addresses() const {
    std::vector<std::string> out;
    for (const auto& m : members_)
      out.push_back(m.address());
    return out;
  }

  std::size_t size() const { return members_.size(); }

 private:
  std::vector<troupe::test_support::temp_dir> dirs_;
  std::vector<troupe::messages::Member> members_;
  std::vector<std::unique_ptr<server>> servers_;
};

// The client's side: its own actor system with a store_client in it.
struct client_side {
  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  troupe::actors::store_client_actor client;

  explicit client_side(troupe::actors::store_client_options options)
      : client(troupe::actors::spawn_store_client(system, std::move(options))) {}
  ~client_side() { caf::anon_send_exit(client, caf::exit_reason::kill); }
};

std::string pod_key(int i) {
  return "/core/pods/default/p-" + std::to_string(i);
}

StoreCommand create(int i) {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name("p-" + std::to_string(i));
  pod.mutable_metadata()->set_namespace_("default");
  StoreCommand c;
  c.mutable_create()->set_key(pod_key(i));
  c.mutable_create()->set_value(pod.SerializeAsString());
  return c;
}

std::string render(caf::actor_system& system, const caf::error& e) {
  return system.render(e);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_store_client)

// The acknowledged writes survive the leader's crash in the middle of a pipeline of
// proposals, and none of them applies twice: a create applied twice would answer
// already_exists, and its object's create_revision would not be the one acknowledged.
BOOST_AUTO_TEST_CASE(propose_failover_keeps_every_write_once, *boost::unit_test::timeout(180)) {
  cluster c{3};
  auto first_leader = c.await_leader();
  BOOST_REQUIRE_MESSAGE(first_leader, "no leader elected within 10 s");

  troupe::actors::store_client_options options;
  options.servers = c.addresses();
  options.client_id = "failover-test";
  options.attempt_timeout = 2s;
  options.give_up_after = 20s;
  client_side side{options};
  caf::scoped_actor self{side.system};

  std::map<int, uint64_t> acknowledged;  // key number -> revision of its create
  std::vector<std::string> failures;
  auto write_batch = [&](int from, int count, bool crash_leader_meanwhile) {
    std::vector<decltype(self->request(side.client, reply_timeout, atoms::propose_atom_v,
                                       create(0)))>
        pending;
    for (int i = from; i < from + count; ++i)
      pending.push_back(
          self->request(side.client, reply_timeout, atoms::propose_atom_v, create(i)));
    if (crash_leader_meanwhile) c.stop(*first_leader);
    for (int i = from; i < from + count; ++i) {
      pending[static_cast<std::size_t>(i - from)].receive(
          [&](StoreResult& r) {
            if (r.code() != 0) {
              failures.push_back(pod_key(i) + ": code " + std::to_string(r.code()) + " " +
                                 r.message());
            } else {
              acknowledged[i] = r.revision();
            }
          },
          [&](caf::error& e) { failures.push_back(pod_key(i) + ": " + render(side.system, e)); });
    }
  };

  write_batch(0, 10, false);
  write_batch(10, 10, true);  // the leader dies with these in flight
  write_batch(20, 10, false);
  for (const auto& f : failures)
    BOOST_ERROR("write failed: " << f);
  BOOST_TEST(acknowledged.size() == 30u);

  auto second_leader = c.await_leader();
  BOOST_REQUIRE_MESSAGE(second_leader, "no new leader within 10 s");
  BOOST_TEST(*second_leader != *first_leader);

  // Read everything back linearizably, through the new leader.
  std::vector<std::string> keys;
  std::vector<StoredObject> objects;
  caf::error list_error;
  self->request(side.client, reply_timeout, atoms::store_list_atom_v,
                std::string("/core/pods/default/"), uint64_t{0}, std::string(), false)
      .receive(
          [&](std::vector<std::string>& k, std::vector<StoredObject>& o, uint64_t, std::string&) {
            keys = std::move(k);
            objects = std::move(o);
          },
          [&](caf::error& e) { list_error = e; });
  if (list_error) BOOST_FAIL("list failed: " << render(side.system, list_error));
  BOOST_TEST(keys.size() == 30u);
  std::map<std::string, uint64_t> created;
  for (std::size_t i = 0; i < keys.size(); ++i)
    created[keys[i]] = objects[i].create_revision();
  for (const auto& [i, revision] : acknowledged) {
    BOOST_TEST_CONTEXT(pod_key(i)) {
      BOOST_TEST(created.count(pod_key(i)) == 1u);
      BOOST_TEST(created[pod_key(i)] == revision);
    }
  }
}

BOOST_AUTO_TEST_CASE(get_follows_not_leader_and_reports_not_found,
                     *boost::unit_test::timeout(120)) {
  cluster c{3};
  auto leader = c.await_leader();
  BOOST_REQUIRE(leader);
  troupe::actors::store_client_options options;
  // The leader comes last: the client asks a follower first and must follow its hint.
  auto all = c.addresses();
  for (std::size_t i = 1; i <= all.size(); ++i)
    options.servers.push_back(all[(*leader + i) % all.size()]);
  options.give_up_after = 20s;
  client_side side{options};
  caf::scoped_actor self{side.system};

  std::optional<StoreResult> created;
  self->request(side.client, reply_timeout, atoms::propose_atom_v, create(7))
      .receive([&](StoreResult& r) { created = r; },
               [&](caf::error& e) { BOOST_ERROR("propose failed: " << render(side.system, e)); });
  BOOST_REQUIRE(created);
  BOOST_TEST(created->code() == 0u);

  for (bool serializable : {false, true}) {
    BOOST_TEST_CONTEXT("serializable " << serializable) {
      std::optional<StoredObject> got;
      self->request(side.client, reply_timeout, atoms::store_get_atom_v, pod_key(7), serializable)
          .receive([&](StoredObject& o) { got = o; },
                   [&](caf::error& e) { BOOST_ERROR("get failed: " << render(side.system, e)); });
      // A serializable read may be served by a follower that has not applied it yet.
      if (!serializable) {
        BOOST_REQUIRE(got);
        BOOST_TEST(got->mod_revision() == created->revision());
      }
    }
  }

  caf::error missing;
  self->request(side.client, reply_timeout, atoms::store_get_atom_v, pod_key(8), false)
      .receive([&](StoredObject&) {}, [&](caf::error& e) { missing = e; });
  BOOST_TEST(missing.category() == caf::atom("troupe"));
  BOOST_TEST(missing.code() == static_cast<uint8_t>(errc::not_found));
}

BOOST_AUTO_TEST_CASE(gives_up_with_unavailable_when_no_server_answers,
                     *boost::unit_test::timeout(60)) {
  troupe::actors::store_client_options options;
  options.servers = {"127.0.0.1:" + std::to_string(free_port()),
                     "127.0.0.1:" + std::to_string(free_port())};
  options.give_up_after = 1500ms;
  options.connect_timeout = 500ms;
  client_side side{options};
  caf::scoped_actor self{side.system};

  auto started = std::chrono::steady_clock::now();
  caf::error error;
  self->request(side.client, reply_timeout, atoms::propose_atom_v, create(1))
      .receive([&](StoreResult&) {}, [&](caf::error& e) { error = e; });
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(error.category() == caf::atom("troupe"));
  BOOST_TEST(error.code() == static_cast<uint8_t>(errc::unavailable));
  BOOST_TEST(render(side.system, error).find("no store server answered") != std::string::npos,
             render(side.system, error));
  BOOST_TEST(took >= 1500ms);
  BOOST_TEST(took < 10s);
}

// A watch through the client replays what followed its revision, streams what comes next,
// survives the death of the server it was registered at without a gap or a duplicate, and
// stops after unwatch.
BOOST_AUTO_TEST_CASE(watch_replays_streams_and_survives_its_server,
                     *boost::unit_test::timeout(180)) {
  cluster c{3};
  auto leader = c.await_leader();
  BOOST_REQUIRE(leader);
  troupe::actors::store_client_options options;
  options.servers = c.addresses();
  options.give_up_after = 20s;
  client_side side{options};
  caf::scoped_actor self{side.system};

  std::map<int, uint64_t> revisions;
  auto write = [&](int from, int to) {
    for (int i = from; i <= to; ++i) {
      self->request(side.client, reply_timeout, atoms::propose_atom_v, create(i))
          .receive([&](StoreResult& r) { revisions[i] = r.revision(); },
                   [&](caf::error& e) { BOOST_FAIL("write failed: " << render(side.system, e)); });
    }
    // Another prefix: the watch must not see it.
    StoreCommand other;
    other.mutable_create()->set_key("/core/configmaps/default/c-" + std::to_string(to));
    other.mutable_create()->set_value("x");
    self->request(side.client, reply_timeout, atoms::propose_atom_v, other)
        .receive([](StoreResult&) {}, [](caf::error&) {});
  };
  write(0, 4);

  constexpr uint64_t tag = 7;
  std::vector<troupe::messages::WatchEvent> seen;
  uint64_t watch_id = 0;
  self->request(side.client, reply_timeout, atoms::watch_atom_v, std::string("/core/pods/"),
                revisions[2], caf::actor_cast<caf::actor>(self), tag)
      .receive([&](uint64_t id) { watch_id = id; },
               [&](caf::error& e) { BOOST_FAIL("watch failed: " << render(side.system, e)); });
  // Receives until `count` events in all, or fails after 10 s without progress.
  auto collect = [&](std::size_t count) {
    while (seen.size() < count) {
      bool progressed = false;
      self->receive(
          [&](troupe::atoms::watch_events_atom, uint64_t t,
              std::vector<troupe::messages::WatchEvent>& events) {
            BOOST_TEST(t == tag);
            seen.insert(seen.end(), events.begin(), events.end());
            progressed = true;
          },
          [&](troupe::atoms::watch_end_atom, uint64_t, caf::error& e) {
            BOOST_FAIL("the watch ended: " << render(side.system, e));
          },
          caf::after(10s) >> [&] {});
      BOOST_REQUIRE_MESSAGE(progressed,
                            "no watch events within 10 s; " << seen.size() << " of " << count);
    }
  };
  collect(2);  // the replay: p-3 and p-4
  write(5, 9);
  collect(7);
  c.stop(*leader);  // the watch's server (the client's target) dies
  BOOST_REQUIRE(c.await_leader());
  write(10, 14);
  collect(12);

  BOOST_TEST_REQUIRE(seen.size() == 12u);
  for (std::size_t n = 0; n < seen.size(); ++n) {
    const int i = static_cast<int>(n) + 3;
    BOOST_TEST_CONTEXT("event " << n) {
      BOOST_TEST(seen[n].key() == pod_key(i));
      BOOST_TEST(seen[n].revision() == revisions[i]);
      BOOST_TEST(seen[n].type() == troupe::messages::WatchEvent::ADDED);
    }
  }

  self->send(side.client, atoms::unwatch_atom_v, watch_id);
  write(15, 15);
  bool quiet = true;
  self->receive([&](troupe::atoms::watch_events_atom, uint64_t,
                    std::vector<troupe::messages::WatchEvent>&) { quiet = false; },
                caf::after(500ms) >> [] {});
  BOOST_TEST(quiet, "events arrived after unwatch");
}

BOOST_AUTO_TEST_SUITE_END()
