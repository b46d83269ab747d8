// troupectl's entry point as a function, so tests run verbs in-process.
#pragma once

#include <span>
#include <string>

#include "cli/command.hpp"

namespace troupe::cli {

// Runs `troupectl <args...>`; returns the process exit code.
int run_troupectl(std::span<const std::string> args, cli_io io);

}  // namespace troupe::cli
