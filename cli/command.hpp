// The shape of a troupectl verb: its name, help, flags and the function that runs it.
// Each verb lives in cli/commands/<verb>.cpp and is listed in cli/troupectl.cpp.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "cli/flags.hpp"

namespace troupe::cli {

// Streams injected so that tests drive verbs without a process.
struct cli_io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

struct command {
  std::string_view name;
  std::string_view summary;  // one line, for `troupectl --help`
  std::string_view usage;    // "troupectl create -f FILENAME [options]"
  std::span<const flag_spec> flags;
  // Null for a group of subcommands (`rollout`, `set`), which names them in `subcommands`.
  int (*run)(const parsed_flags& flags, cli_io& io);
  std::span<const command* const> subcommands = {};
};

// Prints "error: <message>" as kubectl does and returns its exit code, 1.
int fail(cli_io& io, std::string_view message);

}  // namespace troupe::cli
