// troupectl expose (TYPE NAME | TYPE/NAME) [--port=N] [--target-port=M] [--type=T] [--name=S]
// [--protocol=P] [--selector=...] : creates a Service in front of a pod, replication
// controller, replica set, deployment or service (cli/expose_service.hpp builds it).
#include <google/protobuf/message.h>

#include <ostream>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/expose_service.hpp"
#include "cli/manifest_input.hpp"
#include "cli/printers.hpp"
#include "cli/targets.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

constexpr flag_spec expose_flags[] = {
    {"port", 0, true, {}, "The port that the service should serve on."},
    {"target-port",
     0,
     true,
     {},
     "Name or number for the port on the container that the service should direct traffic to."},
    {"protocol",
     0,
     true,
     {},
     "The network protocol for the service to be created. Default is "
     "'TCP'."},
    {"type",
     0,
     true,
     {},
     "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is "
     "'ClusterIP'."},
    {"name", 0, true, {}, "The name for the newly created object."},
    {"selector",
     0,
     true,
     {},
     "A label selector to use for this service. Only equality-based selector requirements are "
     "supported."},
    output_flag,
    dry_run_flag,
    namespace_flag,
    server_flag,
};

int run_expose(const parsed_flags& flags, cli_io& io) {
  if (flags.positional.empty())
    return fail(io,
                "You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n"
                "   '-f rsrc.yaml'\n"
                "   '--filename=rsrc.json'\n"
                "   '<resource> <name>'\n"
                "   '<resource>'");
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
  const expose_options options{flags.get("name"),     flags.get("port"), flags.get("target-port"),
                               flags.get("protocol"), flags.get("type"), flags.get("selector")};

  auto target = open_cluster(flags, io);
  if (!target) return 1;
  auto named = resolve_targets(flags.positional, {}, target->ns, io);
  if (!named) return 1;
  if (named->type_only) return fail(io, "resource(s) were provided, but no name was specified");
  const auto* service_kind = messages::find_resource("services");
  int status = 0;
  std::size_t printed = 0;
  for (const auto& t : named->objects) {
    auto object = read_target(t, *target, io);
    if (!object) {
      status = 1;
      continue;
    }
    auto built = exposed_service(*object, *t.kind, options);
    if (auto* error = std::get_if<std::string>(&built)) {
      fail(io, *error);
      status = 1;
      continue;
    }
    auto& service = std::get<messages::Service>(built);
    if (dry_run == "none") {
      auto created = send_request(*target, service, *service_kind, messages::ApiRequest::CREATE);
      if (auto* refused = std::get_if<api_client::failure>(&created)) {
        io.err << refused->to_string() << '\n';
        status = 1;
        continue;
      }
      service.ParseFromString(std::get<messages::ApiResponse>(created).object());
    }
    if (format == output_format::human) {
      io.out << object_name(service, *service_kind) << " exposed"
             << (dry_run == "client" ? " (dry run)" : "") << '\n';
    } else {
      print_object(io.out, format, service, *service_kind, printed);
    }
    ++printed;
  }
  return status;
}

}  // namespace

const command expose_command{
    "expose",
    "Take a replication controller, service, deployment or pod and expose it as a new "
    "Kubernetes service",
    "troupectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] "
    "[--target-port=number-or-name] [--name=name] [--type=type] [options]",
    expose_flags, run_expose};

}  // namespace troupe::cli
