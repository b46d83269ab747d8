#include "cli/apply_merge.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "cli/printers.hpp"
#include "messages/codec/decoder.hpp"
#include "messages/codec/encoder.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace pb = google::protobuf;
namespace codec = messages::codec;
using codec::doc_node;
using codec::doc_node_ptr;

// ---------------------------------------------------------------------------------------------
// Kubernetes' patch strategies (the patchStrategy/patchMergeKey tags of k8s.io/api), for the
// messages Troupe models. Status lists are left out: apply never changes status.
// ---------------------------------------------------------------------------------------------

// A list merged item by item: items of the manifest, the annotation and the live object are
// matched by the value of `merge_key`. An empty merge_key marks a list of scalars merged as a
// set (finalizers). Every list not named here is replaced whole by the manifest's.
struct merge_list_rule {
  std::string_view message;  // the message holding the list (Descriptor::name())
  std::string_view field;    // the list's JSON name
  std::string_view merge_key;
};

constexpr merge_list_rule merge_lists[] = {
    {"PodSpec", "volumes", "name"},
    {"PodSpec", "initContainers", "name"},
    {"PodSpec", "containers", "name"},
    {"PodSpec", "imagePullSecrets", "name"},
    {"PodSpec", "hostAliases", "ip"},
    {"PodSpec", "topologySpreadConstraints", "topologyKey"},
    {"PodSpec", "schedulingGates", "name"},
    {"Container", "ports", "containerPort"},
    {"Container", "env", "name"},
    {"Container", "volumeMounts", "mountPath"},
    {"Container", "volumeDevices", "devicePath"},
    {"ServiceSpec", "ports", "port"},
    {"ServiceAccount", "secrets", "name"},
    {"ObjectMeta", "ownerReferences", "uid"},
    {"ObjectMeta", "finalizers", ""},
};

// Messages merged with patchStrategy "retainKeys" (DeploymentSpec.strategy, and the items of
// PodSpec.volumes, which is "merge,retainKeys"): once the manifest sets one, it keeps only the
// fields the manifest gives, so changing a strategy to Recreate drops the live rollingUpdate, and
// turning an emptyDir volume into a configMap one drops the emptyDir.
constexpr std::string_view retain_keys_messages[] = {"DeploymentStrategy", "Volume"};

const merge_list_rule* merge_rule_of(const pb::FieldDescriptor& list) {
  for (const auto& rule : merge_lists)
    if (rule.message == list.containing_type()->name() && rule.field == list.json_name())
      return &rule;
  return nullptr;
}

bool retains_keys(const pb::Descriptor& type) {
  return std::ranges::find(retain_keys_messages, type.name()) != std::end(retain_keys_messages);
}

// The codec's documents name fields by JSON name; protobuf 3.21 has no lookup by it.
const pb::FieldDescriptor* field_by_json_name(const pb::Descriptor& type, std::string_view name) {
  for (int i = 0; i < type.field_count(); ++i)
    if (type.field(i)->json_name() == name) return type.field(i);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Tree helpers. Trees are never mutated: a changed mapping is a new node sharing its children.
// ---------------------------------------------------------------------------------------------

doc_node_ptr entry_of(const doc_node& mapping, std::string_view key) {
  for (const auto& [k, v] : mapping.entries)
    if (k->text == key) return v;
  return nullptr;
}

const doc_node* as_mapping(const doc_node* node) {
  return node && node->is_mapping() ? node : nullptr;
}

const doc_node* child_of(const doc_node* mapping, std::string_view key) {
  return mapping ? entry_of(*mapping, key).get() : nullptr;
}

// A copy of `mapping` with `key` set to `value` (or removed when value is null).
doc_node_ptr with_entry(const doc_node& mapping, std::string_view key, doc_node_ptr value) {
  auto out = std::make_shared<doc_node>(mapping);
  std::erase_if(out->entries, [&](const auto& entry) { return entry.first->text == key; });
  if (value) out->entries.emplace_back(doc_node::make_string(std::string(key)), std::move(value));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The three-way merge. `o` (original, from the annotation) may be null; `m` (modified, the
// manifest) and `l` (live) are the values of the same field. The rule everywhere: what the
// manifest sets wins, what the manifest dropped since the annotation goes, the rest of the live
// object stays.
// ---------------------------------------------------------------------------------------------

doc_node_ptr merge_field(const doc_node* o, const doc_node_ptr& m, const doc_node_ptr& l,
                         const pb::FieldDescriptor& field);

// The three-way rule for one mapping (a message or a protobuf map). Live keys keep their order;
// keys new in the manifest follow. `merge_child(key, o, m, l)` merges a key that both the
// manifest and the live object have (`o` may be null).
template <class MergeChild>
doc_node_ptr merge_mapping(const doc_node* o, const doc_node& m, const doc_node& l,
                           MergeChild&& merge_child) {
  o = as_mapping(o);
  auto out = doc_node::make_mapping();
  for (const auto& [key, live_value] : l.entries) {
    if (auto modified_value = entry_of(m, key->text)) {
      out->entries.emplace_back(
          key, merge_child(key->text, child_of(o, key->text), modified_value, live_value));
    } else if (child_of(o, key->text) == nullptr) {
      out->entries.emplace_back(key, live_value);  // never applied: someone else's field
    }  // else: applied before and dropped from the manifest since, so deleted
  }
  for (const auto& [key, modified_value] : m.entries)
    if (!entry_of(l, key->text)) out->entries.emplace_back(key, modified_value);
  return out;
}

doc_node_ptr merge_message(const doc_node* o, const doc_node& m, const doc_node& l,
                           const pb::Descriptor& type) {
  auto out = merge_mapping(o, m, l,
                           [&](std::string_view key, const doc_node* oc, const doc_node_ptr& mc,
                               const doc_node_ptr& lc) {
                             const auto* field = field_by_json_name(type, key);
                             // apiVersion and kind are no fields of the message: the manifest's are
                             // the ones sent.
                             return field ? merge_field(oc, mc, lc, *field) : mc;
                           });
  if (retains_keys(type) && !m.entries.empty()) {
    std::erase_if(out->entries,
                  [&](const auto& entry) { return entry_of(m, entry.first->text) == nullptr; });
  }
  return out;
}

// A list whose items all have a distinct identity under a merge rule.
class keyed_list {
 public:
  // Null when an item has no identity or two share one: kubectl refuses to merge such a list.
  static std::optional<keyed_list> index(const doc_node* list, std::string_view merge_key) {
    if (list == nullptr || !list->is_sequence()) return std::nullopt;
    keyed_list out;
    for (const auto& item : list->items) {
      const doc_node* key = identity(*item, merge_key);
      if (key == nullptr || out.find(*key) >= 0) return std::nullopt;
      out.keys_.push_back(key);
    }
    return out;
  }

  // The position of the item with this identity, or -1.
  int find(const doc_node& key) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (same_tree(*keys_[i], key)) return static_cast<int>(i);
    return -1;
  }

  const doc_node& key(std::size_t i) const { return *keys_[i]; }
  std::size_t size() const { return keys_.size(); }

  bool same_order(const keyed_list& other) const {
    return std::ranges::equal(
        keys_, other.keys_, [](const doc_node* a, const doc_node* b) { return same_tree(*a, *b); });
  }

 private:
  // The merge key's value of a mapping item, or the item itself in a list of scalars.
  static const doc_node* identity(const doc_node& item, std::string_view merge_key) {
    if (merge_key.empty()) return item.is_scalar() ? &item : nullptr;
    if (!item.is_mapping()) return nullptr;
    const doc_node* key = item.find(merge_key);
    return key && key->is_scalar() ? key : nullptr;
  }

  std::vector<const doc_node*> keys_;  // points into the list's items; the list outlives this
};

struct placed_item {
  doc_node_ptr node;
  int live_index;  // position in the live list, -1 for an item new to it
};

// kubectl's order for a merged list (strategicpatch's mergeSortedSlice): the manifest's items
// in the manifest's order, with the live-only items slotted in where the live order puts them
// relative to the manifest's items.
doc_node_ptr interleave(const std::vector<placed_item>& manifest_items,
                        const std::vector<placed_item>& live_only) {
  auto out = doc_node::make_sequence();
  std::size_t i = 0, j = 0;
  while (i < live_only.size() || j < manifest_items.size()) {
    bool take_live_only =
        j == manifest_items.size() || (i < live_only.size() && manifest_items[j].live_index >= 0 &&
                                       live_only[i].live_index < manifest_items[j].live_index);
    out->items.push_back(take_live_only ? live_only[i++].node : manifest_items[j++].node);
  }
  return out;
}

// Item-by-item merge of a list with a merge key: items match by identity, matched items merge
// by the three-way rule, items dropped from the manifest since the annotation go, live-only
// items stay. An unchanged list keeps its live order.
doc_node_ptr merge_keyed_list(const doc_node* o, const doc_node_ptr& m, const doc_node_ptr& l,
                              const pb::FieldDescriptor& field, std::string_view merge_key) {
  auto in_modified = keyed_list::index(m.get(), merge_key);
  auto in_live = keyed_list::index(l.get(), merge_key);
  auto in_original = keyed_list::index(o, merge_key);
  if (!in_modified || !in_live || (o && !in_original)) return m;

  bool changed = false;
  std::vector<placed_item> manifest_items;
  for (std::size_t i = 0; i < in_modified->size(); ++i) {
    const auto& item = m->items[i];
    int at = in_live->find(in_modified->key(i));
    if (at < 0) {
      manifest_items.push_back({item, -1});
      changed = true;
      continue;
    }
    const auto& live_item = l->items[at];
    doc_node_ptr merged = item;
    if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && item->is_mapping()) {
      int before = in_original ? in_original->find(in_modified->key(i)) : -1;
      merged = merge_message(before >= 0 ? o->items[before].get() : nullptr, *item, *live_item,
                             *field.message_type());
    }
    changed = changed || !same_tree(*merged, *live_item);
    manifest_items.push_back({merged, at});
  }
  std::vector<placed_item> live_only;
  for (std::size_t i = 0; i < in_live->size(); ++i) {
    const auto& key = in_live->key(i);
    if (in_modified->find(key) >= 0) continue;
    if (in_original && in_original->find(key) >= 0) {
      changed = true;  // dropped from the manifest
      continue;
    }
    live_only.push_back({l->items[i], static_cast<int>(i)});
  }
  // kubectl also reorders the live list when the manifest reordered the annotation's items.
  bool reordered = in_original && !in_original->same_order(*in_modified);
  if (!changed && !reordered) return l;
  return interleave(manifest_items, live_only);
}

doc_node_ptr merge_field(const doc_node* o, const doc_node_ptr& m, const doc_node_ptr& l,
                         const pb::FieldDescriptor& field) {
  if (field.is_map()) {
    if (!m->is_mapping() || !l->is_mapping()) return m;
    // Map values (strings, quantities) are atomic: the manifest's value wins.
    return merge_mapping(o, *m, *l,
                         [](std::string_view, const doc_node*, const doc_node_ptr& mc,
                            const doc_node_ptr&) { return mc; });
  }
  if (field.is_repeated()) {
    const auto* rule = merge_rule_of(field);
    return rule ? merge_keyed_list(o, m, l, field, rule->merge_key) : m;
  }
  // Time, Quantity and IntOrString encode as scalars, so they are replaced like scalars.
  if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && m->is_mapping() &&
      l->is_mapping()) {
    return merge_message(o, *m, *l, *field.message_type());
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// The annotation's JSON, byte for byte as kubectl (Go's encoding/json over an unstructured
// object) writes it: compact, map keys sorted, HTML-safe escapes.
// ---------------------------------------------------------------------------------------------

void append_go_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  auto unicode_escape = [&](unsigned code) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += hex[(code >> shift) & 0xF];
  };
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
      case '>':
      case '&':
        unicode_escape(c);
        break;
      default:
        if (c < 0x20) {
          unicode_escape(c);
        } else if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
          // U+2028 and U+2029 end lines in JavaScript; Go escapes them.
          unicode_escape(text[i + 2] == '\xA8' ? 0x2028 : 0x2029);
          i += 2;
        } else {
          out += text[i];  // protobuf strings are valid UTF-8
        }
    }
  }
  out += '"';
}

void append_compact_json(std::string& out, const doc_node& node) {
  switch (node.type) {
    case doc_node::kind::null:
      out += "null";
      return;
    case doc_node::kind::scalar:
      if (node.quoted) {
        append_go_string(out, node.text);
      } else {
        out += node.text;  // the encoder's numbers and booleans
      }
      return;
    case doc_node::kind::sequence:
      out += '[';
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ',';
        append_compact_json(out, *node.items[i]);
      }
      out += ']';
      return;
    case doc_node::kind::mapping: {
      std::vector<const std::pair<doc_node_ptr, doc_node_ptr>*> sorted;
      for (const auto& entry : node.entries)
        sorted.push_back(&entry);
      std::ranges::sort(sorted, {}, [](const auto* entry) { return entry->first->text; });
      out += '{';
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out += ',';
        append_go_string(out, sorted[i]->first->text);
        out += ':';
        append_compact_json(out, *sorted[i]->second);
      }
      out += '}';
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the annotation back.
// ---------------------------------------------------------------------------------------------

struct original_read {
  bool annotated = false;  // the live object has the annotation, even an empty one
  doc_node_ptr tree;       // null: nothing was applied before (or the annotation is empty)
  std::string error;
};

original_read read_original(const pb::Message& live, const messages::kind_info& kind) {
  original_read out;
  const auto* meta = messages::metadata_of(live);
  if (meta == nullptr) return out;
  auto found = meta->annotations().find(std::string(last_applied_annotation));
  if (found == meta->annotations().end()) return out;
  out.annotated = true;
  auto fail = [&](const std::string& why) {
    out.error = "the " + std::string(last_applied_annotation) + " annotation of " +
                std::string(kind.resource) + "/" + meta->name() + " is " + why +
                "; run troupectl replace -f with this manifest to reset it";
    return out;
  };
  auto parsed = codec::parse_yaml_stream(found->second);
  if (parsed.error) {
    return fail("not valid JSON (line " + std::to_string(parsed.error->pos.line) + ", column " +
                std::to_string(parsed.error->pos.column) + ": " + parsed.error->message + ")");
  }
  if (parsed.documents.size() > 1) return fail("more than one JSON document");
  if (parsed.documents.empty() || parsed.documents[0]->is_null()) return out;
  if (!parsed.documents[0]->is_mapping()) return fail("not a JSON object");
  out.tree = parsed.documents[0];
  return out;
}

// The API server ignores status in an update of the main resource; sending the live status
// back keeps the merged object honest about what will be stored.
doc_node_ptr with_live_status(const doc_node& merged, const doc_node& live) {
  return with_entry(merged, "status", entry_of(live, "status"));
}

}  // namespace

bool same_tree(const doc_node& a, const doc_node& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case doc_node::kind::null:
      return true;
    case doc_node::kind::scalar:
      return a.quoted == b.quoted && a.text == b.text;
    case doc_node::kind::sequence:
      return std::ranges::equal(a.items, b.items,
                                [](const auto& x, const auto& y) { return same_tree(*x, *y); });
    case doc_node::kind::mapping:
      return a.entries.size() == b.entries.size() &&
             std::ranges::all_of(a.entries, [&](const auto& entry) {
               auto other = entry_of(b, entry.first->text);
               return other && same_tree(*entry.second, *other);
             });
  }
  return false;
}

doc_node_ptr three_way_merge(const doc_node* original, const doc_node_ptr& modified,
                             const doc_node_ptr& live, const pb::Descriptor& type) {
  if (!modified->is_mapping() || !live->is_mapping()) return modified;
  return merge_message(original, *modified, *live, type);
}

std::string last_applied_configuration(const pb::Message& manifest,
                                       const messages::kind_info& kind) {
  auto tree = codec::encode_object(manifest, kind);
  auto metadata = entry_of(*tree, "metadata");
  if (!metadata) metadata = doc_node::make_mapping();
  auto annotations = entry_of(*metadata, "annotations");
  if (!annotations) annotations = doc_node::make_mapping();
  // kubectl empties the annotation map rather than dropping it: `"annotations":{}`.
  annotations = with_entry(*annotations, last_applied_annotation, nullptr);
  tree = with_entry(*tree, "metadata", with_entry(*metadata, "annotations", annotations));
  std::string out;
  append_compact_json(out, *tree);
  out += '\n';  // Go's json.Encoder ends every value with one
  return out;
}

std::unique_ptr<pb::Message> object_to_create(const pb::Message& manifest,
                                              const messages::kind_info& kind) {
  std::unique_ptr<pb::Message> out(manifest.New());
  out->CopyFrom(manifest);
  if (auto* meta = messages::metadata_of(*out)) {
    (*meta->mutable_annotations())[std::string(last_applied_annotation)] =
        last_applied_configuration(manifest, kind);
  }
  return out;
}

std::string_view to_string(apply_outcome outcome) {
  switch (outcome) {
    case apply_outcome::created:
      return "created";
    case apply_outcome::configured:
      return "configured";
    case apply_outcome::unchanged:
      return "unchanged";
  }
  return "";
}

std::string apply_summary(const pb::Message& object, const messages::kind_info& kind,
                          apply_outcome outcome) {
  return object_name(object, kind) + " " + std::string(to_string(outcome));
}

std::string missing_annotation_warning(const messages::kind_info& kind, std::string_view name) {
  return "Warning: resource " + std::string(kind.resource) + "/" + std::string(name) +
         " is missing the " + std::string(last_applied_annotation) +
         " annotation which is required by troupectl apply. troupectl apply should only be used "
         "on resources created declaratively by either troupectl create --save-config or "
         "troupectl apply. The missing annotation will be patched automatically.";
}

apply_merge_result merge_for_apply(const pb::Message& manifest, const pb::Message& live,
                                   const messages::kind_info& kind) {
  apply_merge_result result;
  const auto* type = kind.descriptor();
  if (manifest.GetDescriptor() != type || live.GetDescriptor() != type) {
    result.error = "cannot apply a " + manifest.GetDescriptor()->name() + " onto a " +
                   live.GetDescriptor()->name() + " as " + kind.qualified_kind();
    return result;
  }
  auto original = read_original(live, kind);
  if (!original.error.empty()) {
    result.error = std::move(original.error);
    return result;
  }
  if (!original.annotated) {
    const auto* meta = messages::metadata_of(live);
    result.warning = missing_annotation_warning(kind, meta ? meta->name() : "");
  }

  // The manifest carries its new annotation, so the merge writes it like any other field.
  auto modified = codec::encode_object(*object_to_create(manifest, kind), kind);
  auto current = codec::encode_object(live, kind);
  auto merged =
      with_live_status(*three_way_merge(original.tree.get(), modified, current, *type), *current);

  auto decoded = codec::decode_object(*merged);
  if (!decoded.errors.empty()) {
    result.error = "the manifest does not merge into the live " + object_name(live, kind) + ":";
    for (const auto& e : decoded.errors)
      result.error += " " + e.message + ";";
    result.error.pop_back();
    return result;
  }
  result.object = std::move(decoded.value.object);
  result.outcome =
      same_tree(*merged, *current) ? apply_outcome::unchanged : apply_outcome::configured;
  return result;
}

}  // namespace troupe::cli
