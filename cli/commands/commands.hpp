// The troupectl verbs, one per file in this folder.
#pragma once

#include "cli/command.hpp"

namespace troupe::cli {

extern const command create_command;
extern const command delete_command;
extern const command get_command;
extern const command version_command;

}  // namespace troupe::cli
