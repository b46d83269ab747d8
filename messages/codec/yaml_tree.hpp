// A YAML or JSON document as a small immutable tree with source positions, built from
// yaml-cpp's event parser under hard limits (size, depth, alias expansion), so hostile
// input gets an error in bounded time and memory. The codec's decoder reads this tree
// and its encoder writes one. Plain data: safe to share across threads once built.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace troupe::messages::codec {

// 1-based line and column; 0 means "no position" (a node the encoder made).
struct position {
  int line = 0;
  int column = 0;
};

struct doc_node;
// Aliases (`*name`) share the anchored node, so a tree is a DAG; never mutate a node
// reachable from a parsed document.
using doc_node_ptr = std::shared_ptr<doc_node>;

struct doc_node {
  enum class kind : unsigned char { null, scalar, sequence, mapping };

  kind type = kind::null;
  // For a scalar: true when it was written in quotes (or tagged !!str), so it is a
  // string even if it reads as a number, bool or null. The encoder sets it for strings.
  bool quoted = false;
  std::string text;
  position pos;
  std::vector<doc_node_ptr> items;                             // a sequence's items
  std::vector<std::pair<doc_node_ptr, doc_node_ptr>> entries;  // a mapping's key/value pairs
  // Nodes in this subtree with aliases expanded; bounded by parse_limits.
  std::size_t size = 1;

  static doc_node_ptr make_null();
  static doc_node_ptr make_string(std::string text);
  // A scalar printed bare: a number, bool, or null literal.
  static doc_node_ptr make_plain(std::string text);
  static doc_node_ptr make_sequence();
  static doc_node_ptr make_mapping();

  bool is_null() const { return type == kind::null; }
  bool is_scalar() const { return type == kind::scalar; }
  bool is_sequence() const { return type == kind::sequence; }
  bool is_mapping() const { return type == kind::mapping; }
  // The value under a scalar key, or nullptr.
  const doc_node* find(std::string_view key) const;
  // "a mapping", "a sequence", "the string \"x\"", "the number 3", "null": for errors.
  std::string describe() const;
};

struct parse_limits {
  // Kubernetes' API server refuses requests over 3 MiB; a manifest is one request.
  std::size_t max_bytes = 3 * 1024 * 1024;
  // Deeper than any Kubernetes object; keeps the recursive parser's stack small.
  int max_depth = 128;
  // Nodes that aliases may add by reference: stops "billion laughs" expansion.
  std::size_t max_alias_nodes = 100'000;
};

struct parse_error {
  position pos;
  std::string message;
};

struct parsed_stream {
  std::vector<doc_node_ptr> documents;  // one per `---` document, empty ones included
  std::optional<parse_error> error;     // set: the stream was rejected as a whole
};

// Parses a multi-document YAML stream (JSON is accepted as YAML's flow style).
parsed_stream parse_yaml_stream(std::string_view text, const parse_limits& limits = {});

// True for text that YAML would read as something other than a string when unquoted.
bool needs_quotes(std::string_view text);

}  // namespace troupe::messages::codec
