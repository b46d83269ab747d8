// The one LMDB environment of a server: RAII wrappers of MDB_env, transactions, named
// databases and cursors, with LMDB's errors mapped to store::status. The object store and the
// Raft log storage share one environment, each with its own named databases.
//
// Thread safety:
// - lmdb_env: any thread. open_dbi, usage, sync and set_map_size synchronize internally.
// - txn, cursor: one thread at a time. A read txn may move between threads (the env is opened
//   with MDB_NOTLS). A write txn must begin, be used and end on one thread, because LMDB's
//   writer lock belongs to the thread that took it; begin_write blocks while another write
//   txn is open anywhere in the process.
//
// Durability: the env is opened with MDB_NOSYNC (sync_mode::none, the default), so a commit
// reaches the page cache but is not fsynced. Durability comes from sync(), which the Raft
// log storage calls after appending entries, before it acknowledges them. The object store's
// applies need no fsync: after an OS crash the state machine is rebuilt from the Raft log,
// and each apply is one transaction, so the applied index always matches the objects. With
// MDB_NOSYNC and without MDB_WRITEMAP LMDB keeps atomicity and consistency, provided that the
// filesystem preserves write order (ext4 and xfs do); a process crash loses nothing.
// MDB_WRITEMAP is not used: on a full disk it turns ENOSPC into SIGBUS.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/status.hpp"

// LMDB's handles, declared here so that lmdb.h stays out of every includer.
struct MDB_env;
struct MDB_txn;
struct MDB_cursor;

namespace troupe::store {

enum class sync_mode {
  none,       // MDB_NOSYNC: commits never fsync; sync() does (see the header comment)
  meta_lazy,  // MDB_NOMETASYNC: commits fsync data, the meta page waits for the next sync
  full,       // every commit fsyncs
};

struct env_options {
  // The largest the data file may grow. The file is sparse, so an unused map costs address
  // space, not disk. Raise it with set_map_size when usage() nears it.
  uint64_t map_size = uint64_t{8} << 30;
  // Named databases: the object store uses 6, the Raft log storage 2.
  unsigned max_dbs = 16;
  // Concurrent read transactions across the process.
  unsigned max_readers = 126;
  sync_mode sync = sync_mode::none;
};

struct env_usage {
  // The high-water mark of the data file, (last page number + 1) * page size. Pages freed
  // inside it are reused before the file grows, so it never shrinks (see freelist_bytes).
  uint64_t used_bytes = 0;
  uint64_t map_size = 0;
};

// A named database's handle: valid for the env's lifetime, in any transaction.
struct dbi {
  unsigned int id = 0;
};

enum class put_mode {
  upsert,        // insert or replace
  no_overwrite,  // fail with errc::already_exists if the key is present
  append,        // the key sorts after every key present (fast bulk load), else already_exists
};

class lmdb_env;
class txn;

// A position in one database of one transaction, in the style of a LevelDB iterator.
// Invariant: a cursor ends before its txn commits or aborts (txn checks this and aborts the
// process otherwise: LMDB frees a write txn's cursors with it).
class cursor {
 public:
  cursor(cursor&& other) noexcept;
  cursor& operator=(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor();

  void seek_to_first();
  void seek_to_last();
  // To the first key >= `key`.
  void seek(std::string_view key);
  // Preconditions for next, prev: valid().
  void next();
  void prev();

  // Positioned on an entry; false at either end and after an error.
  bool valid() const { return valid_; }
  // Views into the map, valid until the txn ends or writes to this database.
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // Deletes the current entry and moves to the one after it. Precondition: valid(), write txn.
  status del();
  // The first error the cursor met; ok when none.
  const status& error() const { return error_; }

 private:
  friend class txn;
  cursor(txn& owner, MDB_cursor* handle) : owner_(&owner), handle_(handle) {}
  void position(int op, std::string_view key = {});
  void close();

  txn* owner_ = nullptr;
  MDB_cursor* handle_ = nullptr;
  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  status error_;
};

// A read or write transaction. Destruction without commit() aborts.
class txn {
 public:
  txn(txn&& other) noexcept;
  txn& operator=(txn&& other) noexcept;
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  ~txn();

  bool read_only() const { return read_only_; }

  // The value under `key`, or nullopt when absent. The view lives in the map: it is valid
  // until the txn ends, or in a write txn until the next write to the same database.
  result<std::optional<std::string_view>> get(dbi db, std::string_view key) const;
  // Precondition: write txn. Keys are at most lmdb_env::max_key_size() bytes (errc::invalid).
  status put(dbi db, std::string_view key, std::string_view value,
             put_mode mode = put_mode::upsert);
  // Whether the key was present. Precondition: write txn.
  result<bool> del(dbi db, std::string_view key);
  // Removes every entry of the database. Precondition: write txn.
  status clear(dbi db);
  // The number of entries in the database.
  result<uint64_t> entries(dbi db) const;
  // Unpositioned: call a seek first.
  result<cursor> open_cursor(dbi db);

  // Makes the writes visible (and, in sync_mode::full, durable). The txn is over either way;
  // on failure nothing was written. Commit of a read txn just ends it.
  status commit();
  void abort();

 private:
  friend class lmdb_env;
  friend class cursor;
  txn(lmdb_env& env, MDB_txn* handle, bool read_only)
      : env_(&env), handle_(handle), read_only_(read_only) {}
  void finish();

  lmdb_env* env_ = nullptr;
  MDB_txn* handle_ = nullptr;
  bool read_only_ = true;
  // Cursors still open on this txn; must be 0 when it ends.
  int open_cursors_ = 0;
};

class lmdb_env {
 public:
  // Opens (creating the directory and files if needed) the environment in `dir`: data.mdb
  // and lock.mdb. Fails with corruption if the files are not a valid LMDB environment.
  static result<std::unique_ptr<lmdb_env>> open(const std::string& dir,
                                                const env_options& options = {});
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;
  // Precondition: no txn of this env is open.
  ~lmdb_env();

  // Opens the named database, creating it if absent, in a write txn of its own. Calls with
  // the same name return the same handle. Precondition: the calling thread has no open txn.
  result<dbi> open_dbi(std::string_view name);

  result<txn> begin_read();
  // Blocks while another write txn is open.
  result<txn> begin_write();

  // Flushes committed transactions to disk (fsync), whatever the sync mode.
  status sync();

  env_usage usage() const;
  // Bytes inside used_bytes on LMDB's freelist that the next write txn may reuse (fewer while
  // old read txns pin them). Walks the freelist in a read txn, as `mdb_stat -f` does: one
  // record per recent write txn that freed pages, so it is short except after mass deletes.
  result<uint64_t> freelist_bytes();
  // The status of a full map, as an MDB_MAP_FULL from LMDB reads.
  status map_full() const;
  // Grows (or shrinks, down to the used size) the map. LMDB allows it only while no txn is
  // open in the process: fails with errc::unavailable if one is, so the caller retries.
  status set_map_size(uint64_t bytes);

  // The longest key LMDB accepts (511 in Debian's build).
  std::size_t max_key_size() const;
  const std::string& path() const { return path_; }

 private:
  friend class txn;
  friend class cursor;
  lmdb_env(MDB_env* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  result<txn> begin(bool read_only);
  void txn_ended() { open_txns_.fetch_sub(1, std::memory_order_acq_rel); }
  // LMDB's error code `rc`, from `operation`, as a status.
  status error_from(int rc, std::string_view operation) const;

  MDB_env* handle_ = nullptr;
  std::string path_;
  // Orders "a txn is counted" against "the map is resized": begin counts a txn under it
  // before entering LMDB, and set_map_size resizes under it only while the count is 0.
  std::mutex resize_mutex_;
  // Transactions begun (or beginning) and not yet ended. Invariant: >= 0; 0 at destruction.
  std::atomic<int> open_txns_{0};
  std::mutex dbi_mutex_;
  std::map<std::string, dbi, std::less<>> dbis_;  // guarded by dbi_mutex_
};

}  // namespace troupe::store
