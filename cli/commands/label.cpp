// troupectl label and annotate: set (k=v) or remove (k-) labels or annotations on the objects
// that TYPE NAME..., TYPE/NAME..., TYPE -l SELECTOR, TYPE --all or -f FILE name. One
// implementation: the verbs differ only in the map they edit and in kubectl's wording, which
// `map_verb` holds. Each object goes through the shared read-modify-write
// (cli/object_update.hpp), which is what kubectl's merge patch amounts to.
#include <google/protobuf/message.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/object_update.hpp"
#include "cli/targets.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/meta.pb.h"
#include "messages/validation/names.hpp"

namespace troupe::cli {
namespace {

using messages::kind_info;
using string_map = std::map<std::string, std::string>;

enum class edited_map { labels, annotations };

// What tells `label` and `annotate` apart.
struct map_verb {
  edited_map map;
  std::string_view verb;  // the command: "label", "annotate"
  std::string_view noun;  // in kubectl's messages: "label", "annotation"
};

constexpr map_verb label_verb{edited_map::labels, "label", "label"};
constexpr map_verb annotate_verb{edited_map::annotations, "annotate", "annotation"};

// Both verbs take the same flags.
constexpr flag_spec edit_flags[] = {
    {"overwrite",
     0,
     false,
     {},
     "If true, allow existing values to be overwritten, otherwise reject updates that "
     "overwrite existing values."},
    {"all", 0, false, {}, "Select all resources, in the namespace of the specified resource types"},
    {"selector", 'l', true, {}, "Selector (label query) to filter on, e.g. -l key1=value1"},
    {"filename", 'f', true, {}, "Filename or directory identifying the resource to update"},
    namespace_flag,
    server_flag,
};

struct edit {
  string_map set;                   // key -> new value
  std::vector<std::string> remove;  // keys, in the order given
};

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// A change rather than a resource: "k=v" or "k-" (kubectl's GetResourcesAndPairs).
bool is_pair(const std::string& arg) {
  return (arg.find('=') != std::string::npos && arg[0] != '=') ||
         (arg.size() > 1 && arg.back() == '-');
}

// kubectl's label parsing of the arguments is_pair() accepted: exactly one '=' and a valid
// value, or "k-" to remove.
std::optional<std::string> parse_label_edit(const std::vector<std::string>& pairs, edit& out) {
  for (const auto& spec : pairs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) {
      out.remove.push_back(spec.substr(0, spec.size() - 1));
      continue;
    }
    if (spec.find('=', eq + 1) != std::string::npos) return "invalid label spec: " + spec;
    auto value = spec.substr(eq + 1);
    if (auto reasons = messages::is_valid_label_value(value); !reasons.empty())
      return "invalid label value: \"" + spec + "\": " + join(reasons, ";");
    out.set[spec.substr(0, eq)] = value;
  }
  for (const auto& key : out.remove)
    if (out.set.count(key)) return "can not both modify and remove a label in the same command";
  return std::nullopt;
}

// kubectl's annotation parsing of the arguments is_pair() accepted: the value is everything
// after the first '=', and "k-" removes.
std::optional<std::string> parse_annotation_edit(const std::vector<std::string>& pairs, edit& out) {
  for (const auto& spec : pairs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos)
      out.remove.push_back(spec.substr(0, spec.size() - 1));
    else
      out.set[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  std::vector<std::string> both;
  for (const auto& key : out.remove)
    if (out.set.count(key)) both.push_back(key);
  if (!both.empty())
    return "can not both modify and remove the following annotation(s) in the same command: " +
           join(both, ", ");
  return std::nullopt;
}

// Without --overwrite, a key that exists with another value is refused, in kubectl's words.
std::optional<std::string> overwrite_error(const map_verb& verb, const string_map& current,
                                           const edit& e) {
  std::vector<std::string> clashes;
  for (const auto& [key, value] : e.set) {
    auto it = current.find(key);
    if (it == current.end() || it->second == value) continue;
    clashes.push_back("'" + key + "' already has a value (" + it->second + ")");
  }
  if (clashes.empty()) return std::nullopt;
  if (verb.map == edited_map::annotations)
    return "--overwrite is false but found the following declared annotation(s): " +
           join(clashes, "; ");
  for (auto& c : clashes)
    c += ", and --overwrite is false";
  // Several errors print as Go's aggregate error does: "[a, b]".
  return clashes.size() == 1 ? clashes.front() : "[" + join(clashes, ", ") + "]";
}

// kubectl's word for what happened: label distinguishes, annotate does not.
std::string_view outcome(const map_verb& verb, const string_map& before, const string_map& after) {
  if (verb.map == edited_map::annotations) return "annotated";
  bool added = false, removed = false;
  for (const auto& [key, value] : before) {
    auto it = after.find(key);
    if (it == after.end())
      removed = true;
    else if (it->second != value)
      added = true;
  }
  for (const auto& entry : after)
    if (!before.count(entry.first)) added = true;
  if (added && removed) return "label(s) changed";
  if (added) return "labeled";
  if (removed) return "unlabeled";
  return "not labeled";
}

google::protobuf::Map<std::string, std::string>& map_of(messages::ObjectMeta& meta,
                                                        edited_map which) {
  return which == edited_map::labels ? *meta.mutable_labels() : *meta.mutable_annotations();
}

// The objects the arguments name: resolved types first, so that a typo fails before any
// request; a list (-l, --all) needs the cluster.
std::optional<std::vector<target_object>> edit_targets(const std::vector<std::string>& resources,
                                                       const parsed_flags& flags, bool all,
                                                       cluster& c, cli_io& io) {
  auto named = resolve_targets(resources, flags.all("filename"), c.ns, io);
  if (!named) return std::nullopt;
  if (!named->type_only) return std::move(named->objects);
  if (!all && !flags.has("selector")) {
    fail(io, "resource(s) were provided, but no name was specified");
    return std::nullopt;
  }
  return list_targets(*named->type_only, c.ns, flags.get("selector"), c, io);
}

// Edits one object; prints kubectl's line for it. False after printing an error.
bool edit_object(const map_verb& verb, const target_object& t, const edit& e, bool overwrite,
                 cluster& c, cli_io& io) {
  std::string done;
  auto edited = update_object(t, c, io, [&](google::protobuf::Message& object, int attempt) {
    auto& map = map_of(*messages::metadata_of(object), verb.map);
    const string_map before(map.begin(), map.end());
    if (attempt == 1 && verb.map == edited_map::labels) {
      for (const auto& key : e.remove)
        if (!before.count(key)) io.out << "label \"" << key << "\" not found.\n";
    }
    if (!overwrite) {
      if (auto clash = overwrite_error(verb, before, e)) {
        fail(io, *clash);
        return change::refused;
      }
    }
    for (const auto& [key, value] : e.set)
      map[key] = value;
    for (const auto& key : e.remove)
      map.erase(key);
    const string_map after(map.begin(), map.end());
    done =
        t.kind->qualified_kind() + "/" + t.name + " " + std::string(outcome(verb, before, after));
    return after == before ? change::unchanged : change::write;
  });
  if (!edited.object) return false;
  io.out << done << '\n';
  return true;
}

int run_edit(const map_verb& verb, const parsed_flags& flags, cli_io& io) {
  const bool overwrite = flags.enabled("overwrite");
  const bool all = flags.enabled("all");

  // As kubectl: resources first, then changes; a resource after a change is a mistake.
  std::vector<std::string> resources, pairs;
  for (const auto& arg : flags.positional) {
    if (is_pair(arg)) {
      pairs.push_back(arg);
    } else if (!pairs.empty()) {
      return fail(io, "all resources must be specified before " + std::string(verb.noun) +
                          " changes: " + arg);
    } else {
      resources.push_back(arg);
    }
  }
  edit e;
  auto parse_error =
      verb.map == edited_map::labels ? parse_label_edit(pairs, e) : parse_annotation_edit(pairs, e);
  if (parse_error) return fail(io, *parse_error);
  if (all && flags.has("selector"))
    return fail(io, "cannot set --all and --selector at the same time");
  if (auto selector = messages::label_selector::parse(flags.get("selector")); !selector.value)
    return fail(io, selector.error);
  if (resources.empty() && !flags.has("filename"))
    return fail(io,
                "one or more resources must be specified as <resource> <name> or "
                "<resource>/<name>");
  if (e.set.empty() && e.remove.empty())
    return fail(io, "at least one " + std::string(verb.noun) + " update is required");

  auto target_cluster = open_cluster(flags, io);
  if (!target_cluster) return 1;
  auto targets = edit_targets(resources, flags, all, *target_cluster, io);
  if (!targets) return 1;
  int status = 0;
  for (const auto& t : *targets)
    if (!edit_object(verb, t, e, overwrite, *target_cluster, io)) status = 1;
  return status;
}

int run_label(const parsed_flags& flags, cli_io& io) {
  return run_edit(label_verb, flags, io);
}

int run_annotate(const parsed_flags& flags, cli_io& io) {
  return run_edit(annotate_verb, flags, io);
}

}  // namespace

const command label_command{"label", "Update the labels on a resource",
                            "troupectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 "
                            "... KEY_N=VAL_N",
                            edit_flags, run_label};

const command annotate_command{"annotate", "Update the annotations on a resource",
                               "troupectl annotate [--overwrite] (-f FILENAME | TYPE NAME) "
                               "KEY_1=VAL_1 ... KEY_N=VAL_N",
                               edit_flags, run_annotate};

}  // namespace troupe::cli
