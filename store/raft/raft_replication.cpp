// The leader's side of Raft: proposals, pipelined AppendEntries, InstallSnapshot in
// chunks, the commit rule, ReadIndex confirmation, CheckQuorum and membership.
#include <algorithm>

#include "store/raft/raft_core.hpp"

namespace troupe::store::raft {

using messages::errc;

std::optional<proposal> raft_core::append_as_leader(messages::EntryType type, std::string data,
                                                    errc* error) {
  if (role_ != role::leader || !transfer_target_.empty()) {
    if (error) *error = errc::not_leader;
    return std::nullopt;
  }
  LogEntry e;
  e.set_term(hard_state_.term());
  e.set_index(last_index() + 1);
  e.set_type(type);
  e.set_data(std::move(data));
  e.set_checksum(entry_checksum(e));
  log_.push_back(std::move(e));
  if (type == messages::ENTRY_CONFIG) apply_configuration_from_log();
  // A single-member cluster commits as soon as its own disk has the entry.
  return proposal{last_index(), hard_state_.term()};
}

std::optional<proposal> raft_core::add_member(const messages::Member& member, errc* error) {
  // One change at a time (thesis §4.1), none before this term's no-op commits, and no
  // duplicates. Without the no-op rule an uncommitted change of an earlier leader can still
  // win an election and overwrite entries committed under this one (Ongaro, raft-dev, 2015;
  // tests/sim regression_membership_change_before_noop_commits).
  if (role_ == role::leader &&
      (config_index_ > commit_index_ || commit_index_ < noop_index_ || is_voter(member.id()))) {
    if (error) *error = is_voter(member.id()) ? errc::already_exists : errc::unavailable;
    return std::nullopt;
  }
  Configuration next = config_;
  *next.add_members() = member;
  auto p = append_as_leader(messages::ENTRY_CONFIG, next.SerializeAsString(), error);
  // Probe the new member at once rather than at the next heartbeat.
  if (auto it = peers_.find(member.id()); p && it != peers_.end())
    replicate_to(it->first, it->second, true);
  return p;
}

std::optional<proposal> raft_core::remove_member(const std::string& id, errc* error) {
  if (role_ == role::leader &&
      (config_index_ > commit_index_ || commit_index_ < noop_index_ || !is_voter(id))) {
    if (error) *error = is_voter(id) ? errc::unavailable : errc::not_found;
    return std::nullopt;
  }
  Configuration next;
  for (const auto& m : config_.members())
    if (m.id() != id) *next.add_members() = m;
  return append_as_leader(messages::ENTRY_CONFIG, next.SerializeAsString(), error);
}

void raft_core::apply_configuration_from_log() {
  // The newest configuration entry in the log is in effect, committed or not.
  for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
    if (it->type() != messages::ENTRY_CONFIG) continue;
    if (it->index() == config_index_) return;
    Configuration parsed;
    if (!parsed.ParseFromString(it->data())) continue;  // checksummed; cannot happen
    config_ = std::move(parsed);
    config_index_ = it->index();
    sync_peers_with_config();
    return;
  }
  // No configuration entry in the log (it was truncated away): the snapshot's.
  if (config_index_ != 0) {
    config_ = snapshot_.config();
    config_index_ = 0;
    sync_peers_with_config();
  }
}

void raft_core::sync_peers_with_config() {
  if (role_ != role::leader) return;
  for (auto it = peers_.begin(); it != peers_.end();)
    it = is_voter(it->first) ? std::next(it) : peers_.erase(it);
  for (const auto& m : config_.members()) {
    if (m.id() == options_.self || peers_.count(m.id())) continue;
    peer p;
    p.next_index = last_index() + 1;
    p.last_heard_ms = now_ms_;
    peers_.emplace(m.id(), p);
  }
}

void raft_core::replicate_to_all() {
  for (auto& [id, p] : peers_)
    replicate_to(id, p, true);
}

void raft_core::replicate_to(const std::string& id, peer& p, bool heartbeat) {
  if (p.snapshot) {
    // A stalled transfer is resumed from the last acknowledged offset.
    if (heartbeat && now_ms_ - p.snapshot_sent_ms >= options_.election_timeout_ms / 2)
      send_snapshot_chunk(id, p);
    return;
  }
  index_t prev = p.next_index - 1;
  auto prev_term = term_at(prev);
  if (prev < log_offset_ || !prev_term) {
    // The entries it needs were compacted away: send the snapshot instead.
    if (snapshot_.last_index() == 0 || !snapshot_reader_) return;
    p.snapshot = snapshot_;
    p.snapshot_offset = 0;
    p.inflight.clear();
    return send_snapshot_chunk(id, p);
  }
  bool window_full =
      p.probing ? !p.inflight.empty() : p.inflight.size() >= options_.max_inflight_appends;
  if (window_full && !heartbeat) return;
  RaftMessage m;
  m.set_to(id);
  auto* ae = m.mutable_append_entries();
  ae->set_prev_log_index(prev);
  ae->set_prev_log_term(*prev_term);
  ae->set_leader_commit(commit_index_);
  ae->set_read_context(read_context_);
  if (!window_full) {
    std::size_t bytes = 0;
    for (index_t i = p.next_index; i <= last_index(); ++i) {
      const auto* e = entry_at(i);
      if (ae->entries_size() > 0 &&
          (static_cast<std::size_t>(ae->entries_size()) >= options_.max_append_entries ||
           bytes + e->data().size() > options_.max_append_bytes))
        break;
      bytes += e->data().size();
      *ae->add_entries() = *e;
    }
  }
  if (ae->entries_size() == 0 && !heartbeat) return;
  if (ae->entries_size() > 0) {
    // Pipelining: assume success and move on; a rejection rewinds next_index.
    p.next_index = ae->entries(ae->entries_size() - 1).index() + 1;
    p.inflight.push_back(p.next_index - 1);
  }
  send(std::move(m), false);
}

void raft_core::send_snapshot_chunk(const std::string& id, peer& p) {
  const auto& meta = *p.snapshot;
  RaftMessage m;
  m.set_to(id);
  auto* is = m.mutable_install_snapshot();
  *is->mutable_meta() = meta;
  is->set_offset(p.snapshot_offset);
  is->set_data(snapshot_reader_(meta, p.snapshot_offset, options_.snapshot_chunk_bytes));
  is->set_done(p.snapshot_offset + is->data().size() >= meta.size());
  p.snapshot_sent_ms = now_ms_;
  send(std::move(m), false);
}

void raft_core::on_append_entries_reply(const RaftMessage& m, int64_t now_ms) {
  if (role_ != role::leader) return;
  auto it = peers_.find(m.from());
  if (it == peers_.end()) return;
  peer& p = it->second;
  const auto& r = m.append_entries_reply();
  p.last_heard_ms = now_ms;
  p.acked_read_context = std::max(p.acked_read_context, r.read_context());
  if (r.success()) {
    p.match_index = std::max(p.match_index, r.match_index());
    p.next_index = std::max(p.next_index, p.match_index + 1);
    while (!p.inflight.empty() && p.inflight.front() <= p.match_index)
      p.inflight.pop_front();
    p.probing = false;
    advance_commit_index();
    if (role_ != role::leader) return;  // it may have committed its own removal
    if (m.from() == transfer_target_ && p.match_index == last_index()) {
      RaftMessage tn;
      tn.set_to(m.from());
      tn.mutable_timeout_now();
      send(std::move(tn), false);
    }
  } else if (r.hint_index() > 0) {
    // Rewind to where the follower's log can match, never below what it acknowledged.
    p.next_index = std::max(p.match_index + 1, std::min(r.hint_index(), p.next_index));
    p.inflight.clear();
    p.probing = true;
  } else {
    return;  // a refusal with no hint: from a stale term, handled by the term check
  }
  confirm_reads();
  replicate_to(m.from(), p, false);
}

void raft_core::on_install_snapshot_reply(const RaftMessage& m, int64_t now_ms) {
  if (role_ != role::leader) return;
  auto it = peers_.find(m.from());
  if (it == peers_.end() || !it->second.snapshot) return;
  peer& p = it->second;
  p.last_heard_ms = now_ms;
  const auto& r = m.install_snapshot_reply();
  if (r.done()) {
    // The reply does not name its snapshot: a late or duplicated one from an earlier
    // transfer must not raise match_index, or the follower stays stuck below it. Probe from
    // the snapshot's end instead; the AppendEntries reply tells what the follower has
    // (tests/sim regression_snapshot_storm).
    p.next_index = p.snapshot->last_index() + 1;
    p.snapshot.reset();
    p.probing = true;
    p.inflight.clear();
    return replicate_to(m.from(), p, false);
  }
  p.snapshot_offset = r.next_offset();
  send_snapshot_chunk(m.from(), p);
}

void raft_core::advance_commit_index() {
  std::vector<index_t> matches;
  for (const auto& member : config_.members()) {
    if (member.id() == options_.self) {
      matches.push_back(persisted_index_);
    } else if (auto it = peers_.find(member.id()); it != peers_.end()) {
      matches.push_back(it->second.match_index);
    } else {
      matches.push_back(0);
    }
  }
  if (matches.empty()) return;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  index_t candidate = matches[quorum() - 1];
  // Only entries of the current term commit by counting replicas (thesis §3.6.2).
  auto t = term_at(candidate);
  if (candidate > commit_index_ && t && *t == hard_state_.term()) {
    set_commit_index(candidate);
    // A leader that committed its own removal steps down (thesis §4.2.2).
    if (!is_voter(options_.self) && config_index_ <= commit_index_) {
      become_follower(hard_state_.term(), "", now_ms_);
      return;
    }
  }
  confirm_reads();
}

void raft_core::confirm_reads() {
  if (role_ != role::leader) return;
  auto quorum_acked = [this](uint64_t context) {
    std::size_t acks = is_voter(options_.self) ? 1 : 0;
    for (const auto& [id, p] : peers_)
      if (is_voter(id) && p.acked_read_context >= context) ++acks;
    return acks >= quorum();
  };
  if (read_round_context_ != 0 && quorum_acked(read_round_context_)) {
    read_round_context_ = 0;
    // Reads that came during the finished round share the next one.
    if (!pending_reads_.empty() && !quorum_acked(pending_reads_.back().context)) {
      read_round_context_ = read_context_;
      replicate_to_all();
    }
  }
  if (commit_index_ < noop_index_) return;
  while (!pending_reads_.empty()) {
    auto& r = pending_reads_.front();
    if (!quorum_acked(r.context)) return;
    // Reads wait for this term's no-op: before it, commit_index may lag (§6.4).
    ready_.reads.push_back({r.request_id, std::max(r.index, noop_index_)});
    pending_reads_.pop_front();
  }
}

void raft_core::check_quorum(int64_t now_ms) {
  if (!options_.check_quorum || now_ms < quorum_check_due_ms_) return;
  quorum_check_due_ms_ = now_ms + options_.election_timeout_ms;
  std::size_t heard = is_voter(options_.self) ? 1 : 0;
  for (const auto& [id, p] : peers_)
    if (is_voter(id) && now_ms - p.last_heard_ms < options_.election_timeout_ms) ++heard;
  // A leader cut off from a majority steps down rather than serve stale reads.
  if (heard < quorum()) become_follower(hard_state_.term(), "", now_ms);
}

void raft_core::on_snapshot_taken(const SnapshotMeta& meta, std::size_t keep_trailing) {
  if (meta.last_index() <= snapshot_.last_index() || meta.last_index() > applied_index_) return;
  snapshot_ = meta;
  index_t compact_to = meta.last_index() > keep_trailing ? meta.last_index() - keep_trailing : 0;
  if (compact_to <= log_offset_) return;
  log_offset_term_ = term_at(compact_to);
  while (!log_.empty() && log_.front().index() <= compact_to)
    log_.pop_front();
  log_offset_ = compact_to;
  ready_.compacted_to = compact_to;
}

}  // namespace troupe::store::raft
