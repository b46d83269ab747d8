// The Service that `troupectl expose` builds for an object, as kubectl's expose generator
// does: the object's pod selector and labels, ports from the flags or from the pod template.
// Pure; the expose verb does the I/O.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "messages/kinds.hpp"
#include "messages/proto/core.pb.h"

namespace troupe::cli {

struct expose_options {
  std::string name;         // --name; empty: the object's name
  std::string port;         // --port; empty: the ports of the object's containers or service
  std::string target_port;  // --target-port, a number or a port name; empty: the port
  std::string protocol;     // --protocol; empty: the container port's protocol, else TCP
  std::string type;         // --type; empty: the server's default, ClusterIP
  std::string selector;     // --selector "k=v,k2=v2"; empty: the object's pod selector
};

// The Service exposing `object` (a message of `kind`, in its namespace), or kubectl's error:
// "cannot expose a Node", "couldn't retrieve selectors via --selector flag or introspection:
// the pod has no labels and cannot be exposed", "couldn't find port via --port flag or
// introspection", ...
std::variant<messages::Service, std::string> exposed_service(
    const google::protobuf::Message& object, const messages::kind_info& kind,
    const expose_options& options);

}  // namespace troupe::cli
