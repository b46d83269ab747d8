// raft_storage without an actor system: one batch in, durable log and applied state out, and
// the same again after reopening the environment.
#include "actors/raft_storage.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
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

// Every create of one sequence number after the first is a retry of it.
std::string create_pod(const std::string& name, uint64_t sequence = 1) {
  troupe::messages::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  StoreCommand c;
  c.set_client_id("c1");
  c.set_sequence(sequence);
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

BOOST_AUTO_TEST_CASE(merged_batches_replace_overwritten_entries_and_keep_order) {
  using troupe::actors::merge_io_batches;
  io_batch first;
  first.hard_state.emplace();
  first.hard_state->set_term(2);
  for (uint64_t i = 1; i <= 4; ++i)
    first.entries.push_back(entry(2, i, troupe::messages::ENTRY_NOOP, ""));
  first.committed.push_back(first.entries[0]);
  // A new leader's entries from index 3 replace 3 and 4, as persist would on disk.
  io_batch second;
  second.hard_state.emplace();
  second.hard_state->set_term(3);
  second.entries.push_back(entry(3, 3, troupe::messages::ENTRY_NOOP, ""));
  second.committed.push_back(first.entries[1]);
  BOOST_TEST_REQUIRE(merge_io_batches(first, second));
  BOOST_TEST(first.hard_state->term() == 3u);
  BOOST_TEST_REQUIRE(first.entries.size() == 3u);
  BOOST_TEST(first.entries[2].term() == 3u);
  BOOST_TEST(first.entries[2].index() == 3u);
  BOOST_TEST_REQUIRE(first.committed.size() == 2u);
  BOOST_TEST(first.committed[1].index() == 2u);
  // Snapshot and truncation work keeps its own turn: nothing changes.
  for (int which = 0; which < 4; ++which) {
    io_batch special;
    if (which == 0) special.take_snapshot = true;
    if (which == 1) special.compacted_to = 1;
    if (which == 2) special.discard_log_after = 1;
    if (which == 3) special.snapshot_chunks.push_back({});
    special.entries.push_back(entry(3, 4, troupe::messages::ENTRY_NOOP, ""));
    BOOST_TEST(!merge_io_batches(first, special));
    BOOST_TEST(!merge_io_batches(special, first));
    BOOST_TEST(first.entries.size() == 3u);
  }
}

BOOST_AUTO_TEST_CASE(a_merged_batch_leaves_the_state_of_the_batches_in_turn) {
  troupe::test_support::temp_dir dir_in_turn;
  troupe::test_support::temp_dir dir_merged;
  auto in_turn = open(dir_in_turn);
  auto merged = open(dir_merged);
  auto make = [](uint64_t from, uint64_t to, uint64_t commit_to) {
    io_batch b;
    for (uint64_t i = from; i <= to; ++i)
      b.entries.push_back(
          entry(1, i, troupe::messages::ENTRY_COMMAND, create_pod("p" + std::to_string(i))));
    for (uint64_t i = from; i <= commit_to; ++i)
      b.committed.push_back(b.entries[i - from]);
    return b;
  };
  auto a = make(1, 3, 2);
  auto b = make(4, 5, 5);
  b.committed.insert(b.committed.begin(), a.entries[2]);  // index 3 commits in the second
  auto done_a = in_turn->execute(a);
  auto done_b = in_turn->execute(b);
  BOOST_TEST_REQUIRE(troupe::actors::merge_io_batches(a, b));
  auto done = merged->execute(a);
  BOOST_TEST_REQUIRE(done.failure.ok(), done.failure.to_string());
  BOOST_TEST_REQUIRE(done.persisted.has_value());
  BOOST_TEST(done.persisted->index == 5u);
  BOOST_TEST_REQUIRE(done.applied.size() == done_a.applied.size() + done_b.applied.size());
  for (std::size_t i = 0; i < done.applied.size(); ++i) {
    const auto& expected =
        i < done_a.applied.size() ? done_a.applied[i] : done_b.applied[i - done_a.applied.size()];
    BOOST_TEST(done.applied[i].index == expected.index);
    // Every create is from session c1 sequence 1: the first applies, the rest are retries.
    BOOST_TEST(done.applied[i].result.SerializeAsString() == expected.result.SerializeAsString());
  }
  auto loaded_in_turn = in_turn->load();
  auto loaded_merged = merged->load();
  BOOST_TEST_REQUIRE(loaded_in_turn.ok());
  BOOST_TEST_REQUIRE(loaded_merged.ok());
  BOOST_TEST(loaded_merged->entries.size() == loaded_in_turn->entries.size());
  BOOST_TEST(loaded_merged->applied == loaded_in_turn->applied);
  BOOST_TEST(merged->objects().get("/core/pods/default/p1").ok());
}

// A snapshot is written on a thread of its own while later batches apply: it holds the state
// as of the batch that started it, and is recorded only by finish_snapshot.
BOOST_AUTO_TEST_CASE(a_snapshot_is_written_aside_as_of_the_batch_that_started_it) {
  troupe::test_support::temp_dir dir;
  auto storage = open(dir);
  std::promise<void> written;
  storage->on_snapshot_written([&written] { written.set_value(); });
  BOOST_TEST(!storage->finish_snapshot().snapshot_taken);  // none started

  io_batch first;
  first.entries = {entry(1, 1, troupe::messages::ENTRY_COMMAND, create_pod("before", 1))};
  first.committed = first.entries;
  first.take_snapshot = true;
  auto started = storage->execute(first);
  BOOST_TEST_REQUIRE(started.failure.ok());
  BOOST_TEST(started.snapshot_started);
  BOOST_TEST(!started.snapshot_taken);

  io_batch second;
  second.entries = {entry(1, 2, troupe::messages::ENTRY_COMMAND, create_pod("after", 2))};
  second.committed = second.entries;
  auto applied = storage->execute(second);
  BOOST_TEST_REQUIRE(applied.applied.size() == 1u);
  BOOST_TEST(applied.applied[0].result.code() == 0u);

  BOOST_TEST_REQUIRE(
      (written.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready));
  auto done = storage->finish_snapshot();
  BOOST_TEST_REQUIRE(done.snapshot_failure.ok(), done.snapshot_failure.to_string());
  BOOST_TEST_REQUIRE(done.snapshot_taken.has_value());
  BOOST_TEST(done.snapshot_taken->last_index() == 1u);
  auto file = storage->read_snapshot(*done.snapshot_taken, 0, done.snapshot_taken->size());
  BOOST_TEST(file.size() == done.snapshot_taken->size());
  BOOST_TEST(file.find("/core/pods/default/before") != std::string::npos);
  BOOST_TEST(file.find("/core/pods/default/after") == std::string::npos);
  auto loaded = storage->load();
  BOOST_TEST_REQUIRE(loaded.ok());
  BOOST_TEST(loaded->snapshot.last_index() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
