// troupectl get TYPE[,TYPE...] [NAME...] | TYPE/NAME | all: lists or reads objects and
// prints them as kubectl does: a table (-o wide, --show-labels, -A), or -o yaml|json|name.
#include <google/protobuf/message.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <sstream>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/printers.hpp"
#include "cli/table_printer.hpp"
#include "cli/targets.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

using messages::kind_info;

constexpr flag_spec get_flags[] = {
    {"output", 'o', true, {}, "Output format. One of: (json, yaml, name, wide)."},
    {"selector", 'l', true, {}, "Selector (label query) to filter on, e.g. -l key1=value1"},
    {"field-selector",
     0,
     true,
     {},
     "Selector (field query) to filter on, e.g. status.phase=Running"},
    {"all-namespaces", 'A', false, {}, "List the requested object(s) across all namespaces."},
    {"show-labels", 0, false, {}, "When printing, show all labels as the last column."},
    {"no-headers", 0, false, {}, "When using the default output format, don't print headers."},
    {"watch",
     'w',
     false,
     {},
     "After listing/getting the requested object, watch for changes (until interrupted)."},
    namespace_flag,
    server_flag,
};

// kubectl's "all" category, in its order.
constexpr std::string_view all_category[] = {"pods",        "replicationcontrollers",
                                             "services",    "deployments",
                                             "replicasets", "horizontalpodautoscalers"};

struct selection {
  const kind_info* kind;
  std::vector<std::string> names;  // empty: list
};

// Parses "pods", "po,svc", "all", "pod/x pod/y", "pods x y" into what to fetch.
std::optional<std::vector<selection>> parse_selection(const std::vector<std::string>& args,
                                                      cli_io& io) {
  std::vector<selection> out;
  if (args.empty()) {
    fail(io,
         "You must specify the type of resource to get. Use \"troupectl api-resources\" for a "
         "complete list of supported resources.");
    return std::nullopt;
  }
  auto resolve = [&](std::string_view name) -> const kind_info* {
    const auto* kind = messages::find_resource(name);
    if (!kind) io.err << "error: the server doesn't have a resource type \"" << name << "\"\n";
    return kind;
  };
  if (args[0].find('/') != std::string::npos) {
    auto named = resolve_targets(args, {}, "", io);
    if (!named) return std::nullopt;
    for (auto& t : named->objects)
      out.push_back({t.kind, {std::move(t.name)}});
    return out;
  }
  std::stringstream types(args[0]);
  for (std::string type; std::getline(types, type, ',');) {
    if (type == "all") {
      for (auto r : all_category)
        out.push_back({messages::find_resource(r), {}});
      continue;
    }
    const auto* kind = resolve(type);
    if (!kind) return std::nullopt;
    out.push_back({kind, {}});
  }
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (!names.empty() && out.size() > 1) {
    fail(io, "you may only specify a single resource type when naming objects");
    return std::nullopt;
  }
  if (!names.empty()) out.front().names = names;
  return out;
}

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run_get(const parsed_flags& flags, cli_io& io) {
  auto selected = parse_selection(flags.positional, io);
  if (!selected) return 1;
  std::string output = flags.get("output");
  bool wide = output == "wide";
  auto format = output_format::human;
  if (!output.empty() && !wide) {
    auto parsed = parse_output_format(output);
    if (!parsed) return fail(io, unknown_output_format(output));
    format = *parsed;
  }
  auto target = open_cluster(flags, io);
  if (!target) return 1;
  const bool all_namespaces = flags.enabled("all-namespaces");

  int status = 0;
  std::string last_revision;  // the last list's, for -w
  bool printed_table = false;
  std::size_t printed_objects = 0;
  const bool several_kinds = selected->size() > 1;
  for (const auto& s : *selected) {
    std::vector<std::unique_ptr<google::protobuf::Message>> objects;
    auto keep = [&](const std::string& bytes) {
      auto object = s.kind->new_object();
      if (object->ParseFromString(bytes)) objects.push_back(std::move(object));
    };
    if (s.names.empty()) {
      auto request = request_for(*s.kind, messages::ApiRequest::LIST,
                                 all_namespaces ? std::string() : target->ns);
      request.set_label_selector(flags.get("selector"));
      request.set_field_selector(flags.get("field-selector"));
      auto outcome = target->client->call(request);
      if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
        io.err << failed->to_string() << '\n';
        status = 1;
        continue;
      }
      const auto& listed = std::get<messages::ApiResponse>(outcome);
      for (const auto& item : listed.items())
        keep(item);
      last_revision = listed.resource_version();
    } else {
      for (const auto& name : s.names) {
        auto request = request_for(*s.kind, messages::ApiRequest::GET, target->ns);
        request.set_name(name);
        auto outcome = target->client->call(request);
        if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
          io.err << failed->to_string() << '\n';
          status = 1;
          continue;
        }
        keep(std::get<messages::ApiResponse>(outcome).object());
      }
    }
    if (objects.empty()) continue;
    if (format != output_format::human) {
      for (const auto& o : objects)
        print_object(io.out, format, *o, *s.kind, printed_objects++);
      continue;
    }
    std::vector<const google::protobuf::Message*> view;
    for (const auto& o : objects)
      view.push_back(o.get());
    table_options options;
    options.wide = wide;
    options.show_labels = flags.enabled("show-labels");
    options.all_namespaces = all_namespaces && s.kind->namespaced;
    options.no_headers = flags.enabled("no-headers");
    options.now_ms = unix_now_ms();
    if (several_kinds) options.name_prefix = s.kind->qualified_kind() + "/";
    if (printed_table) io.out << '\n';
    io.out << print_table(*s.kind, view, options);
    printed_table = true;
    printed_objects += objects.size();
  }
  if (flags.enabled("watch") && status == 0) {
    if (selected->size() != 1 || !selected->front().names.empty())
      return fail(io, "you may only watch one resource type, listed without names");
    const auto& kind = *selected->front().kind;
    auto request =
        request_for(kind, messages::ApiRequest::LIST, all_namespaces ? std::string() : target->ns);
    request.set_label_selector(flags.get("selector"));
    request.set_field_selector(flags.get("field-selector"));
    request.set_resource_version(last_revision);
    bool first_row = printed_table;
    auto ended = target->client->watch(request, [&](const messages::WatchEvent& e) {
      auto object = kind.new_object();
      if (!object->ParseFromString(e.value())) return true;
      if (format != output_format::human) {
        print_object(io.out, format, *object, kind, printed_objects++);
      } else {
        table_options options;
        options.wide = wide;
        options.show_labels = flags.enabled("show-labels");
        options.all_namespaces = all_namespaces && kind.namespaced;
        options.no_headers = first_row || flags.enabled("no-headers");
        options.now_ms = unix_now_ms();
        const google::protobuf::Message* row[] = {object.get()};
        io.out << print_table(kind, row, options);
        first_row = true;
      }
      io.out.flush();
      return true;
    });
    if (ended) {
      io.err << ended->to_string() << '\n';
      return 1;
    }
    return 0;
  }
  if (printed_objects == 0 && status == 0) {
    if (all_namespaces || (selected->size() == 1 && !selected->front().kind->namespaced))
      io.err << "No resources found\n";
    else
      io.err << "No resources found in " << target->ns << " namespace.\n";
  }
  return status;
}

}  // namespace

const command get_command{"get", "Display one or many resources",
                          "troupectl get [(-o|--output=)json|yaml|name|wide] (TYPE[.VERSION]"
                          "[.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
                          get_flags, run_get};

}  // namespace troupe::cli
