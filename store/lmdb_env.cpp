#include "store/lmdb_env.hpp"

#include <lmdb.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace troupe::store {
namespace {

using messages::errc;

MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view from_val(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

unsigned int env_flags(sync_mode mode) {
  // MDB_NOTLS: read txns are not tied to a thread, and reader slots belong to txns, so an
  // actor may begin a read on one worker thread and finish it on another.
  unsigned int flags = MDB_NOTLS;
  switch (mode) {
    case sync_mode::none:
      flags |= MDB_NOSYNC;
      break;
    case sync_mode::meta_lazy:
      flags |= MDB_NOMETASYNC;
      break;
    case sync_mode::full:
      break;
  }
  return flags;
}

unsigned int put_flags(put_mode mode) {
  switch (mode) {
    case put_mode::no_overwrite:
      return MDB_NOOVERWRITE;
    case put_mode::append:
      return MDB_APPEND;
    case put_mode::upsert:
      break;
  }
  return 0;
}

}  // namespace

// ---- lmdb_env ----

result<std::unique_ptr<lmdb_env>> lmdb_env::open(const std::string& dir,
                                                 const env_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return status::error(errc::unavailable,
                         "cannot create the store directory " + dir + ": " + ec.message());
  }
  MDB_env* handle = nullptr;
  if (int rc = mdb_env_create(&handle); rc != 0) {
    return status::error(errc::unavailable,
                         std::string("cannot create an LMDB environment: ") + mdb_strerror(rc));
  }
  // From here the env owns the handle: its destructor closes it, also after a failed open.
  std::unique_ptr<lmdb_env> env(new lmdb_env(handle, dir));
  int rc = mdb_env_set_maxdbs(handle, options.max_dbs);
  if (rc == 0) rc = mdb_env_set_mapsize(handle, options.map_size);
  if (rc == 0) rc = mdb_env_set_maxreaders(handle, options.max_readers);
  if (rc != 0) return env->error_from(rc, "configure environment");
  if (rc = mdb_env_open(handle, dir.c_str(), env_flags(options.sync), 0600); rc != 0) {
    return env->error_from(rc, "open environment");
  }
  // Reader slots left by a process that crashed mid-read would pin old pages forever.
  int dead_readers = 0;
  if (rc = mdb_reader_check(handle, &dead_readers); rc != 0) {
    return env->error_from(rc, "clear stale readers");
  }
  return env;
}

lmdb_env::~lmdb_env() {
  // Invariant: every txn has ended; LMDB would otherwise free memory still in use.
  if (open_txns_.load() != 0) invariant_failed("lmdb_env destroyed while transactions are open");
  mdb_env_close(handle_);
}

result<dbi> lmdb_env::open_dbi(std::string_view name) {
  if (name.empty()) return status::error(errc::invalid, "a named database needs a name");
  // LMDB allows one txn at a time to open databases; the mutex also makes the cache exact.
  std::lock_guard lock(dbi_mutex_);
  if (auto it = dbis_.find(name); it != dbis_.end()) return it->second;
  auto t = begin_write();
  if (!t.ok()) return t.error();
  MDB_dbi id = 0;
  std::string owned(name);
  if (int rc = mdb_dbi_open(t->handle_, owned.c_str(), MDB_CREATE, &id); rc != 0) {
    return error_from(rc, "open database " + owned);
  }
  // The handle is usable by other txns only once this one commits.
  if (status s = t->commit(); !s.ok()) return s;
  dbis_.emplace(std::move(owned), dbi{id});
  return dbi{id};
}

result<txn> lmdb_env::begin_read() {
  return begin(true);
}

result<txn> lmdb_env::begin_write() {
  return begin(false);
}

result<txn> lmdb_env::begin(bool read_only) {
  {
    // Counted before LMDB sees it, so set_map_size never runs concurrently with a begin.
    // The wait for LMDB's writer lock happens outside the mutex, so readers never queue
    // behind a blocked writer.
    std::lock_guard lock(resize_mutex_);
    open_txns_.fetch_add(1, std::memory_order_acq_rel);
  }
  MDB_txn* handle = nullptr;
  if (int rc = mdb_txn_begin(handle_, nullptr, read_only ? MDB_RDONLY : 0, &handle); rc != 0) {
    txn_ended();
    return error_from(rc, read_only ? "begin read transaction" : "begin write transaction");
  }
  return txn(*this, handle, read_only);
}

status lmdb_env::sync() {
  if (int rc = mdb_env_sync(handle_, 1); rc != 0) return error_from(rc, "sync");
  return {};
}

env_usage lmdb_env::usage() const {
  // Neither call can fail on an open env (they only check for a null argument).
  MDB_envinfo info{};
  mdb_env_info(handle_, &info);
  MDB_stat stat{};
  mdb_env_stat(handle_, &stat);
  return {(static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize, info.me_mapsize};
}

result<uint64_t> lmdb_env::freelist_bytes() {
  auto t = begin_read();
  if (!t.ok()) return t.error();
  // Database 0 is LMDB's freelist: key a txn id, value an array of page numbers whose first
  // element is their count (LMDB's IDL), the layout mdb_stat reads.
  constexpr MDB_dbi free_dbi = 0;
  MDB_cursor* handle = nullptr;
  if (int rc = mdb_cursor_open(t->handle_, free_dbi, &handle); rc != 0) {
    return error_from(rc, "open freelist cursor");
  }
  // A write txn reuses only pages freed before the latest commit, this snapshot's txn id:
  // the pages the latest commit freed still back the previous snapshot.
  const std::size_t latest = mdb_txn_id(t->handle_);
  uint64_t pages = 0;
  MDB_val k{};
  MDB_val v{};
  int rc = 0;
  while ((rc = mdb_cursor_get(handle, &k, &v, MDB_NEXT)) == 0) {
    std::size_t freed_by = 0;
    std::size_t count = 0;
    if (k.mv_size != sizeof freed_by || v.mv_size < sizeof count) {
      rc = MDB_CORRUPTED;
      break;
    }
    std::memcpy(&freed_by, k.mv_data, sizeof freed_by);
    if (freed_by >= latest) break;  // keys ascend
    std::memcpy(&count, v.mv_data, sizeof count);
    pages += count;
  }
  if (rc == 0) rc = MDB_NOTFOUND;
  mdb_cursor_close(handle);
  if (rc != MDB_NOTFOUND) return error_from(rc, "read freelist");
  MDB_stat stat{};
  mdb_env_stat(handle_, &stat);
  return pages * stat.ms_psize;
}

status lmdb_env::map_full() const {
  return error_from(MDB_MAP_FULL, "");
}

status lmdb_env::set_map_size(uint64_t bytes) {
  std::lock_guard lock(resize_mutex_);
  if (int open = open_txns_.load(std::memory_order_acquire); open > 0) {
    return status::error(errc::unavailable, "cannot resize the LMDB map while " +
                                                std::to_string(open) +
                                                " transactions are open; retry when they end");
  }
  if (int rc = mdb_env_set_mapsize(handle_, bytes); rc != 0) return error_from(rc, "resize map");
  return {};
}

std::size_t lmdb_env::max_key_size() const {
  return static_cast<std::size_t>(mdb_env_get_maxkeysize(handle_));
}

status lmdb_env::error_from(int rc, std::string_view operation) const {
  std::string op(operation);
  switch (rc) {
    case MDB_MAP_FULL:
      return status::error(errc::unavailable, "the store's LMDB map is full (" +
                                                  std::to_string(usage().map_size) +
                                                  " bytes); raise --store-map-size");
    case ENOSPC:
      return status::error(errc::unavailable, "disk full: no space left on the device of " + path_ +
                                                  " (" + op + "); free disk space, then retry");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
      return status::corruption("store data is corrupt: " + std::string(mdb_strerror(rc)) + " (" +
                                op + " in " + path_ +
                                "); stop this server and rebuild its data from its peers");
    case MDB_KEYEXIST:
      return status::error(errc::already_exists, op + ": the key exists");
    case MDB_NOTFOUND:
      return status::error(errc::not_found, op + ": no such key");
    case MDB_BAD_VALSIZE:
      return status::error(errc::invalid, op + ": LMDB refused the size of the key (at most " +
                                              std::to_string(max_key_size()) +
                                              " bytes, not empty) or of the value");
    case MDB_READERS_FULL:
      return status::error(errc::unavailable,
                           op + ": too many concurrent read transactions; retry later");
    default:
      return status::error(errc::unavailable, op + ": " + mdb_strerror(rc));
  }
}

// ---- txn ----

txn::txn(txn&& other) noexcept
    : env_(std::exchange(other.env_, nullptr)),
      handle_(std::exchange(other.handle_, nullptr)),
      read_only_(other.read_only_),
      open_cursors_(std::exchange(other.open_cursors_, 0)) {
  // Invariant: cursors point at their txn, so a txn with open cursors never moves.
  if (open_cursors_ != 0) invariant_failed("txn moved while cursors are open on it");
}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    if (other.open_cursors_ != 0) invariant_failed("txn moved while cursors are open on it");
    env_ = std::exchange(other.env_, nullptr);
    handle_ = std::exchange(other.handle_, nullptr);
    read_only_ = other.read_only_;
  }
  return *this;
}

txn::~txn() {
  abort();
}

result<std::optional<std::string_view>> txn::get(dbi db, std::string_view key) const {
  if (handle_ == nullptr) invariant_failed("get on a finished txn");
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_get(handle_, db.id, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return env_->error_from(rc, "get");
  return std::optional<std::string_view>(from_val(v));
}

status txn::put(dbi db, std::string_view key, std::string_view value, put_mode mode) {
  if (handle_ == nullptr || read_only_) invariant_failed("put outside a write txn");
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(handle_, db.id, &k, &v, put_flags(mode)); rc != 0) {
    return env_->error_from(rc, "put");
  }
  return {};
}

result<bool> txn::del(dbi db, std::string_view key) {
  if (handle_ == nullptr || read_only_) invariant_failed("del outside a write txn");
  MDB_val k = to_val(key);
  int rc = mdb_del(handle_, db.id, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return env_->error_from(rc, "delete");
  return true;
}

status txn::clear(dbi db) {
  if (handle_ == nullptr || read_only_) invariant_failed("clear outside a write txn");
  if (int rc = mdb_drop(handle_, db.id, 0); rc != 0) return env_->error_from(rc, "clear");
  return {};
}

result<uint64_t> txn::entries(dbi db) const {
  if (handle_ == nullptr) invariant_failed("entries on a finished txn");
  MDB_stat stat{};
  if (int rc = mdb_stat(handle_, db.id, &stat); rc != 0) return env_->error_from(rc, "stat");
  return static_cast<uint64_t>(stat.ms_entries);
}

result<cursor> txn::open_cursor(dbi db) {
  if (handle_ == nullptr) invariant_failed("open_cursor on a finished txn");
  MDB_cursor* handle = nullptr;
  if (int rc = mdb_cursor_open(handle_, db.id, &handle); rc != 0) {
    return env_->error_from(rc, "open cursor");
  }
  ++open_cursors_;
  return cursor(*this, handle);
}

status txn::commit() {
  if (handle_ == nullptr) invariant_failed("commit of a finished txn");
  if (open_cursors_ != 0) invariant_failed("txn committed while cursors are open on it");
  // LMDB frees the txn whether or not the commit succeeds.
  int rc = mdb_txn_commit(std::exchange(handle_, nullptr));
  env_->txn_ended();
  if (rc != 0) return env_->error_from(rc, "commit");
  return {};
}

void txn::abort() {
  if (handle_ == nullptr) return;
  if (open_cursors_ != 0) invariant_failed("txn aborted while cursors are open on it");
  mdb_txn_abort(std::exchange(handle_, nullptr));
  env_->txn_ended();
}

// ---- cursor ----

cursor::cursor(cursor&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      handle_(std::exchange(other.handle_, nullptr)),
      valid_(std::exchange(other.valid_, false)),
      key_(other.key_),
      value_(other.value_),
      error_(std::move(other.error_)) {}

cursor& cursor::operator=(cursor&& other) noexcept {
  if (this != &other) {
    close();
    owner_ = std::exchange(other.owner_, nullptr);
    handle_ = std::exchange(other.handle_, nullptr);
    valid_ = std::exchange(other.valid_, false);
    key_ = other.key_;
    value_ = other.value_;
    error_ = std::move(other.error_);
  }
  return *this;
}

cursor::~cursor() {
  close();
}

void cursor::close() {
  if (handle_ == nullptr) return;
  // Invariant (checked by txn): the txn is still open, so closing the handle is legal for
  // read and write txns alike.
  mdb_cursor_close(std::exchange(handle_, nullptr));
  --owner_->open_cursors_;
  valid_ = false;
}

void cursor::position(int op, std::string_view key) {
  if (handle_ == nullptr) invariant_failed("use of a closed cursor");
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_cursor_get(handle_, &k, &v, static_cast<MDB_cursor_op>(op));
  if (rc == 0) {
    valid_ = true;
    key_ = from_val(k);
    value_ = from_val(v);
    return;
  }
  valid_ = false;
  key_ = {};
  value_ = {};
  if (rc != MDB_NOTFOUND && error_.ok()) error_ = owner_->env_->error_from(rc, "cursor");
}

void cursor::seek_to_first() {
  position(MDB_FIRST);
}

void cursor::seek_to_last() {
  position(MDB_LAST);
}

void cursor::seek(std::string_view key) {
  // LMDB refuses an empty key; every key is >= "".
  if (key.empty()) return position(MDB_FIRST);
  position(MDB_SET_RANGE, key);
}

void cursor::next() {
  if (!valid_) invariant_failed("cursor::next on an invalid cursor");
  position(MDB_NEXT);
}

void cursor::prev() {
  if (!valid_) invariant_failed("cursor::prev on an invalid cursor");
  position(MDB_PREV);
}

status cursor::del() {
  if (!valid_ || owner_->read_only_) invariant_failed("cursor::del needs a valid write cursor");
  if (int rc = mdb_cursor_del(handle_, 0); rc != 0) {
    valid_ = false;
    error_ = owner_->env_->error_from(rc, "cursor delete");
    return error_;
  }
  // After a delete LMDB leaves the cursor on the slot the next entry moved into, marked so
  // that MDB_NEXT returns that entry instead of skipping it.
  position(MDB_NEXT);
  return error_;
}

}  // namespace troupe::store
