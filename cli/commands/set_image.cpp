// troupectl set image (-f FILE | TYPE NAME | TYPE -l SELECTOR | TYPE --all) CONTAINER=IMAGE ...:
// kubectl 1.32's `set image` for pods and the pod templates of replication controllers,
// replica sets and deployments ("*" names every container). --record stores the command line
// as the change-cause, which `rollout history` shows. `set` groups its subcommands; image is
// the one troupectl has.
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/change_cause.hpp"
#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/object_update.hpp"
#include "cli/targets.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"

namespace troupe::cli {
namespace {

namespace pb = google::protobuf;

constexpr flag_spec image_flags[] = {
    {"all", 0, false, {}, "Select all resources, in the namespace of the specified resource types"},
    {"selector", 'l', true, {}, "Selector (label query) to filter on, e.g. -l key1=value1"},
    {"filename",
     'f',
     true,
     {},
     "Filename, directory, or URL to files identifying the resource to get from a server."},
    record_flag,
    namespace_flag,
    server_flag,
};

template <class T>
T* as(pb::Message& object) {
  return object.GetDescriptor() == T::descriptor() ? static_cast<T*>(&object) : nullptr;
}

// kubectl's UpdatePodSpecForObject: a pod's spec, or the spec of a controller's pod template;
// null for a kind that has neither.
messages::PodSpec* pod_spec_of(pb::Message& object) {
  if (auto* pod = as<messages::Pod>(object)) return pod->mutable_spec();
  if (auto* rc = as<messages::ReplicationController>(object))
    return rc->mutable_spec()->mutable_template_()->mutable_spec();
  if (auto* rs = as<messages::ReplicaSet>(object))
    return rs->mutable_spec()->mutable_template_()->mutable_spec();
  if (auto* d = as<messages::Deployment>(object))
    return d->mutable_spec()->mutable_template_()->mutable_spec();
  return nullptr;
}

// kubectl's setImage: the containers named `name` ("*": all) get `image`; whether any matched.
bool set_image(pb::RepeatedPtrField<messages::Container>& containers, const std::string& name,
               const std::string& image) {
  bool found = false;
  for (auto& c : containers) {
    if (name != "*" && c.name() != name) continue;
    c.set_image(image);
    found = true;
  }
  return found;
}

using image_list = std::vector<std::pair<std::string, std::string>>;  // container, image

int run_image(const parsed_flags& flags, cli_io& io) {
  // As kubectl: resources first, then CONTAINER=IMAGE pairs.
  std::vector<std::string> resources;
  image_list images;
  for (const auto& arg : flags.positional) {
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
      images.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else if (!images.empty()) {
      return fail(io, "all resources must be specified before image changes: " + arg);
    } else {
      resources.push_back(arg);
    }
  }
  const bool all = flags.enabled("all");
  std::vector<std::string> invalid;
  if (all && flags.has("selector"))
    invalid.push_back("cannot set --all and --selector at the same time");
  if (resources.empty() && !flags.has("filename"))
    invalid.push_back(
        "one or more resources must be specified as <resource> <name> or <resource>/<name>");
  bool wildcard = false;
  for (const auto& entry : images)
    wildcard = wildcard || entry.first == "*";
  if (images.empty())
    invalid.push_back("at least one image update is required");
  else if (images.size() > 1 && wildcard)
    invalid.push_back(
        "all containers are already specified by *, but saw more than one "
        "container_name=container_image pairs");
  if (invalid.size() == 1) return fail(io, invalid.front());
  if (!invalid.empty()) {
    std::string joined;
    for (const auto& e : invalid)
      joined += (joined.empty() ? "" : ", ") + e;
    return fail(io, "[" + joined + "]");
  }
  if (auto selector = messages::label_selector::parse(flags.get("selector")); !selector.value)
    return fail(io, selector.error);
  const std::string cause = change_cause_to_record(flags, io);

  auto c = open_cluster(flags, io);
  if (!c) return 1;
  auto named = resolve_targets(resources, flags.all("filename"), c->ns, io);
  if (!named) return 1;
  std::vector<target_object> targets = std::move(named->objects);
  if (named->type_only) {
    if (!all && !flags.has("selector"))
      return fail(io, "resource(s) were provided, but no name was specified");
    auto listed = list_targets(*named->type_only, c->ns, flags.get("selector"), *c, io);
    if (!listed) return 1;
    targets = std::move(*listed);
  }

  int status = 0;
  for (const auto& t : targets) {
    std::vector<std::string> missing;
    bool no_template = false;
    auto written = update_object(t, *c, io, [&](pb::Message& object, int) {
      auto before = std::unique_ptr<pb::Message>(object.New());
      before->CopyFrom(object);
      auto* spec = pod_spec_of(object);
      if (!spec) {
        no_template = true;
        return change::refused;
      }
      missing.clear();
      for (const auto& [name, image] : images) {
        const bool init = set_image(*spec->mutable_init_containers(), name, image);
        const bool main = set_image(*spec->mutable_containers(), name, image);
        if (!init && !main) missing.push_back(name);
      }
      if (!cause.empty()) record_change_cause(object, cause);
      return pb::util::MessageDifferencer::Equals(*before, object) ? change::unchanged
                                                                   : change::write;
    });
    if (no_template) {
      io.err << "error: " << t.kind->qualified_kind() << '/' << t.name
             << " the object is not a pod or does not have a pod template\n";
      status = 1;
      continue;
    }
    if (!written.object) {
      status = 1;
      continue;
    }
    if (written.outcome == change::write)
      io.out << t.kind->qualified_kind() << '/' << t.name << " image updated\n";
    for (const auto& name : missing)
      io.err << "error: unable to find container named \"" << name << "\"\n";
    if (!missing.empty()) status = 1;
  }
  return status;
}

const command image_command{
    "image", "Update the image of a pod template",
    "troupectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... "
    "CONTAINER_NAME_N=CONTAINER_IMAGE_N",
    image_flags, run_image};

const command* const set_subcommands[] = {&image_command};

}  // namespace

const command set_command{
    "set",          "Set specific features on objects", "troupectl set SUBCOMMAND", {}, nullptr,
    set_subcommands};

}  // namespace troupe::cli
