#include "store/raft/cluster_invariants.hpp"

#include <cstdio>
#include <cstdlib>

namespace troupe::store::raft {
namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "raft cluster invariant broken: %s\n", what.c_str());
  std::abort();
}

std::string at(const std::string& id, index_t index) {
  return id + " at index " + std::to_string(index);
}

}  // namespace

void cluster_invariants::applied(const std::string& id, const LogEntry& entry) {
  auto [it, inserted] = applied_.emplace(entry.index(), entry.checksum());
  // State Machine Safety: no two members apply different entries at one index.
  if (!inserted && it->second != entry.checksum())
    broken("state machine safety: " + at(id, entry.index()) + " applied a different entry");
}

void cluster_invariants::check_all(const std::vector<const raft_core*>& members) {
  for (const auto* m : members) {
    m->check_invariants();
    // Election Safety: at most one leader per term.
    if (m->current_role() == role::leader) {
      auto [it, inserted] = leader_of_term_.emplace(m->term(), m->id());
      if (!inserted && it->second != m->id())
        broken("election safety: " + it->second + " and " + m->id() + " both led term " +
               std::to_string(m->term()));
    }
    // A member's commit index never decreases while it runs.
    auto& seen = commit_seen_[m->id()];
    if (m->commit_index() < seen) broken("commit index of " + m->id() + " decreased");
    seen = m->commit_index();
    // Remember committed entries that are still in this member's log.
    for (index_t i = std::max(m->first_index(), index_t{1}); i <= m->commit_index(); ++i) {
      const auto* e = m->entry_at(i);
      if (e == nullptr) continue;
      auto [it, inserted] = committed_.emplace(i, std::make_pair(e->term(), e->checksum()));
      if (!inserted && (it->second.first != e->term() || it->second.second != e->checksum()))
        broken("state machine safety: committed entry differs on " + at(m->id(), i));
    }
  }
  // Log Matching: same index and term means identical logs up to there.
  for (std::size_t a = 0; a < members.size(); ++a) {
    for (std::size_t b = a + 1; b < members.size(); ++b) {
      const auto* x = members[a];
      const auto* y = members[b];
      index_t lo = std::max(x->first_index(), y->first_index());
      index_t hi = std::min(x->last_index(), y->last_index());
      bool matching = false;  // scanning down: once equal terms are found, all below match
      for (index_t i = hi; i >= lo && i > 0; --i) {
        const auto* ex = x->entry_at(i);
        const auto* ey = y->entry_at(i);
        if (!matching && ex->term() == ey->term()) matching = true;
        if (matching && (ex->term() != ey->term() || ex->checksum() != ey->checksum()))
          broken("log matching: " + x->id() + " and " + y->id() + " differ at index " +
                 std::to_string(i) + " below a matching entry");
      }
    }
  }
  // Leader Completeness: every committed entry is in the log of every later leader.
  for (const auto* m : members) {
    if (m->current_role() != role::leader) continue;
    for (auto it = committed_.lower_bound(m->first_index()); it != committed_.end(); ++it) {
      if (it->second.first > m->term()) continue;
      const auto* e = m->entry_at(it->first);
      if (e == nullptr || e->term() != it->second.first || e->checksum() != it->second.second)
        broken("leader completeness: leader " + m->id() + " of term " + std::to_string(m->term()) +
               " lacks committed entry " + std::to_string(it->first));
    }
  }
}

}  // namespace troupe::store::raft
