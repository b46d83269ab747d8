// troupectl replace -f FILE|DIR|- : replaces each object with the manifest's version of it
// (an UPDATE, kubectl's PUT). A manifest without metadata.resourceVersion replaces whatever
// is stored, as kubectl does by fetching the current version first; the API server treats a
// missing precondition the same way, so no GET is sent. One with a resourceVersion must match.
#include <google/protobuf/message.h>

#include <istream>
#include <ostream>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/manifest_input.hpp"
#include "cli/printers.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace codec = messages::codec;

constexpr flag_spec replace_flags[] = {
    {"filename",
     'f',
     true,
     {},
     "Filename, directory, or - for standard input, to use to replace "
     "the resource"},
    {"output", 'o', true, {}, "Output format. One of: (json, yaml, name)."},
    namespace_flag,
    server_flag,
};

int run_replace(const parsed_flags& flags, cli_io& io) {
  const auto& files = flags.all("filename");
  if (files.empty())
    return fail(io,
                "Must specify --filename to replace\nSee 'troupectl replace -h' for help and "
                "examples");
  auto format = output_format::human;
  if (auto o = flags.get("output"); !o.empty()) {
    auto parsed = parse_output_format(o);
    if (!parsed) return fail(io, unknown_output_format(o));
    format = *parsed;
  }
  auto target = open_cluster(flags, io);
  if (!target) return 1;

  int status = 0;
  std::size_t printed = 0;
  auto report = [&](const std::string& message) {
    io.err << "error: " << message << '\n';
    status = 1;
  };
  for (const auto& name : files) {
    auto set = read_manifests(name, io.in);
    for (const auto& e : set.errors)
      report(e.to_string());
    for (auto& object : set.objects) {
      if (auto mismatch = settle_namespace(object, target->ns, target->explicit_ns);
          !mismatch.empty()) {
        report(codec::manifest_error{object.source, object.pos, mismatch}.to_string());
        continue;
      }
      auto invalid = codec::default_and_validate(object);
      for (const auto& e : invalid)
        report(e.to_string());
      if (!invalid.empty()) continue;
      if (!send_object(*target, object, messages::ApiRequest::UPDATE, "replacing", io)) {
        status = 1;
        continue;
      }
      if (format == output_format::human) {
        io.out << object_name(*object.object, *object.kind) << " replaced\n";
      } else {
        print_object(io.out, format, *object.object, *object.kind, printed);
      }
      ++printed;
    }
  }
  return status;
}

}  // namespace

const command replace_command{"replace", "Replace a resource by file name or stdin",
                              "troupectl replace -f FILENAME [options]", replace_flags,
                              run_replace};

}  // namespace troupe::cli
