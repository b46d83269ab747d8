#include "cli/troupectl.hpp"

#include <algorithm>
#include <array>
#include <ostream>

#include "cli/commands/commands.hpp"

namespace troupe::cli {
namespace {

const std::array<const command*, 14> commands{
    &create_command,        &expose_command, &get_command,      &run_command,
    &delete_command,        &apply_command,  &edit_command,     &replace_command,
    &scale_command,         &label_command,  &annotate_command, &cluster_info_command,
    &api_resources_command, &version_command};

constexpr flag_spec help_flag{"help", 'h', false, {}, "help for this command"};

void print_overview(std::ostream& out) {
  out << "troupectl controls the Troupe cluster manager.\n\n"
         "Basic Commands:\n";
  for (const auto* c : commands) {
    out << "  " << c->name << std::string(std::max<std::size_t>(1, 14 - c->name.size()), ' ')
        << c->summary << '\n';
  }
  out << "\nUsage:\n  troupectl [flags] [options]\n\n"
         "Use \"troupectl <command> --help\" for more information about a given command.\n";
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
  auto it = std::find_if(commands.begin(), commands.end(),
                         [&](const command* c) { return c->name == verb; });
  if (it == commands.end()) return fail(io, "unknown command \"" + verb + "\" for \"troupectl\"");
  const command& cmd = **it;

  std::vector<flag_spec> specs(cmd.flags.begin(), cmd.flags.end());
  specs.push_back(help_flag);
  auto flags = parse_flags(args.subspan(1), specs);
  if (flags.error) {
    io.err << "error: " << *flags.error << "\nSee 'troupectl " << verb << " --help' for usage.\n";
    return 1;
  }
  if (flags.has("help")) {
    io.out << cmd.summary << "\n\nOptions:\n"
           << describe_flags(cmd.flags) << "Usage:\n  " << cmd.usage << "\n";
    return 0;
  }
  return cmd.run(flags, io);
}

}  // namespace troupe::cli
