// raft_storage without an actor system: one batch in, durable log and applied state out, and
// the same again after reopening the environment.
#include "actors/raft_storage.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "messages/proto/core_pod.pb.h"
#include "tests/support/temp_dir.hpp"

namespace {

using troupe::actors::io_batch;
using troupe::actors::raft_storage;
using troupe::messages::LogEntry;
using troupe::messages::StoreCommand;

LogEntry entry(uint64_t term, uint64_t index, troupe::messages::EntryType type, std::string data) {
  LogEntry e;
  e.set_term(term);
  e.set_index(index);
  e.set_type(type);
  e.set_data(std::move(data));
  e.set_checksum(troupe::store::raft::entry_checksum(e));
  return e;
}

std::string create_pod(const std::string& name) {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  StoreCommand c;
  c.set_client_id("c1");
  c.set_sequence(1);
  c.mutable_create()->set_key("/core/pods/default/" + name);
  c.mutable_create()->set_value(pod.SerializeAsString());
  return c.SerializeAsString();
}

std::unique_ptr<raft_storage> open(const troupe::test_support::temp_dir& dir) {
  troupe::actors::storage_options options;
  options.env.map_size = uint64_t{64} << 20;
  auto s = raft_storage::open((dir.path() / "data").string(), options);
  if (!s.ok()) BOOST_FAIL("open failed: " << s.error().to_string());
  return std::move(*s);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actors_raft_storage)

BOOST_AUTO_TEST_CASE(execute_persists_then_applies_and_survives_reopen) {
  troupe::test_support::temp_dir dir;
  {
    auto storage = open(dir);
    io_batch batch;
    batch.hard_state.emplace();
    batch.hard_state->set_term(2);
    batch.hard_state->set_voted_for("s1");
    batch.entries = {entry(2, 1, troupe::messages::ENTRY_NOOP, ""),
                     entry(2, 2, troupe::messages::ENTRY_COMMAND, create_pod("web"))};
    batch.committed = batch.entries;
    auto done = storage->execute(batch);
    BOOST_REQUIRE(done.failure.ok());
    BOOST_REQUIRE(done.persisted);
    BOOST_TEST(done.persisted->index == 2u);
    BOOST_TEST(done.persisted->term == 2u);
    BOOST_REQUIRE(done.applied.size() == 2u);
    BOOST_TEST(done.applied[1].index == 2u);
    BOOST_TEST(done.applied[1].result.code() == 0u);
    BOOST_TEST(done.applied[1].result.revision() == 2u);
    BOOST_TEST(done.apply_backlog == 0u);
    BOOST_TEST(storage->objects().get("/core/pods/default/web").ok());
  }
  auto storage = open(dir);
  auto loaded = storage->load();
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST(loaded->hard_state.term() == 2u);
  BOOST_TEST(loaded->hard_state.voted_for() == "s1");
  BOOST_TEST(loaded->entries.size() == 2u);
  BOOST_TEST(loaded->applied == 2u);
}

// A replayed retry is the session's business: the same command at a later index answers
// with the first result and writes nothing.
BOOST_AUTO_TEST_CASE(execute_answers_a_retried_command_with_its_first_result) {
  troupe::test_support::temp_dir dir;
  auto storage = open(dir);
  io_batch batch;
  batch.entries = {entry(1, 1, troupe::messages::ENTRY_COMMAND, create_pod("web")),
                   entry(1, 2, troupe::messages::ENTRY_COMMAND, create_pod("web"))};
  batch.committed = batch.entries;
  auto done = storage->execute(batch);
  BOOST_REQUIRE(done.failure.ok());
  BOOST_REQUIRE(done.applied.size() == 2u);
  BOOST_TEST(done.applied[0].result.code() == 0u);
  BOOST_TEST(done.applied[1].result.code() == 0u);
  BOOST_TEST(done.applied[1].result.revision() == 1u);
}

BOOST_AUTO_TEST_CASE(execute_fails_an_unparsable_command_as_invalid) {
  troupe::test_support::temp_dir dir;
  auto storage = open(dir);
  io_batch batch;
  batch.entries = {entry(1, 1, troupe::messages::ENTRY_COMMAND, "\x0f")};
  batch.committed = batch.entries;
  auto done = storage->execute(batch);
  BOOST_REQUIRE(done.failure.ok());
  BOOST_REQUIRE(done.applied.size() == 1u);
  BOOST_TEST(done.applied[0].result.code() ==
             static_cast<uint32_t>(troupe::messages::errc::invalid));
  BOOST_TEST(storage->objects().applied_index() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
