// troupectl run NAME --image=IMAGE [--labels=k=v,...] [--port=N] [--restart=POLICY]
// [--env=K=V] [--annotations=K=V] [--image-pull-policy=P] [--command] [-- ARGS...]: creates
// the one-container Pod that kubectl 1.32 creates (label run=NAME unless --labels, the
// container named NAME, dnsPolicy ClusterFirst). --dry-run=client prints it without a cluster,
// as kubectl generates it, before the API server's defaults.
#include <google/protobuf/message.h>

#include <charconv>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/printers.hpp"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"
#include "messages/validation/names.hpp"

namespace troupe::cli {
namespace {

constexpr flag_spec run_flags[] = {
    {"image", 0, true, {}, "The image for the container to run."},
    {"labels",
     'l',
     true,
     {},
     "Comma separated labels to apply to the pod. Will override "
     "previous values."},
    {"port", 0, true, {}, "The port that this container exposes."},
    {"restart",
     0,
     true,
     {},
     "The restart policy for this Pod.  Legal values [Always, OnFailure, "
     "Never] (case-sensitive)."},
    {"env", 0, true, {}, "Environment variables to set in the container."},
    {"annotations", 0, true, {}, "Annotations to apply to the pod."},
    {"image-pull-policy",
     0,
     true,
     {},
     "The image pull policy for the container.  If left empty, this value will not be "
     "specified by the client and defaulted by the server."},
    {"command",
     0,
     false,
     {},
     "If true and extra arguments are present, use them as the 'command' field in the "
     "container, rather than the 'args' field which is the default."},
    output_flag,
    dry_run_flag,
    namespace_flag,
    server_flag,
};

// What the flags ask for, checked.
struct run_spec {
  std::string name;
  std::string image;
  std::map<std::string, std::string> labels;  // empty: run=NAME
  std::map<std::string, std::string> annotations;
  std::vector<std::pair<std::string, std::string>> env;  // in the order given
  std::optional<int32_t> port;
  std::string restart = "Always";
  std::string pull_policy;  // "": the server's default
  std::vector<std::string> arguments;
  bool as_command = false;
};

// distribution/reference's ReferenceRegexp, which kubectl checks images against:
// [domain[:port]/]path[:tag][@digest].
bool is_image_reference(const std::string& image) {
  // The grammar allows no more than this, and the regex engine recurses per character.
  if (image.size() > 512) return false;
  static const std::regex reference = [] {
    const std::string alnum = "[a-z0-9]+";
    const std::string component = alnum + "(?:(?:[._]|__|-+)" + alnum + ")*";
    const std::string label = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const std::string host = "(?:" + label + "(?:\\." + label + ")*|\\[[a-fA-F0-9:]+\\])";
    const std::string name =
        "(?:" + host + "(?::[0-9]+)?/)?" + component + "(?:/" + component + ")*";
    const std::string tag = "[\\w][\\w.-]{0,127}";
    const std::string digest =
        "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    return std::regex("^" + name + "(?::" + tag + ")?(?:@" + digest + ")?$");
  }();
  return std::regex_match(image, reference);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + 1)
    out.push_back(text.substr(start, at - start));
  out.push_back(text.substr(start));
  return out;
}

// Reads and checks the flags in kubectl's order; the error message, or "".
std::string read_spec(const parsed_flags& flags, run_spec& spec) {
  std::string invalid;
  for (const auto& pair : flags.all("annotations")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      invalid += (invalid.empty() ? "" : ", ") + pair;
      continue;
    }
    spec.annotations[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  if (!invalid.empty()) return "invalid annotations format: " + invalid;
  if (auto text = flags.get("labels"); !text.empty()) {
    for (const auto& item : split(text, ',')) {
      auto parts = split(item, '=');
      if (parts.size() != 2) return "unexpected label spec: " + item;
      if (parts[0].empty()) return "unexpected empty label key";
      spec.labels[parts[0]] = parts[1];
    }
  }
  for (const auto& item : flags.all("env")) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 ||
        !messages::is_env_var_name(item.substr(0, eq)).empty())
      return "invalid env: " + item;
    spec.env.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  spec.restart = flags.get("restart", "Always");
  if (spec.restart != "Always" && spec.restart != "OnFailure" && spec.restart != "Never")
    return "invalid restart policy: " + spec.restart +
           ", valid values are: Always, OnFailure, Never";
  spec.pull_policy = flags.get("image-pull-policy");
  if (!spec.pull_policy.empty() && spec.pull_policy != "Always" &&
      spec.pull_policy != "IfNotPresent" && spec.pull_policy != "Never")
    return "invalid image pull policy: " + spec.pull_policy;
  auto dry_run = flags.get("dry-run", "none");
  if (dry_run != "none" && dry_run != "server" && dry_run != "client")
    return "Invalid dry-run value (" + dry_run + "). Must be \"none\", \"server\", or \"client\".";
  if (dry_run == "server") return "--dry-run=server is not supported yet";

  if (flags.positional.empty()) return "NAME is required for run";
  spec.name = flags.positional[0];
  spec.arguments.assign(flags.positional.begin() + 1, flags.positional.end());
  spec.image = flags.get("image");
  if (spec.image.empty()) return "--image is required";
  if (!is_image_reference(spec.image))
    return "invalid image name \"" + spec.image + "\": invalid reference format";
  if (auto text = flags.get("port"); !text.empty()) {
    int32_t port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size()) return "--port must be a number";
    spec.port = port;
  }
  spec.as_command = flags.enabled("command");
  return {};
}

// The Pod as kubectl's generator builds it: only what the flags say, plus dnsPolicy.
messages::Pod make_pod(const run_spec& spec) {
  messages::Pod pod;
  auto* meta = pod.mutable_metadata();
  meta->set_name(spec.name);
  if (spec.labels.empty()) (*meta->mutable_labels())["run"] = spec.name;
  for (const auto& [key, value] : spec.labels)
    (*meta->mutable_labels())[key] = value;
  for (const auto& [key, value] : spec.annotations)
    (*meta->mutable_annotations())[key] = value;
  auto* pod_spec = pod.mutable_spec();
  auto* container = pod_spec->add_containers();
  container->set_name(spec.name);
  container->set_image(spec.image);
  for (const auto& [name, value] : spec.env) {
    auto* env = container->add_env();
    env->set_name(name);
    env->set_value(value);
  }
  if (spec.port) container->add_ports()->set_container_port(*spec.port);
  for (const auto& arg : spec.arguments) {
    if (spec.as_command)
      container->add_command(arg);
    else
      container->add_args(arg);
  }
  if (!spec.pull_policy.empty()) container->set_image_pull_policy(spec.pull_policy);
  container->mutable_resources();  // kubectl prints "resources: {}"
  pod_spec->set_dns_policy("ClusterFirst");
  pod_spec->set_restart_policy(spec.restart);
  return pod;
}

int run_run(const parsed_flags& flags, cli_io& io) {
  if (!flags.has("image")) return fail(io, "required flag(s) \"image\" not set");
  run_spec spec;
  if (auto error = read_spec(flags, spec); !error.empty()) return fail(io, error);
  auto format = output_format::human;
  if (auto o = flags.get("output"); !o.empty()) {
    auto parsed = parse_output_format(o);
    if (!parsed) return fail(io, unknown_output_format(o));
    format = *parsed;
  }
  const auto* kind = messages::find_kind("v1", "Pod");
  auto pod = make_pod(spec);

  if (flags.get("dry-run", "none") == "client") {
    // kubectl sets the namespace of a generated object only when -n names one.
    if (flags.has("namespace")) pod.mutable_metadata()->set_namespace_(flags.get("namespace"));
    pod.mutable_status();  // kubectl prints "status: {}"
    if (format == output_format::human)
      io.out << object_name(pod, *kind) << " created (dry run)\n";
    else
      print_object(io.out, format, pod, *kind, 0);
    return 0;
  }
  auto target = open_cluster(flags, io);
  if (!target) return 1;
  pod.mutable_metadata()->set_namespace_(target->ns);
  auto request = request_for(*kind, messages::ApiRequest::CREATE, target->ns);
  request.set_object(pod.SerializeAsString());
  auto outcome = target->client->call(request);
  if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
    io.err << failed->to_string() << '\n';
    return 1;
  }
  pod.ParseFromString(std::get<messages::ApiResponse>(outcome).object());
  if (format == output_format::human)
    io.out << object_name(pod, *kind) << " created\n";
  else
    print_object(io.out, format, pod, *kind, 0);
  return 0;
}

}  // namespace

const command run_command{"run", "Run a particular image on the cluster",
                          "troupectl run NAME --image=image [--env=\"key=value\"] [--port=port] "
                          "[--dry-run=server|client] [--command] -- [COMMAND] [args...]",
                          run_flags, run_run};

}  // namespace troupe::cli
