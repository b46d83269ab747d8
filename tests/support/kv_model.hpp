// A linearizability model of the replicated store's key-value commands (create, update, delete
// and get, with revisions), for checking histories that store tests and simulations record.
// Test code only; plain values and pure functions, so any thread may use them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/linearizability.hpp"

namespace troupe::test_support {

enum class kv_kind : std::uint8_t { create, update, remove, get };  // remove: the store's delete

struct kv_input {
  kv_kind kind = kv_kind::get;
  std::string key;
  std::string value;                    // create and update only
  std::uint64_t expected_revision = 0;  // update and remove; 0: unconditional
};

// The results a client reacts to (messages::errc's conflict, not_found, already_exists). A
// reply that leaves the outcome open (timeout, not_leader or unavailable after the command
// may have been proposed) is no result: record the operation with an unknown output. A get
// whose reply was lost says nothing; leave it out of the history rather than make the search
// consider it.
enum class kv_status : std::uint8_t { ok, already_exists, not_found, conflict };

struct kv_output {
  kv_status status = kv_status::ok;
  // With ok: for create and update, the revision written (the entry's Raft index); for get,
  // the key's mod revision; for remove, the revision of the delete, or 0 if not recorded.
  std::uint64_t revision = 0;
  std::string value;  // get with ok only
};

using kv_operation = operation<kv_input, kv_output>;
using kv_history = std::vector<kv_operation>;

// What the history has revealed about one key. Revisions come from the Raft log, which
// interleaves all keys, so the model knows no exact next revision; it only knows each write
// to a key gets a larger revision than the key's previous one.
struct kv_key_state {
  bool exists = false;
  std::string value;  // when exists
  // When exists and revision_known: the key's exact mod revision. Otherwise a strict lower
  // bound: the key's current mod revision (if it exists) and every later write's revision are
  // above it. A write whose outcome is unknown leaves the revision unknown until a get or a
  // conditional write pins it.
  std::uint64_t revision = 0;
  bool revision_known = false;  // Invariant: false when !exists
  friend bool operator==(const kv_key_state&, const kv_key_state&) = default;
};

struct kv_state {
  // Keys the history touched; a key absent here is absent from the store, revision bound 0.
  // Invariant: no entry equals kv_key_state{}, so equal states compare equal.
  std::map<std::string, kv_key_state> keys;
  friend bool operator==(const kv_state&, const kv_state&) = default;
};

enum class kv_partitioning : std::uint8_t {
  per_key,  // keys are independent objects: check each key's sub-history alone
  none,     // one search over everything; only to compare against per_key
};

model<kv_state, kv_input, kv_output> make_kv_model(
    kv_partitioning partitioning = kv_partitioning::per_key);

// The model's parts, for tests of the model itself.
std::optional<kv_state> kv_step(const kv_state& state, const kv_input& input,
                                const std::optional<kv_output>& output);
std::size_t kv_hash(const kv_state& state);
// `update(k, "v", expected 5) -> ok@9`; unknown outcomes print as `-> ?`.
std::string describe_kv_operation(const kv_input& input, const std::optional<kv_output>& output);
std::string describe_kv_state(const kv_state& state);

// Shorthands for writing histories.
kv_input kv_create(std::string key, std::string value);
kv_input kv_update(std::string key, std::string value, std::uint64_t expected_revision = 0);
kv_input kv_delete(std::string key, std::uint64_t expected_revision = 0);
kv_input kv_get(std::string key);
kv_output kv_ok(std::uint64_t revision = 0);
kv_output kv_found(std::string value, std::uint64_t revision);
kv_output kv_failed(kv_status status);
kv_operation kv_completed(std::int64_t client_id, kv_input input, kv_output output,
                          std::int64_t call_time, std::int64_t return_time);
kv_operation kv_unknown_outcome(std::int64_t client_id, kv_input input, std::int64_t call_time);

}  // namespace troupe::test_support
