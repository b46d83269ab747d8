#include "store/lmdb_env.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using troupe::test_support::temp_dir;

namespace {

using troupe::messages::errc;
using troupe::store::cursor;
using troupe::store::dbi;
using troupe::store::env_options;
using troupe::store::lmdb_env;
using troupe::store::put_mode;
using troupe::store::txn;

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
std::unique_ptr<lmdb_env> open_env(const std::filesystem::path& dir, env_options options = {}) {
  auto env = lmdb_env::open(dir.string(), options);
  BOOST_TEST_REQUIRE(env.ok(), env.error().to_string());
  return std::move(*env);
}

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%06d", i);
  return buf;
}

// Every key of `db`, in order.
std::vector<std::string> keys_in(lmdb_env& env, dbi db) {
  auto t = env.begin_read();
  BOOST_TEST_REQUIRE(t.ok());
  auto c = t->open_cursor(db);
  BOOST_TEST_REQUIRE(c.ok());
  std::vector<std::string> out;
  for (c->seek_to_first(); c->valid(); c->next())
    out.emplace_back(c->key());
  BOOST_TEST(c->error().ok());
  return out;
}

struct env_fixture {
  temp_dir dir{"troupe-env"};
  std::unique_ptr<lmdb_env> env = open_env(dir.path());
  dbi db = *env->open_dbi("test");
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_lmdb_env)

BOOST_FIXTURE_TEST_CASE(put_get_del_visible_after_commit_only, env_fixture) {
  {
    auto w = env->begin_write();
    BOOST_TEST_REQUIRE(w.ok());
    BOOST_TEST(w->put(db, "a", "1").ok());
    BOOST_TEST(**w->get(db, "a") == "1");
    auto r = env->begin_read();
    BOOST_TEST(!r->get(db, "a")->has_value());  // not committed yet
    r->abort();
    BOOST_TEST(w->commit().ok());
  }
  {
    auto w = env->begin_write();
    BOOST_TEST(w->put(db, "b", "2").ok());
    w->abort();
  }
  auto r = env->begin_read();
  BOOST_TEST(**r->get(db, "a") == "1");
  BOOST_TEST(!r->get(db, "b")->has_value());
  r->abort();
  auto w = env->begin_write();
  BOOST_TEST(*w->del(db, "a") == true);
  BOOST_TEST(*w->del(db, "a") == false);
  BOOST_TEST(w->commit().ok());
  BOOST_TEST(keys_in(*env, db).empty());
}

BOOST_FIXTURE_TEST_CASE(put_modes_refuse_overwrite_and_disorder, env_fixture) {
  auto w = env->begin_write();
  BOOST_TEST(w->put(db, "b", "1", put_mode::no_overwrite).ok());
  auto again = w->put(db, "b", "2", put_mode::no_overwrite);
  BOOST_TEST((again.code() == errc::already_exists));
  BOOST_TEST(w->put(db, "c", "1", put_mode::append).ok());
  BOOST_TEST((w->put(db, "a", "1", put_mode::append).code() == errc::already_exists));
  BOOST_TEST(**w->get(db, "b") == "1");
  auto empty_key = w->put(db, "", "x");
  BOOST_TEST((empty_key.code() == errc::invalid));
  auto long_key = w->put(db, std::string(env->max_key_size() + 1, 'k'), "x");
  BOOST_TEST((long_key.code() == errc::invalid));
  BOOST_TEST(w->commit().ok());
}

BOOST_FIXTURE_TEST_CASE(cursor_seeks_and_walks_both_ways, env_fixture) {
  auto w = env->begin_write();
  for (int i = 0; i < 10; i += 2)
    BOOST_TEST(w->put(db, key_of(i), "v").ok());
  BOOST_TEST(*w->entries(db) == 5u);
  BOOST_TEST(w->commit().ok());
  auto r = env->begin_read();
  auto c = r->open_cursor(db);
  c->seek(key_of(3));
  BOOST_TEST_REQUIRE(c->valid());
  BOOST_TEST(c->key() == key_of(4));
  c->prev();
  BOOST_TEST(c->key() == key_of(2));
  c->seek_to_last();
  BOOST_TEST(c->key() == key_of(8));
  c->next();
  BOOST_TEST(!c->valid());
  c->seek(key_of(9));
  BOOST_TEST(!c->valid());
  c->seek("");
  BOOST_TEST(c->key() == key_of(0));
}

// Deleting through a cursor must land on the following entry, also across page boundaries
// (2000 entries span many pages), so that range deletes neither skip nor repeat.
BOOST_FIXTURE_TEST_CASE(cursor_del_moves_to_the_next_entry, env_fixture) {
  constexpr int n = 2000;
  auto w = env->begin_write();
  for (int i = 0; i < n; ++i)
    BOOST_TEST_REQUIRE(w->put(db, key_of(i), std::string(40, 'x')).ok());
  {
    auto c = w->open_cursor(db);
    int seen = 0;
    for (c->seek_to_first(); c->valid(); ++seen) {
      BOOST_TEST_REQUIRE(c->key() == key_of(seen));
      if (seen % 2 == 0) {
        BOOST_TEST_REQUIRE(c->del().ok());
      } else {
        c->next();
      }
    }
    BOOST_TEST(seen == n);
    BOOST_TEST(c->error().ok());
  }
  BOOST_TEST(w->commit().ok());
  auto left = keys_in(*env, db);
  BOOST_TEST_REQUIRE(left.size() == std::size_t{n / 2});
  for (int i = 0; i < n / 2; ++i)
    BOOST_TEST_REQUIRE(left[i] == key_of(2 * i + 1));
  w = env->begin_write();
  {
    auto c = w->open_cursor(db);
    for (c->seek_to_first(); c->valid();)
      BOOST_TEST_REQUIRE(c->del().ok());
  }
  BOOST_TEST(*w->entries(db) == 0u);
  BOOST_TEST(w->commit().ok());
}

BOOST_FIXTURE_TEST_CASE(named_databases_are_separate_and_persist, env_fixture) {
  dbi other = *env->open_dbi("other");
  BOOST_TEST(env->open_dbi("test")->id == db.id);
  BOOST_TEST(other.id != db.id);
  auto w = env->begin_write();
  BOOST_TEST(w->put(db, "k", "in test").ok());
  BOOST_TEST(w->put(other, "k", "in other").ok());
  BOOST_TEST(w->commit().ok());
  env.reset();
  env = open_env(dir.path());
  db = *env->open_dbi("test");
  other = *env->open_dbi("other");
  auto r = env->begin_read();
  BOOST_TEST(**r->get(db, "k") == "in test");
  BOOST_TEST(**r->get(other, "k") == "in other");
  r->abort();
  BOOST_TEST(env->sync().ok());
}

BOOST_FIXTURE_TEST_CASE(read_txn_moves_between_threads, env_fixture) {
  auto w = env->begin_write();
  BOOST_TEST(w->put(db, "k", "v").ok());
  BOOST_TEST(w->commit().ok());
  auto r = env->begin_read();
  BOOST_TEST_REQUIRE(r.ok());
  txn moved = std::move(*r);
  std::string seen;
  // MDB_NOTLS: a read txn begun on one thread may be used and ended on another.
  std::thread other([&] {
    seen = std::string(**moved.get(db, "k"));
    moved.abort();
  });
  other.join();
  BOOST_TEST(seen == "v");
  // The txn count dropped: resizing is possible again.
  BOOST_TEST(env->set_map_size(env->usage().map_size * 2).ok());
}

BOOST_FIXTURE_TEST_CASE(set_map_size_waits_for_open_txns, env_fixture) {
  uint64_t before = env->usage().map_size;
  BOOST_TEST(before == uint64_t{8} << 30);
  {
    auto r = env->begin_read();
    auto refused = env->set_map_size(before * 2);
    BOOST_TEST((refused.code() == errc::unavailable));
    BOOST_TEST(refused.message() ==
               "cannot resize the LMDB map while 1 transactions are open; retry when they end");
  }
  BOOST_TEST(env->set_map_size(before * 2).ok());
  BOOST_TEST(env->usage().map_size == before * 2);
}

BOOST_AUTO_TEST_CASE(full_map_is_unavailable_with_remedy_and_reads_continue) {
  temp_dir dir{"troupe-env"};
  env_options small;
  small.map_size = 256 * 1024;
  auto env = open_env(dir.path(), small);
  dbi db = *env->open_dbi("test");
  troupe::store::status full;
  int stored = 0;
  for (int i = 0; i < 1000 && full.ok(); ++i) {
    auto w = env->begin_write();
    full = w->put(db, key_of(i), std::string(1000, 'v'));
    if (full.ok()) full = w->commit();
    if (full.ok()) ++stored;
  }
  BOOST_TEST_REQUIRE(!full.ok());
  BOOST_TEST((full.code() == errc::unavailable));
  BOOST_TEST(full.message() ==
             "the store's LMDB map is full (262144 bytes); raise --store-map-size");
  BOOST_TEST(env->usage().used_bytes <= env->usage().map_size);
  BOOST_TEST(keys_in(*env, db).size() == std::size_t(stored));
  BOOST_TEST_REQUIRE(env->set_map_size(1024 * 1024).ok());
  auto w = env->begin_write();
  BOOST_TEST(w->put(db, key_of(stored), std::string(1000, 'v')).ok());
  BOOST_TEST(w->commit().ok());
}

BOOST_AUTO_TEST_CASE(garbage_data_file_is_corruption) {
  temp_dir dir{"troupe-env"};
  {
    std::ofstream data(dir.path() / "data.mdb", std::ios::binary);
    data << std::string(64 * 1024, 'x');
  }
  auto env = lmdb_env::open(dir.path().string());
  BOOST_TEST_REQUIRE(!env.ok());
  BOOST_TEST(env.error().is_corruption());
  BOOST_TEST(env.error().message().starts_with("store data is corrupt: MDB_INVALID"));
}

BOOST_AUTO_TEST_CASE(open_creates_missing_directories) {
  temp_dir dir{"troupe-env"};
  auto nested = dir.path() / "a" / "b";
  auto env = open_env(nested);
  BOOST_TEST(std::filesystem::exists(nested / "data.mdb"));
  BOOST_TEST(env->path() == nested.string());
  BOOST_TEST(env->max_key_size() == 511u);
}

BOOST_AUTO_TEST_SUITE_END()
