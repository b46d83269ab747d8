#include "messages/codec/scalar_types.hpp"

#include <charconv>

#include "messages/proto/meta.pb.h"
#include "messages/quantity.hpp"
#include "messages/rfc3339.hpp"

namespace troupe::messages::codec {
namespace {

std::string decode_time(const doc_node& node, Time& out) {
  if (!node.is_scalar()) return "expected an RFC 3339 time string, got " + node.describe();
  auto parsed = parse_rfc3339(node.text);
  if (!parsed.value) return parsed.error;
  out.set_seconds(parsed.value->seconds);
  out.set_nanos(parsed.value->nanos);
  return {};
}

std::string decode_quantity(const doc_node& node, Quantity& out) {
  if (!node.is_scalar()) return "expected a quantity such as 500m or 1Gi, got " + node.describe();
  auto parsed = parse_quantity(node.text);
  if (!parsed.value) return parsed.error;
  // Keep the format of the canonical spelling ("0.5Ki" prints as "512", a DecimalSI
  // value), so that printing and reading back gives an identical object.
  auto value = *parsed.value;
  if (auto canonical = parse_quantity(format_quantity(value)); canonical.value)
    value = *canonical.value;
  out.set_milli(value.milli);
  out.set_format(std::string(to_string(value.format)));
  return {};
}

std::string decode_int_or_string(const doc_node& node, IntOrString& out) {
  if (!node.is_scalar()) return "expected an integer or a string, got " + node.describe();
  const auto& text = node.text;
  if (!node.quoted) {
    int32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
      out.set_int_val(value);
      return {};
    }
  }
  out.set_str_val(text);
  return {};
}

}  // namespace

bool is_scalar_type(const google::protobuf::Descriptor& type) {
  return &type == Time::descriptor() || &type == Quantity::descriptor() ||
         &type == IntOrString::descriptor();
}

std::string decode_scalar_type(const doc_node& node, google::protobuf::Message& out) {
  const auto* type = out.GetDescriptor();
  if (type == Time::descriptor()) return decode_time(node, static_cast<Time&>(out));
  if (type == Quantity::descriptor()) return decode_quantity(node, static_cast<Quantity&>(out));
  return decode_int_or_string(node, static_cast<IntOrString&>(out));
}

doc_node_ptr encode_scalar_type(const google::protobuf::Message& value) {
  const auto* type = value.GetDescriptor();
  if (type == Time::descriptor()) {
    const auto& t = static_cast<const Time&>(value);
    return doc_node::make_string(format_rfc3339({t.seconds(), t.nanos()}));
  }
  if (type == Quantity::descriptor()) {
    const auto& q = static_cast<const Quantity&>(value);
    auto format = quantity_format_from_string(q.format()).value_or(quantity_format::decimal_si);
    return doc_node::make_string(format_quantity({q.milli(), format}));
  }
  const auto& v = static_cast<const IntOrString&>(value);
  if (v.value_case() == IntOrString::kIntVal)
    return doc_node::make_plain(std::to_string(v.int_val()));
  return doc_node::make_string(v.str_val());
}

}  // namespace troupe::messages::codec
