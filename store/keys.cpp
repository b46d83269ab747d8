#include "store/keys.hpp"

#include <array>

namespace troupe::store {
namespace {

using messages::errc;

std::string_view group_segment(std::string_view group) {
  return group.empty() ? core_group : group;
}

// Why `value` cannot be the `what` segment of a key; empty when it can.
std::string segment_problem(std::string_view what, std::string_view value, bool may_be_empty) {
  if (value.empty()) {
    return may_be_empty ? std::string() : "the " + std::string(what) + " segment is empty";
  }
  if (value.find('/') != std::string_view::npos) {
    return "the " + std::string(what) + " segment \"" + std::string(value) +
           "\" contains '/', which separates key segments";
  }
  if (value.find('\0') != std::string_view::npos) {
    return "the " + std::string(what) + " segment contains a NUL byte";
  }
  return {};
}

status invalid_key(std::string_view key, const std::string& problem) {
  return status::error(errc::invalid, "invalid store key \"" + std::string(key) + "\": " + problem +
                                          " (keys are /<group>/<resource>/<namespace>/<name>)");
}

// Builds "/seg1/seg2/..." (with a trailing '/' for a prefix) after checking each segment; only
// the segment at `may_be_empty_index`, the namespace, may be empty.
result<std::string> join(std::initializer_list<std::pair<std::string_view, std::string_view>> segs,
                         std::size_t may_be_empty_index, bool trailing_slash) {
  std::string out;
  std::size_t i = 0;
  for (const auto& [what, value] : segs) {
    if (std::string problem = segment_problem(what, value, i == may_be_empty_index);
        !problem.empty()) {
      out += '/';
      out += value;
      return invalid_key(out, problem);
    }
    out += '/';
    out += value;
    ++i;
  }
  if (trailing_slash) out += '/';
  if (out.size() > max_key_length) {
    return invalid_key(out.substr(0, 64) + "...",
                       "it is " + std::to_string(out.size()) + " bytes long; at most " +
                           std::to_string(max_key_length) + " are allowed");
  }
  return out;
}

constexpr std::size_t namespace_index = 2;
constexpr std::size_t no_index = 99;

}  // namespace

result<std::string> make_key(std::string_view group, std::string_view resource, std::string_view ns,
                             std::string_view name) {
  return join(
      {{"group", group_segment(group)}, {"resource", resource}, {"namespace", ns}, {"name", name}},
      namespace_index, false);
}

result<object_key> parse_key(std::string_view key) {
  if (key.empty() || key.front() != '/') return invalid_key(key, "it does not start with '/'");
  std::array<std::string_view, 4> parts;
  std::size_t start = 1;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t slash = key.find('/', start);
    bool last = i + 1 == parts.size();
    if (last != (slash == std::string_view::npos)) {
      return invalid_key(
          key, last ? "it has more than four segments" : "it has fewer than four segments");
    }
    parts[i] = key.substr(start, last ? std::string_view::npos : slash - start);
    start = slash + 1;
  }
  // make_key reads an empty group as "core"; in a stored key the group is always spelled.
  if (parts[0].empty()) return invalid_key(key, "the group segment is empty");
  object_key out{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                 std::string(parts[3])};
  // make_key checks every segment and the length, and rebuilds the same bytes on success.
  result<std::string> rebuilt = make_key(out);
  if (!rebuilt.ok()) return rebuilt.error();
  return out;
}

result<std::string> resource_prefix(std::string_view group, std::string_view resource) {
  return join({{"group", group_segment(group)}, {"resource", resource}}, no_index, true);
}

result<std::string> namespace_prefix(std::string_view group, std::string_view resource,
                                     std::string_view ns) {
  return join({{"group", group_segment(group)}, {"resource", resource}, {"namespace", ns}},
              namespace_index, true);
}

std::string resource_display_name(const object_key& key) {
  if (key.group.empty() || key.group == core_group) return key.resource;
  return key.resource + "." + key.group;
}

}  // namespace troupe::store
