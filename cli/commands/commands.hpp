// The troupectl verbs, one per file in this folder.
#pragma once

#include "cli/command.hpp"

namespace troupe::cli {

extern const command annotate_command;
extern const command api_resources_command;
extern const command apply_command;
extern const command cluster_info_command;
extern const command create_command;
extern const command delete_command;
extern const command edit_command;
extern const command expose_command;
extern const command describe_command;
extern const command get_command;
extern const command label_command;
extern const command replace_command;
extern const command rollout_command;
extern const command run_command;
extern const command scale_command;
extern const command set_command;
extern const command version_command;

}  // namespace troupe::cli
