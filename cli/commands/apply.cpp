// troupectl apply -f FILE|DIR|- : kubectl's client-side apply. Each manifest object is
// validated on a defaulted copy, then (cli/apply_merge.hpp) created with the
// last-applied-configuration annotation when absent, or three-way merged into the live object
// and sent as an UPDATE over the live resourceVersion. A write in between is a Conflict, and
// the whole read-merge-write is tried again, which is what kubectl's patch retry amounts to.
// --dry-run=client reads the cluster but writes nothing.
#include <google/protobuf/message.h>

#include <istream>
#include <ostream>

#include "cli/apply_merge.hpp"
#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/manifest_input.hpp"
#include "cli/printers.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace codec = messages::codec;
using messages::ApiRequest;

constexpr flag_spec apply_flags[] = {
    {"filename", 'f', true, {}, "The files that contain the configurations to apply."},
    output_flag,
    dry_run_flag,
    namespace_flag,
    server_flag,
};

// Attempts at one object before a Conflict is reported: others may write it meanwhile.
constexpr int max_attempts = 5;

// A defaulted, validated copy of `o`: the errors kubectl's client-side validation reports.
std::vector<codec::manifest_error> check(const codec::manifest_object& o) {
  std::unique_ptr<google::protobuf::Message> copy(o.object->New());
  copy->CopyFrom(*o.object);
  codec::manifest_object defaulted{o.kind, std::move(copy), o.source, o.pos, o.positions};
  return codec::default_and_validate(defaulted);
}

// Prints a refusal from the server as kubectl's apply does: an Invalid error bare, the others
// naming the file.
void report(const api_client::failure& failed, std::string_view doing, const std::string& source,
            cli_io& io) {
  api_client::failure f = failed;
  if (f.reason != "Invalid")
    f.message = "error when " + std::string(doing) + " \"" + source + "\": " + f.message;
  io.err << f.to_string() << '\n';
}

struct applied {
  std::unique_ptr<google::protobuf::Message> object;  // as stored, or as it would be
  apply_outcome outcome = apply_outcome::unchanged;
};

// Applies one object; nullopt after printing why it failed.
std::optional<applied> apply_object(cluster& c, const codec::manifest_object& o, bool dry_run,
                                    cli_io& io) {
  const auto& kind = *o.kind;
  const auto* meta = messages::metadata_of(*o.object);
  for (int attempt = 1;; ++attempt) {
    auto read = get_request(c, kind, meta->namespace_(), meta->name());
    if (auto* failed = std::get_if<api_client::failure>(&read)) {
      if (failed->reason != "NotFound") {
        report(*failed, "retrieving current configuration of", o.source, io);
        return std::nullopt;
      }
      auto fresh = object_to_create(*o.object, kind);
      if (dry_run) return applied{std::move(fresh), apply_outcome::created};
      auto created = send_request(c, *fresh, kind, ApiRequest::CREATE);
      if (auto* refused = std::get_if<api_client::failure>(&created)) {
        // Created by someone else since the GET: merge into theirs.
        if (refused->reason == "AlreadyExists" && attempt < max_attempts) continue;
        report(*refused, "creating", o.source, io);
        return std::nullopt;
      }
      fresh->ParseFromString(std::get<messages::ApiResponse>(created).object());
      return applied{std::move(fresh), apply_outcome::created};
    }
    auto live = kind.new_object();
    if (!live->ParseFromString(std::get<messages::ApiResponse>(read).object())) {
      io.err << "error: the server sent a " << kind.kind << " that does not decode\n";
      return std::nullopt;
    }
    auto merged = merge_for_apply(*o.object, *live, kind);
    if (!merged.error.empty()) {
      fail(io, merged.error);
      return std::nullopt;
    }
    if (attempt == 1 && !merged.warning.empty()) io.err << merged.warning << '\n';
    if (merged.outcome != apply_outcome::configured || dry_run)
      return applied{std::move(merged.object), merged.outcome};
    auto written = send_request(c, *merged.object, kind, ApiRequest::UPDATE);
    if (auto* refused = std::get_if<api_client::failure>(&written)) {
      if (refused->reason == "Conflict" && attempt < max_attempts) continue;
      report(*refused, "applying patch to", o.source, io);
      return std::nullopt;
    }
    merged.object->ParseFromString(std::get<messages::ApiResponse>(written).object());
    return applied{std::move(merged.object), apply_outcome::configured};
  }
}

int run_apply(const parsed_flags& flags, cli_io& io) {
  const auto& files = flags.all("filename");
  if (files.empty()) return fail(io, "must specify one of -f and -k");
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
  auto target = open_cluster(flags, io);
  if (!target) return 1;

  int status = 0;
  std::size_t printed = 0;
  auto report_error = [&](const codec::manifest_error& e) {
    io.err << "error: " << e.to_string() << '\n';
    status = 1;
  };
  for (const auto& name : files) {
    auto set = read_manifests(name, io.in);
    for (const auto& e : set.errors)
      report_error(e);
    for (auto& object : set.objects) {
      if (auto mismatch = settle_namespace(object, target->ns, target->explicit_ns);
          !mismatch.empty()) {
        report_error({object.source, object.pos, mismatch});
        continue;
      }
      auto invalid = check(object);
      for (const auto& e : invalid)
        report_error(e);
      if (!invalid.empty()) continue;
      auto done = apply_object(*target, object, dry_run == "client", io);
      if (!done) {
        status = 1;
        continue;
      }
      if (format == output_format::human) {
        io.out << apply_summary(*done->object, *object.kind, done->outcome)
               << (dry_run == "client" ? " (dry run)" : "") << '\n';
      } else {
        print_object(io.out, format, *done->object, *object.kind, printed);
      }
      ++printed;
    }
  }
  return status;
}

}  // namespace

const command apply_command{"apply", "Apply a configuration to a resource by file name or stdin",
                            "troupectl apply (-f FILENAME) [options]", apply_flags, run_apply};

}  // namespace troupe::cli
