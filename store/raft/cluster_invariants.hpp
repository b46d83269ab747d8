// Raft's safety properties (thesis Fig. 3.2), checked across the members of a cluster
// that tests and the simulation drive in one process. Call check_all() after every
// step: it remembers what it saw (leaders per term, committed and applied entries), so
// a property broken between two steps is caught at the next one.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/raft/raft_core.hpp"

namespace troupe::store::raft {

class cluster_invariants {
 public:
  // `members`: every live member; a crashed one is simply absent until it restarts.
  // Aborts with a description when a property is broken.
  void check_all(const std::vector<const raft_core*>& members);

  // A member restarted: its volatile commit index may start lower again.
  void forget_volatile(const std::string& id) { commit_seen_.erase(id); }

  // Record what a member's state machine applied, for State Machine Safety.
  void applied(const std::string& id, const LogEntry& entry);

  std::size_t leaders_seen() const { return leader_of_term_.size(); }

 private:
  std::map<term_t, std::string> leader_of_term_;              // Election Safety
  std::map<index_t, std::pair<term_t, uint32_t>> committed_;  // index -> (term, checksum)
  std::map<index_t, uint32_t> applied_;                       // index -> checksum
  std::map<std::string, index_t> commit_seen_;                // monotonic commit per member
};

}  // namespace troupe::store::raft
