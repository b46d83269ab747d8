#include "actors/raft_storage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

namespace troupe::actors {

namespace fs = std::filesystem;
using store::status;

namespace {

constexpr const char* snapshot_dir = "snapshots";
constexpr const char* taking_file = "taking.tmp";
constexpr const char* incoming_file = "incoming.tmp";

status io_error(const std::string& what, const std::string& path) {
  return status::error(messages::errc::unavailable, what + " " + path + " failed");
}

// fsync of a file or directory, so that a rename or its content survives a crash.
status sync_path(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), O_RDONLY | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return io_error("opening", path.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("fsync of", path.string());
  return {};
}

// Moves a finished snapshot file to its final name, durably.
status publish_file(const fs::path& from, const fs::path& to) {
  if (status s = sync_path(from, false); !s.ok()) return s;
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return io_error("renaming to", to.string());
  return sync_path(to.parent_path(), true);
}

}  // namespace

store::result<std::unique_ptr<raft_storage>> raft_storage::open(const std::string& dir,
                                                                const storage_options& options) {
  std::unique_ptr<raft_storage> s(new raft_storage(dir));
  auto env = store::lmdb_env::open(dir, options.env);
  if (!env.ok()) return env.error();
  s->env_ = std::move(*env);
  auto log = store::raft::raft_log_store::open(*s->env_);
  if (!log.ok()) return log.error();
  s->log_ = std::move(*log);
  auto objects = store::object_store::open(*s->env_, options.objects);
  if (!objects.ok()) return objects.error();
  s->objects_ = std::move(*objects);
  return s;
}

raft_storage::~raft_storage() {
  // The snapshot's thread reads the store.
  if (taking_ && taking_->writer.joinable()) taking_->writer.join();
  // The stores hold the env's handles: close them before the env.
  objects_.reset();
  log_.reset();
}

store::result<store::raft::persisted_state> raft_storage::load() const {
  auto state = log_->load();
  if (!state.ok()) return state.error();
  state->applied = objects_->applied_index();
  return state;
}

void raft_storage::recover(const store::raft::persisted_state& state) {
  const store::raft::index_t applied = objects_->applied_index();
  const auto& snapshot = state.snapshot;
  applied_config_ = snapshot.config().members().empty() ? state.bootstrap : snapshot.config();
  applied_term_ = snapshot.last_index() == applied ? snapshot.last_term() : 0;
  for (const auto& e : state.entries) {
    if (e.index() > applied) break;
    if (e.index() == applied) applied_term_ = e.term();
    // The log may keep entries that the snapshot covers; its configuration is newer.
    if (e.type() == messages::ENTRY_CONFIG && e.index() > snapshot.last_index())
      applied_config_.ParseFromString(e.data());
  }
}

namespace {

// An entry on its way to the state machine: what apply_batch needs and what io_done reports.
struct prepared_entry {
  applied_entry out;
  std::optional<messages::StoreCommand> command;  // ENTRY_COMMAND entries whose data parses
};

prepared_entry prepare(const messages::LogEntry& entry) {
  prepared_entry p;
  p.out.index = entry.index();
  p.out.term = entry.term();
  p.out.type = entry.type();
  if (entry.type() != messages::ENTRY_COMMAND) return p;
  if (!p.command.emplace().ParseFromString(entry.data())) {
    // The entry's checksum held, so the leader proposed bytes that do not parse: every
    // replica sees the same, and the command fails as invalid everywhere alike.
    p.command.reset();
    p.out.result.set_code(static_cast<uint32_t>(messages::errc::invalid));
    p.out.result.set_message("log entry " + std::to_string(entry.index()) +
                             " does not hold a store command");
  }
  return p;
}

// Bounds on one apply transaction, so that a long backlog (a restart, a slow member catching
// up) commits in steps and the full-map check before each step stays meaningful.
constexpr std::size_t max_batch_entries = 1024;
constexpr std::size_t max_batch_bytes = std::size_t{8} << 20;

}  // namespace

void raft_storage::note_applied(const messages::LogEntry& entry) {
  applied_term_ = entry.term();
  if (entry.type() == messages::ENTRY_CONFIG) applied_config_.ParseFromString(entry.data());
}

status raft_storage::apply_backlog(io_done& done) {
  while (!backlog_.empty()) {
    std::vector<prepared_entry> prepared;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < backlog_.size() && prepared.size() < max_batch_entries &&
                            (prepared.empty() || bytes < max_batch_bytes);
         ++i) {
      bytes += backlog_[i].data().size();
      prepared.push_back(prepare(backlog_[i]));
    }
    std::vector<store::entry_to_apply> batch;
    batch.reserve(prepared.size());
    for (const auto& p : prepared)
      batch.push_back({p.out.index, p.command ? &*p.command : nullptr});
    auto outcomes = objects_->apply_batch(batch);
    if (outcomes.ok()) {
      for (std::size_t i = 0; i < prepared.size(); ++i) {
        if (prepared[i].command) prepared[i].out.result = std::move((*outcomes)[i].result);
        note_applied(backlog_.front());
        done.applied.push_back(std::move(prepared[i].out));
        backlog_.pop_front();
      }
      continue;
    }
    // Nothing of the batch applied. One by one, to apply what fits before the entry that
    // fails (a full map refuses creates and updates but lets deletes through).
    for (auto& p : prepared) {
      status s;
      if (p.command) {
        auto applied = objects_->apply(p.out.index, *p.command);
        if (applied.ok()) p.out.result = std::move(applied->result);
        s = applied.ok() ? status{} : applied.error();
      } else {
        s = objects_->apply_without_command(p.out.index);
      }
      if (!s.ok()) return s;
      note_applied(backlog_.front());
      done.applied.push_back(std::move(p.out));
      backlog_.pop_front();
    }
  }
  return {};
}

bool merge_io_batches(io_batch& into, io_batch& next) {
  auto plain = [](const io_batch& b) {
    return b.snapshot_chunks.empty() && !b.take_snapshot && !b.compacted_to && !b.discard_log_after;
  };
  if (!plain(into) || !plain(next)) return false;
  if (next.hard_state) into.hard_state = std::move(next.hard_state);
  if (!next.entries.empty()) {
    // A later batch's entries replace the earlier ones from where they land, as persist
    // would have done on disk.
    const auto first = next.entries.front().index();
    while (!into.entries.empty() && into.entries.back().index() >= first)
      into.entries.pop_back();
    into.entries.insert(into.entries.end(), std::make_move_iterator(next.entries.begin()),
                        std::make_move_iterator(next.entries.end()));
  }
  into.committed.insert(into.committed.end(), std::make_move_iterator(next.committed.begin()),
                        std::make_move_iterator(next.committed.end()));
  return true;
}

io_done raft_storage::execute(io_batch batch) {
  io_done done;
  if (batch.discard_log_after) {
    done.failure = log_->truncate_after(*batch.discard_log_after);
    if (!done.failure.ok()) return done;
  }
  if (batch.hard_state || !batch.entries.empty()) {
    done.failure = log_->persist(batch.hard_state, batch.entries);
    if (!done.failure.ok()) return done;
    if (!batch.entries.empty())
      done.persisted =
          store::raft::proposal{batch.entries.back().index(), batch.entries.back().term()};
  }
  for (auto& e : batch.committed)
    backlog_.push_back(std::move(e));
  if (status s = apply_backlog(done); !s.ok()) {
    // A full map: keep the entry and everything after it for a retry. Anything else
    // means the data cannot be trusted.
    if (s.is_corruption() || s.code() != messages::errc::unavailable) done.failure = s;
  }
  done.apply_backlog = backlog_.size();
  if (!done.failure.ok()) return done;
  for (const auto& chunk : batch.snapshot_chunks)
    receive_chunk(chunk, done);
  if (batch.take_snapshot && backlog_.empty()) take_snapshot(done);
  if (batch.compacted_to) done.failure = log_->compact(*batch.compacted_to);
  return done;
}

// -- snapshots -------------------------------------------------------------------------------

std::string raft_storage::snapshot_path(const messages::SnapshotMeta& meta) const {
  char name[64];
  std::snprintf(name, sizeof name, "%020llu-%llu.snap",
                static_cast<unsigned long long>(meta.last_index()),
                static_cast<unsigned long long>(meta.last_term()));
  return (fs::path(dir_) / snapshot_dir / name).string();
}

void raft_storage::take_snapshot(io_done& done) {
  if (taking_) return;  // the raft actor asks for one at a time
  const auto dir = fs::path(dir_) / snapshot_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    done.snapshot_failure = io_error("creating", dir.string());
    return;
  }
  auto source = objects_->begin_snapshot();
  if (!source.ok()) {
    done.snapshot_failure = source.error();
    return;
  }
  // Invariant: this thread is the only writer, so nothing applied since applied_term_ was set.
  if (source->applied_index != objects_->applied_index())
    store::invariant_failed("the applied index moved while this thread opened a snapshot");
  auto job = std::make_unique<snapshot_in_progress>();
  job->meta.set_last_index(source->applied_index);
  job->meta.set_last_term(applied_term_);
  *job->meta.mutable_config() = applied_config_;
  job->writer = std::thread(
      [this, job = job.get(), source = std::move(*source), tmp = dir / taking_file]() mutable {
        job->outcome = [&]() -> status {
          std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
          if (!out) return io_error("creating", tmp.string());
          auto info = objects_->write_snapshot(std::move(source), out);
          out.close();
          if (!info.ok()) return info.error();
          if (!out) return io_error("writing", tmp.string());
          job->meta.set_size(info->size);
          job->meta.set_checksum(info->checksum);
          return sync_path(tmp, false);
        }();
        if (snapshot_written_) snapshot_written_();
      });
  taking_ = std::move(job);
  done.snapshot_started = true;
}

io_done raft_storage::finish_snapshot() {
  io_done done;
  if (!taking_) return done;
  taking_->writer.join();
  auto job = std::move(taking_);
  const auto tmp = fs::path(dir_) / snapshot_dir / taking_file;
  std::error_code ec;
  if (!job->outcome.ok()) {
    done.snapshot_failure = job->outcome;
  } else if (job->meta.last_index() <= installed_index_) {
    fs::remove(tmp, ec);  // the leader's snapshot, installed meanwhile, is newer
  } else if (status s = publish_file(tmp, snapshot_path(job->meta)); !s.ok()) {
    done.snapshot_failure = s;
  } else if (status s = log_->save_snapshot_meta(job->meta); !s.ok()) {
    done.snapshot_failure = s;
  } else if (status s = env_->sync(); !s.ok()) {
    done.snapshot_failure = s;
  } else {
    remove_old_snapshots();
    done.snapshot_taken = std::move(job->meta);
  }
  return done;
}

void raft_storage::receive_chunk(const store::raft::snapshot_chunk& chunk, io_done& done) {
  const auto dir = fs::path(dir_) / snapshot_dir;
  const auto tmp = dir / incoming_file;
  std::error_code ec;
  if (chunk.offset == 0) {
    fs::create_directories(dir, ec);
    std::ofstream(tmp, std::ios::binary | std::ios::trunc);
    incoming_size_ = 0;
  }
  // The core hands out the chunks it accepted contiguously from offset 0; a gap only comes
  // from a failed write here, and the checks below reject the result.
  if (chunk.offset == incoming_size_) {
    std::ofstream out(tmp, std::ios::binary | std::ios::app);
    out.write(chunk.data.data(), static_cast<std::streamsize>(chunk.data.size()));
    if (out) incoming_size_ += chunk.data.size();
  }
  if (!chunk.done) return;
  status s = install(chunk.meta, tmp.string());
  done.snapshot_installed = std::make_pair(chunk.meta, s.ok());
  if (!s.ok()) done.snapshot_failure = s;
  fs::remove(tmp, ec);
  incoming_size_ = 0;
}

status raft_storage::install(const messages::SnapshotMeta& meta, const std::string& file) {
  std::error_code ec;
  if (fs::file_size(file, ec) != meta.size() || ec)
    return status::corruption("the snapshot received up to index " +
                              std::to_string(meta.last_index()) + " is incomplete");
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) return io_error("opening", file);
    if (status s = objects_->restore_snapshot(in, meta.checksum()); !s.ok()) return s;
  }
  // Whatever a full map held back is older than the snapshot or follows it in the log.
  while (!backlog_.empty() && backlog_.front().index() <= meta.last_index())
    backlog_.pop_front();
  applied_term_ = meta.last_term();
  applied_config_ = meta.config();
  // Kept under its name so that this member can send it on when it leads.
  if (status s = publish_file(file, snapshot_path(meta)); !s.ok()) return s;
  if (status s = log_->save_snapshot_meta(meta); !s.ok()) return s;
  if (status s = env_->sync(); !s.ok()) return s;
  installed_index_ = std::max(installed_index_, meta.last_index());
  remove_old_snapshots();
  return {};
}

std::string raft_storage::read_snapshot(const messages::SnapshotMeta& meta, uint64_t offset,
                                        std::size_t max) const {
  std::ifstream in(snapshot_path(meta), std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset));
  std::string out(std::min<uint64_t>(max, meta.size() > offset ? meta.size() - offset : 0), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return out;
}

void raft_storage::remove_old_snapshots() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / snapshot_dir, ec))
    if (e.path().extension() == ".snap") files.push_back(e.path());
  // Names begin with the zero-padded index: name order is age order.
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i + 2 < files.size(); ++i)
    fs::remove(files[i], ec);
}

}  // namespace troupe::actors
