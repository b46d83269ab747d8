// troupectl create -f FILE|DIR|- : decodes, defaults, validates and creates objects.
// --dry-run=client stops before the cluster: it prints the objects as the API server
// would store them, which is how users check manifests offline. --save-config records the
// manifest in kubectl's last-applied-configuration annotation, so that apply can take over;
// --record stores the command line as each object's kubernetes.io/change-cause.
#include <google/protobuf/message.h>

#include <istream>
#include <ostream>

#include "cli/apply_merge.hpp"
#include "cli/change_cause.hpp"
#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/manifest_input.hpp"
#include "cli/printers.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace codec = messages::codec;

constexpr flag_spec create_flags[] = {
    {"filename",
     'f',
     true,
     {},
     "Filename, directory, or - for standard input, to use to create the resource"},
    output_flag,
    dry_run_flag,
    {"save-config",
     0,
     false,
     {},
     "If true, the configuration of current object will be saved in its annotation. Otherwise, "
     "the annotation will be unchanged. This flag is useful when you want to perform kubectl "
     "apply on this object in the future."},
    record_flag,
    namespace_flag,
    server_flag,
};

int run_create(const parsed_flags& flags, cli_io& io) {
  const auto& files = flags.all("filename");
  if (files.empty()) return fail(io, "must specify one of -f and -k");
  const std::string cause = change_cause_to_record(flags, io);
  auto format = output_format::human;
  if (auto o = flags.get("output"); !o.empty()) {
    auto parsed = parse_output_format(o);
    if (!parsed) return fail(io, unknown_output_format(o));
    format = *parsed;
  }
  auto dry_run = flags.get("dry-run", "none");
  if (dry_run != "none" && dry_run != "server" && dry_run != "client")
    return fail(io, "Invalid dry-run value (" + dry_run +
                        "). Must be \"none\", \"server\", or \"client\".");
  if (dry_run == "server") return fail(io, "--dry-run=server is not supported yet");
  std::optional<cluster> target;
  if (dry_run == "none" && !(target = open_cluster(flags, io))) return 1;

  const bool explicit_ns = flags.has("namespace");
  const bool save_config = flags.enabled("save-config");
  const std::string ns = target ? target->ns : flags.get("namespace", "default");
  std::vector<codec::manifest_error> errors;
  std::size_t printed = 0;
  std::size_t failures = 0;  // refused by the server, already reported
  for (const auto& name : files) {
    auto set = read_manifests(name, io.in);
    errors.insert(errors.end(), set.errors.begin(), set.errors.end());
    for (auto& object : set.objects) {
      if (auto mismatch = settle_namespace(object, ns, explicit_ns); !mismatch.empty()) {
        errors.push_back({object.source, object.pos, mismatch});
        continue;
      }
      // The annotation records the manifest as written, before defaulting (apply_merge.hpp).
      if (save_config) object.object = object_to_create(*object.object, *object.kind);
      auto invalid = codec::default_and_validate(object);
      if (!invalid.empty()) {
        errors.insert(errors.end(), invalid.begin(), invalid.end());
        continue;
      }
      if (!cause.empty()) record_change_cause(*object.object, cause);
      if (target && !send_object(*target, object, messages::ApiRequest::CREATE, "creating", io)) {
        ++failures;
        continue;
      }
      const char* suffix = target ? " created" : " created (dry run)";
      if (format == output_format::human) {
        io.out << object_name(*object.object, *object.kind) << suffix << "\n";
      } else {
        print_object(io.out, format, *object.object, *object.kind, printed);
      }
      ++printed;
    }
  }
  for (const auto& e : errors)
    io.err << "error: " << e.to_string() << '\n';
  return errors.empty() && failures == 0 ? 0 : 1;
}

}  // namespace

const command create_command{"create", "Create a resource from a file or from stdin",
                             "troupectl create -f FILENAME [options]", create_flags, run_create};

}  // namespace troupe::cli
