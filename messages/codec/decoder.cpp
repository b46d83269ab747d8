#include "messages/codec/decoder.hpp"

#include <charconv>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "messages/codec/base64.hpp"
#include "messages/codec/scalar_types.hpp"

namespace troupe::messages::codec {
namespace {

namespace pb = google::protobuf;
using fd = pb::FieldDescriptor;

// Protobuf 3.21 has no lookup by JSON name; API messages have at most a few dozen
// fields, so a scan is as fast as a hash lookup here.
const fd* field_by_json_name(const pb::Descriptor& desc, const std::string& name) {
  for (int i = 0; i < desc.field_count(); ++i)
    if (desc.field(i)->json_name() == name) return desc.field(i);
  return nullptr;
}

class decoder {
 public:
  decoder(std::vector<decode_error>& errors, source_map* positions)
      : errors_(errors), positions_(positions) {}

  void message(const doc_node& node, pb::Message& out, const std::string& path) {
    if (node.is_null()) return;
    if (!node.is_mapping()) {
      fail(node, path, "expected an object, got " + node.describe());
      return;
    }
    const auto* desc = out.GetDescriptor();
    for (const auto& [key, value] : node.entries) {
      if (!key->is_scalar()) {
        fail(*key, path, "a key must be a string, got " + key->describe());
        continue;
      }
      const auto* field = field_by_json_name(*desc, key->text);
      auto child = join(path, key->text);
      if (field == nullptr) {
        errors_.push_back({key->pos, "unknown field \"" + child + "\""});
        continue;
      }
      remember(child, value->pos.line ? value->pos : key->pos);
      this->field(*value, out, field, child);
    }
  }

 private:
  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  void remember(const std::string& path, position pos) {
    if (positions_) positions_->emplace(path, pos);
  }

  void fail(const doc_node& at, const std::string& path, std::string message) {
    errors_.push_back({at.pos, path.empty() ? std::move(message) : path + ": " + message});
  }

  void field(const doc_node& node, pb::Message& out, const fd* field, const std::string& path) {
    if (field->is_map()) return map(node, out, field, path);
    if (field->is_repeated()) {
      if (node.is_null()) return;
      if (!node.is_sequence()) return fail(node, path, "expected a list, got " + node.describe());
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        auto item_path = path + "[" + std::to_string(i) + "]";
        remember(item_path, node.items[i]->pos);
        single(*node.items[i], out, field, item_path);
      }
      return;
    }
    single(node, out, field, path);
  }

  void map(const doc_node& node, pb::Message& out, const fd* field, const std::string& path) {
    if (node.is_null()) return;
    if (!node.is_mapping()) return fail(node, path, "expected an object, got " + node.describe());
    const auto* entry_desc = field->message_type();
    const auto* key_field = entry_desc->map_key();
    const auto* value_field = entry_desc->map_value();
    for (const auto& [key, value] : node.entries) {
      if (!key->is_scalar()) {
        fail(*key, path, "a key must be a string, got " + key->describe());
        continue;
      }
      auto* entry = out.GetReflection()->AddMessage(&out, field);
      entry->GetReflection()->SetString(entry, key_field, key->text);
      auto entry_path = path + "[" + key->text + "]";
      remember(entry_path, value->pos);
      // A null value in a string map is the empty string, as in Kubernetes; a null
      // quantity is more likely a slip than a zero, so it is an error there.
      if (!value->is_null()) {
        single(*value, *entry, value_field, entry_path);
      } else if (value_field->cpp_type() == fd::CPPTYPE_MESSAGE) {
        fail(*value, entry_path, "expected a value, got null");
      }
    }
  }

  // Decodes one value (not a list) into `field` of `out`, adding to it if repeated.
  void single(const doc_node& node, pb::Message& out, const fd* field, const std::string& path) {
    const auto* refl = out.GetReflection();
    bool repeated = field->is_repeated();
    if (node.is_null() && !repeated) return;  // null means unset
    if (field->cpp_type() == fd::CPPTYPE_MESSAGE) {
      auto* child = repeated ? refl->AddMessage(&out, field) : refl->MutableMessage(&out, field);
      if (is_scalar_type(*field->message_type())) {
        if (auto error = decode_scalar_type(node, *child); !error.empty()) fail(node, path, error);
      } else {
        message(node, *child, path);
      }
      return;
    }
    if (!node.is_scalar()) {
      return fail(node, path, "expected " + type_name(field) + ", got " + node.describe());
    }
    switch (field->cpp_type()) {
      case fd::CPPTYPE_STRING: {
        std::string text = node.text;
        if (field->type() == fd::TYPE_BYTES) {
          auto decoded = base64_decode(node.text);
          if (!decoded.bytes) return fail(node, path, decoded.error);
          text = std::move(*decoded.bytes);
        }
        // A plain `value: 80` is the string "80" for a string field, as in kubectl.
        repeated ? refl->AddString(&out, field, std::move(text))
                 : refl->SetString(&out, field, std::move(text));
        return;
      }
      case fd::CPPTYPE_BOOL: {
        auto value = parse_bool(node);
        if (!value) return fail(node, path, "expected a boolean, got " + node.describe());
        repeated ? refl->AddBool(&out, field, *value) : refl->SetBool(&out, field, *value);
        return;
      }
      case fd::CPPTYPE_INT32: {
        auto value = parse_integer<int32_t>(node);
        if (!value)
          return fail(node, path, "expected " + type_name(field) + ", got " + node.describe());
        repeated ? refl->AddInt32(&out, field, *value) : refl->SetInt32(&out, field, *value);
        return;
      }
      case fd::CPPTYPE_INT64: {
        auto value = parse_integer<int64_t>(node);
        if (!value)
          return fail(node, path, "expected " + type_name(field) + ", got " + node.describe());
        repeated ? refl->AddInt64(&out, field, *value) : refl->SetInt64(&out, field, *value);
        return;
      }
      default:
        // Invariant: the API protos use only strings, bytes, bools, int32/int64 and messages.
        return fail(node, path, "field type not supported by the codec");
    }
  }

  static std::string type_name(const fd* field) {
    switch (field->cpp_type()) {
      case fd::CPPTYPE_BOOL:
        return "a boolean";
      case fd::CPPTYPE_INT32:
        return "an integer (32-bit)";
      case fd::CPPTYPE_INT64:
        return "an integer";
      case fd::CPPTYPE_MESSAGE:
        return "an object";
      default:
        return "a string";
    }
  }

  static std::optional<bool> parse_bool(const doc_node& node) {
    if (node.quoted) return std::nullopt;
    const auto& t = node.text;
    if (t == "true" || t == "True" || t == "TRUE") return true;
    if (t == "false" || t == "False" || t == "FALSE") return false;
    return std::nullopt;
  }

  template <class Int>
  static std::optional<Int> parse_integer(const doc_node& node) {
    if (node.quoted || node.text.empty()) return std::nullopt;
    const char* first = node.text.data();
    const char* last = first + node.text.size();
    if (*first == '+') ++first;
    Int value{};
    auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end != last) return std::nullopt;
    return value;
  }

  std::vector<decode_error>& errors_;
  source_map* positions_;
};

}  // namespace

void decode_message(const doc_node& node, pb::Message& out, const std::string& path,
                    std::vector<decode_error>& errors, source_map* positions) {
  decoder(errors, positions).message(node, out, path);
}

decode_result decode_object(const doc_node& root) {
  decode_result result;
  auto& errors = result.errors;
  if (!root.is_mapping()) {
    errors.push_back(
        {root.pos, "expected an object with apiVersion and kind, got " + root.describe()});
    return result;
  }
  const doc_node* api_version = root.find("apiVersion");
  const doc_node* kind = root.find("kind");
  auto scalar_text = [](const doc_node* n) -> std::string {
    return n && n->is_scalar() ? n->text : std::string();
  };
  if (scalar_text(api_version).empty()) errors.push_back({root.pos, "apiVersion not set"});
  if (scalar_text(kind).empty()) errors.push_back({root.pos, "kind not set"});
  if (!errors.empty()) return result;

  const kind_info* info = find_kind(api_version->text, kind->text);
  if (info == nullptr) {
    std::string message =
        "no matches for kind \"" + kind->text + "\" in version \"" + api_version->text + "\"";
    if (auto hint = suggest_kind(api_version->text, kind->text); !hint.empty())
      message += "; " + hint;
    // When the kind exists under another apiVersion, the apiVersion is the mistake.
    bool kind_exists = false;
    for (const auto& k : all_kinds())
      kind_exists = kind_exists || k.kind == kind->text;
    errors.push_back({kind_exists ? api_version->pos : kind->pos, std::move(message)});
    return result;
  }

  // apiVersion and kind are the table's business, not the message's: decode the rest.
  doc_node body = root;
  std::erase_if(body.entries, [](const auto& entry) {
    return entry.first->is_scalar() &&
           (entry.first->text == "apiVersion" || entry.first->text == "kind");
  });
  auto object = info->new_object();
  decode_message(body, *object, "", errors, &result.value.positions);
  if (errors.empty()) {
    result.value.kind = info;
    result.value.object = std::move(object);
  }
  return result;
}

}  // namespace troupe::messages::codec
