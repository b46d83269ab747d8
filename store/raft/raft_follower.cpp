// The follower's side of Raft: AppendEntries (log matching, truncation, commit) and
// InstallSnapshot received in chunks.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "store/raft/raft_core.hpp"

namespace troupe::store::raft {

void raft_core::on_append_entries(const RaftMessage& m, int64_t now_ms) {
  // Invariant: m.term() == term(); a leader of this term exists, so follow it.
  if (role_ != role::follower || leader_id_ != m.from())
    become_follower(hard_state_.term(), m.from(), now_ms);
  last_leader_contact_ms_ = now_ms;
  reset_election_timer(now_ms);

  const auto& ae = m.append_entries();
  RaftMessage reply;
  reply.set_to(m.from());
  auto* out = reply.mutable_append_entries_reply();
  out->set_read_context(ae.read_context());

  // Entries at or before the commit index are already here and equal to the leader's
  // (Leader Completeness), so they are skipped, even where compacted away.
  index_t prev = ae.prev_log_index();
  int first = 0;
  while (first < ae.entries_size() && ae.entries(first).index() <= commit_index_)
    ++first;
  if (first > 0) prev = ae.entries(first - 1).index();
  bool prev_matches = prev <= commit_index_;
  if (!prev_matches) {
    if (prev > last_index()) {
      out->set_hint_index(last_index() + 1);
      return send(std::move(reply), false);
    }
    auto t = term_at(prev);
    prev_matches = t && *t == ae.prev_log_term();
    if (!prev_matches) {
      // Skip back over the whole conflicting term in one round trip (thesis §5.3).
      index_t hint = prev;
      while (hint > commit_index_ + 1 && hint > first_index() && term_at(hint - 1) == t)
        --hint;
      out->set_hint_index(std::max<index_t>(hint, 1));
      return send(std::move(reply), false);
    }
  }

  for (int i = first; i < ae.entries_size(); ++i) {
    const auto& e = ae.entries(i);
    if (e.checksum() != entry_checksum(e)) {
      // Damaged in transit: take what came before it and ask again from here.
      out->set_hint_index(e.index());
      return send(std::move(reply), false);
    }
    if (e.index() <= last_index()) {
      if (term_at(e.index()) == e.term()) continue;
      truncate_from(e.index());
    }
    log_.push_back(e);
    if (e.type() == messages::ENTRY_CONFIG) apply_configuration_from_log();
  }
  index_t last_new = ae.entries_size() > 0 ? ae.entries(ae.entries_size() - 1).index() : prev;
  last_new = std::max(last_new, prev);
  set_commit_index(std::min(ae.leader_commit(), last_new));
  out->set_success(true);
  out->set_match_index(last_new);
  // The leader counts this member toward commit only once the entries are durable.
  send(std::move(reply), true);
}

void raft_core::truncate_from(index_t index) {
  // Invariant: committed entries are never overwritten (Log Matching, State Machine Safety).
  if (index <= commit_index_) {
    std::fprintf(stderr, "raft %s: invariant broken: truncating committed entry %llu\n",
                 id().c_str(), static_cast<unsigned long long>(index));
    std::abort();
  }
  while (!log_.empty() && log_.back().index() >= index)
    log_.pop_back();
  unsent_from_ = std::min(unsent_from_, index);
  persisted_index_ = std::min(persisted_index_, index - 1);
  if (config_index_ >= index) apply_configuration_from_log();
}

void raft_core::set_commit_index(index_t index) {
  index = std::min(index, last_index());
  if (index > commit_index_) commit_index_ = index;
}

void raft_core::on_install_snapshot(const RaftMessage& m, int64_t now_ms) {
  if (role_ != role::follower || leader_id_ != m.from())
    become_follower(hard_state_.term(), m.from(), now_ms);
  last_leader_contact_ms_ = now_ms;
  reset_election_timer(now_ms);

  const auto& is = m.install_snapshot();
  RaftMessage reply;
  reply.set_to(m.from());
  auto* out = reply.mutable_install_snapshot_reply();
  if (is.meta().last_index() <= commit_index_) {
    // Everything in it is already here.
    out->set_next_offset(is.meta().size());
    out->set_done(true);
    return send(std::move(reply), false);
  }
  if (installing_snapshot_) return;  // the driver is installing; it answers when done
  if (is.offset() == 0) incoming_snapshot_offset_ = 0;
  if (is.offset() != incoming_snapshot_offset_) {
    out->set_next_offset(incoming_snapshot_offset_);  // resend from what we have
    return send(std::move(reply), false);
  }
  incoming_snapshot_offset_ += is.data().size();
  ready_.snapshot_chunks.push_back({is.meta(), is.offset(), is.data(), is.done()});
  if (is.done()) {
    installing_snapshot_ = true;  // the reply waits for on_snapshot_installed()
    return;
  }
  out->set_next_offset(incoming_snapshot_offset_);
  send(std::move(reply), true);
}

void raft_core::on_snapshot_installed(const SnapshotMeta& meta, bool ok) {
  installing_snapshot_ = false;
  incoming_snapshot_offset_ = 0;
  RaftMessage reply;
  reply.set_to(leader_id_);
  auto* out = reply.mutable_install_snapshot_reply();
  if (!ok) {
    out->set_next_offset(0);  // start over
    if (!leader_id_.empty()) send(std::move(reply), false);
    return;
  }
  // Keep the log after the snapshot if it agrees with it; otherwise discard it all.
  auto t = term_at(meta.last_index());
  if (t && *t == meta.last_term()) {
    while (!log_.empty() && log_.front().index() <= meta.last_index())
      log_.pop_front();
  } else {
    // Nothing after the snapshot survives, durable or not; what follows must be persisted
    // afresh (tests/sim regression_snapshot_storm).
    log_.clear();
    ready_.discard_log_after = meta.last_index();
    persisted_index_ = std::min(persisted_index_, meta.last_index());
    unsent_from_ = std::min(unsent_from_, meta.last_index() + 1);
  }
  snapshot_ = meta;
  log_offset_ = meta.last_index();
  log_offset_term_ = meta.last_term();
  commit_index_ = std::max(commit_index_, meta.last_index());
  applied_index_ = std::max(applied_index_, meta.last_index());
  persisted_index_ = std::max(persisted_index_, meta.last_index());
  unsent_from_ = std::max(unsent_from_, meta.last_index() + 1);
  config_ = meta.config();
  config_index_ = 0;
  apply_configuration_from_log();
  ready_.compacted_to = meta.last_index();
  out->set_next_offset(meta.size());
  out->set_done(true);
  if (!leader_id_.empty()) send(std::move(reply), true);
}

}  // namespace troupe::store::raft
