#include "messages/codec/yaml_tree.hpp"

#include <cctype>
#include <regex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace troupe::messages::codec {
namespace {

position to_position(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

// Thrown by the event handler to stop yaml-cpp's parser; never leaves this file.
struct rejected {
  parse_error error;
};

// The offset of the first byte that is not part of valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return i;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

// Builds doc_node trees from yaml-cpp parser events, with an explicit stack so that the
// only recursion is yaml-cpp's own, which the depth limit keeps shallow.
class tree_builder : public YAML::EventHandler {
 public:
  tree_builder(const parse_limits& limits, std::string_view text) : limits_(limits), text_(text) {}

  doc_node_ptr take_document() { return std::exchange(root_, nullptr); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 never consumes some stray tokens (a lone ',' or ']' at the top
    // level) and would report empty documents at the same place forever.
    if (mark.pos == last_document_pos_) {
      auto at = static_cast<std::size_t>(mark.pos);
      std::string token = at < text_.size() ? std::string(1, text_[at]) : "end of input";
      fail(mark, "YAML syntax error: unexpected '" + token + "' here");
    }
    last_document_pos_ = mark.pos;
    anchors_.clear();
    root_ = nullptr;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto n = doc_node::make_null();
    n->pos = to_position(mark);
    finish(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "alias refers to an anchor that is not complete here");
    alias_nodes_ += it->second->size;
    if (alias_nodes_ > limits_.max_alias_nodes)
      fail(mark, "YAML aliases expand to more than " + std::to_string(limits_.max_alias_nodes) +
                     " nodes; refusing the document (an alias bomb?)");
    finish(it->second, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (invalid_utf8_at(value) != std::string_view::npos)
      fail(mark, "invalid UTF-8 in a value; manifests must be UTF-8 text");
    auto n = std::make_shared<doc_node>();
    n->type = doc_node::kind::scalar;
    n->quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    n->text = value;
    n->pos = to_position(mark);
    finish(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(doc_node::make_sequence(), mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(doc_node::make_mapping(), mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct frame {
    doc_node_ptr node;
    YAML::anchor_t anchor = 0;
    doc_node_ptr pending_key;              // a mapping's key awaiting its value
    std::unordered_set<std::string> keys;  // a mapping's scalar keys so far
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    throw rejected{{to_position(mark), std::move(message)}};
  }
  [[noreturn]] void fail(position pos, std::string message) {
    throw rejected{{pos, std::move(message)}};
  }

  void open(doc_node_ptr n, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      fail(mark, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    n->pos = to_position(mark);
    stack_.push_back(frame{std::move(n), anchor, nullptr, {}});
  }

  void close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(f.node), f.anchor);
  }

  // Attaches a complete node to its parent, or makes it the document's root.
  void finish(doc_node_ptr n, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = n;
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    frame& parent = stack_.back();
    parent.node->size += n->size;
    if (parent.node->is_sequence()) {
      parent.node->items.push_back(std::move(n));
    } else if (!parent.pending_key) {
      check_key(*n);
      if (n->is_scalar() && !parent.keys.insert(n->text).second)
        fail(n->pos, "duplicate key \"" + n->text + "\" in this mapping");
      parent.pending_key = std::move(n);
    } else {
      parent.node->entries.emplace_back(std::move(parent.pending_key), std::move(n));
    }
  }

  // Every Kubernetes key (field names, label and annotation keys, data keys) is short
  // printable text, at most 317 bytes; refusing others keeps printed keys under YAML's
  // 1024-character limit for implicit keys, so whatever is read can be printed back.
  void check_key(const doc_node& key) {
    if (!key.is_scalar()) return;
    if (key.text.size() > max_key_bytes)
      fail(key.pos, "a key longer than " + std::to_string(max_key_bytes) + " bytes");
    for (unsigned char c : key.text)
      if (c < 0x20 || c == 0x7F) fail(key.pos, "a key with a control character in it");
  }

  static constexpr std::size_t max_key_bytes = 320;
  const parse_limits& limits_;
  std::string_view text_;
  int last_document_pos_ = -1;
  std::vector<frame> stack_;
  std::unordered_map<YAML::anchor_t, doc_node_ptr> anchors_;
  std::size_t alias_nodes_ = 0;  // across the whole stream
  doc_node_ptr root_;
};

// yaml-cpp's terse messages, in words a manifest author can act on.
std::string explain_syntax_error(const std::string& msg) {
  if (msg == "illegal map value") return "a \"key: value\" is not allowed here";
  if (msg == "end of map not found") return "a mapping ends where YAML expects another key";
  if (msg == "end of sequence not found") return "a list ends where YAML expects another item";
  if (msg == "end of map flow not found") return "a '{' is never closed";
  if (msg == "end of sequence flow not found") return "a '[' is never closed";
  return msg;
}

// Most syntax errors in hand-written manifests are indentation slips, often on the line
// above the one where the parser gives up. Name the lines and columns involved.
std::string indentation_hint(std::string_view text, int error_line) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  auto indent = [](std::string_view l) { return l.find_first_not_of(' '); };
  auto blank = [&](std::string_view l) {
    auto i = indent(l);
    return i == std::string_view::npos || l[i] == '#';
  };
  if (error_line < 1 || error_line > static_cast<int>(lines.size())) return {};
  auto here = lines[static_cast<std::size_t>(error_line - 1)];
  if (blank(here)) return {};
  auto col = indent(here);
  int prev = error_line - 1;
  while (prev >= 1 && blank(lines[static_cast<std::size_t>(prev - 1)]))
    --prev;
  if (prev < 1) return {};
  auto above = lines[static_cast<std::size_t>(prev - 1)];
  auto above_col = indent(above);
  auto show = [](std::string_view l) {
    auto t = l.substr(l.find_first_not_of(' '));
    return "\"" + std::string(t.substr(0, 40)) + "\"";
  };
  auto num = [](std::size_t n) { return std::to_string(n); };
  if (col > above_col) {
    return "line " + num(error_line) + " is indented more than line " + num(prev) + " (" +
           show(above) + ", column " + num(above_col + 1) +
           ") above it: check the indentation of both lines";
  }
  // Dedented: it must line up with the line above or one of that line's parents.
  if (above_col == col) return {};
  std::string levels;
  auto level = above_col;
  for (int l = prev - 1; l >= 1; --l) {
    auto line = lines[static_cast<std::size_t>(l - 1)];
    if (blank(line) || indent(line) >= level) continue;
    level = indent(line);
    if (level == col) return {};
    levels +=
        (levels.empty() ? "" : ", ") + num(level + 1) + " (line " + num(l) + " " + show(line) + ")";
  }
  return "line " + num(error_line) + " starts at column " + num(col + 1) +
         ", which lines up with no key above it; keys above are at columns " + num(above_col + 1) +
         " (line " + num(prev) + ")" + (levels.empty() ? "" : ", " + levels);
}

}  // namespace

doc_node_ptr doc_node::make_null() {
  return std::make_shared<doc_node>();
}

doc_node_ptr doc_node::make_string(std::string text) {
  auto n = std::make_shared<doc_node>();
  n->type = kind::scalar;
  n->quoted = true;
  n->text = std::move(text);
  return n;
}

doc_node_ptr doc_node::make_plain(std::string text) {
  auto n = make_string(std::move(text));
  n->quoted = false;
  return n;
}

doc_node_ptr doc_node::make_sequence() {
  auto n = std::make_shared<doc_node>();
  n->type = kind::sequence;
  return n;
}

doc_node_ptr doc_node::make_mapping() {
  auto n = std::make_shared<doc_node>();
  n->type = kind::mapping;
  return n;
}

const doc_node* doc_node::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k->is_scalar() && k->text == key) return v.get();
  return nullptr;
}

std::string doc_node::describe() const {
  switch (type) {
    case kind::null:
      return "null";
    case kind::sequence:
      return "a list";
    case kind::mapping:
      return "an object";
    case kind::scalar:
      break;
  }
  std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
  if (quoted || needs_quotes(text) == false) return "the string \"" + shown + "\"";
  return "the value " + shown;
}

bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  static const std::regex special(
      // null, bool (YAML 1.1 and 1.2), numbers, YAML 1.1 timestamps
      "~|null|Null|NULL|true|True|TRUE|false|False|FALSE|"
      "y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|"
      "[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|0o?[0-7_]+|"
      "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|"
      "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|"
      "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  // libstdc++'s regex recurses per character, so long text gets a cheap conservative test.
  if (text.size() <= 64
          ? std::regex_match(text.begin(), text.end(), special)
          : std::string_view("0123456789+-.").find(text.front()) != std::string_view::npos)
    return true;
  // Indicators that YAML reads specially at the start of a plain scalar.
  // "-", "?" and ":" are indicators only before a space: "--port=80" prints bare.
  if (std::string_view("-?:").find(text.front()) != std::string_view::npos &&
      (text.size() == 1 || text[1] == ' ' || text.starts_with("---")))
    return true;
  if (std::string_view(",[]{}#&*!|>'\"%@` ").find(text.front()) != std::string_view::npos)
    return true;
  if (text.back() == ' ' || text.back() == ':') return true;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos)
    return true;
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

parsed_stream parse_yaml_stream(std::string_view text, const parse_limits& limits) {
  parsed_stream out;
  if (text.size() > limits.max_bytes) {
    out.error =
        parse_error{{},
                    "the manifest is " + std::to_string(text.size()) +
                        " bytes, over the limit of " + std::to_string(limits.max_bytes) + " bytes"};
    return out;
  }
  // yaml-cpp guesses UTF-16 and UTF-32 from a byte-order mark and can loop forever on
  // a truncated one; manifests are UTF-8 (a UTF-8 BOM is fine), so check that first.
  auto bad = invalid_utf8_at(text);
  if (bad == std::string_view::npos) bad = text.find('\0');
  if (bad != std::string_view::npos) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < bad; ++i)
      text[i] == '\n' ? (++line, column = 1) : ++column;
    out.error = parse_error{
        {line, column},
        "not UTF-8 text (byte " + std::to_string(bad) + "); manifests must be UTF-8 YAML or JSON"};
    return out;
  }
  std::istringstream in{std::string(text)};
  tree_builder builder(limits, text);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
      auto doc = builder.take_document();
      out.documents.push_back(doc ? std::move(doc) : doc_node::make_null());
    }
  } catch (const rejected& r) {
    out.error = r.error;
  } catch (const YAML::Exception& e) {
    auto pos = to_position(e.mark);
    auto explained = explain_syntax_error(e.msg);
    std::string message = "YAML syntax error: " + explained;
    // Structure errors are usually indentation slips; others (bad escapes...) are not.
    bool structural = explained != e.msg;
    if (auto hint = structural ? indentation_hint(text, pos.line) : ""; !hint.empty())
      message += "; " + hint;
    out.error = parse_error{pos, std::move(message)};
  } catch (const std::exception& e) {
    out.error = parse_error{{}, std::string("cannot parse the manifest: ") + e.what()};
  }
  return out;
}

}  // namespace troupe::messages::codec
