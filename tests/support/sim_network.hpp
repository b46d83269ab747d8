// The simulated network of the Raft simulation (tests/sim/): per-message random delay
// (hence reordering), drops, duplicates, and partitions as blocked directed links. It only
// decides a message's fate; raft_cluster schedules the deliveries. Test code only.
#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace troupe::test_support {

struct network_faults {
  int64_t min_delay_ms = 1;  // one way
  int64_t max_delay_ms = 10;
  double drop = 0;       // probability that a message is lost
  double duplicate = 0;  // probability that it arrives twice (each copy delayed on its own)
  double corrupt = 0;    // probability that an entry or snapshot chunk has a byte flipped
};

class sim_network {
 public:
  void set_faults(const network_faults& faults) { faults_ = faults; }
  const network_faults& faults() const { return faults_; }

  // Partitions: a blocked link loses what is sent on it, and what was in flight when it
  // was cut (checked again at delivery).
  void block(const std::string& from, const std::string& to) { blocked_.emplace(from, to); }
  void unblock(const std::string& from, const std::string& to) { blocked_.erase({from, to}); }
  void block_both(const std::string& a, const std::string& b) {
    block(a, b);
    block(b, a);
  }
  // Cuts every link between different groups, in both directions.
  void partition(const std::vector<std::vector<std::string>>& groups) {
    for (std::size_t i = 0; i < groups.size(); ++i)
      for (std::size_t j = 0; j < groups.size(); ++j)
        if (i != j)
          for (const auto& a : groups[i])
            for (const auto& b : groups[j])
              block(a, b);
  }
  void heal() { blocked_.clear(); }
  bool blocked(const std::string& from, const std::string& to) const {
    return blocked_.count({from, to}) > 0;
  }
  bool partitioned() const { return !blocked_.empty(); }

  // When the copies of one message arrive, as delays from now: none if it is dropped (or
  // the link is cut), two if it is duplicated.
  std::vector<int64_t> plan(const std::string& from, const std::string& to, std::mt19937_64& rng) {
    ++sent_;
    std::vector<int64_t> delays;
    if (blocked(from, to)) {
      ++lost_;
      return delays;
    }
    std::uniform_real_distribution<double> p(0.0, 1.0);
    std::uniform_int_distribution<int64_t> delay(faults_.min_delay_ms, faults_.max_delay_ms);
    if (faults_.drop > 0 && p(rng) < faults_.drop) {
      ++lost_;
      return delays;
    }
    delays.push_back(delay(rng));
    if (faults_.duplicate > 0 && p(rng) < faults_.duplicate) {
      ++duplicated_;
      delays.push_back(delay(rng));
    }
    return delays;
  }
  bool corrupt(std::mt19937_64& rng) {
    return faults_.corrupt > 0 &&
           std::uniform_real_distribution<double>(0.0, 1.0)(rng) < faults_.corrupt;
  }

  uint64_t sent() const { return sent_; }
  uint64_t lost() const { return lost_; }
  uint64_t duplicated() const { return duplicated_; }

 private:
  network_faults faults_;
  std::set<std::pair<std::string, std::string>> blocked_;
  uint64_t sent_ = 0;
  uint64_t lost_ = 0;
  uint64_t duplicated_ = 0;
};

}  // namespace troupe::test_support
