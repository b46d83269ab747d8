#include "messages/codec/encoder.hpp"

#include <algorithm>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "messages/codec/base64.hpp"
#include "messages/codec/scalar_types.hpp"

namespace troupe::messages::codec {
namespace {

namespace pb = google::protobuf;
using fd = pb::FieldDescriptor;

doc_node_ptr encode_value(const pb::Message& m, const fd* field, int index) {
  const auto* refl = m.GetReflection();
  bool rep = index >= 0;
  switch (field->cpp_type()) {
    case fd::CPPTYPE_MESSAGE: {
      const auto& child =
          rep ? refl->GetRepeatedMessage(m, field, index) : refl->GetMessage(m, field);
      return is_scalar_type(*child.GetDescriptor()) ? encode_scalar_type(child)
                                                    : encode_message(child);
    }
    case fd::CPPTYPE_STRING: {
      auto text = rep ? refl->GetRepeatedString(m, field, index) : refl->GetString(m, field);
      if (field->type() == fd::TYPE_BYTES) text = base64_encode(text);
      return doc_node::make_string(std::move(text));
    }
    case fd::CPPTYPE_BOOL: {
      bool value = rep ? refl->GetRepeatedBool(m, field, index) : refl->GetBool(m, field);
      return doc_node::make_plain(value ? "true" : "false");
    }
    case fd::CPPTYPE_INT32:
      return doc_node::make_plain(
          std::to_string(rep ? refl->GetRepeatedInt32(m, field, index) : refl->GetInt32(m, field)));
    case fd::CPPTYPE_INT64:
      return doc_node::make_plain(
          std::to_string(rep ? refl->GetRepeatedInt64(m, field, index) : refl->GetInt64(m, field)));
    default:
      // Invariant: the API protos use only the types above (see decoder.cpp).
      return doc_node::make_null();
  }
}

doc_node_ptr encode_map(const pb::Message& m, const fd* field) {
  const auto* refl = m.GetReflection();
  const auto* key_field = field->message_type()->map_key();
  const auto* value_field = field->message_type()->map_value();
  std::vector<std::pair<std::string, doc_node_ptr>> entries;
  for (int i = 0, n = refl->FieldSize(m, field); i < n; ++i) {
    const auto& entry = refl->GetRepeatedMessage(m, field, i);
    entries.emplace_back(entry.GetReflection()->GetString(entry, key_field),
                         encode_value(entry, value_field, -1));
  }
  // Protobuf maps have no order; print them sorted, as Go's encoders do.
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto out = doc_node::make_mapping();
  for (auto& [key, value] : entries)
    out->entries.emplace_back(doc_node::make_string(key), std::move(value));
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void yaml_scalar(std::string& out, const doc_node& n) {
  if (n.is_null()) {
    out += "null";
  } else if (n.quoted && needs_quotes(n.text)) {
    append_escaped(out, n.text);
  } else {
    out += n.text;
  }
}

bool is_empty_collection(const doc_node& n) {
  return (n.is_mapping() && n.entries.empty()) || (n.is_sequence() && n.items.empty());
}

void yaml_node(std::string& out, const doc_node& n, int indent);

void yaml_mapping(std::string& out, const doc_node& n, int indent, bool first_inline) {
  std::vector<const std::pair<doc_node_ptr, doc_node_ptr>*> sorted;
  for (const auto& e : n.entries)
    sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return a->first->text < b->first->text; });
  bool first = true;
  for (const auto* entry : sorted) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    yaml_scalar(out, *entry->first);
    out += ':';
    const auto& value = *entry->second;
    if (is_empty_collection(value)) {
      out += value.is_mapping() ? " {}\n" : " []\n";
    } else if (value.is_mapping()) {
      out += '\n';
      yaml_mapping(out, value, indent + 2, false);
    } else if (value.is_sequence()) {
      out += '\n';
      yaml_node(out, value, indent);  // list items sit at their key's indent
    } else {
      out += ' ';
      yaml_scalar(out, value);
      out += '\n';
    }
  }
}

void yaml_node(std::string& out, const doc_node& n, int indent) {
  if (is_empty_collection(n)) {
    out.append(indent, ' ');
    out += n.is_mapping() ? "{}\n" : "[]\n";
  } else if (n.is_mapping()) {
    yaml_mapping(out, n, indent, false);
  } else if (n.is_sequence()) {
    for (const auto& item : n.items) {
      out.append(indent, ' ');
      out += "- ";
      if (item->is_mapping() && !item->entries.empty()) {
        yaml_mapping(out, *item, indent + 2, true);
      } else if (item->is_sequence() && !item->items.empty()) {
        out += '\n';
        yaml_node(out, *item, indent + 2);
      } else if (is_empty_collection(*item)) {
        out += item->is_mapping() ? "{}\n" : "[]\n";
      } else {
        yaml_scalar(out, *item);
        out += '\n';
      }
    }
  } else {
    out.append(indent, ' ');
    yaml_scalar(out, n);
    out += '\n';
  }
}

void json_node(std::string& out, const doc_node& n, int indent) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(level, ' ');
  };
  if (n.is_mapping()) {
    if (n.entries.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    for (std::size_t i = 0; i < n.entries.size(); ++i) {
      newline(indent + 4);
      append_escaped(out, n.entries[i].first->text);
      out += ": ";
      json_node(out, *n.entries[i].second, indent + 4);
      if (i + 1 < n.entries.size()) out += ',';
    }
    newline(indent);
    out += '}';
  } else if (n.is_sequence()) {
    if (n.items.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      newline(indent + 4);
      json_node(out, *n.items[i], indent + 4);
      if (i + 1 < n.items.size()) out += ',';
    }
    newline(indent);
    out += ']';
  } else if (n.is_null()) {
    out += "null";
  } else if (n.quoted) {
    append_escaped(out, n.text);
  } else {
    out += n.text;
  }
}

}  // namespace

doc_node_ptr encode_message(const pb::Message& message) {
  auto out = doc_node::make_mapping();
  std::vector<const fd*> fields;
  // ListFields: the fields that are set, in field-number order.
  message.GetReflection()->ListFields(message, &fields);
  for (const auto* field : fields) {
    doc_node_ptr value;
    if (field->is_map()) {
      value = encode_map(message, field);
    } else if (field->is_repeated()) {
      value = doc_node::make_sequence();
      for (int i = 0, n = message.GetReflection()->FieldSize(message, field); i < n; ++i)
        value->items.push_back(encode_value(message, field, i));
    } else {
      value = encode_value(message, field, -1);
    }
    out->entries.emplace_back(doc_node::make_string(field->json_name()), std::move(value));
  }
  return out;
}

doc_node_ptr encode_object(const pb::Message& object, const kind_info& kind) {
  auto out = doc_node::make_mapping();
  out->entries.emplace_back(doc_node::make_string("apiVersion"),
                            doc_node::make_string(kind.api_version()));
  out->entries.emplace_back(doc_node::make_string("kind"),
                            doc_node::make_string(std::string(kind.kind)));
  auto body = encode_message(object);
  for (auto& entry : body->entries)
    out->entries.push_back(std::move(entry));
  return out;
}

std::string to_yaml(const doc_node& node) {
  std::string out;
  yaml_node(out, node, 0);
  return out;
}

std::string to_json(const doc_node& node) {
  std::string out;
  json_node(out, node, 0);
  out += '\n';
  return out;
}

}  // namespace troupe::messages::codec
