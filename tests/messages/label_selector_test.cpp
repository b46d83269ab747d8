#include "messages/label_selector.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <string_view>

#include "messages/proto/meta.pb.h"

namespace {

using troupe::messages::field_selector;
using troupe::messages::label_selector;
using troupe::messages::LabelSelector;
using troupe::messages::ObjectMeta;
using labels = std::map<std::string, std::string>;

// Kubernetes' reasons for an invalid key name part and label value (util/validation).
constexpr std::string_view name_part_reason =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view label_value_reason =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

label_selector parsed(std::string_view text) {
  auto p = label_selector::parse(text);
  BOOST_TEST_REQUIRE(p.error == "", "parse of '" << text << "' failed: " << p.error);
  return *p.value;
}

std::string parse_error(std::string_view text) {
  auto p = label_selector::parse(text);
  BOOST_TEST(!p.value.has_value(), "'" << text << "' parsed but should not");
  return p.error;
}

LabelSelector proto_selector(const labels& match_labels) {
  LabelSelector s;
  for (const auto& [k, v] : match_labels)
    (*s.mutable_match_labels())[k] = v;
  return s;
}

void add_expression(LabelSelector& s, const std::string& key, const std::string& op,
                    std::initializer_list<std::string> values) {
  auto* e = s.add_match_expressions();
  e->set_key(key);
  e->set_operator_(op);
  for (const auto& v : values)
    e->add_values(v);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_label_selector)

BOOST_AUTO_TEST_CASE(parse_canonical_forms_like_kubernetes) {
  struct canonical_case {
    std::string_view input;
    std::string_view canonical;
  };
  // Canonical forms as Kubernetes' Selector.String() prints them: sorted by key, set values
  // sorted, "==" kept, whitespace dropped.
  constexpr canonical_case cases[] = {
      {"", ""},
      {"app=web", "app=web"},
      {"tier!=db,app=web", "app=web,tier!=db"},
      {"app==web", "app==web"},
      {"env in (staging,prod)", "env in (prod,staging)"},
      {"env notin (b,a,b)", "env notin (a,b)"},
      {"app", "app"},
      {"!canary", "!canary"},
      {"  app = web ,\ttier in ( a , b ) ", "app=web,tier in (a,b)"},
      {"x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"},
      {"a=", "a="},
      {"replicas>1,replicas<5", "replicas>1,replicas<5"},
      {"example.com/app=web", "example.com/app=web"},
      {"in in (in,notin)", "in in (in,notin)"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("input '" << c.input << "'") {
      label_selector s = parsed(c.input);
      BOOST_TEST(s.to_string() == c.canonical);
      BOOST_TEST((parsed(s.to_string()) == s));
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_errors_read_as_kubernetes_errors) {
  BOOST_TEST(parse_error("env in (prod") ==
             "unable to parse requirement: found '', expected: ',' or ')'");
  BOOST_TEST(parse_error("app=web,") == "found '', expected: identifier after ','");
  BOOST_TEST(parse_error("app=web tier=db") == "found 'tier', expected: ',' or 'end of string'");
  BOOST_TEST(parse_error("=web") == "found '=', expected: !, identifier, or 'end of string'");
  BOOST_TEST(parse_error("app web") ==
             "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt");
  BOOST_TEST(parse_error("env in prod") ==
             "unable to parse requirement: found 'prod' expected: '('");
  BOOST_TEST(parse_error("env in (=)") ==
             "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  BOOST_TEST(parse_error("!app=web") == "found '=', expected: ',' or 'end of string'");
  BOOST_TEST(parse_error("app:web") ==
             "unable to parse requirement: <nil>: Invalid value: "
             "\"app:web\": " +
                 std::string(name_part_reason));
  BOOST_TEST(parse_error("app=we$b") ==
             "unable to parse requirement: values[0][app]: Invalid value: \"we$b\": " +
                 std::string(label_value_reason));
  BOOST_TEST(parse_error("x>a") ==
             "unable to parse requirement: values[0]: Invalid value: "
             "\"a\": for 'Gt', 'Lt' operators, the value must be an integer");
}

BOOST_AUTO_TEST_CASE(matches_follow_kubernetes_semantics) {
  labels web{{"app", "web"}, {"tier", "frontend"}, {"replicas", "3"}};
  labels bare;
  BOOST_TEST(parsed("").matches(web));
  BOOST_TEST(parsed("").matches(bare));
  BOOST_TEST(parsed("app=web,tier in (frontend,backend)").matches(web));
  BOOST_TEST(!parsed("app=web,tier in (backend)").matches(web));
  // notin and != hold when the label is absent; in and = do not.
  BOOST_TEST(parsed("env notin (prod)").matches(web));
  BOOST_TEST(parsed("env!=prod").matches(web));
  BOOST_TEST(!parsed("env in (prod)").matches(web));
  BOOST_TEST(!parsed("env=prod").matches(web));
  BOOST_TEST(parsed("app").matches(web));
  BOOST_TEST(!parsed("!app").matches(web));
  BOOST_TEST(parsed("!app").matches(bare));
  // "app=" asks for the empty value, which an absent label does not have.
  BOOST_TEST(!parsed("app=").matches(bare));
  BOOST_TEST(parsed("app=").matches(labels{{"app", ""}}));
  BOOST_TEST(parsed("replicas>2,replicas<4").matches(web));
  BOOST_TEST(!parsed("replicas>3").matches(web));
  BOOST_TEST(!parsed("tier>3").matches(web));  // not an integer: no match
  BOOST_TEST(!label_selector::nothing().matches(bare));
  BOOST_TEST(!label_selector::nothing().empty());
}

BOOST_AUTO_TEST_CASE(matches_protobuf_label_maps) {
  ObjectMeta meta;
  (*meta.mutable_labels())["app"] = "web";
  BOOST_TEST(parsed("app in (web,api)").matches(meta.labels()));
  BOOST_TEST(!parsed("app,tier").matches(meta.labels()));
}

BOOST_AUTO_TEST_CASE(from_proto_combines_match_labels_and_expressions) {
  LabelSelector proto = proto_selector({{"tier", "fe"}, {"app", "web"}});
  add_expression(proto, "env", "In", {"prod", "staging"});
  add_expression(proto, "canary", "DoesNotExist", {});
  auto s = label_selector::from_proto(proto);
  BOOST_TEST_REQUIRE(s.error == "");
  // Sorted by key, not by text: "app" < "canary".
  BOOST_TEST(s.value->to_string() == "app=web,!canary,env in (prod,staging),tier=fe");
  BOOST_TEST(s.value->matches(labels{{"app", "web"}, {"tier", "fe"}, {"env", "prod"}}));
  BOOST_TEST(!s.value->matches(labels{{"app", "web"}, {"tier", "fe"}, {"env", "dev"}}));
  auto empty = label_selector::from_proto(LabelSelector());
  BOOST_TEST_REQUIRE(empty.value.has_value());
  BOOST_TEST(empty.value->empty());
  BOOST_TEST(empty.value->matches(labels{{"any", "thing"}}));
}

BOOST_AUTO_TEST_CASE(from_proto_errors_read_as_kubernetes_errors) {
  auto check = [](const LabelSelector& proto, const std::string& expected) {
    auto s = label_selector::from_proto(proto);
    BOOST_TEST(!s.value.has_value());
    BOOST_TEST(s.error == expected);
  };
  LabelSelector bad_op;
  add_expression(bad_op, "app", "Equals", {"web"});
  check(bad_op, "\"Equals\" is not a valid label selector operator");
  LabelSelector no_values;
  add_expression(no_values, "app", "In", {});
  check(no_values,
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be "
        "empty");
  LabelSelector exists_with_values;
  add_expression(exists_with_values, "app", "Exists", {"a", "b"});
  check(exists_with_values,
        "values: Invalid value: []string{\"a\", \"b\"}: values set must be empty for exists and "
        "does not exist");
  check(proto_selector({{"app", "a b"}}),
        "values[0][app]: Invalid value: \"a b\": " + std::string(label_value_reason));
  LabelSelector two_errors;
  add_expression(two_errors, "b@d", "NotIn", {});
  check(two_errors, "[key: Invalid value: \"b@d\": " + std::string(name_part_reason) +
                        ", values: Invalid value: []string{}: for 'in', 'notin' operators, "
                        "values set can't be empty]");
}

BOOST_AUTO_TEST_CASE(field_selector_parse_match_and_canonical_form) {
  auto s = field_selector::parse("status.phase!=Running,spec.nodeName==n1");
  BOOST_TEST_REQUIRE(s.error == "");
  BOOST_TEST(s.value->to_string() == "spec.nodeName=n1,status.phase!=Running");
  std::map<std::string, std::string, std::less<>> pod{{"spec.nodeName", "n1"},
                                                      {"status.phase", "Pending"}};
  auto value_of = [&](std::string_view field) {
    auto it = pod.find(field);
    return it == pod.end() ? std::string() : it->second;
  };
  BOOST_TEST(s.value->matches(value_of));
  pod["status.phase"] = "Running";
  BOOST_TEST(!s.value->matches(value_of));
  // The scheduler's query for unscheduled pods: a missing field reads as "".
  auto unscheduled = field_selector::parse("spec.nodeName=");
  pod.erase("spec.nodeName");
  BOOST_TEST(unscheduled.value->matches(value_of));
  BOOST_TEST(field_selector::parse("").value->empty());
  BOOST_TEST(field_selector::parse("").value->matches(value_of));
}

BOOST_AUTO_TEST_CASE(field_selector_escapes_and_errors) {
  auto escaped = field_selector::parse("metadata.name=a\\,b\\=c\\\\d");
  BOOST_TEST_REQUIRE(escaped.error == "");
  BOOST_TEST(escaped.value->matches([](std::string_view) { return std::string("a,b=c\\d"); }));
  BOOST_TEST(escaped.value->to_string() == "metadata.name=a\\,b\\=c\\\\d");
  BOOST_TEST(field_selector::parse("metadata.name").error ==
             "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  BOOST_TEST(field_selector::parse("spec.foo=x").error == "field label not supported: spec.foo");
  BOOST_TEST(field_selector::parse("metadata.name=a=b").error ==
             "invalid field selector: unescaped character in value: '='");
  BOOST_TEST(field_selector::parse("metadata.name=a\\x").error ==
             "invalid field selector: invalid escape sequence: \\x");
  auto fields = field_selector::parse("metadata.namespace=a,metadata.name!=b").value->fields();
  BOOST_TEST(fields == (std::vector<std::string>{"metadata.name", "metadata.namespace"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
