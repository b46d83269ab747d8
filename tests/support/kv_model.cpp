#include "tests/support/kv_model.hpp"

#include <cstdio>
#include <functional>
#include <utility>

namespace troupe::test_support {

namespace {

const kv_key_state& lookup(const kv_state& state, const std::string& key) {
  static const kv_key_state absent;
  auto it = state.keys.find(key);
  return it == state.keys.end() ? absent : it->second;
}

kv_state with_key(const kv_state& state, const std::string& key, const kv_key_state& k) {
  kv_state out = state;
  // Keeps the invariant that an untouched-looking key has no entry.
  if (k == kv_key_state{}) {
    out.keys.erase(key);
  } else {
    out.keys[key] = k;
  }
  return out;
}

// Whether the key's mod revision may be r, given what the history revealed so far.
bool revision_may_be(const kv_key_state& k, std::uint64_t r) {
  return k.revision_known ? r == k.revision : r > k.revision;
}

bool precondition_may_hold(const kv_key_state& k, std::uint64_t expected) {
  return expected == 0 || revision_may_be(k, expected);
}

// A failed precondition does not pin the revision (the model keeps no "is not r" facts), which
// makes the model accept slightly more than the store could do, never less.
bool precondition_may_fail(const kv_key_state& k, std::uint64_t expected) {
  return expected != 0 && !(k.revision_known && k.revision == expected);
}

// The key once a precondition (or a get) revealed that its mod revision is r.
kv_key_state pinned(kv_key_state k, std::uint64_t r) {
  if (r != 0) {
    k.revision = r;
    k.revision_known = true;
  }
  return k;
}

kv_key_state written(std::string value, std::uint64_t revision, bool known) {
  return kv_key_state{true, std::move(value), revision, known};
}

kv_key_state deleted(std::uint64_t revision_bound) {
  return kv_key_state{false, {}, revision_bound, false};
}

std::optional<kv_state> step_get(const kv_state& state, const kv_input& in,
                                 const std::optional<kv_output>& out) {
  const kv_key_state& k = lookup(state, in.key);
  if (!out) return state;
  if (out->status == kv_status::not_found) {
    if (k.exists) return std::nullopt;
    return state;
  }
  if (out->status != kv_status::ok || !k.exists || out->value != k.value ||
      !revision_may_be(k, out->revision)) {
    return std::nullopt;
  }
  return with_key(state, in.key, pinned(k, out->revision));
}

std::optional<kv_state> step_create(const kv_state& state, const kv_input& in,
                                    const std::optional<kv_output>& out) {
  const kv_key_state& k = lookup(state, in.key);
  if (!out) {
    if (k.exists) return state;
    return with_key(state, in.key, written(in.value, k.revision, false));
  }
  if (out->status == kv_status::already_exists) {
    if (!k.exists) return std::nullopt;
    return state;
  }
  if (out->status != kv_status::ok || k.exists || out->revision <= k.revision) {
    return std::nullopt;
  }
  return with_key(state, in.key, written(in.value, out->revision, true));
}

// Update and delete share their failure modes.
std::optional<kv_state> step_failed_write(const kv_state& state, const kv_key_state& k,
                                          const kv_input& in, kv_status status) {
  switch (status) {
    case kv_status::not_found:
      if (k.exists) return std::nullopt;
      return state;
    case kv_status::conflict:
      if (!k.exists || !precondition_may_fail(k, in.expected_revision)) return std::nullopt;
      return state;
    case kv_status::ok:
    case kv_status::already_exists:
      break;
  }
  return std::nullopt;
}

std::optional<kv_state> step_update(const kv_state& state, const kv_input& in,
                                    const std::optional<kv_output>& out) {
  const kv_key_state& k = lookup(state, in.key);
  const bool may_apply = k.exists && precondition_may_hold(k, in.expected_revision);
  if (!out) {
    if (!may_apply) return state;
    return with_key(state, in.key,
                    written(in.value, pinned(k, in.expected_revision).revision, false));
  }
  if (out->status != kv_status::ok) return step_failed_write(state, k, in, out->status);
  if (!may_apply || out->revision <= pinned(k, in.expected_revision).revision) {
    return std::nullopt;
  }
  return with_key(state, in.key, written(in.value, out->revision, true));
}

std::optional<kv_state> step_remove(const kv_state& state, const kv_input& in,
                                    const std::optional<kv_output>& out) {
  const kv_key_state& k = lookup(state, in.key);
  const bool may_apply = k.exists && precondition_may_hold(k, in.expected_revision);
  const std::uint64_t before = pinned(k, in.expected_revision).revision;
  if (!out) {
    if (!may_apply) return state;
    return with_key(state, in.key, deleted(before));
  }
  if (out->status != kv_status::ok) return step_failed_write(state, k, in, out->status);
  if (!may_apply || (out->revision != 0 && out->revision <= before)) return std::nullopt;
  return with_key(state, in.key, deleted(out->revision != 0 ? out->revision : before));
}

std::uint64_t mix(std::uint64_t h, std::uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

// Values are serialized objects: show them quoted, escaped and cut short.
std::string quoted(const std::string& value) {
  constexpr std::size_t shown = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < shown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += '"';
  if (value.size() > shown) out += "...(" + std::to_string(value.size()) + " bytes)";
  return out;
}

std::string_view status_name(kv_status status) {
  switch (status) {
    case kv_status::ok:
      return "ok";
    case kv_status::already_exists:
      return "already_exists";
    case kv_status::not_found:
      return "not_found";
    case kv_status::conflict:
      return "conflict";
  }
  return "?";
}

std::vector<std::vector<std::size_t>> partition_per_key(const kv_history& history) {
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < history.size(); ++i)
    by_key[history[i].input.key].push_back(i);
  std::vector<std::vector<std::size_t>> out;
  out.reserve(by_key.size());
  for (auto& [key, members] : by_key)
    out.push_back(std::move(members));
  return out;
}

}  // namespace

std::optional<kv_state> kv_step(const kv_state& state, const kv_input& input,
                                const std::optional<kv_output>& output) {
  switch (input.kind) {
    case kv_kind::get:
      return step_get(state, input, output);
    case kv_kind::create:
      return step_create(state, input, output);
    case kv_kind::update:
      return step_update(state, input, output);
    case kv_kind::remove:
      return step_remove(state, input, output);
  }
  return std::nullopt;
}

std::size_t kv_hash(const kv_state& state) {
  std::uint64_t h = state.keys.size();
  for (const auto& [key, k] : state.keys) {
    h = mix(h, std::hash<std::string>{}(key));
    h = mix(h, (k.exists ? 1u : 0u) | (k.revision_known ? 2u : 0u));
    h = mix(h, std::hash<std::string>{}(k.value));
    h = mix(h, k.revision);
  }
  return static_cast<std::size_t>(h);
}

std::string describe_kv_operation(const kv_input& input, const std::optional<kv_output>& output) {
  std::string out;
  const std::string expected =
      input.expected_revision == 0 ? "" : ", expected " + std::to_string(input.expected_revision);
  switch (input.kind) {
    case kv_kind::create:
      out = "create(" + input.key + ", " + quoted(input.value) + ")";
      break;
    case kv_kind::update:
      out = "update(" + input.key + ", " + quoted(input.value) + expected + ")";
      break;
    case kv_kind::remove:
      out = "delete(" + input.key + expected + ")";
      break;
    case kv_kind::get:
      out = "get(" + input.key + ")";
      break;
  }
  if (!output) return out + " -> ?";
  if (output->status != kv_status::ok)
    return out + " -> " + std::string(status_name(output->status));
  if (input.kind == kv_kind::get) {
    return out + " -> " + quoted(output->value) + "@" + std::to_string(output->revision);
  }
  if (output->revision == 0) return out + " -> ok";
  return out + " -> ok@" + std::to_string(output->revision);
}

std::string describe_kv_state(const kv_state& state) {
  if (state.keys.empty()) return "no key exists";
  std::string out;
  for (const auto& [key, k] : state.keys) {
    if (!out.empty()) out += "; ";
    const std::string bound = "revision > " + std::to_string(k.revision);
    if (!k.exists) {
      out += key + " absent (next " + bound + ")";
    } else if (k.revision_known) {
      out += key + " = " + quoted(k.value) + "@" + std::to_string(k.revision);
    } else {
      out += key + " = " + quoted(k.value) + " (" + bound + ")";
    }
  }
  return out;
}

model<kv_state, kv_input, kv_output> make_kv_model(kv_partitioning partitioning) {
  model<kv_state, kv_input, kv_output> m;
  if (partitioning == kv_partitioning::per_key) m.partition = partition_per_key;
  m.init = [] { return kv_state{}; };
  m.step = kv_step;
  m.hash = kv_hash;
  m.describe_operation = describe_kv_operation;
  m.describe_state = describe_kv_state;
  return m;
}

kv_input kv_create(std::string key, std::string value) {
  return kv_input{kv_kind::create, std::move(key), std::move(value), 0};
}

kv_input kv_update(std::string key, std::string value, std::uint64_t expected_revision) {
  return kv_input{kv_kind::update, std::move(key), std::move(value), expected_revision};
}

kv_input kv_delete(std::string key, std::uint64_t expected_revision) {
  return kv_input{kv_kind::remove, std::move(key), {}, expected_revision};
}

kv_input kv_get(std::string key) {
  return kv_input{kv_kind::get, std::move(key), {}, 0};
}

kv_output kv_ok(std::uint64_t revision) {
  return kv_output{kv_status::ok, revision, {}};
}

kv_output kv_found(std::string value, std::uint64_t revision) {
  return kv_output{kv_status::ok, revision, std::move(value)};
}

kv_output kv_failed(kv_status status) {
  return kv_output{status, 0, {}};
}

kv_operation kv_completed(std::int64_t client_id, kv_input input, kv_output output,
                          std::int64_t call_time, std::int64_t return_time) {
  return kv_operation{client_id, std::move(input), std::move(output), call_time, return_time};
}

kv_operation kv_unknown_outcome(std::int64_t client_id, kv_input input, std::int64_t call_time) {
  return kv_operation{client_id, std::move(input), std::nullopt, call_time, never_returned};
}

}  // namespace troupe::test_support
