// Ports of k8s.io/apimachinery's labels.Parse (lexer and recursive-descent parser),
// labels.NewRequirement's validation, metav1.LabelSelectorAsSelector and fields.ParseSelector,
// keeping their error texts so that users see what kubectl would show them.
#include "messages/label_selector.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "messages/proto/meta.pb.h"
#include "messages/validation/field_errors.hpp"
#include "messages/validation/names.hpp"

namespace troupe::messages {
namespace {

// ---- errors, worded as Kubernetes' field.Error and utilerrors.Aggregate ----

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// Go's %#v of a []string: []string{"a", "b"}.
std::string go_string_slice(const std::vector<std::string>& values) {
  std::vector<std::string> quoted_values;
  for (const auto& v : values)
    quoted_values.push_back(quoted(v));
  return "[]string{" + join(quoted_values, ", ") + "}";
}

std::string invalid_value(std::string_view path, std::string_view go_value,
                          std::string_view detail) {
  return std::string(path) + ": Invalid value: " + std::string(go_value) + ": " +
         std::string(detail);
}

// utilerrors.NewAggregate(...).Error(): one message alone, several as "[a, b]", duplicates
// dropped.
std::string aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const auto& e : errors) {
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  }
  if (unique.size() <= 1) return unique.empty() ? std::string() : unique.front();
  return "[" + join(unique, ", ") + "]";
}

// Go's strconv.ParseInt(s, 10, 64).
std::optional<int64_t> parse_int64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr uint64_t max_positive = static_cast<uint64_t>(INT64_MAX);
  if (magnitude > max_positive + (negative ? 1 : 0)) return std::nullopt;
  if (negative) return magnitude == max_positive + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude);
  return static_cast<int64_t>(magnitude);
}

// validateLabelKey: the key must be a qualified name ("example.com/app").
std::optional<std::string> key_error(std::string_view path, const std::string& key) {
  reasons why = is_qualified_name(key);
  if (why.empty()) return std::nullopt;
  return invalid_value(path, quoted(key), join(why, "; "));
}

// labels.NewRequirement's checks; "" when the requirement is valid.
std::string requirement_errors(const std::string& key, selector_op op,
                               const std::vector<std::string>& values) {
  std::vector<std::string> errors;
  if (auto e = key_error("key", key)) errors.push_back(*e);
  switch (op) {
    case selector_op::in:
    case selector_op::not_in:
      if (values.empty()) {
        errors.push_back(invalid_value("values", go_string_slice(values),
                                       "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case selector_op::equals:
    case selector_op::double_equals:
    case selector_op::not_equals:
      if (values.size() != 1) {
        errors.push_back(invalid_value("values", go_string_slice(values),
                                       "exact-match compatibility requires one single value"));
      }
      break;
    case selector_op::exists:
    case selector_op::does_not_exist:
      if (!values.empty()) {
        errors.push_back(invalid_value("values", go_string_slice(values),
                                       "values set must be empty for exists and does not exist"));
      }
      break;
    case selector_op::greater_than:
    case selector_op::less_than:
      if (values.size() != 1) {
        errors.push_back(invalid_value("values", go_string_slice(values),
                                       "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!parse_int64(values[i])) {
          errors.push_back(invalid_value("values[" + std::to_string(i) + "]", quoted(values[i]),
                                         "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (reasons why = is_valid_label_value(values[i]); !why.empty()) {
      errors.push_back(invalid_value("values[" + std::to_string(i) + "][" + key + "]",
                                     quoted(values[i]), join(why, "; ")));
    }
  }
  return aggregate(errors);
}

bool requirement_matches(const label_requirement& r, const std::string* value) {
  auto has = [&](const std::string& v) {
    return std::find(r.values.begin(), r.values.end(), v) != r.values.end();
  };
  switch (r.op) {
    case selector_op::in:
    case selector_op::equals:
    case selector_op::double_equals:
      return value != nullptr && has(*value);
    case selector_op::not_in:
    case selector_op::not_equals:
      return value == nullptr || !has(*value);
    case selector_op::exists:
      return value != nullptr;
    case selector_op::does_not_exist:
      return value == nullptr;
    case selector_op::greater_than:
    case selector_op::less_than: {
      if (value == nullptr || r.values.size() != 1) return false;
      auto have = parse_int64(*value);
      auto want = parse_int64(r.values.front());
      if (!have || !want) return false;
      return r.op == selector_op::greater_than ? *have > *want : *have < *want;
    }
  }
  return false;
}

template <class Labels>
bool matches_all(const std::vector<label_requirement>& requirements, const Labels& labels) {
  for (const label_requirement& r : requirements) {
    auto it = labels.find(r.key);
    if (!requirement_matches(r, it == labels.end() ? nullptr : &it->second)) return false;
  }
  return true;
}

void sort_by_key(std::vector<label_requirement>& requirements) {
  // Kubernetes sorts by key only; stable keeps same-key requirements in written order.
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

// ---- the lexer of labels.Parse ----

enum class token {
  error,
  end_of_string,
  closed_par,
  comma,
  does_not_exist,
  double_equals,
  equals,
  greater_than,
  identifier,
  in,
  less_than,
  not_equals,
  not_in,
  open_par,
};

std::optional<token> literal_token(std::string_view s) {
  struct entry {
    std::string_view text;
    token tok;
  };
  static constexpr entry table[] = {
      {")", token::closed_par},
      {",", token::comma},
      {"!", token::does_not_exist},
      {"==", token::double_equals},
      {"=", token::equals},
      {">", token::greater_than},
      {"in", token::in},
      {"<", token::less_than},
      {"!=", token::not_equals},
      {"notin", token::not_in},
      {"(", token::open_par},
  };
  for (const entry& e : table) {
    if (e.text == s) return e.tok;
  }
  return std::nullopt;
}

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special_symbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

struct scanned_item {
  token tok = token::error;
  std::string literal;
};

class lexer {
 public:
  explicit lexer(std::string_view s) : s_(s) {}

  scanned_item lex() {
    char c = read();
    while (is_whitespace(c))
      c = read();
    // As in Go, a NUL byte ends the input like its end does.
    if (c == 0) return {token::end_of_string, ""};
    unread();
    return is_special_symbol(c) ? scan_special_symbol() : scan_id_or_keyword();
  }

 private:
  char read() { return pos_ < s_.size() ? s_[pos_++] : 0; }
  void unread() { --pos_; }

  scanned_item scan_id_or_keyword() {
    std::string buffer;
    for (char c = read(); c != 0; c = read()) {
      if (is_special_symbol(c) || is_whitespace(c)) {
        unread();
        break;
      }
      buffer += c;
    }
    if (auto t = literal_token(buffer)) return {*t, buffer};
    return {token::identifier, buffer};
  }

  // The longest run of symbols that is an operator: "!=" rather than "!" then "=".
  scanned_item scan_special_symbol() {
    std::optional<scanned_item> last;
    std::string buffer;
    for (char c = read(); c != 0; c = read()) {
      if (!is_special_symbol(c)) {
        unread();
        break;
      }
      buffer += c;
      if (auto t = literal_token(buffer)) {
        last = scanned_item{*t, buffer};
      } else if (last) {
        unread();
        break;
      }
    }
    if (!last) return {token::error, "error expected: keyword found '" + buffer + "'"};
    return *last;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---- the parser of labels.Parse ----

// In a value position "in" and "notin" are plain identifiers: "x in (in)".
enum class context { key_and_operator, values };

class parser {
 public:
  explicit parser(std::string_view text) {
    lexer l(text);
    for (;;) {
      items_.push_back(l.lex());
      if (items_.back().tok == token::end_of_string) break;
    }
  }

  // The requirements, or the error in `error`.
  std::vector<label_requirement> parse(std::string& error) {
    std::vector<label_requirement> out;
    for (;;) {
      auto [tok, lit] = lookahead(context::values);
      if (tok == token::end_of_string) return out;
      if (tok != token::identifier && tok != token::does_not_exist) {
        error = "found '" + lit + "', expected: !, identifier, or 'end of string'";
        return {};
      }
      std::optional<label_requirement> r = parse_requirement(error);
      if (!r) {
        error = "unable to parse requirement: " + error;
        return {};
      }
      out.push_back(std::move(*r));
      auto [t, l] = consume(context::values);
      if (t == token::end_of_string) return out;
      if (t != token::comma) {
        error = "found '" + l + "', expected: ',' or 'end of string'";
        return {};
      }
      auto [t2, l2] = lookahead(context::values);
      if (t2 != token::identifier && t2 != token::does_not_exist) {
        error = "found '" + l2 + "', expected: identifier after ','";
        return {};
      }
    }
  }

 private:
  std::pair<token, std::string> lookahead(context ctx) const { return view(items_[pos_], ctx); }

  std::pair<token, std::string> consume(context ctx) { return view(items_[pos_++], ctx); }

  static std::pair<token, std::string> view(const scanned_item& item, context ctx) {
    token tok = item.tok;
    if (ctx == context::values && (tok == token::in || tok == token::not_in)) {
      tok = token::identifier;
    }
    return {tok, item.literal};
  }

  std::optional<label_requirement> parse_requirement(std::string& error) {
    label_requirement r;
    // parseKeyAndInferOperator
    auto [tok, lit] = consume(context::values);
    bool negated = tok == token::does_not_exist;
    if (negated) std::tie(tok, lit) = consume(context::values);
    if (tok != token::identifier) {
      error = "found '" + lit + "', expected: identifier";
      return std::nullopt;
    }
    // Kubernetes validates the key with its parser's (nil) field path, printed "<nil>".
    if (auto e = key_error("<nil>", lit)) {
      error = *e;
      return std::nullopt;
    }
    r.key = lit;
    auto next = lookahead(context::values).first;
    bool unary = next == token::end_of_string || next == token::comma;
    if (negated || unary) {
      // "!key" followed by an operator is still does-not-exist; the operator then fails the
      // "',' or 'end of string'" check in parse(), as in Kubernetes.
      r.op = negated ? selector_op::does_not_exist : selector_op::exists;
      error = requirement_errors(r.key, r.op, r.values);
      if (!error.empty()) return std::nullopt;
      return r;
    }
    if (!parse_operator(r.op, error)) return std::nullopt;
    bool ok = r.op == selector_op::in || r.op == selector_op::not_in
                  ? parse_values(r.values, error)
                  : parse_exact_value(r.values, error);
    if (!ok) return std::nullopt;
    // sets.String: sorted, without duplicates.
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    error = requirement_errors(r.key, r.op, r.values);
    if (!error.empty()) return std::nullopt;
    return r;
  }

  bool parse_operator(selector_op& op, std::string& error) {
    auto [tok, lit] = consume(context::key_and_operator);
    switch (tok) {
      case token::in:
        op = selector_op::in;
        return true;
      case token::equals:
        op = selector_op::equals;
        return true;
      case token::double_equals:
        op = selector_op::double_equals;
        return true;
      case token::greater_than:
        op = selector_op::greater_than;
        return true;
      case token::less_than:
        op = selector_op::less_than;
        return true;
      case token::not_in:
        op = selector_op::not_in;
        return true;
      case token::not_equals:
        op = selector_op::not_equals;
        return true;
      default:
        error = "found '" + lit + "', expected: in, notin, =, ==, !=, gt, lt";
        return false;
    }
  }

  bool parse_values(std::vector<std::string>& values, std::string& error) {
    auto [tok, lit] = consume(context::values);
    if (tok != token::open_par) {
      error = "found '" + lit + "' expected: '('";
      return false;
    }
    std::tie(tok, lit) = lookahead(context::values);
    if (tok == token::closed_par) {  // "()" is the set {""}
      consume(context::values);
      values.emplace_back();
      return true;
    }
    if (tok != token::identifier && tok != token::comma) {
      error = "found '" + lit + "', expected: ',', ')' or identifier";
      return false;
    }
    if (!parse_identifiers_list(values, error)) return false;
    if (consume(context::values).first != token::closed_par) {
      error = "found '" + lit + "', expected: ')'";
      return false;
    }
    return true;
  }

  // Empty identifiers are allowed: "(,a)", "(a,)" and "(a,,b)" hold "".
  bool parse_identifiers_list(std::vector<std::string>& values, std::string& error) {
    for (;;) {
      auto [tok, lit] = consume(context::values);
      if (tok == token::identifier) {
        values.push_back(lit);
        auto [tok2, lit2] = lookahead(context::values);
        if (tok2 == token::comma) continue;
        if (tok2 == token::closed_par) return true;
        error = "found '" + lit2 + "', expected: ',' or ')'";
        return false;
      }
      if (tok == token::comma) {
        if (values.empty()) values.emplace_back();
        auto tok2 = lookahead(context::values).first;
        if (tok2 == token::closed_par) {
          values.emplace_back();
          return true;
        }
        if (tok2 == token::comma) {
          consume(context::values);
          values.emplace_back();
        }
        continue;
      }
      error = "found '" + lit + "', expected: ',', or identifier";
      return false;
    }
  }

  bool parse_exact_value(std::vector<std::string>& values, std::string& error) {
    auto tok = lookahead(context::values).first;
    if (tok == token::end_of_string || tok == token::comma) {  // "key=" means the value ""
      values.emplace_back();
      return true;
    }
    auto [t, lit] = consume(context::values);
    if (t != token::identifier) {
      error = "found '" + lit + "', expected: identifier";
      return false;
    }
    values.push_back(lit);
    return true;
  }

  std::vector<scanned_item> items_;
  std::size_t pos_ = 0;
};

// ---- field selectors ----

const std::vector<std::string_view> field_names = {"metadata.name", "metadata.namespace",
                                                   "spec.nodeName", "status.phase"};

// fields.EscapeValue: \ , and = are escaped with a backslash.
std::string escape_field_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

// fields.UnescapeValue; "" in `error` on success.
std::string unescape_field_value(std::string_view value, std::string& error) {
  std::string out;
  bool in_slash = false;
  for (char c : value) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        error = "invalid field selector: invalid escape sequence: \\" + std::string(1, c);
        return {};
      }
      out += c;
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Kubernetes prints the rune's number here ("61"); the character itself is clearer.
      error = "invalid field selector: unescaped character in value: '" + std::string(1, c) + "'";
      return {};
    } else {
      out += c;
    }
  }
  if (in_slash) error = "invalid field selector: invalid escape sequence: \\";
  return out;
}

// fields' splitTerms: commas split, except escaped ones (kept with their backslash).
std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> terms;
  if (text.empty()) return terms;
  std::size_t start = 0;
  bool in_slash = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (text[i] == '\\') {
      in_slash = true;
    } else if (text[i] == ',') {
      terms.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(text.substr(start));
  return terms;
}

}  // namespace

std::string_view to_string(selector_op op) {
  switch (op) {
    case selector_op::in:
      return "in";
    case selector_op::not_in:
      return "notin";
    case selector_op::equals:
      return "=";
    case selector_op::double_equals:
      return "==";
    case selector_op::not_equals:
      return "!=";
    case selector_op::exists:
      return "exists";
    case selector_op::does_not_exist:
      return "!";
    case selector_op::greater_than:
      return "gt";
    case selector_op::less_than:
      return "lt";
  }
  return "";
}

std::string label_requirement::to_string() const {
  std::string out;
  if (op == selector_op::does_not_exist) out += '!';
  out += key;
  switch (op) {
    case selector_op::exists:
    case selector_op::does_not_exist:
      return out;
    case selector_op::in:
      out += " in ";
      break;
    case selector_op::not_in:
      out += " notin ";
      break;
    case selector_op::greater_than:
      out += '>';
      break;
    case selector_op::less_than:
      out += '<';
      break;
    default:
      out += messages::to_string(op);
  }
  bool set = op == selector_op::in || op == selector_op::not_in;
  if (set) out += '(';
  // Values print sorted, whatever their order in memory.
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  out += join(sorted, ",");
  if (set) out += ')';
  return out;
}

label_selector label_selector::nothing() {
  label_selector s;
  s.nothing_ = true;
  return s;
}

label_selector_parse label_selector::parse(std::string_view text) {
  label_selector_parse out;
  parser p(text);
  label_selector s;
  s.requirements_ = p.parse(out.error);
  if (!out.error.empty()) return out;
  sort_by_key(s.requirements_);
  out.value = std::move(s);
  return out;
}

label_selector_parse label_selector::from_proto(const LabelSelector& proto) {
  label_selector_parse out;
  label_selector s;
  // A protobuf map has no order; Kubernetes' Go map has none either. Sorting makes the
  // first error reported the same every time.
  std::map<std::string, std::string> match_labels(proto.match_labels().begin(),
                                                  proto.match_labels().end());
  for (const auto& [key, value] : match_labels) {
    label_requirement r{key, selector_op::equals, {value}};
    out.error = requirement_errors(r.key, r.op, r.values);
    if (!out.error.empty()) return out;
    s.requirements_.push_back(std::move(r));
  }
  for (const LabelSelectorRequirement& expr : proto.match_expressions()) {
    label_requirement r;
    if (expr.operator_() == "In") {
      r.op = selector_op::in;
    } else if (expr.operator_() == "NotIn") {
      r.op = selector_op::not_in;
    } else if (expr.operator_() == "Exists") {
      r.op = selector_op::exists;
    } else if (expr.operator_() == "DoesNotExist") {
      r.op = selector_op::does_not_exist;
    } else {
      out.error = quoted(expr.operator_()) + " is not a valid label selector operator";
      return out;
    }
    r.key = expr.key();
    r.values.assign(expr.values().begin(), expr.values().end());
    out.error = requirement_errors(r.key, r.op, r.values);
    if (!out.error.empty()) return out;
    s.requirements_.push_back(std::move(r));
  }
  sort_by_key(s.requirements_);
  out.value = std::move(s);
  return out;
}

bool label_selector::matches(const google::protobuf::Map<std::string, std::string>& labels) const {
  return !nothing_ && matches_all(requirements_, labels);
}

bool label_selector::matches(const std::map<std::string, std::string>& labels) const {
  return !nothing_ && matches_all(requirements_, labels);
}

std::string label_selector::to_string() const {
  std::vector<std::string> parts;
  for (const label_requirement& r : requirements_)
    parts.push_back(r.to_string());
  return join(parts, ",");
}

field_selector_parse field_selector::parse(std::string_view text) {
  field_selector_parse out;
  std::vector<std::string> parts = split_terms(text);
  std::sort(parts.begin(), parts.end());
  field_selector s;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    // The first operator in the term splits it; "!=" and "==" win over "=" at one position.
    std::size_t at = std::string::npos;
    std::string_view op;
    for (std::size_t i = 0; i < part.size() && at == std::string::npos; ++i) {
      for (std::string_view candidate : {"!=", "==", "="}) {
        if (std::string_view(part).substr(i).starts_with(candidate)) {
          at = i;
          op = candidate;
          break;
        }
      }
    }
    if (at == std::string::npos) {
      out.error = "invalid selector: '" + std::string(text) + "'; can't understand '" + part + "'";
      return out;
    }
    term t;
    t.field = part.substr(0, at);
    t.negated = op == "!=";
    t.value = unescape_field_value(std::string_view(part).substr(at + op.size()), out.error);
    if (!out.error.empty()) return out;
    if (std::find(field_names.begin(), field_names.end(), t.field) == field_names.end()) {
      out.error = "field label not supported: " + t.field;
      return out;
    }
    s.terms_.push_back(std::move(t));
  }
  out.value = std::move(s);
  return out;
}

const std::vector<std::string_view>& field_selector::supported_fields() {
  return field_names;
}

bool field_selector::matches(const field_values& value_of) const {
  for (const term& t : terms_) {
    if ((value_of(t.field) == t.value) == t.negated) return false;
  }
  return true;
}

std::vector<std::string> field_selector::fields() const {
  std::vector<std::string> out;
  for (const term& t : terms_)
    out.push_back(t.field);
  return out;
}

std::string field_selector::to_string() const {
  std::vector<std::string> parts;
  for (const term& t : terms_) {
    parts.push_back(t.field + (t.negated ? "!=" : "=") + escape_field_value(t.value));
  }
  return join(parts, ",");
}

}  // namespace troupe::messages
