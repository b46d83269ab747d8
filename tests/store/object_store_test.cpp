#include "store/object_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "messages/label_selector.hpp"
#include "messages/proto/core_pod.pb.h"
#include "store/crc32c.hpp"
#include "store/keys.hpp"

using troupe::test_support::temp_dir;

namespace {

using troupe::messages::errc;
using troupe::messages::label_selector;
using troupe::messages::StoreCommand;
using troupe::messages::StoredObject;
using troupe::messages::StoreResult;
using troupe::messages::WatchEvent;
using troupe::store::apply_outcome;
using troupe::store::env_options;
using troupe::store::list_options;
using troupe::store::lmdb_env;
using troupe::store::object_store;
using troupe::store::store_options;
using labels = std::map<std::string, std::string>;

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
uint32_t code(errc e) {
  return static_cast<uint32_t>(e);
}

std::string pod(const std::string& name, const labels& l = {}, const std::string& ns = "default",
                std::size_t padding = 0) {
  troupe::messages::Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_namespace_(ns);
  for (const auto& [k, v] : l)
    (*p.mutable_metadata()->mutable_labels())[k] = v;
  if (padding > 0) p.mutable_spec()->set_hostname(std::string(padding, 'p'));
  return p.SerializeAsString();
}

std::string pod_key(const std::string& name, const std::string& ns = "default") {
  return *troupe::store::make_key("core", "pods", ns, name);
}

StoreCommand create_cmd(const std::string& key, const std::string& value) {
  StoreCommand c;
  c.mutable_create()->set_key(key);
  c.mutable_create()->set_value(value);
  return c;
}

StoreCommand update_cmd(const std::string& key, const std::string& value, uint64_t expected = 0) {
  StoreCommand c;
  c.mutable_update()->set_key(key);
  c.mutable_update()->set_value(value);
  c.mutable_update()->set_expected_revision(expected);
  return c;
}

StoreCommand delete_cmd(const std::string& key, uint64_t expected = 0) {
  StoreCommand c;
  c.mutable_delete_()->set_key(key);
  c.mutable_delete_()->set_expected_revision(expected);
  return c;
}

StoreCommand batch_cmd(const std::vector<StoreCommand>& commands) {
  StoreCommand c;
  for (const auto& sub : commands)
    *c.mutable_batch()->add_commands() = sub;
  return c;
}

StoreCommand noop_cmd() {
  StoreCommand c;
  c.mutable_noop();
  return c;
}

StoreCommand at(StoreCommand c, int64_t proposed_at_ms) {
  c.set_proposed_at_ms(proposed_at_ms);
  return c;
}

StoreCommand in_session(StoreCommand c, const std::string& client, uint64_t sequence,
                        uint64_t acked_below, int64_t proposed_at_ms) {
  c.set_client_id(client);
  c.set_sequence(sequence);
  c.set_acked_below(acked_below);
  c.set_proposed_at_ms(proposed_at_ms);
  return c;
}

std::unique_ptr<lmdb_env> open_env(const std::filesystem::path& dir, const env_options& e = {}) {
  auto env = lmdb_env::open(dir.string(), e);
  BOOST_TEST_REQUIRE(env.ok(), env.error().to_string());
  return std::move(*env);
}

std::vector<std::string> keys_of(const troupe::store::list_page& page) {
  std::vector<std::string> out;
  for (const auto& o : page.objects)
    out.push_back(o.key);
  return out;
}

// One store in a temp dir. Every test ends by checking every invariant of the stored state.
struct store_fixture {
  temp_dir dir{"troupe-store"};
  store_options options;
  std::unique_ptr<lmdb_env> env;
  std::unique_ptr<object_store> store;
  uint64_t next_index = 1;

  store_fixture() { open(); }
  ~store_fixture() {
    if (store) {
      auto s = store->check_invariants();
      BOOST_TEST(s.ok(), s.to_string());
    }
  }

  // (Re)opens env and store from disk, as a restarted server does.
  void open(const env_options& e = {}) {
    store.reset();
    env.reset();
    env = open_env(dir.path(), e);
    auto s = object_store::open(*env, options);
    BOOST_TEST_REQUIRE(s.ok(), s.error().to_string());
    store = std::move(*s);
  }

  apply_outcome apply(const StoreCommand& c) {
    auto r = store->apply(next_index, c);
    BOOST_TEST_REQUIRE(r.ok(), r.error().to_string());
    ++next_index;
    return std::move(*r);
  }

  StoredObject get(const std::string& key) {
    auto r = store->get(key);
    BOOST_TEST_REQUIRE(r.ok(), r.error().to_string());
    return *r;
  }

  troupe::store::list_page list(const std::string& prefix, const list_options& o = {}) {
    auto r = store->list(prefix, o);
    BOOST_TEST_REQUIRE(r.ok(), r.error().to_string());
    return std::move(*r);
  }

  std::vector<WatchEvent> events_after(uint64_t revision, const std::string& prefix = "/") {
    auto r = store->events_after(revision, prefix, 0);
    BOOST_TEST_REQUIRE(r.ok(), r.error().to_string());
    return r->events;
  }
};

// Runs `child` in a forked process and returns its wait status. The child must not touch
// LMDB handles of the parent (LMDB forbids it): it opens its own.
template <class Child>
int run_in_child(Child child) {
  pid_t pid = fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    // Boost.Test's handler would turn an abort into a reported failure of its own.
    signal(SIGABRT, SIG_DFL);
    child();
    _exit(0);
  }
  int wait_status = 0;
  BOOST_TEST_REQUIRE(waitpid(pid, &wait_status, 0) == pid);
  return wait_status;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_object_store)

BOOST_FIXTURE_TEST_CASE(apply_create_sets_revisions_and_emits_added, store_fixture) {
  next_index = 7;
  auto out = apply(at(create_cmd(pod_key("web"), pod("web")), 1000));
  BOOST_TEST(out.result.code() == 0u);
  BOOST_TEST(out.result.revision() == 7u);
  StoredObject o = get(pod_key("web"));
  BOOST_TEST(o.value() == pod("web"));
  BOOST_TEST(o.create_revision() == 7u);
  BOOST_TEST(o.mod_revision() == 7u);
  BOOST_TEST_REQUIRE(out.events.size() == 1u);
  BOOST_TEST(out.events[0].type() == WatchEvent::ADDED);
  BOOST_TEST(out.events[0].key() == pod_key("web"));
  BOOST_TEST(out.events[0].revision() == 7u);
  BOOST_TEST(out.events[0].at_ms() == 1000);
  BOOST_TEST(store->applied_index() == 7u);
  auto missing = store->get(pod_key("nope"));
  BOOST_TEST((missing.error().code() == errc::not_found));
  BOOST_TEST(missing.error().message() == "pods \"nope\" not found");
}

BOOST_FIXTURE_TEST_CASE(apply_update_and_delete_check_preconditions, store_fixture) {
  apply(create_cmd(pod_key("web"), pod("web")));  // index 1
  auto exists = apply(create_cmd(pod_key("web"), pod("web", {{"v", "2"}})));
  BOOST_TEST(exists.result.code() == code(errc::already_exists));
  BOOST_TEST(exists.result.message() == "pods \"web\" already exists");
  BOOST_TEST(exists.events.empty());
  auto absent = apply(update_cmd(pod_key("db"), pod("db")));
  BOOST_TEST(absent.result.code() == code(errc::not_found));
  BOOST_TEST(absent.result.message() == "pods \"db\" not found");
  auto stale = apply(update_cmd(pod_key("web"), pod("web", {{"v", "2"}}), 99));
  BOOST_TEST(stale.result.code() == code(errc::conflict));
  BOOST_TEST(stale.result.message() ==
             "Operation cannot be fulfilled on pods \"web\": the object has been modified "
             "(resourceVersion 99 was expected, it is 1); please apply your changes to the latest "
             "version and try again");
  // Failed commands still consume their index: the applied index is the log's, not ours.
  BOOST_TEST(store->applied_index() == 4u);
  BOOST_TEST(get(pod_key("web")).mod_revision() == 1u);

  auto updated = apply(update_cmd(pod_key("web"), pod("web", {{"v", "2"}}), 1));  // index 5
  BOOST_TEST(updated.result.code() == 0u);
  BOOST_TEST(updated.result.revision() == 5u);
  BOOST_TEST(updated.result.previous() == pod("web"));
  BOOST_TEST(updated.events.at(0).type() == WatchEvent::MODIFIED);
  StoredObject o = get(pod_key("web"));
  BOOST_TEST(o.create_revision() == 1u);
  BOOST_TEST(o.mod_revision() == 5u);
  auto unconditional = apply(update_cmd(pod_key("web"), pod("web", {{"v", "3"}})));  // 6
  BOOST_TEST(unconditional.result.code() == 0u);

  auto stale_delete = apply(delete_cmd(pod_key("web"), 5));
  BOOST_TEST(stale_delete.result.code() == code(errc::conflict));
  auto deleted = apply(delete_cmd(pod_key("web"), 6));  // index 8
  BOOST_TEST(deleted.result.code() == 0u);
  BOOST_TEST(deleted.result.previous() == pod("web", {{"v", "3"}}));
  BOOST_TEST_REQUIRE(deleted.events.size() == 1u);
  BOOST_TEST(deleted.events[0].type() == WatchEvent::DELETED);
  BOOST_TEST(deleted.events[0].value() == pod("web", {{"v", "3"}}));
  BOOST_TEST(deleted.events[0].revision() == 8u);
  BOOST_TEST((store->get(pod_key("web")).error().code() == errc::not_found));
  BOOST_TEST(apply(delete_cmd(pod_key("web"))).result.code() == code(errc::not_found));
  // Every successful change, and only those, is in the event log.
  std::vector<uint64_t> revisions;
  for (const auto& e : events_after(0))
    revisions.push_back(e.revision());
  BOOST_TEST(revisions == (std::vector<uint64_t>{1, 5, 6, 8}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(apply_batch_operations_are_independent, store_fixture) {
  apply(create_cmd(pod_key("a"), pod("a")));  // index 1
  auto out =
      apply(batch_cmd({create_cmd(pod_key("b"), pod("b")), create_cmd(pod_key("a"), pod("a")),
                       update_cmd(pod_key("missing"), pod("missing")),
                       update_cmd(pod_key("a"), pod("a", {{"bound", "n1"}}), 1),
                       batch_cmd({noop_cmd()}), noop_cmd()}));  // index 2
  BOOST_TEST(out.result.code() == 0u);
  BOOST_TEST(out.result.revision() == 2u);
  BOOST_TEST_REQUIRE(out.result.batch_size() == 6);
  std::vector<uint32_t> codes;
  for (const auto& r : out.result.batch())
    codes.push_back(r.code());
  std::vector<uint32_t> expected{0, code(errc::already_exists), code(errc::not_found),
                                 0, code(errc::invalid),        0};
  BOOST_TEST(codes == expected, boost::test_tools::per_element());
  BOOST_TEST(out.result.batch(0).revision() == 2u);
  BOOST_TEST(out.result.batch(4).message() == "a batch may not contain another batch");
  BOOST_TEST(get(pod_key("b")).create_revision() == 2u);
  BOOST_TEST(get(pod_key("a")).mod_revision() == 2u);
  // Two events at one revision, in operation order; a watcher resuming after revision 1
  // gets both.
  BOOST_TEST_REQUIRE(out.events.size() == 2u);
  BOOST_TEST(out.events[0].key() == pod_key("b"));
  BOOST_TEST(out.events[1].key() == pod_key("a"));
  auto replay = events_after(1);
  BOOST_TEST_REQUIRE(replay.size() == 2u);
  BOOST_TEST(replay[0].SerializeAsString() == out.events[0].SerializeAsString());
  BOOST_TEST(replay[1].SerializeAsString() == out.events[1].SerializeAsString());
}

StoreCommand atomic(StoreCommand c) {
  c.mutable_batch()->set_atomic(true);
  return c;
}

BOOST_FIXTURE_TEST_CASE(apply_atomic_batch_applies_nothing_when_one_fails, store_fixture) {
  apply(create_cmd(pod_key("a"), pod("a")));  // index 1
  apply(create_cmd(pod_key("c"), pod("c")));  // index 2
  auto out = apply(
      atomic(batch_cmd({create_cmd(pod_key("b"), pod("b")), create_cmd(pod_key("a"), pod("a")),
                        delete_cmd(pod_key("c"), 2)})));  // index 3
  BOOST_TEST(out.result.code() == code(errc::already_exists));
  BOOST_TEST(out.result.message() == "pods \"a\" already exists");
  BOOST_TEST_REQUIRE(out.result.batch_size() == 3);
  std::vector<uint32_t> codes;
  for (const auto& r : out.result.batch())
    codes.push_back(r.code());
  std::vector<uint32_t> expected{0, code(errc::already_exists), 0};
  BOOST_TEST(codes == expected, boost::test_tools::per_element());
  BOOST_TEST(out.events.empty());
  BOOST_TEST(!store->get(pod_key("b")).ok());
  BOOST_TEST(get(pod_key("a")).mod_revision() == 1u);
  BOOST_TEST(get(pod_key("c")).mod_revision() == 2u);
  BOOST_TEST(store->applied_index() == 3u);
}

BOOST_FIXTURE_TEST_CASE(apply_atomic_batch_applies_all_when_all_succeed, store_fixture) {
  apply(create_cmd(pod_key("a"), pod("a")));  // index 1
  auto out = apply(atomic(batch_cmd(
      {create_cmd(pod_key("b"), pod("b")), update_cmd(pod_key("a"), pod("a", {{"x", "y"}}), 1)})));
  BOOST_TEST(out.result.code() == 0u);
  BOOST_TEST(out.events.size() == 2u);
  BOOST_TEST(get(pod_key("b")).create_revision() == 2u);
  BOOST_TEST(get(pod_key("a")).mod_revision() == 2u);
}

BOOST_FIXTURE_TEST_CASE(apply_atomic_batch_refuses_a_key_twice, store_fixture) {
  auto out = apply(
      atomic(batch_cmd({create_cmd(pod_key("a"), pod("a")), create_cmd(pod_key("a"), pod("a"))})));
  BOOST_TEST(out.result.code() == code(errc::invalid));
  BOOST_TEST(!store->get(pod_key("a")).ok());
}

BOOST_AUTO_TEST_CASE(apply_batch_equals_applies_one_by_one) {
  // The same log, applied entry by entry into one store and in two batches into another:
  // the same results, events, objects, sessions and applied index.
  std::vector<StoreCommand> log = {
      in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1000),
      in_session(create_cmd(pod_key("a"), pod("a")), "c2", 1, 1, 1000),  // already exists
      in_session(update_cmd(pod_key("a"), pod("a", {{"v", "2"}}), 1), "c1", 2, 1, 1001),
      in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1002),  // retried: duplicate
      in_session(delete_cmd(pod_key("a"), 99), "c2", 2, 2, 1003),        // conflict
      in_session(create_cmd(pod_key("b"), pod("b")), "c2", 3, 2, 1004),
  };
  store_fixture one_by_one;
  store_fixture batched;
  std::vector<apply_outcome> expected;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (i == 2) {
      BOOST_TEST_REQUIRE(one_by_one.store->apply_without_command(one_by_one.next_index++).ok());
      expected.emplace_back();
    }
    expected.push_back(one_by_one.apply(log[i]));
  }
  // Indexes 1..7, the third without a command (a leader's no-op), split 4 + 3.
  std::vector<troupe::store::entry_to_apply> first, second;
  for (uint64_t index = 1, i = 0; index <= 7; ++index) {
    troupe::store::entry_to_apply e{index, index == 3 ? nullptr : &log[i++]};
    (index <= 4 ? first : second).push_back(e);
  }
  std::vector<apply_outcome> got;
  for (const auto* part : {&first, &second}) {
    auto r = batched.store->apply_batch(*part);
    BOOST_TEST_REQUIRE(r.ok(), r.error().to_string());
    got.insert(got.end(), r->begin(), r->end());
  }
  BOOST_TEST_REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].result.SerializeAsString() == expected[i].result.SerializeAsString(),
               "entry " << i + 1);
    BOOST_TEST(got[i].events.size() == expected[i].events.size(), "entry " << i + 1);
  }
  BOOST_TEST(batched.store->applied_index() == 7u);
  BOOST_TEST(one_by_one.store->applied_index() == 7u);
  BOOST_TEST(batched.get(pod_key("a")).SerializeAsString() ==
             one_by_one.get(pod_key("a")).SerializeAsString());
  BOOST_TEST(batched.get(pod_key("b")).SerializeAsString() ==
             one_by_one.get(pod_key("b")).SerializeAsString());
  auto events = batched.events_after(0);
  auto events_expected = one_by_one.events_after(0);
  BOOST_TEST_REQUIRE(events.size() == events_expected.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    BOOST_TEST(events[i].SerializeAsString() == events_expected[i].SerializeAsString());
}

BOOST_FIXTURE_TEST_CASE(apply_batch_on_a_full_map_applies_nothing, store_fixture) {
  options.event_min_count = 0;
  open({.map_size = 1 << 20});
  std::vector<StoreCommand> commands;
  for (int i = 0; i < 2000; ++i) {
    std::string name = "p" + std::to_string(i);
    commands.push_back(create_cmd(pod_key(name), pod(name, {}, "default", 1500)));
  }
  std::vector<troupe::store::entry_to_apply> batch;
  for (std::size_t i = 0; i < commands.size(); ++i)
    batch.push_back({i + 1, &commands[i]});
  auto r = store->apply_batch(batch);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST((r.error().code() == errc::unavailable));
  BOOST_TEST(store->applied_index() == 0u);
  BOOST_TEST(list("/core/pods/").objects.empty());
  // The first entries still fit when applied on their own.
  BOOST_TEST_REQUIRE(store->apply(1, commands[0]).ok());
}

BOOST_FIXTURE_TEST_CASE(apply_rejects_malformed_commands_as_invalid, store_fixture) {
  auto empty = apply(StoreCommand());
  BOOST_TEST(empty.result.code() == code(errc::invalid));
  BOOST_TEST(empty.result.message() == "the store command has no operation");
  auto bad_key = apply(create_cmd("/core/pods/default", pod("x")));
  BOOST_TEST(bad_key.result.code() == code(errc::invalid));
  BOOST_TEST(bad_key.result.message().find("fewer than four segments") != std::string::npos);
  auto bad_value = apply(create_cmd(pod_key("x"), "\x0a\xff"));
  BOOST_TEST(bad_value.result.code() == code(errc::invalid));
  BOOST_TEST(bad_value.result.message().starts_with(
      "cannot store pods \"x\": the value is not a serialized API object"));
  auto scalar_meta = apply(create_cmd(pod_key("x"), std::string("\x08\x01", 2)));
  BOOST_TEST(scalar_meta.result.message() ==
             "cannot store pods \"x\": the value is not a serialized API object: field 1 "
             "(metadata) is not a message");
  BOOST_TEST(store->applied_index() == 4u);
  BOOST_TEST(events_after(0).empty());
}

BOOST_FIXTURE_TEST_CASE(apply_noop_and_entries_without_command_advance_index, store_fixture) {
  auto out = apply(noop_cmd());
  BOOST_TEST(out.result.code() == 0u);
  BOOST_TEST(out.result.revision() == 1u);
  BOOST_TEST(out.events.empty());
  BOOST_TEST(store->apply_without_command(5).ok());
  BOOST_TEST(store->applied_index() == 5u);
  next_index = 6;
  apply(create_cmd(pod_key("a"), pod("a")));
  BOOST_TEST(get(pod_key("a")).create_revision() == 6u);
}

BOOST_AUTO_TEST_CASE(apply_of_an_applied_index_aborts) {
  temp_dir dir{"troupe-store"};
  int status = run_in_child([&] {
    auto env = lmdb_env::open(dir.path().string());
    auto store = object_store::open(**env);
    (void)(*store)->apply(3, noop_cmd());
    (void)(*store)->apply(3, noop_cmd());  // a programming error: aborts
  });
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGABRT);
}

BOOST_FIXTURE_TEST_CASE(session_retry_returns_the_stored_result_once, store_fixture) {
  auto first = apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1000));  // 1
  BOOST_TEST(first.result.code() == 0u);
  apply(update_cmd(pod_key("a"), pod("a", {{"changed", "yes"}})));  // 2, another client
  // The retry comes back (a leader change lost the reply): same result, applied once.
  auto retry = apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 2000));  // 3
  BOOST_TEST(retry.result.SerializeAsString() == first.result.SerializeAsString());
  BOOST_TEST(retry.events.empty());
  BOOST_TEST(get(pod_key("a")).mod_revision() == 2u);
  BOOST_TEST(store->applied_index() == 3u);
  // A failed command's result is kept too: the retry does not succeed by accident.
  auto conflict = apply(in_session(update_cmd(pod_key("a"), pod("a"), 1), "c1", 2, 1, 3000));
  BOOST_TEST(conflict.result.code() == code(errc::conflict));
  auto conflict_retry = apply(in_session(update_cmd(pod_key("a"), pod("a"), 1), "c1", 2, 1, 3000));
  BOOST_TEST(conflict_retry.result.SerializeAsString() == conflict.result.SerializeAsString());
  // acked_below 3: the client has its replies for 1 and 2, so those results are dropped,
  // and a command that still carries one of them is refused rather than applied twice.
  auto third = apply(in_session(delete_cmd(pod_key("a")), "c1", 3, 3, 4000));
  BOOST_TEST(third.result.code() == 0u);
  auto late = apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 4000));
  BOOST_TEST(late.result.code() == code(errc::invalid));
  BOOST_TEST(
      late.result.message().starts_with("session expired: client \"c1\" sequence 1 is "
                                        "below its acked_below 3"));
  BOOST_TEST((store->get(pod_key("a")).error().code() == errc::not_found));
  // Out of order within the window still applies once each (pipelined client).
  auto five = apply(in_session(create_cmd(pod_key("b"), pod("b")), "c1", 5, 3, 5000));
  auto four = apply(in_session(create_cmd(pod_key("c"), pod("c")), "c1", 4, 3, 5000));
  BOOST_TEST(five.result.code() == 0u);
  BOOST_TEST(four.result.code() == 0u);
  BOOST_TEST(apply(in_session(create_cmd(pod_key("b"), pod("b")), "c1", 5, 3, 5000))
                 .result.SerializeAsString() == five.result.SerializeAsString());
}

BOOST_FIXTURE_TEST_CASE(session_survives_restart, store_fixture) {
  auto first = apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1000));
  open();
  auto retry = apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1000));
  BOOST_TEST(retry.result.SerializeAsString() == first.result.SerializeAsString());
  BOOST_TEST(retry.events.empty());
}

BOOST_FIXTURE_TEST_CASE(session_expires_by_proposed_time_of_later_commands, store_fixture) {
  options.session_ttl_ms = 10000;
  open();
  apply(in_session(noop_cmd(), "idle", 1, 1, 1000));
  apply(in_session(noop_cmd(), "busy", 1, 1, 1000));
  // Exactly the TTL idle: still alive.
  apply(in_session(noop_cmd(), "busy", 2, 2, 11000));
  auto alive = apply(in_session(noop_cmd(), "idle", 2, 2, 11000));
  BOOST_TEST(alive.result.code() == 0u);
  // A command of anyone, proposed more than a TTL after idle's last one, expires it.
  apply(at(noop_cmd(), 21001));
  auto expired = apply(in_session(noop_cmd(), "idle", 3, 3, 21001));
  BOOST_TEST(expired.result.code() == code(errc::invalid));
  BOOST_TEST(
      expired.result.message().starts_with("session expired: client \"idle\" has no "
                                           "session"));
  // A client's own late command expires its session too, before the lookup.
  apply(in_session(noop_cmd(), "own", 1, 1, 30000));
  auto own = apply(in_session(noop_cmd(), "own", 2, 2, 40001));
  BOOST_TEST(own.result.code() == code(errc::invalid));
  // An unknown client must start at sequence 1.
  BOOST_TEST(apply(in_session(noop_cmd(), "new", 7, 1, 40000)).result.code() ==
             code(errc::invalid));
  BOOST_TEST(apply(in_session(noop_cmd(), "new", 1, 1, 40000)).result.code() == 0u);
  BOOST_TEST(apply(in_session(noop_cmd(), "bad", 0, 0, 40000)).result.message() ==
             "invalid sequence 0 for client \"bad\": sequences start at 1");
}

// The same log on two replicas: identical results, events and state, down to the bytes of
// their snapshots. Session expiry is part of it, since it runs on proposed time.
BOOST_AUTO_TEST_CASE(replicas_applying_the_same_log_agree) {
  std::vector<StoreCommand> log;
  for (int i = 0; i < 40; ++i) {
    std::string name = "p" + std::to_string(i % 7);
    std::string client = "c" + std::to_string(i % 3);
    uint64_t seq = static_cast<uint64_t>(i / 3 + 1);
    int64_t t = 1000 + i * 400;
    StoreCommand c = i % 4 == 0   ? create_cmd(pod_key(name), pod(name))
                     : i % 4 == 1 ? update_cmd(pod_key(name), pod(name, {{"i", std::to_string(i)}}))
                     : i % 4 == 2 ? delete_cmd(pod_key(name), static_cast<uint64_t>(i))
                                  : batch_cmd({create_cmd(pod_key(name + "x"), pod(name + "x")),
                                               delete_cmd(pod_key(name))});
    log.push_back(i % 5 == 0 ? at(c, t) : in_session(c, client, seq, seq, t));
    if (i % 9 == 8) log.push_back(log[log.size() - 2]);  // a retry
  }
  store_options options;
  options.session_ttl_ms = 3000;
  std::vector<std::string> transcripts;
  std::vector<uint32_t> checksums;
  for (int replica = 0; replica < 2; ++replica) {
    temp_dir dir{"troupe-store"};
    auto env = open_env(dir.path());
    auto store = std::move(*object_store::open(*env, options));
    std::string transcript;
    for (std::size_t i = 0; i < log.size(); ++i) {
      auto out = store->apply(i + 1, log[i]);
      BOOST_TEST_REQUIRE(out.ok());
      transcript += out->result.SerializeAsString();
      for (const auto& e : out->events)
        transcript += e.SerializeAsString();
    }
    std::ostringstream snapshot;
    checksums.push_back(store->write_snapshot(snapshot)->checksum);
    transcripts.push_back(transcript);
    BOOST_TEST(store->check_invariants().ok());
  }
  BOOST_TEST(transcripts[0] == transcripts[1]);
  BOOST_TEST(checksums[0] == checksums[1]);
}

BOOST_FIXTURE_TEST_CASE(list_filters_by_prefix_and_selector_at_one_revision, store_fixture) {
  apply(create_cmd(pod_key("web-1"), pod("web-1", {{"app", "web"}, {"tier", "fe"}})));
  apply(create_cmd(pod_key("web-2"), pod("web-2", {{"app", "web"}, {"tier", "be"}})));
  apply(create_cmd(pod_key("db"), pod("db", {{"app", "db"}})));
  apply(create_cmd(pod_key("web-3", "prod"), pod("web-3", {{"app", "web"}}, "prod")));
  apply(create_cmd(pod_key("web-1", "default2"), pod("web-1", {}, "default2")));
  apply(create_cmd("/core/nodes//n1", pod("n1", {}, "")));
  auto all = list(*troupe::store::resource_prefix("core", "pods"));
  BOOST_TEST(all.objects.size() == 5u);
  BOOST_TEST(all.revision == 6u);
  BOOST_TEST(all.continue_token.empty());
  auto in_default = list(*troupe::store::namespace_prefix("core", "pods", "default"));
  BOOST_TEST(keys_of(in_default) ==
                 (std::vector<std::string>{pod_key("db"), pod_key("web-1"), pod_key("web-2")}),
             boost::test_tools::per_element());
  auto selector = *label_selector::parse("app=web,tier notin (be)").value;
  list_options with_selector;
  with_selector.selector = &selector;
  auto web = list("/core/pods/", with_selector);
  BOOST_TEST(keys_of(web) == (std::vector<std::string>{pod_key("web-1"), pod_key("web-3", "prod")}),
             boost::test_tools::per_element());
  BOOST_TEST(web.objects[0].object.create_revision() == 1u);
  list_options filtered;
  filtered.filter = [](std::string_view key, const StoredObject& o) {
    return key.ends_with("/db") || o.create_revision() == 2;
  };
  BOOST_TEST(keys_of(list("/core/pods/default/", filtered)) ==
                 (std::vector<std::string>{pod_key("db"), pod_key("web-2")}),
             boost::test_tools::per_element());
  auto nodes = list(*troupe::store::namespace_prefix("core", "nodes", ""));
  BOOST_TEST(keys_of(nodes) == (std::vector<std::string>{"/core/nodes//n1"}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(list_pages_cover_every_object_once, store_fixture) {
  for (int i = 0; i < 7; ++i) {
    std::string name = "p" + std::to_string(i);
    apply(create_cmd(pod_key(name), pod(name, {{"odd", i % 2 ? "yes" : "no"}})));
  }
  auto selector = *label_selector::parse("odd=yes").value;
  for (const label_selector* s : std::vector<const label_selector*>{nullptr, &selector}) {
    list_options page_options;
    page_options.selector = s;
    page_options.limit = 2;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = list("/core/pods/default/", page_options);
      BOOST_TEST(page.objects.size() <= 2u);
      for (const auto& key : keys_of(page))
        seen.push_back(key);
      if (page.continue_token.empty()) break;
      page_options.continue_token = page.continue_token;
    }
    BOOST_TEST(seen.size() == (s ? 3u : 7u));
    BOOST_TEST(std::is_sorted(seen.begin(), seen.end()));
    BOOST_TEST((std::adjacent_find(seen.begin(), seen.end()) == seen.end()));
  }
  list_options foreign;
  foreign.continue_token = "/core/nodes//n1";
  BOOST_TEST((store->list("/core/pods/", foreign).error().code() == errc::invalid));
}

// A list runs on one LMDB snapshot: while a writer keeps creating objects (one per index),
// every list sees exactly the objects of the revision it reports, never a torn state.
BOOST_FIXTURE_TEST_CASE(list_is_a_consistent_snapshot_under_concurrent_applies, store_fixture) {
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t i = 1; i <= 300; ++i) {
      std::string name = "p" + std::to_string(i);
      auto r = store->apply(i, create_cmd(pod_key(name), pod(name)));
      if (!r.ok()) break;
    }
    done = true;
  });
  int checks = 0;
  bool consistent = true;
  while (!done || checks == 0) {
    auto page = store->list("/core/pods/");
    if (!page.ok()) {
      consistent = false;
      break;
    }
    uint64_t highest = 0;
    for (const auto& o : page->objects)
      highest = std::max(highest, o.object.mod_revision());
    consistent = consistent && page->objects.size() == page->revision && highest == page->revision;
    ++checks;
  }
  writer.join();
  next_index = 301;
  BOOST_TEST(consistent);
  BOOST_TEST(store->applied_index() == 300u);
  BOOST_TEST(list("/core/pods/").objects.size() == 300u);
}

BOOST_FIXTURE_TEST_CASE(events_after_replays_by_revision_and_prefix, store_fixture) {
  apply(create_cmd(pod_key("a"), pod("a")));                                         // 1
  apply(create_cmd(pod_key("b", "prod"), pod("b", {}, "prod")));                     // 2
  apply(noop_cmd());                                                                 // 3
  apply(update_cmd(pod_key("a"), pod("a", {{"x", "1"}})));                           // 4
  apply(batch_cmd({create_cmd(pod_key("c"), pod("c")), delete_cmd(pod_key("a"))}));  // 5
  apply(create_cmd(pod_key("d"), pod("d")));                                         // 6
  auto revisions = [](const std::vector<WatchEvent>& events) {
    std::vector<uint64_t> out;
    for (const auto& e : events)
      out.push_back(e.revision());
    return out;
  };
  BOOST_TEST(revisions(events_after(0)) == (std::vector<uint64_t>{1, 2, 4, 5, 5, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(revisions(events_after(2)) == (std::vector<uint64_t>{4, 5, 5, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(revisions(events_after(0, "/core/pods/prod/")) == (std::vector<uint64_t>{2}),
             boost::test_tools::per_element());
  BOOST_TEST(events_after(6).empty());
  // A limit never splits a revision: a watcher resuming from page.revision misses nothing.
  auto page = store->events_after(3, "/core/pods/default/", 2);
  BOOST_TEST_REQUIRE(page.ok());
  BOOST_TEST(revisions(page->events) == (std::vector<uint64_t>{4, 5, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(page->revision == 5u);
  auto rest = store->events_after(page->revision, "/core/pods/default/", 2);
  BOOST_TEST(revisions(rest->events) == (std::vector<uint64_t>{6}),
             boost::test_tools::per_element());
  BOOST_TEST(rest->revision == 6u);
  // A prefix that matches nothing still advances the watcher to the applied index.
  auto quiet = store->events_after(0, "/apps/", 0);
  BOOST_TEST(quiet->events.empty());
  BOOST_TEST(quiet->revision == 6u);
}

BOOST_FIXTURE_TEST_CASE(compaction_by_age_gives_gone_below_the_boundary, store_fixture) {
  options.event_max_age_ms = 5 * 60 * 1000;
  options.event_min_count = 1;
  open();
  for (int i = 1; i <= 6; ++i) {
    std::string name = "p" + std::to_string(i);
    apply(at(create_cmd(pod_key(name), pod(name)), i * 60 * 1000));  // minute i
  }
  // At minute 8.5 the events of minutes 1-3 are older than 5 minutes.
  auto compacted = store->compact(8 * 60 * 1000 + 30 * 1000);
  BOOST_TEST_REQUIRE(compacted.ok());
  BOOST_TEST(compacted->dropped_events == 3u);
  BOOST_TEST(compacted->compacted_revision == 3u);
  BOOST_TEST(store->compacted_revision() == 3u);
  // The boundary: from revision 3 every later event is there; from 2, event 3 is gone.
  BOOST_TEST(events_after(3).size() == 3u);
  auto gone = store->events_after(2, "/", 0);
  BOOST_TEST_REQUIRE(!gone.ok());
  BOOST_TEST((gone.error().code() == errc::gone));
  BOOST_TEST(gone.error().message() ==
             "the requested revision 2 has been compacted; the oldest available is 3: re-list");
  // min_count keeps the newest events however old they are.
  auto later = store->compact(60 * 60 * 1000);
  BOOST_TEST(later->dropped_events == 2u);
  BOOST_TEST(later->compacted_revision == 5u);
  BOOST_TEST(events_after(5).size() == 1u);
  // The compacted revision survives a restart.
  open();
  BOOST_TEST(store->compacted_revision() == 5u);
  BOOST_TEST((store->events_after(4, "/", 0).error().code() == errc::gone));
}

BOOST_FIXTURE_TEST_CASE(compaction_by_count_drops_whole_revisions, store_fixture) {
  options.event_max_count = 4;
  open();
  apply(create_cmd(pod_key("a"), pod("a")));                                                   // 1
  apply(batch_cmd({create_cmd(pod_key("b"), pod("b")), create_cmd(pod_key("c"), pod("c"))}));  // 2
  apply(create_cmd(pod_key("d"), pod("d")));                                                   // 3
  apply(create_cmd(pod_key("e"), pod("e")));                                                   // 4
  // 5 events, at most 4: dropping revision 1 suffices. Nothing is old (time 0 = now).
  auto first = store->compact(0);
  BOOST_TEST(first->dropped_events == 1u);
  BOOST_TEST(first->compacted_revision == 1u);
  apply(create_cmd(pod_key("f"), pod("f")));  // 5: again 5 events
  // Revision 2 holds two events; both go, never one of them.
  auto second = store->compact(0);
  BOOST_TEST(second->dropped_events == 2u);
  BOOST_TEST(second->compacted_revision == 2u);
  BOOST_TEST(events_after(2).size() == 3u);
  BOOST_TEST((store->events_after(1, "/", 0).error().code() == errc::gone));
  auto nothing = store->compact(0);
  BOOST_TEST(nothing->dropped_events == 0u);
  BOOST_TEST(nothing->compacted_revision == 2u);
}

BOOST_FIXTURE_TEST_CASE(apply_is_atomic_across_reopen, store_fixture) {
  apply(in_session(create_cmd(pod_key("a"), pod("a")), "c1", 1, 1, 1000));
  apply(update_cmd(pod_key("a"), pod("a", {{"v", "2"}})));
  open();
  BOOST_TEST(store->applied_index() == 2u);
  BOOST_TEST(get(pod_key("a")).mod_revision() == 2u);
  BOOST_TEST(events_after(0).size() == 2u);
  BOOST_TEST(apply(create_cmd(pod_key("b"), pod("b"))).result.revision() == 3u);
}

// A process killed at an arbitrary moment of a stream of applies leaves a state that matches
// its applied index exactly: objects 1..A, none after, A events.
BOOST_AUTO_TEST_CASE(apply_is_atomic_when_the_process_is_killed) {
  temp_dir dir{"troupe-store"};
  int progress[2];
  BOOST_TEST_REQUIRE(pipe(progress) == 0);
  pid_t pid = fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    close(progress[0]);
    auto env = lmdb_env::open(dir.path().string());
    auto store = object_store::open(**env);
    for (uint64_t i = 1; i < 1000000; ++i) {
      std::string name = "p" + std::to_string(i);
      if (!(*store)->apply(i, create_cmd(pod_key(name), pod(name, {}, "default", 500))).ok()) {
        _exit(1);
      }
      if (i == 300) (void)!write(progress[1], "x", 1);
    }
    _exit(0);
  }
  close(progress[1]);
  char byte = 0;
  BOOST_TEST_REQUIRE(read(progress[0], &byte, 1) == 1);
  // The child keeps applying while the signal is on its way: it dies inside some apply.
  kill(pid, SIGKILL);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  close(progress[0]);
  BOOST_TEST(WIFSIGNALED(wait_status));

  auto env = open_env(dir.path());
  auto store = std::move(*object_store::open(*env));
  uint64_t applied = store->applied_index();
  BOOST_TEST_MESSAGE("killed after applying index " << applied);
  BOOST_TEST(applied >= 300u);
  auto all = store->list("/core/pods/default/");
  BOOST_TEST(all->objects.size() == applied);
  BOOST_TEST(all->revision == applied);
  BOOST_TEST(store->get(pod_key("p" + std::to_string(applied)))->create_revision() == applied);
  BOOST_TEST(
      (store->get(pod_key("p" + std::to_string(applied + 1))).error().code() == errc::not_found));
  BOOST_TEST(store->events_after(0, "/", 0)->events.size() == applied);
  BOOST_TEST(store->check_invariants().ok(), store->check_invariants().to_string());
  BOOST_TEST(store->apply(applied + 1, noop_cmd()).ok());
}

BOOST_FIXTURE_TEST_CASE(snapshot_round_trip_into_a_fresh_env, store_fixture) {
  apply(in_session(create_cmd(pod_key("a"), pod("a", {{"app", "web"}})), "c1", 1, 1, 1000));
  apply(create_cmd(pod_key("b", "prod"), pod("b", {{"app", "db"}}, "prod")));
  apply(create_cmd("/core/nodes//n1", pod("n1", {}, "")));
  apply(in_session(update_cmd(pod_key("a"), pod("a", {{"app", "web"}, {"v", "2"}})), "c1", 2, 1,
                   2000));
  auto deleted = apply(in_session(delete_cmd(pod_key("b", "prod")), "c2", 1, 1, 2000));
  std::stringstream snapshot;
  auto info = store->write_snapshot(snapshot);
  BOOST_TEST_REQUIRE(info.ok(), info.error().to_string());
  BOOST_TEST(info->applied_index == 5u);
  BOOST_TEST(info->size == snapshot.str().size());
  BOOST_TEST(info->checksum == troupe::store::crc32c(snapshot.str()));

  temp_dir other_dir;
  auto other_env = open_env(other_dir.path());
  auto other = std::move(*object_store::open(*other_env));
  auto restored = other->restore_snapshot(snapshot, info->checksum);
  BOOST_TEST_REQUIRE(restored.ok(), restored.to_string());
  BOOST_TEST(other->applied_index() == 5u);
  BOOST_TEST(other->compacted_revision() == 5u);
  for (const char* prefix : {"/", "/core/pods/", "/core/nodes//"}) {
    auto mine = store->list(prefix);
    auto theirs = other->list(prefix);
    BOOST_TEST_REQUIRE(mine->objects.size() == theirs->objects.size());
    BOOST_TEST(mine->revision == theirs->revision);
    for (std::size_t i = 0; i < mine->objects.size(); ++i) {
      BOOST_TEST(mine->objects[i].key == theirs->objects[i].key);
      BOOST_TEST(mine->objects[i].object.SerializeAsString() ==
                 theirs->objects[i].object.SerializeAsString());
    }
  }
  auto selector = *label_selector::parse("v=2").value;
  list_options by_label;
  by_label.selector = &selector;
  BOOST_TEST(keys_of(*other->list("/", by_label)) == (std::vector<std::string>{pod_key("a")}),
             boost::test_tools::per_element());
  // Watchers from before the snapshot must re-list; new ones start from its index.
  BOOST_TEST((other->events_after(4, "/", 0).error().code() == errc::gone));
  BOOST_TEST(other->events_after(5, "/", 0)->events.empty());
  // Sessions came along: a retry is answered from the snapshot, not applied again.
  auto retry = other->apply(6, in_session(delete_cmd(pod_key("b", "prod")), "c2", 1, 1, 3000));
  BOOST_TEST(retry->result.SerializeAsString() == deleted.result.SerializeAsString());
  BOOST_TEST(retry->events.empty());
  BOOST_TEST(other->check_invariants().ok(), other->check_invariants().to_string());
}

BOOST_FIXTURE_TEST_CASE(snapshot_with_a_flipped_byte_is_refused_and_changes_nothing,
                        store_fixture) {
  apply(create_cmd(pod_key("a"), pod("a")));
  apply(in_session(create_cmd(pod_key("b"), pod("b")), "c1", 1, 1, 1000));
  std::stringstream out;
  auto info = *store->write_snapshot(out);
  std::string good = out.str();

  temp_dir other_dir;
  auto other_env = open_env(other_dir.path());
  auto other = std::move(*object_store::open(*other_env));
  BOOST_TEST(other->apply(1, create_cmd(pod_key("mine"), pod("mine"))).ok());
  auto unchanged = [&] {
    BOOST_TEST(other->applied_index() == 1u);
    BOOST_TEST(other->compacted_revision() == 0u);
    BOOST_TEST(other->get(pod_key("mine")).ok());
    BOOST_TEST(!other->get(pod_key("a")).ok());
    BOOST_TEST(other->events_after(0, "/", 0)->events.size() == 1u);
    BOOST_TEST(other->check_invariants().ok());
  };
  for (std::size_t at : {std::size_t{0}, std::size_t{9}, good.size() / 2, good.size() - 1}) {
    BOOST_TEST_CONTEXT("byte " << at) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ 0x01);
      std::istringstream in(bad);
      auto refused = other->restore_snapshot(in, info.checksum);
      BOOST_TEST(refused.is_corruption(), refused.to_string());
      BOOST_TEST(refused.message().starts_with("snapshot is corrupt: "));
      unchanged();
    }
  }
  std::istringstream truncated(good.substr(0, good.size() - 3));
  BOOST_TEST(other->restore_snapshot(truncated, info.checksum).is_corruption());
  std::istringstream wrong_sum(good);
  auto mismatch = other->restore_snapshot(wrong_sum, info.checksum ^ 1);
  BOOST_TEST(mismatch.message().find("does not match the expected") != std::string::npos);
  unchanged();
}

// A full map refuses growth with a clear error and without applying anything; reads go on;
// after the map grows, the same entry applies.
BOOST_FIXTURE_TEST_CASE(full_map_refuses_writes_until_the_map_grows, store_fixture) {
  options.event_min_count = 0;
  open({.map_size = 1 << 20});
  troupe::store::status full;
  int created = 0;
  for (int i = 0; full.ok() && i < 10000; ++i) {
    std::string name = "p" + std::to_string(i);
    auto r = store->apply(next_index, create_cmd(pod_key(name), pod(name, {}, "default", 1500)));
    if (r.ok()) {
      ++next_index;
      ++created;
    } else {
      full = r.error();
    }
  }
  BOOST_TEST_REQUIRE(!full.ok());
  BOOST_TEST((full.code() == errc::unavailable));
  BOOST_TEST(full.message() ==
             "the store's LMDB map is full (1048576 bytes); raise --store-map-size");
  BOOST_TEST_MESSAGE("the 1 MiB map took " << created << " creates of ~1.5 KiB");
  uint64_t applied = store->applied_index();
  BOOST_TEST(applied == next_index - 1);
  std::string failed_name = "p" + std::to_string(created);
  // Reads keep working.
  BOOST_TEST(get(pod_key("p0")).create_revision() == 1u);
  BOOST_TEST(list("/core/pods/").objects.size() == std::size_t(created));
  BOOST_TEST(events_after(0).size() == std::size_t(created));
  // Deletes need fresh pages too (copy-on-write of the B-tree paths, and a DELETED event that
  // carries the last value). The write headroom keeps some for them...
  int deleted = 0;
  troupe::store::status delete_error;
  for (; deleted < created; ++deleted) {
    auto r = store->apply(next_index, delete_cmd(pod_key("p" + std::to_string(deleted))));
    if (!r.ok()) {
      delete_error = r.error();
      break;
    }
    BOOST_TEST_REQUIRE(r->result.code() == 0u);
    ++next_index;
  }
  BOOST_TEST_MESSAGE("deletes applied within the headroom: " << deleted << " of " << created);
  BOOST_TEST(deleted >= 10);
  BOOST_TEST(store->applied_index() == applied + deleted);
  if (deleted < created) {
    // ...and once it is spent, a delete is refused like a create, without applying.
    BOOST_TEST(delete_error.message() == full.message());
    // Compaction drops the events that hold the space (old by any clock), and the rest of
    // the deletes go through.
    auto compacted = store->compact(std::numeric_limits<int64_t>::max());
    BOOST_TEST_REQUIRE(compacted.ok(), compacted.error().to_string());
    BOOST_TEST(compacted->dropped_events > 0u);
    for (; deleted < created; ++deleted) {
      auto r = store->apply(next_index, delete_cmd(pod_key("p" + std::to_string(deleted))));
      BOOST_TEST_REQUIRE(r.ok(), "delete " << deleted << ": " << r.error().to_string());
      ++next_index;
    }
  }
  BOOST_TEST(list("/core/pods/").objects.empty());
  BOOST_TEST(store->applied_index() == applied + created);
  BOOST_TEST_REQUIRE(env->set_map_size(4 << 20).ok());
  // A bigger map takes the create that was refused.
  auto retried = store->apply(
      next_index, create_cmd(pod_key(failed_name), pod(failed_name, {}, "default", 1500)));
  BOOST_TEST_REQUIRE(retried.ok(), retried.error().to_string());
  BOOST_TEST(retried->result.code() == 0u);
  ++next_index;
  BOOST_TEST(get(pod_key(failed_name)).create_revision() == next_index - 1);
}

BOOST_AUTO_TEST_SUITE_END()
