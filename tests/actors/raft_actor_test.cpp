// raft_actor with real LMDB storage in temp dirs and real middleman connections on loopback:
// a single member, a restart from its data directory, and a three-member cluster whose
// members each run in their own actor system. Real time, so every wait is bounded.
#include "actors/raft_actor.hpp"
#include "actors/system_config.hpp"

#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
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

constexpr auto reply_timeout = 10s;

troupe::messages::Member member(const std::string& id) {
  troupe::messages::Member m;
  m.set_id(id);
  m.set_address("127.0.0.1:" + std::to_string(free_port()));
  return m;
}

struct status {
  std::string id, role;
  uint64_t term = 0;
  std::string leader;
  uint64_t commit = 0, applied = 0;
};

// What a test changes about a server.
struct setup {
  bool join = false;
  uint64_t snapshot_every = 10000;
  std::size_t keep_trailing = 1024;
  uint64_t snapshot_bytes = uint64_t{32} << 20;
};

// One server in its own actor system; destroying it is a crash as its peers see it.
struct server {
  troupe::actors::system_config cfg;
  caf::actor_system system{cfg};
  raft_actor actor;

  server(const troupe::messages::Member& self, const std::vector<troupe::messages::Member>& all,
         const std::filesystem::path& dir, setup how = {}) {
    troupe::actors::raft_server_options options;
    options.id = self.id();
    options.listen = self.address();
    options.bootstrap = all;
    options.join = how.join;
    options.snapshot_every = how.snapshot_every;
    options.keep_trailing = how.keep_trailing;
    options.snapshot_bytes = how.snapshot_bytes;
    options.data_dir = dir.string();
    options.storage.env.map_size = uint64_t{256} << 20;
    options.heartbeat_ms = 50;
    options.election_timeout_ms = 300;
    options.seed = std::hash<std::string>{}(self.id());
    auto started = troupe::actors::spawn_raft_actor(system, options);
    if (!started) throw std::runtime_error("start failed: " + system.render(started.error()));
    actor = started->actor;
  }
  ~server() { caf::anon_send_exit(actor, caf::exit_reason::kill); }

  status get_status() {
    status out;
    caf::scoped_actor self{system};
    self->request(actor, reply_timeout, atoms::raft_status_atom_v)
        .receive([&](std::string& id, std::string& role, uint64_t term, std::string& leader,
                     uint64_t commit,
                     uint64_t applied) { out = {id, role, term, leader, commit, applied}; },
                 [&](caf::error&) {});
    return out;
  }

  // Waits until this member names a leader that `accept` likes.
  template <class Predicate>
  std::optional<status> await(Predicate accept, std::chrono::milliseconds within = 10s) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      status s = get_status();
      if (accept(s)) return s;
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }

  // A reply or an error, never a hang.
  std::pair<std::optional<StoreResult>, caf::error> propose(const StoreCommand& command) {
    std::pair<std::optional<StoreResult>, caf::error> out;
    caf::scoped_actor self{system};
    self->request(actor, reply_timeout, atoms::propose_atom_v, command)
        .receive([&](StoreResult& r) { out.first = r; }, [&](caf::error& e) { out.second = e; });
    return out;
  }

  std::pair<std::optional<StoredObject>, caf::error> get(const std::string& key,
                                                         bool serializable) {
    std::pair<std::optional<StoredObject>, caf::error> out;
    caf::scoped_actor self{system};
    self->request(actor, reply_timeout, atoms::store_get_atom_v, key, serializable)
        .receive([&](StoredObject& o) { out.first = o; }, [&](caf::error& e) { out.second = e; });
    return out;
  }
};

std::string pod_key(const std::string& name) {
  return "/core/pods/default/" + name;
}

StoreCommand create(const std::string& name, const std::string& image = "nginx") {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->add_containers()->set_image(image);
  StoreCommand c;
  c.mutable_create()->set_key(pod_key(name));
  c.mutable_create()->set_value(pod.SerializeAsString());
  return c;
}

bool is(const caf::error& e, errc code) {
  return e.category() == caf::atom("troupe") && e.code() == static_cast<uint8_t>(code);
}

std::string context_string(const caf::error& e) {
  if (!e.context().match_elements<std::string>()) return "<no string context>";
  return e.context().get_as<std::string>(0);
}

auto leads = [](const status& s) { return s.role == "leader"; };

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_raft_actor)

BOOST_AUTO_TEST_CASE(propose_then_read_on_single_member, *boost::unit_test::timeout(60)) {
  troupe::test_support::temp_dir dir;
  auto self_member = member("solo");
  server s{self_member, {self_member}, dir.path()};
  BOOST_REQUIRE_MESSAGE(s.await(leads), "a single member did not elect itself");

  auto [created, error] = s.propose(create("web"));
  if (error) BOOST_FAIL("propose failed: " << s.system.render(error));
  BOOST_TEST(created->code() == 0u);
  BOOST_TEST(created->revision() > 0u);

  for (bool serializable : {false, true}) {
    BOOST_TEST_CONTEXT("serializable " << serializable) {
      auto [object, get_error] = s.get(pod_key("web"), serializable);
      BOOST_REQUIRE(!get_error);
      BOOST_TEST(object->create_revision() == created->revision());
      troupe::messages::Pod pod;
      BOOST_REQUIRE(pod.ParseFromString(object->value()));
      BOOST_TEST(pod.spec().containers(0).image() == "nginx");
    }
  }

  // A command that fails is a result, not an error: the entry applied and said no.
  auto [again, again_error] = s.propose(create("web"));
  BOOST_REQUIRE(!again_error);
  BOOST_TEST(again->code() == static_cast<uint32_t>(errc::already_exists));

  auto [missing, missing_error] = s.get(pod_key("db"), false);
  BOOST_TEST(!missing);
  BOOST_TEST(is(missing_error, errc::not_found));

  std::vector<std::string> keys;
  uint64_t revision = 0;
  caf::scoped_actor self{s.system};
  self->request(s.actor, reply_timeout, atoms::store_list_atom_v, std::string("/core/pods/"),
                uint64_t{0}, std::string(), false)
      .receive(
          [&](std::vector<std::string>& k, std::vector<StoredObject>&, uint64_t r, std::string&) {
            keys = k;
            revision = r;
          },
          [&](caf::error& e) { BOOST_ERROR("list failed: " << s.system.render(e)); });
  BOOST_TEST(keys == std::vector<std::string>{pod_key("web")}, boost::test_tools::per_element());
  BOOST_TEST(revision >= created->revision());
}

BOOST_AUTO_TEST_CASE(restart_recovers_from_data_dir, *boost::unit_test::timeout(60)) {
  troupe::test_support::temp_dir dir;
  auto self_member = member("solo");
  uint64_t revision = 0;
  uint64_t term = 0;
  {
    server s{self_member, {self_member}, dir.path()};
    auto leading = s.await(leads);
    BOOST_REQUIRE(leading);
    auto [created, error] = s.propose(create("web", "nginx:1.25"));
    BOOST_REQUIRE(created);
    revision = created->revision();
    term = s.get_status().term;
  }
  server s{self_member, {self_member}, dir.path()};
  auto leading = s.await(leads);
  BOOST_REQUIRE(leading);
  // A new term: the old one's vote is on disk.
  BOOST_TEST(leading->term > term);
  BOOST_TEST(leading->applied >= revision);
  auto [object, error] = s.get(pod_key("web"), false);
  BOOST_REQUIRE(!error);
  BOOST_TEST(object->mod_revision() == revision);
}

BOOST_AUTO_TEST_CASE(three_members_elect_redirect_and_transfer, *boost::unit_test::timeout(120)) {
  std::vector<troupe::messages::Member> members = {member("s1"), member("s2"), member("s3")};
  std::vector<troupe::test_support::temp_dir> dirs(3);
  std::vector<std::unique_ptr<server>> servers;
  for (std::size_t i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<server>(members[i], members, dirs[i].path()));

  auto first = servers[0]->await([](const status& s) { return !s.leader.empty(); });
  BOOST_REQUIRE_MESSAGE(first, "no leader within 10 s");
  std::size_t leader = 0;
  for (std::size_t i = 0; i < 3; ++i)
    if (members[i].id() == first->leader) leader = i;
  BOOST_REQUIRE(servers[leader]->await(leads));
  const std::size_t follower = (leader + 1) % 3;
  BOOST_REQUIRE(
      servers[follower]->await([&](const status& s) { return s.leader == members[leader].id(); }));

  // A follower refuses and names the leader's address.
  auto [refused, not_leader] = servers[follower]->propose(create("web"));
  BOOST_TEST(!refused);
  BOOST_TEST(is(not_leader, errc::not_leader));
  BOOST_TEST(context_string(not_leader) == members[leader].address());
  auto [not_read, read_refused] = servers[follower]->get(pod_key("web"), false);
  BOOST_TEST(is(read_refused, errc::not_leader));

  auto [created, error] = servers[leader]->propose(create("web"));
  BOOST_REQUIRE(created);
  BOOST_TEST(created->code() == 0u);
  // Every member applies it; a serializable read on a follower sees it once it has.
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST_CONTEXT("member " << members[i].id()) {
      auto caught_up = [&](const status& s) { return s.applied >= created->revision(); };
      BOOST_TEST(servers[i]->await(caught_up).has_value());
      auto [object, get_error] = servers[i]->get(pod_key("web"), true);
      BOOST_REQUIRE(object);
      BOOST_TEST(object->mod_revision() == created->revision());
    }
  }

  // Leadership moves where it is asked to.
  caf::scoped_actor self{servers[leader]->system};
  std::optional<uint64_t> transfer_term;
  self->request(servers[leader]->actor, reply_timeout, atoms::transfer_atom_v,
                members[follower].id())
      .receive(
          [&](uint64_t t) { transfer_term = t; },
          [&](caf::error& e) { BOOST_ERROR("transfer failed: " << self->system().render(e)); });
  BOOST_REQUIRE(transfer_term);
  auto moved = servers[follower]->await(leads);
  BOOST_REQUIRE_MESSAGE(moved, "leadership did not move to " << members[follower].id());
  BOOST_TEST(moved->term > *transfer_term);
  auto [after, after_error] = servers[follower]->propose(create("db"));
  BOOST_REQUIRE(after);
  BOOST_TEST(after->code() == 0u);
}

// A fourth member joins a running cluster empty, catches up through the leader, and leaves.
BOOST_AUTO_TEST_CASE(add_member_catches_up_then_remove, *boost::unit_test::timeout(120)) {
  std::vector<troupe::messages::Member> members = {member("s1"), member("s2"), member("s3")};
  std::vector<troupe::test_support::temp_dir> dirs(4);
  std::vector<std::unique_ptr<server>> servers;
  for (std::size_t i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<server>(members[i], members, dirs[i].path()));
  auto first = servers[0]->await([](const status& s) { return !s.leader.empty(); });
  BOOST_REQUIRE(first);
  std::size_t leader = 0;
  for (std::size_t i = 0; i < 3; ++i)
    if (members[i].id() == first->leader) leader = i;
  BOOST_REQUIRE(servers[leader]->await(leads));
  auto [before, before_error] = servers[leader]->propose(create("before"));
  BOOST_REQUIRE(before);

  auto newcomer = member("s4");
  server joining{newcomer, {}, dirs[3].path(), setup{.join = true}};
  // Alone and unconfigured, it must not campaign.
  std::this_thread::sleep_for(700ms);
  BOOST_TEST(joining.get_status().role == "follower");
  BOOST_TEST(joining.get_status().term == 0u);

  caf::scoped_actor self{servers[leader]->system};
  std::optional<uint64_t> config_index;
  self->request(servers[leader]->actor, reply_timeout, atoms::add_member_atom_v, newcomer)
      .receive([&](uint64_t index) { config_index = index; },
               [&](caf::error& e) { BOOST_ERROR("add failed: " << self->system().render(e)); });
  BOOST_REQUIRE(config_index);
  auto caught_up = joining.await([&](const status& s) {
    return s.leader == members[leader].id() && s.applied >= before->revision();
  });
  BOOST_REQUIRE_MESSAGE(caught_up, "the new member did not catch up");
  auto [copy, copy_error] = joining.get(pod_key("before"), true);
  BOOST_REQUIRE(copy);
  BOOST_TEST(copy->mod_revision() == before->revision());

  std::optional<uint64_t> removal;
  self->request(servers[leader]->actor, reply_timeout, atoms::remove_member_atom_v, newcomer.id())
      .receive([&](uint64_t index) { removal = index; },
               [&](caf::error& e) { BOOST_ERROR("remove failed: " << self->system().render(e)); });
  BOOST_REQUIRE(removal);
  BOOST_TEST(*removal > *config_index);
  auto [after, after_error] = servers[leader]->propose(create("after"));
  BOOST_REQUIRE(after);
  BOOST_TEST(after->code() == 0u);
}

// A member that was down while the leader snapshotted and compacted its log catches up by
// InstallSnapshot, then by the log after it, and restarts from the snapshot it installed.
BOOST_AUTO_TEST_CASE(lagging_member_catches_up_by_snapshot, *boost::unit_test::timeout(120)) {
  std::vector<troupe::messages::Member> members = {member("s1"), member("s2"), member("s3")};
  std::vector<troupe::test_support::temp_dir> dirs(3);
  const setup small{.snapshot_every = 10, .keep_trailing = 3};
  std::vector<std::unique_ptr<server>> servers;
  for (std::size_t i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<server>(members[i], members, dirs[i].path(), small));
  auto first = servers[0]->await([](const status& s) { return !s.leader.empty(); });
  BOOST_REQUIRE(first);
  std::size_t leader = 0;
  for (std::size_t i = 0; i < 3; ++i)
    if (members[i].id() == first->leader) leader = i;
  BOOST_REQUIRE(servers[leader]->await(leads));
  const std::size_t lagging = (leader + 1) % 3;
  servers[lagging].reset();

  uint64_t last = 0;
  for (int i = 0; i < 40; ++i) {
    auto [created, error] = servers[leader]->propose(create("p-" + std::to_string(i)));
    BOOST_REQUIRE_MESSAGE(created, "write " << i << " failed");
    BOOST_REQUIRE(created->code() == 0u);
    last = created->revision();
  }
  // Let the leader's snapshot and compaction land.
  std::this_thread::sleep_for(200ms);

  servers[lagging] =
      std::make_unique<server>(members[lagging], members, dirs[lagging].path(), small);
  auto caught_up = servers[lagging]->await([&](const status& s) { return s.applied >= last; });
  BOOST_REQUIRE_MESSAGE(caught_up, "the lagging member did not catch up");
  for (const char* name : {"p-0", "p-39"}) {
    auto [object, error] = servers[lagging]->get(pod_key(name), true);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(object.has_value());
    }
  }
  bool snapshot_file = false;
  for (const auto& e : std::filesystem::directory_iterator(dirs[lagging].path() / "snapshots"))
    snapshot_file = snapshot_file || e.path().extension() == ".snap";
  BOOST_TEST(snapshot_file);

  // Restarting from a compacted log and a snapshot loses nothing.
  servers[lagging].reset();
  servers[lagging] =
      std::make_unique<server>(members[lagging], members, dirs[lagging].path(), small);
  auto [again, again_error] = servers[lagging]->get(pod_key("p-0"), true);
  BOOST_TEST(again.has_value());
  auto [more, more_error] = servers[leader]->propose(create("after-restart"));
  BOOST_REQUIRE(more);
  BOOST_TEST(servers[lagging]
                 ->await([&](const status& s) { return s.applied >= more->revision(); })
                 .has_value());
}

// Entries since the last snapshot stay in memory: once they hold snapshot_bytes, a snapshot
// comes before snapshot_every entries have.
BOOST_AUTO_TEST_CASE(a_snapshot_comes_once_the_log_holds_snapshot_bytes,
                     *boost::unit_test::timeout(60)) {
  std::vector<troupe::messages::Member> members = {member("s1")};
  troupe::test_support::temp_dir dir;
  server one(members[0], members, dir.path(),
             setup{.snapshot_every = 1000000, .keep_trailing = 3, .snapshot_bytes = 512});
  BOOST_REQUIRE(one.await(leads));
  for (int i = 0; i < 40; ++i) {
    auto [created, error] = one.propose(create("p-" + std::to_string(i)));
    BOOST_REQUIRE_MESSAGE(created, "write " << i << " failed");
  }
  auto snapshot_file = [&] {
    if (!std::filesystem::exists(dir.path() / "snapshots")) return false;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "snapshots"))
      if (e.path().extension() == ".snap") return true;
    return false;
  };
  for (int i = 0; i < 100 && !snapshot_file(); ++i)
    std::this_thread::sleep_for(20ms);
  BOOST_TEST(snapshot_file());
}

BOOST_AUTO_TEST_SUITE_END()
