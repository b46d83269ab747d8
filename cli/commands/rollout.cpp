// troupectl rollout status|history|undo|pause|resume|restart (TYPE NAME | TYPE/NAME | TYPE -l
// SELECTOR | -f FILE): kubectl 1.32's rollout verbs for Deployments. What to print and what to
// write comes from the Deployment controller's pure helpers (actors/controllers/
// deployment_logic.hpp); writes go through the shared read-modify-write (cli/object_update.hpp).
#include <google/protobuf/message.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "actors/controllers/deployment_logic.hpp"
#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/describe_printer.hpp"
#include "cli/object_update.hpp"
#include "cli/targets.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace logic = actors::controllers;
using messages::Deployment;
using messages::kind_info;
using messages::ReplicaSet;

constexpr flag_spec filename_flag{
    "filename", 'f', true, {}, "Filename, directory, or URL to files identifying the resource"};
constexpr flag_spec selector_flag{
    "selector", 'l', true, {}, "Selector (label query) to filter on, e.g. -l key1=value1"};

constexpr flag_spec status_flags[] = {
    {"watch", 'w', false, {}, "Watch the status of the rollout until it's done."},
    {"timeout",
     0,
     true,
     {},
     "The length of time to wait before ending watch, zero means never. Any other values should "
     "contain a corresponding time unit (e.g. 1s, 2m, 3h)."},
    {"revision",
     0,
     true,
     {},
     "Pin to a specific revision for showing its status. Defaults to 0 (last revision)."},
    filename_flag,
    selector_flag,
    namespace_flag,
    server_flag,
};

constexpr flag_spec history_flags[] = {
    {"revision", 0, true, {}, "See the details, including podTemplate of the revision specified"},
    filename_flag,
    selector_flag,
    namespace_flag,
    server_flag,
};

constexpr flag_spec undo_flags[] = {
    {"to-revision", 0, true, {}, "The revision to rollback to. Default to 0 (last revision)."},
    filename_flag,
    selector_flag,
    namespace_flag,
    server_flag,
};

constexpr flag_spec edit_flags[] = {
    filename_flag,
    selector_flag,
    namespace_flag,
    server_flag,
};

bool is_deployment(const kind_info& kind) {
  return kind.descriptor() == Deployment::descriptor();
}

// "ReplicaSet.apps", "Pod": Go's schema.GroupKind.String(), as kubectl's errors name kinds.
std::string group_kind(const kind_info& kind) {
  return std::string(kind.kind) + (kind.group.empty() ? "" : "." + std::string(kind.group));
}

// "deployments.apps": how kubectl's rollout errors name a resource.
std::string group_resource(const kind_info& kind) {
  return std::string(kind.resource) + (kind.group.empty() ? "" : "." + std::string(kind.group));
}

// pflag's int64 flag: 0 when absent; nullopt after its error.
std::optional<int64_t> int64_flag(const parsed_flags& flags, std::string_view name, cli_io& io) {
  if (!flags.has(name)) return 0;
  const std::string text = flags.get(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return value;
  const char* why = ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
  io.err << "error: invalid argument \"" << text << "\" for \"--" << name
         << "\" flag: strconv.ParseInt: parsing \"" << text << "\": " << why << "\nSee 'troupectl "
         << flags.command_path << " --help' for usage.\n";
  return std::nullopt;
}

// The objects the arguments name: TYPE NAME, TYPE/NAME, TYPE (all, or -l), -f FILE.
std::optional<std::vector<target_object>> rollout_targets(const parsed_flags& flags, cluster& c,
                                                          cli_io& io) {
  auto named = resolve_targets(flags.positional, flags.all("filename"), c.ns, io);
  if (!named) return std::nullopt;
  if (named->type_only) return list_targets(*named->type_only, c.ns, flags.get("selector"), c, io);
  return std::move(named->objects);
}

// Checks the arguments before connecting, then connects and resolves the targets.
struct rollout_run {
  std::optional<cluster> c;
  std::vector<target_object> targets;
};

std::optional<rollout_run> start(const parsed_flags& flags, cli_io& io) {
  if (flags.positional.empty() && !flags.has("filename")) {
    fail(io, "required resource not specified");
    return std::nullopt;
  }
  rollout_run run;
  run.c = open_cluster(flags, io);
  if (!run.c) return std::nullopt;
  auto targets = rollout_targets(flags, *run.c, io);
  if (!targets) return std::nullopt;
  run.targets = std::move(*targets);
  return run;
}

// kubectl reads the objects before it looks for a viewer or rollbacker of their kind: an
// absent object is NotFound, a present one of another kind gets `why`.
int refuse_kind(const target_object& t, const std::string& why, cluster& c, cli_io& io) {
  if (!read_target(t, c, io)) return 1;
  return fail(io, why);
}

// A Deployment and the ReplicaSets of its namespace, for history and undo.
struct deployment_history {
  std::unique_ptr<Deployment> deployment;
  std::vector<std::unique_ptr<ReplicaSet>> owned;
  std::vector<const ReplicaSet*> replica_sets;
};

std::optional<deployment_history> read_history(const target_object& t, cluster& c, cli_io& io) {
  deployment_history h;
  auto object = read_target(t, c, io);
  if (!object) return std::nullopt;
  h.deployment.reset(static_cast<Deployment*>(object.release()));
  auto list =
      request_for(*messages::find_resource("replicasets"), messages::ApiRequest::LIST, t.ns);
  auto listed = c.client->call(list);
  if (auto* failed = std::get_if<api_client::failure>(&listed)) {
    io.err << failed->to_string() << '\n';
    return std::nullopt;
  }
  for (const auto& item : std::get<messages::ApiResponse>(listed).items()) {
    auto rs = std::make_unique<ReplicaSet>();
    if (!rs->ParseFromString(item)) continue;
    h.replica_sets.push_back(rs.get());
    h.owned.push_back(std::move(rs));
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

int run_status(const parsed_flags& flags, cli_io& io) {
  auto revision = int64_flag(flags, "revision", io);
  if (!revision) return 1;
  if (*revision < 0)
    return fail(io, "revision must be a positive integer: " + std::to_string(*revision));
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (flags.has("timeout")) {
    auto timeout = parse_go_duration(flags.get("timeout"));
    if (!timeout.value) {
      io.err << "error: invalid argument \"" << flags.get("timeout")
             << "\" for \"--timeout\" flag: " << timeout.error
             << "\nSee 'troupectl rollout status --help' for usage.\n";
      return 1;
    }
    if (timeout.value->count() > 0) deadline = std::chrono::steady_clock::now() + *timeout.value;
  }
  const bool watch = !flags.has("watch") || flags.enabled("watch");
  auto run = start(flags, io);
  if (!run) return 1;
  if (run->targets.size() != 1)
    return fail(io,
                "rollout status is only supported on individual resources and resource "
                "collections are not supported yet");
  const target_object& t = run->targets.front();
  if (!is_deployment(*t.kind))
    return refuse_kind(t, "no status viewer has been implemented for " + group_kind(*t.kind),
                       *run->c, io);

  // List+watch of the one object, as kubectl's UntilWithSync does.
  auto request = request_for(*t.kind, messages::ApiRequest::LIST, t.ns);
  request.set_field_selector("metadata.name=" + t.name);
  auto listed = run->c->client->call(request);
  if (auto* failed = std::get_if<api_client::failure>(&listed)) {
    io.err << failed->to_string() << '\n';
    return 1;
  }
  const auto& list = std::get<messages::ApiResponse>(listed);
  Deployment d;
  if (list.items().empty() || !d.ParseFromString(list.items(0))) {
    io.err << "Error from server (NotFound): " << group_resource(*t.kind) << " \"" << t.name
           << "\" not found\n";
    return 1;
  }
  std::string last;  // the last line printed: a repeated line is not printed again
  std::string error;
  // Prints the status of `current`; true when the waiting is over (done, failed, --watch=false).
  auto report = [&](const Deployment& current) {
    auto status = logic::rollout_status(current, *revision);
    if (!status.error.empty()) {
      error = status.error;
      return true;
    }
    if (status.message != last) {
      io.out << status.message << '\n';
      io.out.flush();
      last = status.message;
    }
    return status.done || !watch;
  };
  if (report(d)) return error.empty() ? 0 : fail(io, error);

  request.set_resource_version(list.resource_version());
  auto ended = run->c->client->watch(
      request,
      [&](const messages::WatchEvent& e) {
        if (e.type() == messages::WatchEvent::DELETED) {
          error = "object has been deleted";
          return false;
        }
        Deployment current;
        if (!current.ParseFromString(e.value())) return true;
        return !report(current);
      },
      deadline);
  if (!error.empty()) return fail(io, error);
  if (ended) {
    if (ended->reason == "Timeout") return fail(io, ended->message);
    io.err << ended->to_string() << '\n';
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// history
// ---------------------------------------------------------------------------------------------

int run_history(const parsed_flags& flags, cli_io& io) {
  auto revision = int64_flag(flags, "revision", io);
  if (!revision) return 1;
  if (*revision < 0)
    return fail(io, "revision must be a positive integer: " + std::to_string(*revision));
  auto run = start(flags, io);
  if (!run) return 1;
  for (const auto& t : run->targets) {
    if (!is_deployment(*t.kind))
      return refuse_kind(
          t, "no history viewer has been implemented for \"" + group_kind(*t.kind) + "\"", *run->c,
          io);
    auto h = read_history(t, *run->c, io);
    if (!h) return 1;
    // kubectl prints the history through its name printer: "<kind>/<name> <history>\n".
    std::string text;
    if (*revision > 0) {
      auto tmpl = logic::rollout_history_template(*h->deployment, h->replica_sets, *revision);
      if (!tmpl.value) return fail(io, tmpl.error);
      text =
          "with revision #" + std::to_string(*revision) + "\n" + describe_pod_template(*tmpl.value);
    } else {
      auto entries = logic::rollout_history(*h->deployment, h->replica_sets);
      text = entries.empty() ? "\nNo rollout history found."
                             : "\n" + logic::format_rollout_history(entries);
    }
    io.out << t.kind->qualified_kind() << '/' << t.name << ' ' << text << '\n';
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// undo
// ---------------------------------------------------------------------------------------------

int run_undo(const parsed_flags& flags, cli_io& io) {
  auto to_revision = int64_flag(flags, "to-revision", io);
  if (!to_revision) return 1;
  auto run = start(flags, io);
  if (!run) return 1;
  for (const auto& t : run->targets) {
    if (!is_deployment(*t.kind))
      return refuse_kind(
          t, "no rollbacker has been implemented for \"" + group_kind(*t.kind) + "\"", *run->c, io);
    auto h = read_history(t, *run->c, io);
    if (!h) return 1;
    std::string done = "rolled back";
    std::string error;
    auto written = update_object(t, *run->c, io, [&](google::protobuf::Message& object, int) {
      auto& d = static_cast<Deployment&>(object);
      auto plan = logic::plan_rollback(d, h->replica_sets, *to_revision);
      if (!plan.error.empty()) {
        // The controller's helper words its advice for kubectl.
        if (auto at = plan.error.find("'kubectl "); at != std::string::npos)
          plan.error.replace(at + 1, 7, "troupectl");
        error = plan.error;
        return change::refused;
      }
      if (!plan.skipped.empty()) {
        done = plan.skipped;
        return change::unchanged;
      }
      *d.mutable_spec()->mutable_template_() = *plan.tmpl;
      auto* annotations = d.mutable_metadata()->mutable_annotations();
      annotations->clear();
      annotations->insert(plan.annotations.begin(), plan.annotations.end());
      return change::write;
    });
    if (!error.empty()) return fail(io, error);
    if (!written.object) return 1;
    io.out << t.kind->qualified_kind() << '/' << t.name << ' ' << done << '\n';
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// pause, resume, restart
// ---------------------------------------------------------------------------------------------

// Go's time.Now().Format(time.RFC3339): local time with its offset, "Z" in UTC.
std::string rfc3339_local_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string out = stamp;  // "...+0100": Go writes the zone as "+01:00", and UTC as "Z"
  if (local.tm_gmtoff == 0) return out.substr(0, out.size() - 5) + "Z";
  return out.insert(out.size() - 2, ":");
}

// One of the verbs that flip a Deployment: what it changes, or why it refuses ("is already
// paused"), and the word kubectl prints.
struct deployment_edit {
  std::string_view done;         // "paused"
  std::string_view unsupported;  // "pausing is not supported"
  // Edits the Deployment; a non-empty result is kubectl's refusal.
  std::string (*apply)(Deployment& d);
};

int run_edit(const deployment_edit& edit, const parsed_flags& flags, cli_io& io) {
  auto run = start(flags, io);
  if (!run) return 1;
  if (run->targets.empty()) {
    io.err << "No resources found in " << run->c->ns << " namespace.\n";
    return 0;
  }
  int status = 0;
  for (const auto& t : run->targets) {
    // kubectl's line for a refused object: `error: deployments.apps "x" is already paused`.
    auto refuse = [&](std::string_view why) {
      io.err << "error: " << group_resource(*t.kind) << " \"" << t.name << "\" " << why << '\n';
      status = 1;
    };
    if (!is_deployment(*t.kind)) {
      if (read_target(t, *run->c, io))
        refuse(edit.unsupported);
      else
        status = 1;
      continue;
    }
    std::string refusal;
    auto written = update_object(t, *run->c, io, [&](google::protobuf::Message& object, int) {
      refusal = edit.apply(static_cast<Deployment&>(object));
      return refusal.empty() ? change::write : change::refused;
    });
    if (!refusal.empty()) {
      refuse(refusal);
      continue;
    }
    if (!written.object) {
      status = 1;
      continue;
    }
    io.out << t.kind->qualified_kind() << '/' << t.name << ' ' << edit.done << '\n';
  }
  return status;
}

const deployment_edit pause_edit{"paused", "pausing is not supported", [](Deployment& d) {
                                   if (d.spec().paused()) return std::string("is already paused");
                                   d.mutable_spec()->set_paused(true);
                                   return std::string();
                                 }};

const deployment_edit resume_edit{"resumed", "resuming is not supported", [](Deployment& d) {
                                    if (!d.spec().paused()) return std::string("is not paused");
                                    d.mutable_spec()->set_paused(false);
                                    return std::string();
                                  }};

const deployment_edit restart_edit{
    "restarted", "restarting is not supported", [](Deployment& d) {
      if (d.spec().paused())
        return std::string("can't restart paused deployment (run rollout resume first)");
      (*d.mutable_spec()
            ->mutable_template_()
            ->mutable_metadata()
            ->mutable_annotations())["kubectl.kubernetes.io/restartedAt"] = rfc3339_local_now();
      return std::string();
    }};

int run_pause(const parsed_flags& flags, cli_io& io) {
  return run_edit(pause_edit, flags, io);
}
int run_resume(const parsed_flags& flags, cli_io& io) {
  return run_edit(resume_edit, flags, io);
}
int run_restart(const parsed_flags& flags, cli_io& io) {
  return run_edit(restart_edit, flags, io);
}

const command status_command{"status", "Show the status of the rollout",
                             "troupectl rollout status (TYPE NAME | TYPE/NAME) [flags]",
                             status_flags, run_status};
const command history_command{"history", "View rollout history",
                              "troupectl rollout history (TYPE NAME | TYPE/NAME) [flags]",
                              history_flags, run_history};
const command undo_command{"undo", "Undo a previous rollout",
                           "troupectl rollout undo (TYPE NAME | TYPE/NAME) [flags]", undo_flags,
                           run_undo};
const command pause_command{"pause", "Mark the provided resource as paused",
                            "troupectl rollout pause RESOURCE", edit_flags, run_pause};
const command resume_command{"resume", "Resume a paused resource",
                             "troupectl rollout resume RESOURCE", edit_flags, run_resume};
const command restart_command{"restart", "Restart a resource", "troupectl rollout restart RESOURCE",
                              edit_flags, run_restart};

const command* const rollout_subcommands[] = {&history_command, &pause_command,  &restart_command,
                                              &resume_command,  &status_command, &undo_command};

}  // namespace

const command rollout_command{"rollout",
                              "Manage the rollout of a resource",
                              "troupectl rollout SUBCOMMAND",
                              {},
                              nullptr,
                              rollout_subcommands};

}  // namespace troupe::cli
