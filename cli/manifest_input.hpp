// Reading the -f argument of create, replace and the like: a file, a directory, or "-" for
// standard input (bounded like a file).
#pragma once

#include <iosfwd>
#include <string>

#include <string_view>

#include "cli/cluster.hpp"
#include "messages/codec/manifest_reader.hpp"

namespace troupe::cli {

messages::codec::manifest_set read_manifests(const std::string& name, std::istream& in);

// kubectl's rule: an object without a namespace takes `ns`; one with another namespace is
// refused when -n was given, rather than silently moved. kubectl's error, or "".
std::string settle_namespace(messages::codec::manifest_object& o, const std::string& ns,
                             bool explicit_ns);

// Sends `object`, a message of `kind`, as `verb` (CREATE, UPDATE) in its own namespace; the
// server's answer, printing nothing.
api_client::outcome send_request(cluster& c, const google::protobuf::Message& object,
                                 const messages::kind_info& kind, messages::ApiRequest::Verb verb);

// GETs the object of `kind` named `name` in `ns`; the server's answer, printing nothing.
api_client::outcome get_request(cluster& c, const messages::kind_info& kind, const std::string& ns,
                                const std::string& name);

// Sends a decoded object to the cluster (CREATE or UPDATE) in its own namespace; on success
// the object becomes the server's copy. On failure prints kubectl's line, e.g.
// `Error from server (AlreadyExists): error when creating "pod.yml": ...`, and returns false.
bool send_object(cluster& c, messages::codec::manifest_object& o, messages::ApiRequest::Verb verb,
                 std::string_view doing, cli_io& io);

}  // namespace troupe::cli
