#include "cli/troupectl.hpp"

#include <algorithm>
#include <array>
#include <ostream>

#include "cli/commands/commands.hpp"

namespace troupe::cli {
namespace {

const std::array<const command*, 17> commands{
    &create_command,  &apply_command,    &get_command,          &describe_command,
    &run_command,     &expose_command,   &delete_command,       &edit_command,
    &replace_command, &scale_command,    &rollout_command,      &set_command,
    &label_command,   &annotate_command, &cluster_info_command, &api_resources_command,
    &version_command};

constexpr flag_spec help_flag{"help", 'h', false, {}, "help for this command"};

void list_commands(std::ostream& out, std::span<const command* const> list) {
  for (const auto* c : list) {
    out << "  " << c->name << std::string(std::max<std::size_t>(1, 14 - c->name.size()), ' ')
        << c->summary << '\n';
  }
}

void print_overview(std::ostream& out) {
  out << "troupectl controls the Troupe cluster manager.\n\n"
         "Basic Commands:\n";
  list_commands(out, commands);
  out << "\nUsage:\n  troupectl [flags] [options]\n\n"
         "Use \"troupectl <command> --help\" for more information about a given command.\n";
}

// The help of a group: its subcommands, as cobra prints them.
void print_group_help(std::ostream& out, const command& group) {
  out << group.summary << "\n\nAvailable Commands:\n";
  list_commands(out, group.subcommands);
  out << "\nUsage:\n  " << group.usage << "\n\nUse \"troupectl " << group.name
      << " <command> --help\" for more information about a given command.\n";
}

const command* find_command(std::span<const command* const> list, std::string_view name) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const command* c) { return c->name == name; });
  return it == list.end() ? nullptr : *it;
}

}  // namespace

int fail(cli_io& io, std::string_view message) {
  io.err << "error: " << message << '\n';
  return 1;
}

int run_troupectl(std::span<const std::string> args, cli_io io) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview(args.empty() ? io.err : io.out);
    return args.empty() ? 1 : 0;
  }
  const std::string& verb = args[0];
  const command* found = find_command(commands, verb);
  if (!found) return fail(io, "unknown command \"" + verb + "\" for \"troupectl\"");
  std::string path = verb;
  args = args.subspan(1);
  // A group (rollout, set): kubectl's DefaultSubCommandRun prints the help and fails when no
  // subcommand is named, and refuses one it does not know.
  if (!found->subcommands.empty()) {
    if (args.empty() || args[0].starts_with('-')) {
      const bool asked = !args.empty() && (args[0] == "--help" || args[0] == "-h");
      print_group_help(asked ? io.out : io.err, *found);
      return asked ? 0 : 1;
    }
    const command* sub = find_command(found->subcommands, args[0]);
    if (!sub) {
      io.err << "error: unknown command \"" << args[0] << "\"\nSee 'troupectl " << verb
             << " -h' for help and examples\n";
      return 1;
    }
    path += " " + args[0];
    args = args.subspan(1);
    found = sub;
  }
  const command& cmd = *found;

  std::vector<flag_spec> specs(cmd.flags.begin(), cmd.flags.end());
  specs.push_back(help_flag);
  auto flags = parse_flags(args, specs);
  if (flags.error) {
    io.err << "error: " << *flags.error << "\nSee 'troupectl " << path << " --help' for usage.\n";
    return 1;
  }
  flags.command_path = path;
  if (flags.has("help")) {
    io.out << cmd.summary << "\n\nOptions:\n"
           << describe_flags(cmd.flags) << "Usage:\n  " << cmd.usage << "\n";
    return 0;
  }
  return cmd.run(flags, io);
}

}  // namespace troupe::cli
