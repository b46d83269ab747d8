// The objects a verb's arguments name, kubectl's way: -f files, `TYPE NAME...`,
// `TYPE/NAME...`, or a bare TYPE that the verb lists with -l or --all. Shared by delete,
// scale, label and annotate.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/command.hpp"
#include "messages/kinds.hpp"

namespace troupe::cli {

struct target_object {
  const messages::kind_info* kind;
  std::string ns;
  std::string name;
};

struct named_targets {
  std::vector<target_object> objects;
  // Set when the arguments name a type and no objects: the verb lists it (-l, --all) or
  // refuses with "resource(s) were provided, but no name was specified".
  const messages::kind_info* type_only = nullptr;
};

// Resolves every type before any request, so a typo fails first; nullopt after printing
// kubectl's error. Objects from files keep their own namespace, others take `ns`.
std::optional<named_targets> resolve_targets(const std::vector<std::string>& args,
                                             const std::vector<std::string>& files,
                                             const std::string& ns, cli_io& io);

// The objects of `kind` in `ns` matching `selector` (empty: all), for -l and --all.
std::optional<std::vector<target_object>> list_targets(const messages::kind_info& kind,
                                                       const std::string& ns,
                                                       const std::string& selector, cluster& c,
                                                       cli_io& io);

// GETs one target; null after printing kubectl's error line.
std::unique_ptr<google::protobuf::Message> read_target(const target_object& t, cluster& c,
                                                       cli_io& io);

}  // namespace troupe::cli
