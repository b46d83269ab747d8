// An informer's objects of one resource, held as their serialized bytes and parsed on demand,
// with the indexes the controllers look objects up by.
//
// Why bytes: a parsed Pod costs about 3.6 KB of heap (protobuf's generated classes reserve room
// for every field) against about 300 bytes serialized, and the leader holds every pod of the
// cluster. Parsing one back takes a few microseconds; the indexes keep the controllers from
// parsing a whole namespace to find the few objects they need. Other kinds are few (a node, a
// lease per node; a handful of workloads per app) and some are read on every pass (node
// lifecycle reads every node and lease each second), so they are kept parsed as well.
//
// Pods a controller owns also keep a summary (pod_summary.hpp), made once when they change: a
// ReplicaSet's reconciliation reads every pod it owns, and reading summaries instead of parses
// made a pass over 10,000 pods take about 7 ms instead of 40 (bench_reconcile). Orphans (bare pods,
// of which a cluster may hold many and which a controller reads only to adopt) are summarized when
// read.
//
// Sharing: an informer hub's cache is read by every subscriber of the process, from their own
// threads, while the hub alone writes: readers take the lock shared, the writer exclusively.
// Bytes are immutable once stored, so a reader parses outside the lock. A subscriber's reads
// may be newer than the changes it has been told of (as client-go's listers are): never older.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/controllers/pod_summary.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::messages {
struct kind_info;
class label_selector;
}  // namespace troupe::messages

namespace troupe::actors::controllers {

using object_ptr = std::shared_ptr<const google::protobuf::Message>;
using object_bytes = std::shared_ptr<const std::string>;

// The indexes every cache keeps (cheap for kinds they do not apply to: no entries).
namespace by {
inline constexpr std::string_view owner = "owner";  // the uid of each ownerReference
inline constexpr std::string_view orphan =
    "orphan";  // the namespace, of objects no controller owns
// "namespace/key=value" for each label of an object no controller owns: an owner looking for
// orphans to adopt reads the few that carry its selector's label, not the whole namespace.
inline constexpr std::string_view orphan_label = "orphan-label";
inline constexpr std::string_view node = "node";  // a Pod's spec.nodeName, once bound
}  // namespace by

class object_cache {
 public:
  explicit object_cache(const messages::kind_info& kind);
  object_cache(const object_cache&) = delete;
  object_cache& operator=(const object_cache&) = delete;

  // -- the writer's side (one actor) ----------------------------------------------------
  // Stores `after` (its bytes and its parse) under `key`, or removes the key when `after` is
  // null; `before` is the parse of what the key held (null: nothing), whose index entries go.
  void put(const std::string& key, const object_ptr& before, const object_bytes& bytes,
           const object_ptr& after);

  // -- everyone's side ----------------------------------------------------------------
  object_bytes bytes(const std::string& key) const;
  object_ptr find(const std::string& key) const;  // parsed now; null when absent
  std::vector<std::string> keys() const;
  std::size_t size() const;
  std::vector<object_ptr> in_namespace(const std::string& ns) const;
  std::vector<object_ptr> indexed(std::string_view index, const std::string& value) const;
  // Pods only: the summaries of the pods an owner may count, adopt or release, read at one
  // instant, each pod once: those whose controller is `owner_uid`, and the orphans of `ns`
  // whose labels may match `selector` (those with a label of one of its equality or `in`
  // requirements; for a selector without one, every orphan of `ns`). Callers still match the
  // selector and check the controller.
  std::vector<pod_summary_ptr> claimable_pods(const std::string& owner_uid, const std::string& ns,
                                              const messages::label_selector& selector) const;

  object_ptr parse(const std::string& bytes) const;  // null when the bytes do not parse

 private:
  static std::string index_key(std::string_view index, const std::string& value);
  struct entry {
    object_bytes bytes;
    object_ptr parsed;        // null for pods
    pod_summary_ptr summary;  // pods with a controller only
  };
  std::vector<object_ptr> parse_all(const std::vector<entry>& held) const;
  // -- with the lock held
  std::vector<entry> entries_of(const std::set<std::string>& keys) const;
  std::set<std::string> orphan_keys(const std::string& ns,  // see claimable_pods
                                    const messages::label_selector& selector) const;

  const messages::kind_info& kind_;
  mutable std::shared_mutex mutex_;
  const bool keep_parsed_;
  std::map<std::string, entry> objects_;                  // by cache key
  std::map<std::string, std::set<std::string>> indexes_;  // index_key -> cache keys
  // Controller uid -> cache key -> summary, for every pod with a controller: an owner's pods
  // are read without a lookup per pod (those took half of a 10,000-pod pass).
  std::unordered_map<std::string, std::map<std::string, pod_summary_ptr>> summaries_;
};

}  // namespace troupe::actors::controllers
