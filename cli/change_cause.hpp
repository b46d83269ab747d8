// --record, deprecated in kubectl but used by the tutorial: the command line a user typed,
// stored in the kubernetes.io/change-cause annotation that `rollout history` shows. Shared by
// create, scale and set image. Pure but for the deprecation notice; used only by troupectl.
#pragma once

#include <string>
#include <string_view>

#include "cli/command.hpp"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace troupe::cli {

inline constexpr flag_spec record_flag{
    "record",
    0,
    false,
    {},
    "Record current troupectl command in the resource annotation. If set to false, do not "
    "record the command. If set to true, record the command."};

// kubectl's parseCommandArguments: the binary's name, the command path and the positional
// arguments in order, then every flag as " --<long name>=<value as typed>", in order:
// "troupectl create --filename=deployment.yml --record=true".
std::string change_cause(std::string_view binary, const parsed_flags& flags);

// What --record asks to store: the change-cause when it is on, "" when absent or false. Prints
// pflag's deprecation notice to io.err whenever --record was given, as kubectl does.
std::string change_cause_to_record(const parsed_flags& flags, cli_io& io);

// Sets the object's kubernetes.io/change-cause annotation. Precondition: an API kind.
void record_change_cause(google::protobuf::Message& object, const std::string& cause);

}  // namespace troupe::cli
