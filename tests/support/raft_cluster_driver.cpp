// What each simulated member does with its core's ready batches, in the order raft_core.hpp
// requires: write hard state and entries to the page cache with one fsync per batch (group
// commit), call on_persisted() and only then send send_after_persist; send send_now at
// once; apply committed entries; serve confirmed reads; receive and install snapshots; take
// snapshots every few entries.
#include <cstdio>
#include <cstdlib>

#include "store/crc32c.hpp"
#include "tests/support/raft_cluster.hpp"
#include "tests/support/raft_cluster_member.hpp"

namespace troupe::test_support {

using store::raft::index_t;
using store::raft::LogEntry;
using store::raft::RaftMessage;
using store::raft::SnapshotMeta;

namespace {

[[noreturn]] void harness_bug(const std::string& what) {
  std::fprintf(stderr, "raft_cluster: %s\n", what.c_str());
  std::abort();
}

// Flips one byte of entry or snapshot data, which checksums must catch. False if the
// message carries no such data.
bool flip_a_byte(RaftMessage& m, std::mt19937_64& rng) {
  std::string* data = nullptr;
  if (m.has_install_snapshot() && !m.install_snapshot().data().empty()) {
    data = m.mutable_install_snapshot()->mutable_data();
  } else if (m.has_append_entries()) {
    auto* entries = m.mutable_append_entries()->mutable_entries();
    std::vector<std::string*> candidates;
    for (auto& e : *entries)
      if (!e.data().empty()) candidates.push_back(e.mutable_data());
    if (candidates.empty()) return false;
    data = candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng)];
  }
  if (data == nullptr) return false;
  auto at = std::uniform_int_distribution<std::size_t>(0, data->size() - 1)(rng);
  (*data)[at] = static_cast<char>((*data)[at] ^ 0x5a);
  return true;
}

bool same_snapshot(const SnapshotMeta& a, const SnapshotMeta& b) {
  return a.last_index() == b.last_index() && a.last_term() == b.last_term() &&
         a.checksum() == b.checksum() && a.size() == b.size();
}

}  // namespace

void raft_cluster::send(const RaftMessage& message) {
  if (crash_trigger_ && crash_trigger_(message)) {
    // Next step, before anything else of this member's happens.
    const member* m = find(message.from());
    schedule(now_, crash_due{m->id, m->incarnation, false});
  }
  for (int64_t delay : network_.plan(message.from(), message.to(), rng_)) {
    RaftMessage copy = message;
    if (network_.corrupt(rng_) && flip_a_byte(copy, rng_)) ++stats_.corrupted;
    schedule(now_ + delay, raft_delivery{std::move(copy)});
  }
}

void raft_cluster::drain(member& m) {
  for (;;) {
    store::raft::ready r = m.core->take_ready();
    if (r.empty()) return;
    handle_ready(m, r);
  }
}

void raft_cluster::handle_ready(member& m, store::raft::ready& r) {
  // 1. Persist: one write to the page cache and one fsync for the whole batch.
  if (r.hard_state || !r.entries.empty() || r.compacted_to) {
    disk_write w;
    w.hard_state = r.hard_state;
    w.entries = r.entries;
    w.compacted_to = r.compacted_to;  // needs no fsync of its own
    const uint64_t write = m.disk.write(std::move(w));
    if (r.hard_state || !r.entries.empty()) {
      std::optional<store::raft::proposal> last;
      if (!r.entries.empty()) last = {r.entries.back().index(), r.entries.back().term()};
      start_fsync(m, write, last);
    }
  }
  // 2. What depends on nothing unpersisted goes out now.
  for (const auto& msg : r.send_now)
    send(msg);
  // 3. The rest waits until everything written so far is durable, not only this batch.
  if (!r.send_after_persist.empty()) {
    if (m.fsyncs.empty()) {
      for (const auto& msg : r.send_after_persist)
        send(msg);
    } else {
      auto& then = m.fsyncs.back().then_send;
      then.insert(then.end(), r.send_after_persist.begin(), r.send_after_persist.end());
    }
  }
  // 4. Apply, serve reads, receive snapshots (allowed before the batch is durable).
  for (const auto& e : r.committed)
    apply(m, e);
  for (const auto& rs : r.reads) {
    auto it = m.reads_started.find(rs.request_id);
    if (it == m.reads_started.end()) continue;
    m.reads_confirmed.emplace(rs.index, it->second);
    m.reads_started.erase(it);
  }
  for (uint64_t id : r.failed_reads) {
    auto it = m.reads_started.find(id);
    if (it == m.reads_started.end()) continue;
    reply(m, it->second, client_reply::kind::retry);
    m.reads_started.erase(it);
  }
  serve_reads(m);
  for (const auto& chunk : r.snapshot_chunks)
    receive_chunk(m, chunk);
  if (options_.snapshot_every > 0 &&
      m.kv.applied_index() >= m.last_snapshot + options_.snapshot_every)
    take_snapshot(m);
}

void raft_cluster::start_fsync(member& m, uint64_t write,
                               std::optional<store::raft::proposal> last) {
  // One disk: fsyncs finish in the order they started.
  const int64_t at =
      std::max(m.last_fsync_ms, now_ + uniform(options_.min_fsync_ms, options_.max_fsync_ms));
  m.last_fsync_ms = at;
  m.fsyncs.push_back(member::pending_fsync{write, last, {}});
  schedule(at, fsync_done{m.id, m.incarnation});
}

void raft_cluster::on_fsync_done(member& m) {
  if (m.fsyncs.empty()) harness_bug(m.id + ": an fsync finished that never started");
  member::pending_fsync f = std::move(m.fsyncs.front());
  m.fsyncs.pop_front();
  m.disk.sync(f.write);
  ++stats_.fsyncs;
  if (f.persisted) m.core->on_persisted(f.persisted->index, f.persisted->term);
  for (const auto& msg : f.then_send)
    send(msg);
  drain(m);
}

void raft_cluster::apply(member& m, const LogEntry& entry) {
  invariants_.applied(m.id, entry);
  const sim_kv::apply_result result = m.kv.apply(entry);
  if (result.duplicate) ++stats_.duplicates_skipped;
  if (result.took_effect) {
    // Every member applies a command at the same index; another index is a second effect.
    auto [at, first] =
        effects_.emplace(std::make_pair(result.client_id, result.sequence), entry.index());
    if (!first && at->second != entry.index()) ++double_applied_;
  }
  if (entry.type() == messages::ENTRY_CONFIG && !m.applied_config.ParseFromString(entry.data()))
    harness_bug(m.id + ": unparsable configuration entry");
  auto it = m.proposals.find(entry.index());
  if (it == m.proposals.end()) return;
  // Another leader's entry took the proposal's place: it was never applied here.
  const bool ours = it->second.term == entry.term() && !result.rejected;
  reply(m, it->second.request, ours ? client_reply::kind::done : client_reply::kind::retry,
        result.output);
  m.proposals.erase(it);
}

void raft_cluster::serve_reads(member& m) {
  while (!m.reads_confirmed.empty() && m.reads_confirmed.begin()->first <= m.kv.applied_index()) {
    const client_request& request = m.reads_confirmed.begin()->second;
    reply(m, request, client_reply::kind::done, m.kv.get(request.input.key));
    m.reads_confirmed.erase(m.reads_confirmed.begin());
  }
}

void raft_cluster::receive_chunk(member& m, const store::raft::snapshot_chunk& chunk) {
  if (chunk.offset == 0) {
    m.incoming = sim_snapshot{chunk.meta, {}};
    m.incoming_mixed = false;
  }
  // Invariant: the core hands out the chunks it accepted contiguously from offset 0.
  if (!m.incoming || chunk.offset != m.incoming->data.size())
    harness_bug(m.id + ": snapshot chunk at offset " + std::to_string(chunk.offset) +
                " does not follow what was received");
  if (!same_snapshot(chunk.meta, m.incoming->meta)) m.incoming_mixed = true;
  m.incoming->data += chunk.data;
  if (!chunk.done) return;
  sim_snapshot received = std::move(*m.incoming);
  m.incoming.reset();
  const bool ok = !m.incoming_mixed && received.data.size() == chunk.meta.size() &&
                  store::crc32c(received.data) == chunk.meta.checksum();
  if (!ok) {
    ++stats_.snapshot_checksum_failures;
    return m.core->on_snapshot_installed(chunk.meta, false);
  }
  install_snapshot(m, chunk.meta, received.data);
}

void raft_cluster::install_snapshot(member& m, const SnapshotMeta& meta, const std::string& data) {
  auto kv = sim_kv::parse(data, options_.sessions);
  if (!kv || kv->applied_index() != meta.last_index())
    harness_bug(m.id + ": a snapshot with a good checksum does not parse");
  // Invariant: the core asks for a snapshot only beyond its commit index, so beyond what
  // the state machine applied.
  if (meta.last_index() <= m.kv.applied_index())
    harness_bug(m.id + ": asked to install snapshot " + std::to_string(meta.last_index()) +
                " over applied index " + std::to_string(m.kv.applied_index()));
  m.kv = std::move(*kv);
  m.applied_config = meta.config();
  m.snapshots[meta.last_index()] = data;
  m.last_snapshot = meta.last_index();
  ++m.snapshots_installed;
  ++stats_.snapshots_installed;
  disk_write w;
  w.snapshot = meta;
  w.snapshot_data = data;
  w.installed = true;
  start_fsync(m, m.disk.write(std::move(w)), std::nullopt);
  // Proposals the snapshot covers: whether they were applied is unknown here.
  while (!m.proposals.empty() && m.proposals.begin()->first <= meta.last_index()) {
    reply(m, m.proposals.begin()->second.request, client_reply::kind::retry);
    m.proposals.erase(m.proposals.begin());
  }
  serve_reads(m);
  m.core->on_snapshot_installed(meta, true);
}

void raft_cluster::take_snapshot(member& m) {
  SnapshotMeta meta;
  std::string data = m.kv.serialize();
  meta.set_last_index(m.kv.applied_index());
  meta.set_last_term(m.kv.applied_term());
  // As of the applied index: raft_core::configuration() may already hold a newer,
  // uncommitted one.
  *meta.mutable_config() = m.applied_config;
  meta.set_size(data.size());
  meta.set_checksum(store::crc32c(data));
  disk_write w;
  w.snapshot = meta;
  w.snapshot_data = data;
  m.disk.write(std::move(w));  // durable with the next fsync, before any later compaction
  m.snapshots[meta.last_index()] = std::move(data);
  m.last_snapshot = meta.last_index();
  ++stats_.snapshots_taken;
  m.core->on_snapshot_taken(meta, options_.keep_trailing);
}

}  // namespace troupe::test_support
