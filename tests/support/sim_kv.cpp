#include "tests/support/sim_kv.hpp"

#include <cstdio>
#include <cstdlib>

#include "messages/proto/store.pb.h"

namespace troupe::test_support {
namespace {

[[noreturn]] void harness_bug(const char* what) {
  std::fprintf(stderr, "sim_kv: %s\n", what);
  std::abort();
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_string(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

void put_output(std::string& out, const kv_output& o) {
  put_u64(out, static_cast<uint64_t>(o.status));
  put_u64(out, o.revision);
  put_string(out, o.value);
}

// Reads what the put_ functions wrote; any overrun makes the whole parse fail.
class reader {
 public:
  explicit reader(const std::string& bytes) : bytes_(bytes) {}
  uint64_t u64() {
    if (pos_ + 8 > bytes_.size()) return fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t{static_cast<unsigned char>(bytes_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return v;
  }
  std::string string() {
    uint64_t n = u64();
    if (!ok_ || n > bytes_.size() - pos_) {
      fail();
      return {};
    }
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  kv_output output() {
    kv_output o;
    o.status = static_cast<kv_status>(u64());
    o.revision = u64();
    o.value = string();
    return o;
  }
  bool done() const { return ok_ && pos_ == bytes_.size(); }
  bool ok() const { return ok_; }

 private:
  uint64_t fail() {
    ok_ = false;
    pos_ = bytes_.size();
    return 0;
  }
  const std::string& bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

kv_input decode_input(const messages::StoreCommand& c) {
  switch (c.op_case()) {
    case messages::StoreCommand::kCreate:
      return kv_create(c.create().key(), c.create().value());
    case messages::StoreCommand::kUpdate:
      return kv_update(c.update().key(), c.update().value(), c.update().expected_revision());
    case messages::StoreCommand::kDelete:
      return kv_delete(c.delete_().key(), c.delete_().expected_revision());
    default:
      harness_bug("unexpected command in the log");
  }
}

}  // namespace

std::string encode_kv_command(const std::string& client_id, uint64_t sequence,
                              const kv_input& input) {
  messages::StoreCommand c;
  c.set_client_id(client_id);
  c.set_sequence(sequence);
  c.set_acked_below(sequence);  // one command in flight per client
  switch (input.kind) {
    case kv_kind::create:
      c.mutable_create()->set_key(input.key);
      c.mutable_create()->set_value(input.value);
      break;
    case kv_kind::update:
      c.mutable_update()->set_key(input.key);
      c.mutable_update()->set_value(input.value);
      c.mutable_update()->set_expected_revision(input.expected_revision);
      break;
    case kv_kind::remove:
      c.mutable_delete_()->set_key(input.key);
      c.mutable_delete_()->set_expected_revision(input.expected_revision);
      break;
    case kv_kind::get:
      harness_bug("a get is a read, not a command");
  }
  return c.SerializeAsString();
}

sim_kv::apply_result sim_kv::apply(const messages::LogEntry& entry) {
  // Invariant: entries apply once each, in order.
  if (entry.index() != applied_index_ + 1) harness_bug("entries applied out of order");
  applied_index_ = entry.index();
  applied_term_ = entry.term();
  apply_result r;
  if (entry.type() != messages::ENTRY_COMMAND) return r;
  messages::StoreCommand c;
  if (!c.ParseFromString(entry.data())) harness_bug("unparsable command");
  const kv_input input = decode_input(c);
  r.client_id = c.client_id();
  r.sequence = c.sequence();
  if (!sessions_) {
    r.took_effect = true;
    r.output = execute(input, entry.index());
    return r;
  }
  // Sessions as in store/session_table: results kept from acked_below on.
  session& s = sessions_by_client_[c.client_id()];
  if (c.sequence() < s.acked_below) {
    r.rejected = true;
    return r;
  }
  if (auto it = s.results.find(c.sequence()); it != s.results.end()) {
    r.duplicate = true;
    r.output = it->second;
    return r;
  }
  r.took_effect = true;
  r.output = execute(input, entry.index());
  s.results[c.sequence()] = r.output;
  s.acked_below = std::max(s.acked_below, c.acked_below());
  s.results.erase(s.results.begin(), s.results.lower_bound(s.acked_below));
  return r;
}

kv_output sim_kv::execute(const kv_input& input, uint64_t index) {
  auto it = objects_.find(input.key);
  const bool exists = it != objects_.end();
  switch (input.kind) {
    case kv_kind::create:
      if (exists) return kv_failed(kv_status::already_exists);
      objects_[input.key] = object{input.value, index};
      return kv_ok(index);
    case kv_kind::update:
    case kv_kind::remove:
      if (!exists) return kv_failed(kv_status::not_found);
      if (input.expected_revision != 0 && input.expected_revision != it->second.mod_revision)
        return kv_failed(kv_status::conflict);
      if (input.kind == kv_kind::update) {
        it->second = object{input.value, index};
      } else {
        objects_.erase(it);
      }
      return kv_ok(index);
    case kv_kind::get:
      break;
  }
  harness_bug("a get is a read, not a command");
}

kv_output sim_kv::get(const std::string& key) const {
  auto it = objects_.find(key);
  if (it == objects_.end()) return kv_failed(kv_status::not_found);
  return kv_found(it->second.value, it->second.mod_revision);
}

std::string sim_kv::serialize() const {
  std::string out;
  put_u64(out, applied_index_);
  put_u64(out, applied_term_);
  put_u64(out, objects_.size());
  for (const auto& [key, o] : objects_) {
    put_string(out, key);
    put_string(out, o.value);
    put_u64(out, o.mod_revision);
  }
  put_u64(out, sessions_by_client_.size());
  for (const auto& [client, s] : sessions_by_client_) {
    put_string(out, client);
    put_u64(out, s.acked_below);
    put_u64(out, s.results.size());
    for (const auto& [seq, result] : s.results) {
      put_u64(out, seq);
      put_output(out, result);
    }
  }
  return out;
}

std::optional<sim_kv> sim_kv::parse(const std::string& bytes, bool sessions) {
  sim_kv kv(sessions);
  reader in(bytes);
  kv.applied_index_ = in.u64();
  kv.applied_term_ = in.u64();
  for (uint64_t n = in.u64(); in.ok() && n > 0; --n) {
    std::string key = in.string();
    object o;
    o.value = in.string();
    o.mod_revision = in.u64();
    kv.objects_[key] = std::move(o);
  }
  for (uint64_t n = in.u64(); in.ok() && n > 0; --n) {
    session& s = kv.sessions_by_client_[in.string()];
    s.acked_below = in.u64();
    for (uint64_t r = in.u64(); in.ok() && r > 0; --r) {
      uint64_t seq = in.u64();
      s.results[seq] = in.output();
    }
  }
  if (!in.done()) return std::nullopt;
  return kv;
}

}  // namespace troupe::test_support
