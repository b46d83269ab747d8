#include "tests/support/sim_disk.hpp"

#include <cstdio>
#include <cstdlib>

namespace troupe::test_support {
namespace {

[[noreturn]] void harness_bug(const char* what) {
  std::fprintf(stderr, "sim_disk: %s\n", what);
  std::abort();
}

}  // namespace

uint64_t sim_disk::write(disk_write w) {
  page_cache_.emplace_back(next_write_, std::move(w));
  return next_write_++;
}

void sim_disk::sync(uint64_t through) {
  while (!page_cache_.empty() && page_cache_.front().first <= through) {
    apply(page_cache_.front().second);
    page_cache_.pop_front();
  }
}

std::size_t sim_disk::crash(std::mt19937_64& rng, bool keep_random_prefix) {
  std::size_t kept = 0;
  if (keep_random_prefix && !page_cache_.empty()) {
    kept = std::uniform_int_distribution<std::size_t>(0, page_cache_.size())(rng);
  }
  for (std::size_t i = 0; i < kept; ++i) {
    apply(page_cache_.front().second);
    page_cache_.pop_front();
  }
  std::size_t lost = page_cache_.size();
  page_cache_.clear();
  return lost;
}

void sim_disk::apply(const disk_write& w) {
  if (w.snapshot) {
    const auto last = w.snapshot->last_index();
    if (w.installed) {
      auto it = log_.find(last);
      if (it != log_.end() && it->second.term() == w.snapshot->last_term()) {
        log_.erase(log_.begin(), log_.upper_bound(last));
      } else {
        log_.clear();
      }
    }
    if (last > snapshot_.meta.last_index()) snapshot_ = sim_snapshot{*w.snapshot, w.snapshot_data};
  }
  if (w.hard_state) hard_state_ = *w.hard_state;
  if (!w.entries.empty()) {
    log_.erase(log_.lower_bound(w.entries.front().index()), log_.end());
    for (const auto& e : w.entries)
      log_[e.index()] = e;
  }
  if (w.compacted_to) log_.erase(log_.begin(), log_.upper_bound(*w.compacted_to));
}

store::raft::persisted_state sim_disk::recover() const {
  store::raft::persisted_state s;
  s.hard_state = hard_state_;
  s.snapshot = snapshot_.meta;
  s.bootstrap = bootstrap_;
  // The state machine is rebuilt from the snapshot; the core hands out the rest again.
  s.applied = snapshot_.meta.last_index();
  const auto snap = snapshot_.meta.last_index();
  if (!log_.empty()) {
    // Invariant: the log starts right after the compaction point, which is at or before
    // the snapshot's end; when it starts before, it holds the snapshot's last entry (writes
    // reach the disk in order, so a snapshot is never durable before the entries it covers).
    const auto first = log_.begin()->first;
    if (first > snap + 1) harness_bug("durable log starts after a gap");
    if (first <= snap) {
      auto it = log_.find(snap);
      if (it == log_.end() || it->second.term() != snapshot_.meta.last_term())
        harness_bug("durable log disagrees with the durable snapshot");
    }
  }
  for (const auto& [index, e] : log_) {
    if (!s.entries.empty() && index != s.entries.back().index() + 1)
      harness_bug("durable log is not contiguous");
    s.entries.push_back(e);
  }
  return s;
}

}  // namespace troupe::test_support
