// Roles, terms and elections (thesis ch. 3, with PreVote and the leader lease of §9.6
// and §4.2.3), plus the plumbing shared by the leader's and the follower's sides.
#include "store/raft/raft_core.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "store/crc32c.hpp"

namespace troupe::store::raft {

using messages::errc;

namespace {

[[noreturn]] void invariant_failed(const std::string& who, const char* what) {
  std::fprintf(stderr, "raft %s: invariant broken: %s\n", who.c_str(), what);
  std::abort();
}

}  // namespace

uint32_t entry_checksum(const LogEntry& entry) {
  uint8_t header[20];
  auto put = [&](int at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      header[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(0, entry.term(), 8);
  put(8, entry.index(), 8);
  put(16, static_cast<uint32_t>(entry.type()), 4);
  uint32_t crc = crc32c_extend(0, header, sizeof header);
  return crc32c_extend(crc, entry.data().data(), entry.data().size());
}

bool ready::empty() const {
  return !hard_state && entries.empty() && send_now.empty() && send_after_persist.empty() &&
         committed.empty() && reads.empty() && failed_reads.empty() && snapshot_chunks.empty() &&
         !compacted_to && !discard_log_after;
}

std::string_view to_string(role r) {
  switch (r) {
    case role::follower:
      return "follower";
    case role::pre_candidate:
      return "pre-candidate";
    case role::candidate:
      return "candidate";
    case role::leader:
      return "leader";
  }
  return "?";
}

raft_core::raft_core(raft_options options, persisted_state state, int64_t now_ms, uint64_t seed)
    : options_(std::move(options)),
      rng_(seed),
      hard_state_(state.hard_state),
      snapshot_(state.snapshot),
      now_ms_(now_ms) {
  if (!state.entries.empty()) {
    log_offset_ = state.entries.front().index() - 1;
    log_offset_term_.reset();
    if (log_offset_ == snapshot_.last_index()) log_offset_term_ = snapshot_.last_term();
    if (log_offset_ == 0) log_offset_term_ = 0;
  } else {
    log_offset_ = snapshot_.last_index();
    log_offset_term_ = snapshot_.last_term();
  }
  for (auto& e : state.entries)
    log_.push_back(std::move(e));
  persisted_index_ = last_index();
  unsent_from_ = last_index() + 1;
  // Applied entries were committed; a snapshot holds only committed entries.
  applied_index_ = std::max(state.applied, snapshot_.last_index());
  commit_index_ = applied_index_;
  config_ = snapshot_.config();
  if (config_.members().empty()) config_ = state.bootstrap;
  apply_configuration_from_log();
  reset_election_timer(now_ms);
  check_invariants();
}

index_t raft_core::last_index() const {
  return log_.empty() ? log_offset_ : log_.back().index();
}

term_t raft_core::last_term() const {
  if (!log_.empty()) return log_.back().term();
  return log_offset_term_.value_or(snapshot_.last_term());
}

std::optional<term_t> raft_core::term_at(index_t index) const {
  if (index == log_offset_) return log_offset_term_;
  if (index == snapshot_.last_index() && index != 0) return snapshot_.last_term();
  if (const auto* e = entry_at(index)) return e->term();
  return std::nullopt;
}

const LogEntry* raft_core::entry_at(index_t index) const {
  if (index <= log_offset_ || index > last_index()) return nullptr;
  return &log_[index - log_offset_ - 1];
}

bool raft_core::is_voter(const std::string& id) const {
  for (const auto& m : config_.members())
    if (m.id() == id) return true;
  return false;
}

std::size_t raft_core::quorum() const {
  return config_.members_size() / 2 + 1;
}

bool raft_core::log_up_to_date(index_t index, term_t term) const {
  return term > last_term() || (term == last_term() && index >= last_index());
}

void raft_core::peer_unreachable(const std::string& id, int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  if (role_ != role::follower || id.empty() || leader_id_ != id) return;
  leader_id_.clear();
  last_leader_contact_ms_ = -1;
  // The survivors campaign in turns, by their rank among the other voters (sorted by id),
  // each turn an eighth of the election timeout apart with a little jitter inside it: all
  // of them learn of the death at about the same moment, and two that campaigned together
  // would split the vote and wait a whole timeout. A turn that fails (a stale log, a member
  // that still holds the lease) leaves the next survivor's turn, then the ordinary timeout.
  std::vector<std::string> others;
  for (const auto& m : config_.members())
    if (m.id() != id) others.push_back(m.id());
  std::sort(others.begin(), others.end());
  const auto rank = std::find(others.begin(), others.end(), options_.self) - others.begin();
  const int64_t turn = std::max<int64_t>(2, options_.election_timeout_ms / 8);
  std::uniform_int_distribution<int64_t> jitter(0, turn / 2);
  election_deadline_ms_ = std::min(election_deadline_ms_, now_ms_ + rank * turn + jitter(rng_));
}

void raft_core::reset_election_timer(int64_t now_ms) {
  std::uniform_int_distribution<int64_t> jitter(0, options_.election_timeout_ms - 1);
  election_deadline_ms_ = now_ms + options_.election_timeout_ms + jitter(rng_);
}

void raft_core::set_term(term_t term) {
  if (term < hard_state_.term()) invariant_failed(id(), "term decreased");
  hard_state_.set_term(term);
  hard_state_.clear_voted_for();
  hard_state_dirty_ = true;
}

void raft_core::send(RaftMessage m, bool after_persist) {
  m.set_from(options_.self);
  if (m.term() == 0) m.set_term(hard_state_.term());
  // Anything sent while the hard state is unsaved depends on it (a vote, a new term).
  if (after_persist || hard_state_dirty_) {
    ready_.send_after_persist.push_back(std::move(m));
  } else {
    ready_.send_now.push_back(std::move(m));
  }
}

void raft_core::fail_pending_reads() {
  for (const auto& r : pending_reads_)
    ready_.failed_reads.push_back(r.request_id);
  pending_reads_.clear();
  read_round_context_ = 0;
}

// -- roles --------------------------------------------------------------------------

void raft_core::become_follower(term_t term, const std::string& leader, int64_t now_ms) {
  if (term > hard_state_.term()) set_term(term);
  if (role_ == role::leader) fail_pending_reads();
  role_ = role::follower;
  leader_id_ = leader;
  peers_.clear();
  transfer_target_.clear();
  votes_.clear();
  if (!leader.empty()) last_leader_contact_ms_ = now_ms;
  reset_election_timer(now_ms);
}

void raft_core::become_pre_candidate(int64_t now_ms) {
  role_ = role::pre_candidate;
  leader_id_.clear();
  votes_ = {{options_.self, true}};
  reset_election_timer(now_ms);
  if (votes_.size() >= quorum()) return become_candidate(now_ms, false);
  send_vote_requests(true, false);
}

void raft_core::become_candidate(int64_t now_ms, bool transfer) {
  set_term(hard_state_.term() + 1);
  hard_state_.set_voted_for(options_.self);
  role_ = role::candidate;
  leader_id_.clear();
  votes_ = {{options_.self, true}};
  reset_election_timer(now_ms);
  if (votes_.size() >= quorum()) return become_leader(now_ms);
  send_vote_requests(false, transfer);
}

void raft_core::become_leader(int64_t now_ms) {
  role_ = role::leader;
  leader_id_ = options_.self;
  votes_.clear();
  peers_.clear();
  sync_peers_with_config();
  for (auto& [id, p] : peers_)
    p.last_heard_ms = now_ms;
  heartbeat_due_ms_ = now_ms;
  quorum_check_due_ms_ = now_ms + options_.election_timeout_ms;
  read_context_ = 0;
  read_round_context_ = 0;
  // A no-op in the new term commits everything before it (thesis §6.4), and ReadIndex
  // waits for it (§6.4.1).
  auto noop = append_as_leader(messages::ENTRY_NOOP, {}, nullptr);
  noop_index_ = noop->index;
  replicate_to_all();
}

void raft_core::send_vote_requests(bool pre_vote, bool transfer) {
  for (const auto& m : config_.members()) {
    if (m.id() == options_.self) continue;
    RaftMessage out;
    out.set_to(m.id());
    // A PreVote asks about the term an election would use, without moving to it.
    out.set_term(hard_state_.term() + (pre_vote ? 1 : 0));
    auto* rv = out.mutable_request_vote();
    rv->set_last_log_index(last_index());
    rv->set_last_log_term(last_term());
    rv->set_pre_vote(pre_vote);
    rv->set_leadership_transfer(transfer);
    send(std::move(out), false);
  }
}

// -- inputs -------------------------------------------------------------------------

void raft_core::tick(int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  if (role_ == role::leader) {
    if (now_ms_ >= heartbeat_due_ms_) {
      heartbeat_due_ms_ = now_ms_ + options_.heartbeat_ms;
      replicate_to_all();
    }
    check_quorum(now_ms_);
    if (role_ == role::leader && !transfer_target_.empty() && now_ms_ >= transfer_deadline_ms_)
      transfer_target_.clear();  // the target did not take over in time
    return;
  }
  if (now_ms_ < election_deadline_ms_) return;
  // A removed member, or one not yet added, must not disrupt the cluster.
  if (!is_voter(options_.self)) return reset_election_timer(now_ms_);
  if (options_.pre_vote) return become_pre_candidate(now_ms_);
  become_candidate(now_ms_, false);
}

void raft_core::receive(const RaftMessage& m, int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  if (m.to() != options_.self || m.from() == options_.self) return;
  const term_t term = hard_state_.term();
  bool is_vote = m.has_request_vote();
  if (m.term() > term) {
    if (is_vote) {
      // Leader lease (§4.2.3): while a leader is heard from, a vote request must not
      // depose it, unless it comes from a leadership transfer.
      bool lease = last_leader_contact_ms_ >= 0 &&
                   now_ms_ - last_leader_contact_ms_ < options_.election_timeout_ms &&
                   !leader_id_.empty();
      if (lease && !m.request_vote().leadership_transfer()) {
        if (!m.request_vote().pre_vote()) return;  // ignore: do not even raise the term
      }
      if (!m.request_vote().pre_vote() && !(lease && !m.request_vote().leadership_transfer()))
        become_follower(m.term(), "", now_ms_);
    } else if (m.has_request_vote_reply() && m.request_vote_reply().pre_vote() &&
               m.request_vote_reply().granted()) {
      // A granted PreVote carries the proposed term; nobody moved to it yet.
    } else {
      bool from_leader = m.has_append_entries() || m.has_install_snapshot() || m.has_timeout_now();
      become_follower(m.term(), from_leader ? m.from() : "", now_ms_);
    }
  } else if (m.term() < term) {
    // A stale leader learns the new term from the rejection and steps down.
    if (m.has_append_entries()) {
      RaftMessage reply;
      reply.set_to(m.from());
      reply.mutable_append_entries_reply()->set_success(false);
      send(std::move(reply), false);
    } else if (is_vote) {
      RaftMessage reply;
      reply.set_to(m.from());
      reply.mutable_request_vote_reply()->set_pre_vote(m.request_vote().pre_vote());
      send(std::move(reply), false);
    }
    return;
  }

  switch (m.body_case()) {
    case RaftMessage::kRequestVote:
      return on_request_vote(m, now_ms_);
    case RaftMessage::kRequestVoteReply:
      return on_request_vote_reply(m, now_ms_);
    case RaftMessage::kAppendEntries:
      return on_append_entries(m, now_ms_);
    case RaftMessage::kAppendEntriesReply:
      return on_append_entries_reply(m, now_ms_);
    case RaftMessage::kInstallSnapshot:
      return on_install_snapshot(m, now_ms_);
    case RaftMessage::kInstallSnapshotReply:
      return on_install_snapshot_reply(m, now_ms_);
    case RaftMessage::kTimeoutNow:
      return on_timeout_now(m, now_ms_);
    case RaftMessage::BODY_NOT_SET:
      return;
  }
}

void raft_core::on_request_vote(const RaftMessage& m, int64_t now_ms) {
  const auto& rv = m.request_vote();
  RaftMessage reply;
  reply.set_to(m.from());
  auto* out = reply.mutable_request_vote_reply();
  out->set_pre_vote(rv.pre_vote());
  bool up_to_date = log_up_to_date(rv.last_log_index(), rv.last_log_term());
  if (rv.pre_vote()) {
    bool lease = last_leader_contact_ms_ >= 0 &&
                 now_ms - last_leader_contact_ms_ < options_.election_timeout_ms &&
                 !leader_id_.empty() && role_ != role::leader;
    bool granted = m.term() > hard_state_.term() && up_to_date &&
                   (!lease || rv.leadership_transfer()) && role_ != role::leader;
    out->set_granted(granted);
    // A grant answers in the proposed term; a refusal tells our own.
    reply.set_term(granted ? m.term() : hard_state_.term());
    return send(std::move(reply), false);
  }
  // Invariant here: m.term() == term (higher terms were adopted in receive()).
  bool can_vote = hard_state_.voted_for().empty() || hard_state_.voted_for() == m.from();
  bool granted = m.term() == hard_state_.term() && can_vote && up_to_date;
  if (granted) {
    if (hard_state_.voted_for() != m.from()) {
      hard_state_.set_voted_for(m.from());
      hard_state_dirty_ = true;
    }
    reset_election_timer(now_ms);
  }
  out->set_granted(granted);
  send(std::move(reply), true);  // a grant must be durable before it is heard
}

void raft_core::on_request_vote_reply(const RaftMessage& m, int64_t now_ms) {
  const auto& r = m.request_vote_reply();
  bool counts = (role_ == role::pre_candidate && r.pre_vote() &&
                 m.term() == hard_state_.term() + (r.granted() ? 1 : 0)) ||
                (role_ == role::candidate && !r.pre_vote() && m.term() == hard_state_.term());
  if (!counts || !is_voter(m.from())) return;
  votes_[m.from()] = r.granted();
  std::size_t yes = 0, no = 0;
  for (const auto& [id, granted] : votes_)
    (granted ? yes : no)++;
  if (yes >= quorum()) {
    if (role_ == role::pre_candidate) return become_candidate(now_ms, false);
    return become_leader(now_ms);
  }
  if (no >= quorum()) become_follower(hard_state_.term(), "", now_ms);
}

void raft_core::on_timeout_now(const RaftMessage& m, int64_t now_ms) {
  (void)m;
  if (role_ == role::leader || !is_voter(options_.self)) return;
  become_candidate(now_ms, true);
}

std::optional<proposal> raft_core::propose(std::string data, errc* error) {
  return append_as_leader(messages::ENTRY_COMMAND, std::move(data), error);
}

bool raft_core::read_index(uint64_t request_id, errc* error) {
  if (role_ != role::leader || !transfer_target_.empty()) {
    if (error) *error = errc::not_leader;
    return false;
  }
  pending_reads_.push_back({request_id, commit_index_, ++read_context_});
  // Confirm leadership with a heartbeat round now rather than at the next tick, unless one
  // is under way: then this read joins the round that follows it (confirm_reads).
  if (read_round_context_ == 0) {
    read_round_context_ = read_context_;
    replicate_to_all();
  }
  confirm_reads();
  return true;
}

bool raft_core::transfer_leadership(const std::string& target, errc* error) {
  if (role_ != role::leader) {
    if (error) *error = errc::not_leader;
    return false;
  }
  auto it = peers_.find(target);
  if (it == peers_.end() || !is_voter(target)) {
    if (error) *error = errc::invalid;
    return false;
  }
  transfer_target_ = target;
  transfer_deadline_ms_ = now_ms_ + options_.election_timeout_ms;
  if (it->second.match_index == last_index()) {
    RaftMessage m;
    m.set_to(target);
    m.mutable_timeout_now();
    send(std::move(m), false);
  } else {
    replicate_to(target, it->second, false);
  }
  return true;
}

void raft_core::on_persisted(index_t index, term_t term) {
  auto t = term_at(index);
  if (!t || *t != term) return;  // that entry was overwritten since
  persisted_index_ = std::max(persisted_index_, std::min(index, last_index()));
  if (role_ == role::leader) advance_commit_index();
}

ready raft_core::take_ready() {
  if (role_ == role::leader) {
    for (auto& [id, p] : peers_)
      replicate_to(id, p, false);  // batches new proposals
  }
  if (hard_state_dirty_) {
    ready_.hard_state = hard_state_;
    hard_state_dirty_ = false;
  }
  for (index_t i = std::max(unsent_from_, first_index()); i <= last_index(); ++i)
    ready_.entries.push_back(*entry_at(i));
  unsent_from_ = last_index() + 1;
  for (index_t i = applied_index_ + 1; i <= commit_index_; ++i) {
    // Invariant: committed entries past a snapshot are still in the log.
    const auto* e = entry_at(i);
    if (e == nullptr) invariant_failed(id(), "committed entry missing from the log");
    ready_.committed.push_back(*e);
  }
  applied_index_ = std::max(applied_index_, commit_index_);
  ready out = std::move(ready_);
  ready_ = {};
  return out;
}

void raft_core::check_invariants() const {
  if (commit_index_ > last_index() && commit_index_ > snapshot_.last_index())
    invariant_failed(id(), "commit index past the log");
  if (applied_index_ > commit_index_) invariant_failed(id(), "applied past commit");
  if (persisted_index_ > last_index()) invariant_failed(id(), "persisted past the log");
  if (log_offset_ > commit_index_) invariant_failed(id(), "compacted an uncommitted entry");
  term_t previous = 0;
  for (std::size_t i = 0; i < log_.size(); ++i) {
    if (log_[i].index() != log_offset_ + 1 + i) invariant_failed(id(), "log not contiguous");
    if (log_[i].term() < previous) invariant_failed(id(), "log terms decrease");
    if (log_[i].term() > hard_state_.term()) invariant_failed(id(), "entry from a future term");
    previous = log_[i].term();
  }
  if (role_ == role::leader) {
    if (leader_id_ != options_.self) invariant_failed(id(), "leader does not know itself");
    auto t = term_at(noop_index_);
    if (noop_index_ > log_offset_ && (!t || *t != hard_state_.term()))
      invariant_failed(id(), "leader lost its own no-op");
  }
}

}  // namespace troupe::store::raft
