// The Raft core driven directly, LogCabin-style: handlers in, protobufs out. Each case
// builds members by hand, delivers exactly the messages it means to, and ends with the
// cluster invariants (check_all).
#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <memory>

#include "store/raft/cluster_invariants.hpp"
#include "store/raft/raft_core.hpp"

// Boost.Test prints values of failed checks.
namespace troupe::store::raft {
std::ostream& operator<<(std::ostream& os, role r) {
  return os << to_string(r);
}
}  // namespace troupe::store::raft
namespace troupe::messages {
std::ostream& operator<<(std::ostream& os, errc e) {
  return os << to_string(e);
}
}  // namespace troupe::messages

namespace raft = troupe::store::raft;
using troupe::messages::errc;
using troupe::messages::RaftMessage;

namespace {

troupe::messages::Configuration config_of(std::initializer_list<const char*> ids) {
  troupe::messages::Configuration c;
  for (const char* id : ids) {
    auto* m = c.add_members();
    m->set_id(id);
    m->set_address(std::string(id) + ":7000");
  }
  return c;
}

// Members wired by hand: time moves only when a test says so, and messages go only
// where a test sends them.
struct fixture {
  std::map<std::string, std::unique_ptr<raft::raft_core>> members;
  std::map<std::string, std::vector<raft::ready>> readies;  // everything each one emitted
  std::vector<RaftMessage> outbox;                          // sent and not yet delivered
  raft::cluster_invariants invariants;
  int64_t now = 0;
  // Called with each drained ready, as a driver would see it (snapshot chunks ...).
  std::function<void(const std::string&, const raft::ready&)> on_ready;

  explicit fixture(std::initializer_list<const char*> ids, uint64_t seed = 1) {
    for (const char* id : ids)
      add(id, config_of(ids), seed++);
  }

  raft::raft_core& add(const std::string& id, const troupe::messages::Configuration& cfg,
                       uint64_t seed) {
    raft::raft_options o;
    o.self = id;
    raft::persisted_state s;
    s.bootstrap = cfg;
    auto& slot = members[id];
    slot = std::make_unique<raft::raft_core>(o, s, now, seed);
    return *slot;
  }

  raft::raft_core& operator[](const std::string& id) { return *members.at(id); }

  // Drains one member as a driver would, with an instant fsync.
  raft::ready drain(const std::string& id) {
    auto& m = *members.at(id);
    auto r = m.take_ready();
    if (!r.entries.empty()) m.on_persisted(r.entries.back().index(), r.entries.back().term());
    for (auto* list : {&r.send_now, &r.send_after_persist})
      for (const auto& msg : *list)
        outbox.push_back(msg);
    if (on_ready) on_ready(id, r);
    readies[id].push_back(r);
    return r;
  }

  void drain_all() {
    for (auto& [id, m] : members)
      drain(id);
  }

  // Delivers every message (and the replies they cause) until the network is quiet.
  void settle(int max_rounds = 100) {
    for (int round = 0; round < max_rounds; ++round) {
      drain_all();
      if (outbox.empty()) break;
      auto batch = std::move(outbox);
      outbox.clear();
      for (const auto& msg : batch)
        if (auto it = members.find(msg.to()); it != members.end()) it->second->receive(msg, now);
      check();
    }
  }

  void advance(int64_t ms) {
    now += ms;
    for (auto& [id, m] : members)
      m->tick(now);
    check();
  }

  void elect(const std::string& id) {
    now += 10'000;
    members.at(id)->tick(now);  // only this one times out
    settle();
    BOOST_REQUIRE(members.at(id)->current_role() == raft::role::leader);
  }

  std::vector<RaftMessage> take(const std::string& from, RaftMessage::BodyCase kind) {
    drain_all();
    std::vector<RaftMessage> out, rest;
    for (auto& m : outbox)
      (m.from() == from && m.body_case() == kind ? out : rest).push_back(m);
    outbox = std::move(rest);
    return out;
  }

  void check() {
    std::vector<const raft::raft_core*> live;
    for (auto& [id, m] : members)
      live.push_back(m.get());
    invariants.check_all(live);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_raft_core)

BOOST_AUTO_TEST_CASE(tick_single_member_elects_itself_and_commits) {
  fixture f({"s1"});
  f.advance(2'000);
  BOOST_TEST(f["s1"].current_role() == raft::role::leader);
  BOOST_TEST(f["s1"].term() == 1u);
  auto r = f.drain("s1");
  BOOST_REQUIRE(r.hard_state.has_value());
  BOOST_TEST(r.hard_state->voted_for() == "s1");
  // The no-op commits once it is durable on the only member.
  f.drain("s1");
  BOOST_TEST(f["s1"].commit_index() == 1u);
  auto p = f["s1"].propose("x");
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->index == 2u);
  f.drain("s1");
  auto committed = f.drain("s1").committed;
  BOOST_TEST(f["s1"].commit_index() == 2u);
}

BOOST_AUTO_TEST_CASE(tick_pre_vote_keeps_term_until_a_majority_would_vote) {
  fixture f({"s1", "s2", "s3"});
  f.now += 10'000;
  f["s1"].tick(f.now);
  BOOST_TEST(f["s1"].current_role() == raft::role::pre_candidate);
  BOOST_TEST(f["s1"].term() == 0u);  // PreVote does not move the term
  auto votes = f.take("s1", RaftMessage::kRequestVote);
  BOOST_REQUIRE_EQUAL(votes.size(), 2u);
  BOOST_TEST(votes[0].request_vote().pre_vote());
  BOOST_TEST(votes[0].term() == 1u);
  f["s2"].receive(votes[0], f.now);
  BOOST_TEST(f["s2"].term() == 0u);  // granting a PreVote changes nothing either
  auto grant = f.take("s2", RaftMessage::kRequestVoteReply);
  BOOST_REQUIRE_EQUAL(grant.size(), 1u);
  BOOST_TEST(grant[0].request_vote_reply().granted());
  f["s1"].receive(grant[0], f.now);
  BOOST_TEST(f["s1"].current_role() == raft::role::candidate);
  BOOST_TEST(f["s1"].term() == 1u);
  // A real vote request needs the new term and vote on disk first.
  auto r = f["s1"].take_ready();
  BOOST_TEST(r.hard_state.has_value());
  BOOST_TEST(r.send_now.empty());
  BOOST_TEST(r.send_after_persist.size() == 2u);
}

BOOST_AUTO_TEST_CASE(request_vote_refused_to_stale_log_and_second_candidate) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f["s1"].propose("a");
  f.settle();
  // s3 missed nothing, but forge a candidate whose log is behind.
  RaftMessage rv;
  rv.set_from("s3");
  rv.set_to("s2");
  rv.set_term(f["s2"].term() + 1);
  rv.mutable_request_vote()->set_last_log_index(1);
  rv.mutable_request_vote()->set_last_log_term(1);
  rv.mutable_request_vote()->set_leadership_transfer(true);  // bypass the lease
  f["s2"].receive(rv, f.now);
  auto reply = f.take("s2", RaftMessage::kRequestVoteReply);
  BOOST_REQUIRE_EQUAL(reply.size(), 1u);
  BOOST_TEST(!reply[0].request_vote_reply().granted());
  // An up-to-date candidate gets the vote; a second one in the same term does not.
  rv.mutable_request_vote()->set_last_log_index(f["s2"].last_index());
  rv.mutable_request_vote()->set_last_log_term(f["s2"].last_term());
  f["s2"].receive(rv, f.now);
  BOOST_TEST(f.take("s2", RaftMessage::kRequestVoteReply)[0].request_vote_reply().granted());
  rv.set_from("s1");
  f["s2"].receive(rv, f.now);
  BOOST_TEST(!f.take("s2", RaftMessage::kRequestVoteReply)[0].request_vote_reply().granted());
}

BOOST_AUTO_TEST_CASE(request_vote_ignored_during_leader_lease) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  auto term = f["s2"].term();
  RaftMessage rv;
  rv.set_from("s3");
  rv.set_to("s2");
  rv.set_term(term + 5);
  rv.mutable_request_vote()->set_last_log_index(100);
  rv.mutable_request_vote()->set_last_log_term(100);
  f["s2"].receive(rv, f.now);
  // s2 heard from its leader just now: the disruptive candidate changes nothing.
  BOOST_TEST(f["s2"].term() == term);
  BOOST_TEST(f.take("s2", RaftMessage::kRequestVoteReply).empty());
}

BOOST_AUTO_TEST_CASE(append_entries_commits_only_with_a_majority) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  auto p = f["s1"].propose("cmd");
  BOOST_REQUIRE(p.has_value());
  auto appends = f.take("s1", RaftMessage::kAppendEntries);
  BOOST_REQUIRE_EQUAL(appends.size(), 2u);
  BOOST_TEST(appends[0].append_entries().entries_size() == 1);
  BOOST_TEST(f["s1"].commit_index() < p->index);  // only the leader has it
  f["s2"].receive(appends[0].to() == "s2" ? appends[0] : appends[1], f.now);
  auto acks = f.take("s2", RaftMessage::kAppendEntriesReply);
  BOOST_REQUIRE_EQUAL(acks.size(), 1u);
  BOOST_TEST(acks[0].append_entries_reply().match_index() == p->index);
  f["s1"].receive(acks[0], f.now);
  BOOST_TEST(f["s1"].commit_index() == p->index);  // leader + s2 is a majority of 3
  f.check();
}

BOOST_AUTO_TEST_CASE(append_entries_rejects_gap_with_hint_and_leader_rewinds) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  for (int i = 0; i < 5; ++i)
    f["s1"].propose("c" + std::to_string(i));
  auto appends = f.take("s1", RaftMessage::kAppendEntries);  // lost
  f.outbox.clear();
  f["s1"].propose("late");
  // s3 sees an append whose prev entry it lacks, and says where its log ends.
  for (const auto& m : f.take("s1", RaftMessage::kAppendEntries)) {
    if (m.to() != "s3") continue;
    f["s3"].receive(m, f.now);
  }
  f.advance(200);  // heartbeats carry everything again once s1 rewinds
  f.settle();
  BOOST_TEST(f["s3"].last_index() == f["s1"].last_index());
  BOOST_TEST(f["s1"].commit_index() == f["s1"].last_index());
}

BOOST_AUTO_TEST_CASE(append_entries_truncates_a_conflicting_suffix) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f.settle();
  // s1 appends entries that reach nobody, then loses leadership to s2.
  f["s1"].propose("lost-1");
  f["s1"].propose("lost-2");
  f.drain("s1");
  f.outbox.clear();
  f.now += 10'000;
  f["s2"].tick(f.now);
  // Deliver only between s2 and s3 so that s2 wins without s1.
  for (int i = 0; i < 20; ++i) {
    f.drain_all();
    auto batch = std::move(f.outbox);
    f.outbox.clear();
    for (const auto& m : batch)
      if (m.to() != "s1" && m.from() != "s1") f[m.to()].receive(m, f.now);
  }
  BOOST_REQUIRE(f["s2"].current_role() == raft::role::leader);
  f["s2"].propose("kept");
  f.advance(150);  // the heartbeat reaches s1, which drops its two entries
  f.settle();
  BOOST_TEST(f["s1"].current_role() == raft::role::follower);
  const auto* e = f["s1"].entry_at(f["s2"].last_index());
  BOOST_REQUIRE(e != nullptr);
  BOOST_TEST(e->data() == "kept");
  BOOST_TEST(f["s1"].last_index() == f["s2"].last_index());
}

BOOST_AUTO_TEST_CASE(append_entries_refuses_a_damaged_entry) {
  fixture f({"s1", "s2"});
  f.elect("s1");
  f["s1"].propose("payload");
  auto appends = f.take("s1", RaftMessage::kAppendEntries);
  BOOST_REQUIRE(!appends.empty());
  auto damaged = appends[0];
  damaged.mutable_append_entries()->mutable_entries(0)->set_data("pAyload");
  auto before = f["s2"].last_index();
  f["s2"].receive(damaged, f.now);
  BOOST_TEST(f["s2"].last_index() == before);
  auto reply = f.take("s2", RaftMessage::kAppendEntriesReply);
  BOOST_REQUIRE_EQUAL(reply.size(), 1u);
  BOOST_TEST(!reply[0].append_entries_reply().success());
}

BOOST_AUTO_TEST_CASE(propose_on_follower_is_not_leader_with_hint) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  errc e{};
  BOOST_TEST(!f["s2"].propose("x", &e).has_value());
  BOOST_TEST(e == errc::not_leader);
  BOOST_TEST(f["s2"].leader_hint() == "s1");
}

BOOST_AUTO_TEST_CASE(peer_unreachable_of_the_leader_elects_the_first_survivor_in_its_turn) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  const auto term = f["s1"].term();
  // s1 dies; both followers see its connection close.
  f.members.erase("s1");
  f["s2"].peer_unreachable("s1", f.now);
  f["s3"].peer_unreachable("s1", f.now);
  const int64_t lost_at = f.now;
  while (f.now - lost_at < 1000) {
    f.advance(10);
    f.outbox.erase(std::remove_if(f.outbox.begin(), f.outbox.end(),
                                  [](const RaftMessage& m) { return m.to() == "s1"; }),
                   f.outbox.end());
    f.settle();
    if (f["s2"].current_role() == raft::role::leader ||
        f["s3"].current_role() == raft::role::leader)
      break;
  }
  const bool elected =
      f["s2"].current_role() == raft::role::leader || f["s3"].current_role() == raft::role::leader;
  BOOST_TEST(elected);
  // s2 ranks first among the survivors: its turn is the first eighth of the 1 s election
  // timeout (plus a tick), not a whole timeout, and s3 never campaigns against it.
  BOOST_TEST(f["s2"].current_role() == raft::role::leader);
  BOOST_TEST(f.now - lost_at <= 80);
  BOOST_TEST(f["s2"].term() == term + 1);
  BOOST_TEST(f["s3"].term() == term + 1);
}

BOOST_AUTO_TEST_CASE(peer_unreachable_alone_does_not_depose_a_live_leader) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  const auto term = f["s1"].term();
  // Only s2's link to s1 broke; s3 still hears s1 and keeps its lease.
  f["s2"].peer_unreachable("s1", f.now);
  for (int i = 0; i < 30; ++i) {
    f.now += 10;
    f["s2"].tick(f.now);
    f["s3"].tick(f.now);
    f.drain_all();
    // s2's PreVote reaches s3 only; s1's heartbeats do not reach s2.
    std::vector<RaftMessage> kept;
    for (auto& m : f.outbox)
      if (!(m.from() == "s1" && m.to() == "s2") && !(m.from() == "s2" && m.to() == "s1"))
        kept.push_back(m);
    f.outbox = std::move(kept);
    for (const auto& m : f.outbox)
      f[m.to()].receive(m, f.now);
    f.outbox.clear();
    f.check();
  }
  BOOST_TEST(f["s1"].current_role() == raft::role::leader);
  BOOST_TEST(f["s1"].term() == term);
  BOOST_TEST(f["s3"].term() == term);
  // An unreachable member that is not the leader changes nothing.
  f["s3"].peer_unreachable("s2", f.now);
  BOOST_TEST(f["s3"].leader_hint() == "s1");
}

BOOST_AUTO_TEST_CASE(tick_check_quorum_steps_down_an_isolated_leader) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  const int64_t cut_at = f.now;
  // Nobody answers s1 any more.
  while (f["s1"].current_role() == raft::role::leader && f.now - cut_at < 10'000) {
    f.now += 10;
    f["s1"].tick(f.now);
    f.drain("s1");
    f.outbox.clear();
  }
  BOOST_TEST(f["s1"].current_role() != raft::role::leader);
  BOOST_TEST(f.now - cut_at <= 2 * 1000);  // within two election timeouts
}

BOOST_AUTO_TEST_CASE(read_index_confirmed_by_a_heartbeat_round) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f.settle();
  BOOST_REQUIRE(f["s1"].read_index(42));
  auto r = f["s1"].take_ready();
  BOOST_TEST(r.reads.empty());  // not before a majority confirms the leadership
  for (const auto* list : {&r.send_now, &r.send_after_persist})
    for (const auto& m : *list)
      f.outbox.push_back(m);
  f.settle();
  bool confirmed = false;
  for (const auto& rd : f.readies["s1"])
    for (const auto& rs : rd.reads)
      confirmed = confirmed || (rs.request_id == 42 && rs.index == f["s1"].commit_index());
  BOOST_TEST(confirmed);
  errc e{};
  BOOST_TEST(!f["s2"].read_index(7, &e));
  BOOST_TEST(e == errc::not_leader);
}

BOOST_AUTO_TEST_CASE(transfer_leadership_hands_over_without_pre_vote) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f.settle();
  auto term = f["s1"].term();
  BOOST_REQUIRE(f["s1"].transfer_leadership("s3"));
  errc e{};
  BOOST_TEST(!f["s1"].propose("during", &e).has_value());  // proposals pause
  f.settle();
  BOOST_TEST(f["s3"].current_role() == raft::role::leader);
  BOOST_TEST(f["s3"].term() == term + 1);
  BOOST_TEST(f["s1"].current_role() == raft::role::follower);
}

BOOST_AUTO_TEST_CASE(add_member_takes_effect_when_appended_and_catches_up) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  for (int i = 0; i < 10; ++i)
    f["s1"].propose("c" + std::to_string(i));
  f.settle();
  troupe::messages::Member s4;
  s4.set_id("s4");
  s4.set_address("s4:7000");
  auto p = f["s1"].add_member(s4);
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(f["s1"].configuration().members_size() == 4);  // before it commits
  errc e{};
  BOOST_TEST(!f["s1"].remove_member("s2", &e).has_value());  // one change at a time
  f.add("s4", config_of({"s1", "s2", "s3", "s4"}), 99);
  f.settle();
  f.advance(150);
  f.settle();
  BOOST_TEST(f["s4"].last_index() == f["s1"].last_index());
  BOOST_TEST(f["s1"].commit_index() >= p->index);
  // Removing the leader itself: it steps down once the change commits.
  BOOST_REQUIRE(f["s1"].remove_member("s1").has_value());
  f.settle();
  BOOST_TEST(f["s1"].current_role() != raft::role::leader);
}

BOOST_AUTO_TEST_CASE(install_snapshot_for_a_member_behind_the_compacted_log) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f.settle();
  // s3 is away while s1 and s2 make progress and compact.
  for (int i = 0; i < 20; ++i) {
    f["s1"].propose("c" + std::to_string(i));
    f.drain_all();
    auto batch = std::move(f.outbox);
    f.outbox.clear();
    for (const auto& m : batch)
      if (m.to() != "s3") f[m.to()].receive(m, f.now);
  }
  f.settle();
  std::string data(3000, 's');
  raft::SnapshotMeta meta;
  meta.set_last_index(f["s1"].applied_index());
  meta.set_last_term(*f["s1"].term_at(meta.last_index()));
  *meta.mutable_config() = f["s1"].configuration();
  meta.set_size(data.size());
  f["s1"].set_snapshot_reader([&](const raft::SnapshotMeta&, uint64_t offset, std::size_t) {
    return data.substr(offset, 1000);  // three chunks
  });
  f["s1"].on_snapshot_taken(meta, 0);
  BOOST_TEST(f["s1"].first_index() == meta.last_index() + 1);
  std::string received;
  f.on_ready = [&](const std::string& id, const raft::ready& r) {
    for (const auto& c : r.snapshot_chunks) {
      BOOST_TEST(id == "s3");
      BOOST_TEST(c.offset == received.size());
      received += c.data;
      if (c.done) f[id].on_snapshot_installed(c.meta, received == data);
    }
  };
  f.outbox.clear();
  f.advance(150);  // heartbeat: s3 needs entries that are gone, so it gets the snapshot
  f.settle();
  BOOST_TEST(received == data);
  BOOST_TEST(f["s3"].commit_index() >= meta.last_index());
  BOOST_TEST(f["s3"].last_index() == f["s1"].last_index());
}

BOOST_AUTO_TEST_CASE(restart_recovers_term_vote_and_log) {
  fixture f({"s1", "s2", "s3"});
  f.elect("s1");
  f["s1"].propose("a");
  f.settle();
  raft::persisted_state disk;
  disk.hard_state.set_term(f["s2"].term());
  disk.hard_state.set_voted_for("s1");
  for (auto i = f["s2"].first_index(); i <= f["s2"].last_index(); ++i)
    disk.entries.push_back(*f["s2"].entry_at(i));
  disk.bootstrap = config_of({"s1", "s2", "s3"});
  raft::raft_options o;
  o.self = "s2";
  raft::raft_core again(o, disk, f.now, 5);
  BOOST_TEST(again.term() == f["s2"].term());
  BOOST_TEST(again.last_index() == f["s2"].last_index());
  BOOST_TEST(again.commit_index() == 0u);  // volatile: relearned from the leader
  again.check_invariants();
}

BOOST_AUTO_TEST_SUITE_END()
