// Kubernetes label selectors ("app=web,tier!=db,env in (prod,staging),!canary") and field
// selectors ("metadata.name=web,status.phase!=Running"): parsing with Kubernetes' error
// messages, Kubernetes' canonical text, and matching. Used by the gateway (list and watch
// filters), the controllers (a workload's spec.selector) and the store's list.
// Selectors are immutable values once built: any thread may match with one concurrently.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/map.h>

namespace troupe::messages {

class LabelSelector;

// Kubernetes' selection.Operator. Only in, not_in, exists and does_not_exist exist in a
// LabelSelector's matchExpressions; a selector string may use all of them.
enum class selector_op {
  in,              // key in (a,b)
  not_in,          // key notin (a,b): also true when the label is absent
  equals,          // key=a
  double_equals,   // key==a
  not_equals,      // key!=a: also true when the label is absent
  exists,          // key
  does_not_exist,  // !key
  greater_than,    // key>5: the label is an integer above 5
  less_than,       // key<5
};

// Kubernetes' operator names: "in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt".
std::string_view to_string(selector_op op);

struct label_requirement {
  std::string key;
  selector_op op = selector_op::exists;
  // Parsed from text: sorted and without duplicates. From a LabelSelector: as written.
  std::vector<std::string> values;

  // Kubernetes' Requirement.String(): "env in (prod,staging)", "!canary", "tier!=db".
  std::string to_string() const;
  friend bool operator==(const label_requirement&, const label_requirement&) = default;
};

struct label_selector_parse;

class label_selector {
 public:
  // The empty selector: matches every label set.
  label_selector() = default;
  // Matches nothing: Kubernetes' labels.Nothing(), for an absent selector where absence
  // means "select nothing" (a Service without a selector).
  static label_selector nothing();

  // Kubernetes' labels.Parse: "" is the empty selector; errors read as Kubernetes', e.g.
  // "unable to parse requirement: found '', expected: ',' or ')'".
  static label_selector_parse parse(std::string_view text);
  // metav1.LabelSelectorAsSelector: matchLabels become key=value, matchExpressions keep
  // their operator (In, NotIn, Exists, DoesNotExist). No conditions: the empty selector.
  static label_selector_parse from_proto(const LabelSelector& proto);

  // No requirements, so everything matches (false for nothing()).
  bool empty() const { return requirements_.empty() && !nothing_; }
  bool matches(const google::protobuf::Map<std::string, std::string>& labels) const;
  bool matches(const std::map<std::string, std::string>& labels) const;

  // The canonical form: requirements sorted by key, joined by ','. Parses back to an equal
  // selector. "" for the empty selector and for nothing().
  std::string to_string() const;

  // Sorted by key.
  const std::vector<label_requirement>& requirements() const { return requirements_; }

  friend bool operator==(const label_selector&, const label_selector&) = default;

 private:
  std::vector<label_requirement> requirements_;
  bool nothing_ = false;
};

// Exactly one is meaningful: value on success, error (non-empty) on failure.
struct label_selector_parse {
  std::optional<label_selector> value;
  std::string error;
};

struct field_selector_parse;

// A conjunction of field=value / field!=value terms over a fixed set of fields. The selector
// does not know kinds: matching asks the caller for each field's value.
class field_selector {
 public:
  // The value of a field of the object being matched; "" when the object lacks it.
  using field_values = std::function<std::string(std::string_view field)>;

  // The empty selector: matches everything.
  field_selector() = default;

  // Kubernetes' fields.ParseSelector with its escapes (\, \= \\ in values), accepting the
  // fields of supported_fields(); others fail with "field label not supported: <field>".
  static field_selector_parse parse(std::string_view text);

  // metadata.name, metadata.namespace, spec.nodeName, status.phase. A kind may support
  // fewer (only pods have spec.nodeName and status.phase): check fields() against it.
  static const std::vector<std::string_view>& supported_fields();

  bool empty() const { return terms_.empty(); }
  bool matches(const field_values& value_of) const;
  // The fields the selector reads, in term order.
  std::vector<std::string> fields() const;
  // Kubernetes' canonical form: terms sorted, "==" written "=", values escaped.
  std::string to_string() const;

  friend bool operator==(const field_selector&, const field_selector&) = default;

 private:
  struct term {
    std::string field;
    bool negated = false;  // field!=value
    std::string value;     // unescaped
    friend bool operator==(const term&, const term&) = default;
  };
  std::vector<term> terms_;
};

struct field_selector_parse {
  std::optional<field_selector> value;
  std::string error;
};

}  // namespace troupe::messages
