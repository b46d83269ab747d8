// troupectl scale --replicas=N (TYPE NAME... | TYPE/NAME... | -f FILE): sets spec.replicas of
// deployments, replica sets and replication controllers, as kubectl's scale subresource does,
// through the shared read-modify-write (cli/object_update.hpp). --record stores the command
// line as the change-cause in the same write.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/change_cause.hpp"
#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/object_update.hpp"
#include "cli/targets.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

using google::protobuf::FieldDescriptor;
using messages::kind_info;

constexpr flag_spec scale_flags[] = {
    {"replicas", 0, true, {}, "The new desired number of replicas. Required."},
    {"current-replicas",
     0,
     true,
     {},
     "Precondition for current size. Requires that the current size of the resource match "
     "this value in order to scale. -1 (default) for no condition."},
    {"filename", 'f', true, {}, "Filename or directory identifying the resource to set a new size"},
    record_flag,
    namespace_flag,
    server_flag,
};

// Where a scalable kind keeps its count: spec.replicas. Only the kinds with a scale
// subresource have one.
struct replicas_path {
  const FieldDescriptor* spec = nullptr;
  const FieldDescriptor* replicas = nullptr;
  explicit operator bool() const { return replicas != nullptr; }
};

replicas_path replicas_of(const kind_info& kind) {
  const auto* spec = kind.descriptor()->FindFieldByName("spec");
  if (!spec || spec->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return {};
  const auto* replicas = spec->message_type()->FindFieldByName("replicas");
  if (!replicas || replicas->cpp_type() != FieldDescriptor::CPPTYPE_INT32) return {};
  return {spec, replicas};
}

// "deployments, replicasets and replicationcontrollers", from the kind table.
std::string scalable_resources() {
  std::vector<std::string_view> names;
  for (const auto& kind : messages::all_kinds())
    if (replicas_of(kind) && std::find(names.begin(), names.end(), kind.resource) == names.end())
      names.push_back(kind.resource);
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  return out;
}

// An int32 flag value; nullopt after kubectl's flag error for anything else.
std::optional<int32_t> int_flag(const parsed_flags& flags, std::string_view name, cli_io& io) {
  const auto text = flags.get(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const char* why = nullptr;
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    why = "not an integer";
  else if (ec == std::errc::result_out_of_range || value > std::numeric_limits<int32_t>::max() ||
           value < std::numeric_limits<int32_t>::min())
    why = "value out of range";
  if (!why) return static_cast<int32_t>(value);
  fail(io, "invalid argument \"" + text + "\" for \"--" + std::string(name) + "\" flag: " + why +
               "\nSee 'troupectl scale --help' for usage.");
  return std::nullopt;
}

// The objects to scale, every kind checked before any request is made.
std::optional<std::vector<target_object>> scale_targets(const parsed_flags& flags,
                                                        const std::string& ns, cli_io& io) {
  auto named = resolve_targets(flags.positional, flags.all("filename"), ns, io);
  if (!named) return std::nullopt;
  if (named->type_only) {
    fail(io, "resource(s) were provided, but no name was specified");
    return std::nullopt;
  }
  for (const auto& t : named->objects) {
    if (replicas_of(*t.kind)) continue;
    fail(io, "cannot scale " + std::string(t.kind->resource) + " \"" + t.name + "\": only " +
                 scalable_resources() + " can be scaled");
    return std::nullopt;
  }
  return std::move(named->objects);
}

// Scales one object and says so; false after printing an error. `expected` is
// --current-replicas: -1 for no precondition. `cause` is --record's change-cause, or "".
bool scale_object(const target_object& t, int32_t replicas, int32_t expected,
                  const std::string& cause, cluster& c, cli_io& io) {
  const replicas_path path = replicas_of(*t.kind);
  auto scaled = update_object(t, c, io, [&](google::protobuf::Message& object, int) {
    auto* spec = object.GetReflection()->MutableMessage(&object, path.spec);
    const auto* reflection = spec->GetReflection();
    // The API server defaults an unset count to 1.
    const int32_t current =
        reflection->HasField(*spec, path.replicas) ? reflection->GetInt32(*spec, path.replicas) : 1;
    if (expected != -1 && expected != current) {
      fail(io, "Expected replicas to be " + std::to_string(expected) + ", was " +
                   std::to_string(current));
      return change::refused;
    }
    reflection->SetInt32(spec, path.replicas, replicas);
    if (!cause.empty()) record_change_cause(object, cause);
    return change::write;
  });
  if (!scaled.object) return false;
  io.out << t.kind->qualified_kind() << '/' << t.name << " scaled\n";
  return true;
}

int run_scale(const parsed_flags& flags, cli_io& io) {
  if (!flags.has("replicas")) return fail(io, "required flag(s) \"replicas\" not set");
  auto replicas = int_flag(flags, "replicas", io);
  if (!replicas) return 1;
  auto current = flags.has("current-replicas") ? int_flag(flags, "current-replicas", io)
                                               : std::optional<int32_t>(-1);
  if (!current) return 1;
  if (*replicas < 0)
    return fail(io,
                "The --replicas=COUNT flag is required, and COUNT must be greater than or equal "
                "to 0");
  if (*current < -1)
    return fail(io, "The --current-replicas must specify an integer of -1 or greater");
  if (flags.positional.empty() && !flags.has("filename"))
    return fail(
        io,
        "You must provide one or more resources by argument or filename.\n"
        "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
        "   '<resource> <name>'\n   '<resource>'");
  // The namespace is settled by the config, which open_cluster reads; kinds are checked first.
  auto targets = scale_targets(flags, flags.get("namespace"), io);
  if (!targets) return 1;
  if (targets->empty()) return fail(io, "no objects passed to scale");
  auto target_cluster = open_cluster(flags, io);
  if (!target_cluster) return 1;
  const std::string cause = change_cause_to_record(flags, io);
  int status = 0;
  for (auto& t : *targets) {
    if (t.ns.empty()) t.ns = target_cluster->ns;
    if (!scale_object(t, *replicas, *current, cause, *target_cluster, io)) status = 1;
  }
  return status;
}

}  // namespace

const command scale_command{"scale",
                            "Set a new size for a deployment, replica set, or replication "
                            "controller",
                            "troupectl scale [--current-replicas=count] --replicas=COUNT "
                            "(-f FILENAME | TYPE NAME)",
                            scale_flags, run_scale};

}  // namespace troupe::cli
