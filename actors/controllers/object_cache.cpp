#include "actors/controllers/object_cache.hpp"

#include <mutex>

#include <google/protobuf/arena.h>
#include <google/protobuf/message.h>

#include "actors/controllers/object_facts.hpp"
#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::actors::controllers {
namespace {

// Every (index, value) an object is filed under.
std::vector<std::pair<std::string_view, std::string>> index_entries(
    const google::protobuf::Message& object) {
  std::vector<std::pair<std::string_view, std::string>> out;
  const auto* meta = messages::metadata_of(object);
  if (meta == nullptr) return out;
  for (const auto& ref : meta->owner_references())
    out.emplace_back(by::owner, ref.uid());
  if (controller_of(*meta) == nullptr) {
    out.emplace_back(by::orphan, meta->namespace_());
    for (const auto& [key, value] : meta->labels())
      out.emplace_back(by::orphan_label, meta->namespace_() + "/" + key + "=" + value);
  }
  if (object.GetDescriptor() == messages::Pod::descriptor()) {
    const auto& node = static_cast<const messages::Pod&>(object).spec().node_name();
    if (!node.empty()) out.emplace_back(by::node, node);
  }
  return out;
}

}  // namespace

object_cache::object_cache(const messages::kind_info& kind)
    : kind_(kind), keep_parsed_(kind.descriptor() != messages::Pod::descriptor()) {}

std::string object_cache::index_key(std::string_view index, const std::string& value) {
  std::string key(index);
  key += '\x1f';
  key += value;
  return key;
}

void object_cache::put(const std::string& key, const object_ptr& before, const object_bytes& bytes,
                       const object_ptr& after) {
  // Index entries are computed outside the lock; only the map edits hold it.
  auto old_entries = before ? index_entries(*before) : decltype(index_entries(*before)){};
  auto new_entries = after ? index_entries(*after) : decltype(old_entries){};
  pod_summary_ptr summary;
  if (after && after->GetDescriptor() == messages::Pod::descriptor()) {
    const auto& pod = static_cast<const messages::Pod&>(*after);
    if (controller_of(pod.metadata()) != nullptr)
      summary = std::make_shared<const pod_summary>(summarize(pod));
  }
  std::unique_lock lock(mutex_);
  // Invariant: an entry holds a summary exactly when summaries_ files it under its controller.
  if (auto held = objects_.find(key); held != objects_.end() && held->second.summary) {
    auto owned = summaries_.find(held->second.summary->controller_uid);
    owned->second.erase(key);
    if (owned->second.empty()) summaries_.erase(owned);
  }
  for (const auto& [index, value] : old_entries) {
    auto it = indexes_.find(index_key(index, value));
    if (it == indexes_.end()) continue;
    it->second.erase(key);
    if (it->second.empty()) indexes_.erase(it);
  }
  if (!after) {
    objects_.erase(key);
    return;
  }
  if (summary) summaries_[summary->controller_uid][key] = summary;
  objects_[key] = entry{bytes, keep_parsed_ ? after : nullptr, std::move(summary)};
  for (const auto& [index, value] : new_entries)
    indexes_[index_key(index, value)].insert(key);
}

object_bytes object_cache::bytes(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second.bytes;
}

object_ptr object_cache::find(const std::string& key) const {
  entry held;
  {
    std::shared_lock lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return nullptr;
    held = it->second;
  }
  return held.parsed ? held.parsed : parse(*held.bytes);
}

std::vector<std::string> object_cache::keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, _] : objects_)
    out.push_back(key);
  return out;
}

std::size_t object_cache::size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

std::vector<object_ptr> object_cache::in_namespace(const std::string& ns) const {
  std::vector<entry> held;
  {
    std::shared_lock lock(mutex_);
    const std::string prefix = ns + "/";
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      held.push_back(it->second);
  }
  return parse_all(held);
}

std::vector<object_ptr> object_cache::indexed(std::string_view index,
                                              const std::string& value) const {
  std::vector<entry> held;
  {
    std::shared_lock lock(mutex_);
    if (auto it = indexes_.find(index_key(index, value)); it != indexes_.end())
      held = entries_of(it->second);
  }
  return parse_all(held);
}

std::vector<pod_summary_ptr> object_cache::claimable_pods(
    const std::string& owner_uid, const std::string& ns,
    const messages::label_selector& selector) const {
  std::vector<pod_summary_ptr> out;
  std::vector<entry> orphans;
  {
    std::shared_lock lock(mutex_);
    if (auto owned = summaries_.find(owner_uid); owned != summaries_.end()) {
      out.reserve(owned->second.size());
      for (const auto& [key, summary] : owned->second)
        out.push_back(summary);
    }
    orphans = entries_of(orphan_keys(ns, selector));  // no controller: none of the above
  }
  for (const auto& e : orphans)
    if (messages::Pod pod; pod.ParseFromString(*e.bytes))
      out.push_back(std::make_shared<const pod_summary>(summarize(pod)));
  return out;
}

std::set<std::string> object_cache::orphan_keys(const std::string& ns,
                                                const messages::label_selector& selector) const {
  auto keys_of = [this](std::string_view index, const std::string& value) {
    auto it = indexes_.find(index_key(index, value));
    return it == indexes_.end() ? std::set<std::string>{} : it->second;
  };
  for (const auto& r : selector.requirements()) {
    const bool equality = r.op == messages::selector_op::equals ||
                          r.op == messages::selector_op::double_equals ||
                          r.op == messages::selector_op::in;
    if (!equality) continue;
    std::set<std::string> keys;
    for (const auto& value : r.values)
      keys.merge(keys_of(by::orphan_label, ns + "/" + r.key + "=" + value));
    return keys;
  }
  return keys_of(by::orphan, ns);
}

std::vector<object_cache::entry> object_cache::entries_of(const std::set<std::string>& keys) const {
  std::vector<entry> out;
  out.reserve(keys.size());
  for (const auto& key : keys)
    if (auto it = objects_.find(key); it != objects_.end()) out.push_back(it->second);
  return out;
}

std::vector<object_ptr> object_cache::parse_all(const std::vector<entry>& held) const {
  std::vector<object_ptr> out;
  if (held.empty()) return out;
  out.reserve(held.size());
  // One arena for the batch: a ReplicaSet of thousands of pods is read with a few large
  // allocations instead of about 40 small ones per pod, and freed at once. (malloc and free
  // were most of the leader's time while a 10,000-replica Deployment rolled out.) Every parse
  // of the batch keeps the arena alive, so callers keep copies, not parses, of what they hold.
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 << 10;
  options.max_block_size = 1 << 20;
  std::shared_ptr<google::protobuf::Arena> arena;
  const auto* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(kind_.descriptor());
  for (const auto& e : held) {
    if (e.parsed) {
      out.push_back(e.parsed);
      continue;
    }
    if (!arena) arena = std::make_shared<google::protobuf::Arena>(options);
    google::protobuf::Message* object = prototype->New(arena.get());
    if (object->ParseFromString(*e.bytes)) out.emplace_back(arena, object);
  }
  return out;
}

object_ptr object_cache::parse(const std::string& bytes) const {
  std::shared_ptr<google::protobuf::Message> object = kind_.new_object();
  if (!object->ParseFromString(bytes)) return nullptr;
  return object;
}

}  // namespace troupe::actors::controllers
