// troupectl api-resources: the resource table kubectl prints (NAME SHORTNAMES APIVERSION
// NAMESPACED KIND), built from messages::all_kinds(), so it needs no cluster. One row per
// resource at its preferred version, sorted as kubectl sorts: by group, then by name.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands/commands.hpp"
#include "messages/kinds.hpp"

namespace troupe::cli {
namespace {

constexpr flag_spec api_resources_flags[] = {
    {"no-headers",
     0,
     false,
     {},
     "When using the default or custom-column output format, don't print headers."},
    {"output", 'o', true, {}, "Output format. One of: (name)."},
    {"api-group", 0, true, {}, "Limit to resources in the specified API group."},
    {"namespaced",
     0,
     false,
     {},
     "If false, non-namespaced resources will be returned, otherwise returning namespaced "
     "resources by default."},
    {"sort-by",
     0,
     true,
     {},
     "If non-empty, sort list of resources using specified field. The field can be either "
     "'name' or 'kind'."},
};

// Lays rows out as kubectl's tabwriter does: every cell but a row's last is padded to its
// column's widest cell plus 3 spaces, and to at least 6.
std::string layout(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(6);
      widths[i] = std::max(widths[i], row[i].size() + 3);
    }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - row[i].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string join(std::span<const std::string_view> parts) {
  std::string out;
  for (auto p : parts)
    out += (out.empty() ? "" : ",") + std::string(p);
  return out;
}

int run_api_resources(const parsed_flags& flags, cli_io& io) {
  if (!flags.positional.empty()) {
    std::string args;
    for (const auto& a : flags.positional)
      args += (args.empty() ? "" : " ") + a;
    return fail(io, "unexpected arguments: [" + args +
                        "]\nSee 'troupectl api-resources -h' for help and examples");
  }
  // Switches arrive as "true"/"false" (the flag parser refuses anything else).
  const bool filter_namespaced = flags.has("namespaced");
  const bool namespaced = flags.enabled("namespaced");
  const bool no_headers = flags.enabled("no-headers");
  const auto output = flags.get("output");
  if (!output.empty() && output != "name")
    return fail(io, "unable to match a printer suitable for the output format \"" + output +
                        "\", allowed formats are: name");
  const auto sort_by = flags.get("sort-by");
  if (!sort_by.empty() && sort_by != "name" && sort_by != "kind")
    return fail(io, "--sort-by accepts only name or kind");

  std::vector<const messages::kind_info*> kinds;
  for (const auto& kind : messages::all_kinds()) {
    // all_kinds() lists a kind's preferred version first; kubectl shows only that one.
    bool seen = std::any_of(kinds.begin(), kinds.end(), [&](const messages::kind_info* k) {
      return k->group == kind.group && k->resource == kind.resource;
    });
    if (seen) continue;
    if (flags.has("api-group") && kind.group != flags.get("api-group")) continue;
    if (filter_namespaced && kind.namespaced != namespaced) continue;
    kinds.push_back(&kind);
  }
  auto key = [&](const messages::kind_info* k) {
    return sort_by == "name" ? k->resource : sort_by == "kind" ? k->kind : k->group;
  };
  std::stable_sort(kinds.begin(), kinds.end(), [&](const auto* a, const auto* b) {
    return key(a) != key(b) ? key(a) < key(b) : a->resource < b->resource;
  });

  if (output == "name") {
    for (const auto* k : kinds)
      io.out << k->resource << (k->group.empty() ? "" : ".") << k->group << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  if (!no_headers) rows.push_back({"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"});
  for (const auto* k : kinds)
    rows.push_back({std::string(k->resource), join(k->short_names), k->api_version(),
                    k->namespaced ? "true" : "false", std::string(k->kind)});
  io.out << layout(rows);
  return 0;
}

}  // namespace

const command api_resources_command{
    "api-resources", "Print the supported API resources on the server",
    "troupectl api-resources [flags] [options]", api_resources_flags, run_api_resources};

}  // namespace troupe::cli
