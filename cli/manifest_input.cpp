#include "cli/manifest_input.hpp"

#include <istream>
#include <ostream>

#include "messages/proto/meta.pb.h"

namespace troupe::cli {

messages::codec::manifest_set read_manifests(const std::string& name, std::istream& in) {
  namespace codec = messages::codec;
  if (name != "-") return codec::read_manifest_path(name);
  // Bounded like a file: one byte past the limit is enough to refuse.
  std::string text(codec::parse_limits{}.max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return codec::read_manifest_text(text, "STDIN");
}

std::string settle_namespace(messages::codec::manifest_object& o, const std::string& ns,
                             bool explicit_ns) {
  if (!o.kind->namespaced) return {};
  auto* meta = messages::metadata_of(*o.object);
  if (meta->namespace_().empty()) {
    meta->set_namespace_(ns);
  } else if (explicit_ns && meta->namespace_() != ns) {
    return "the namespace from the provided object \"" + meta->namespace_() +
           "\" does not match the namespace \"" + ns +
           "\". You must pass '--namespace=" + meta->namespace_() + "' to perform this operation.";
  }
  return {};
}

api_client::outcome send_request(cluster& c, const google::protobuf::Message& object,
                                 const messages::kind_info& kind, messages::ApiRequest::Verb verb) {
  const auto* meta = messages::metadata_of(object);
  auto request = request_for(kind, verb, meta->namespace_());
  request.set_name(meta->name());
  request.set_version(std::string(kind.version));
  request.set_object(object.SerializeAsString());
  return c.client->call(request);
}

api_client::outcome get_request(cluster& c, const messages::kind_info& kind, const std::string& ns,
                                const std::string& name) {
  auto request = request_for(kind, messages::ApiRequest::GET, ns);
  request.set_name(name);
  return c.client->call(request);
}

bool send_object(cluster& c, messages::codec::manifest_object& o, messages::ApiRequest::Verb verb,
                 std::string_view doing, cli_io& io) {
  auto outcome = send_request(c, *o.object, *o.kind, verb);
  if (auto* failed = std::get_if<api_client::failure>(&outcome)) {
    // An Invalid error names the object itself; the others say which file.
    api_client::failure f = *failed;
    if (f.reason != "Invalid")
      f.message = "error when " + std::string(doing) + " \"" + o.source + "\": " + f.message;
    io.err << f.to_string() << '\n';
    return false;
  }
  o.object->ParseFromString(std::get<messages::ApiResponse>(outcome).object());
  return true;
}

}  // namespace troupe::cli
