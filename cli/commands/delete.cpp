// troupectl delete (-f FILE | TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR | TYPE --all):
// deletes objects and says so as kubectl does: `pod "x" deleted`.
#include <google/protobuf/message.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <thread>
#include <variant>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/targets.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

using messages::kind_info;

constexpr flag_spec delete_flags[] = {
    {"filename", 'f', true, {}, "containing the resource to delete."},
    {"selector", 'l', true, {}, "Selector (label query) to filter on."},
    {"all",
     0,
     false,
     {},
     "Delete all resources, in the namespace of the specified resource types."},
    {"cascade", 0, true, "background",
     "Must be \"background\", \"orphan\", or \"foreground\". Defaults to background."},
    {"wait",
     0,
     false,
     {},
     "If true, wait for resources to be gone before returning. This waits for finalizers."},
    namespace_flag,
    server_flag,
};

// `pod "x" deleted`; the group-qualified kind for others: `deployment.apps "x" deleted`.
std::string deleted_line(const kind_info& kind, const std::string& name) {
  return kind.qualified_kind() + " \"" + name + "\" deleted";
}

// kubectl's --wait: an object that is being deleted gracefully (a running pod, an owner with
// a foreground or orphan finalizer) is waited for until it is gone, so that the next command
// does not meet it. Gives up quietly after a minute, as there is nothing more to tell.
void await_gone(cluster& connection, messages::ApiRequest request,
                const messages::ApiResponse& deleted) {
  const auto* kind = messages::find_resource(request.resource());
  if (kind == nullptr) return;
  auto object = kind->new_object();
  if (!object->ParseFromString(deleted.object())) return;
  const auto* meta = messages::metadata_of(*object);
  if (meta == nullptr || !meta->has_deletion_timestamp()) return;
  request.set_verb(messages::ApiRequest::GET);
  request.clear_propagation_policy();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < deadline) {
    auto outcome = connection.client->call(request);
    if (std::holds_alternative<api_client::failure>(outcome))
      return;  // NotFound: gone (or unreachable: nothing to wait for)
    auto current = kind->new_object();
    if (current->ParseFromString(std::get<messages::ApiResponse>(outcome).object()) &&
        messages::metadata_of(*current)->uid() != meta->uid())
      return;  // a new object of the same name
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int run_delete(const parsed_flags& flags, cli_io& io) {
  auto cascade = flags.get("cascade", "background");
  if (cascade == "true") cascade = "background";
  if (cascade == "false") cascade = "orphan";
  if (cascade != "background" && cascade != "foreground" && cascade != "orphan")
    return fail(io, "invalid cascade value (" + cascade +
                        "). Must be \"background\", \"foreground\", or \"orphan\".");
  const auto& args = flags.positional;
  const bool by_file = flags.has("filename");
  if (!by_file && args.empty())
    return fail(
        io,
        "You must provide one or more resources by argument or filename.\n"
        "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
        "   '<resource> <name>'\n   '<resource>'");
  auto cluster = open_cluster(flags, io);
  if (!cluster) return 1;

  auto named = resolve_targets(args, flags.all("filename"), cluster->ns, io);
  if (!named) return 1;
  std::vector<target_object> targets = std::move(named->objects);
  if (named->type_only) {
    if (!flags.enabled("all") && !flags.has("selector"))
      return fail(io, "resource(s) were provided, but no name was specified");
    auto listed = list_targets(*named->type_only, cluster->ns, flags.get("selector"), *cluster, io);
    if (!listed) return 1;
    if (listed->empty()) {
      io.err << "No resources found\n";
      return 0;
    }
    targets = std::move(*listed);
  }

  int status = 0;
  for (const auto& t : targets) {
    auto request = request_for(*t.kind, messages::ApiRequest::DELETE, t.ns);
    request.set_name(t.name);
    request.set_propagation_policy(cascade == "background"   ? "Background"
                                   : cascade == "foreground" ? "Foreground"
                                                             : "Orphan");
    auto outcome = cluster->client->call(request);
    if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
      io.err << failed->to_string() << '\n';
      status = 1;
      continue;
    }
    io.out << deleted_line(*t.kind, t.name) << '\n';
    if (!flags.has("wait") || flags.enabled("wait"))
      await_gone(*cluster, request, std::get<messages::ApiResponse>(outcome));
  }
  return status;
}

}  // namespace

const command delete_command{"delete",
                             "Delete resources by file names, stdin, resources and names, or by "
                             "resources and label selector",
                             "troupectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])",
                             delete_flags, run_delete};

}  // namespace troupe::cli
