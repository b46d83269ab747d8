#include "cli/targets.hpp"

#include <google/protobuf/message.h>

#include <ostream>

#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {

std::optional<named_targets> resolve_targets(const std::vector<std::string>& args,
                                             const std::vector<std::string>& files,
                                             const std::string& ns, cli_io& io) {
  named_targets out;
  for (const auto& file : files) {
    auto set = messages::codec::read_manifest_path(file);
    for (const auto& e : set.errors)
      io.err << "error: " << e.to_string() << '\n';
    if (!set.ok()) return std::nullopt;
    for (const auto& o : set.objects) {
      const auto* meta = messages::metadata_of(*o.object);
      const bool own_ns = o.kind->namespaced && !meta->namespace_().empty();
      out.objects.push_back({o.kind, own_ns ? meta->namespace_() : ns, meta->name()});
    }
  }
  if (args.empty()) return out;
  auto resolve = [&](const std::string& type) {
    const auto* kind = messages::find_resource(type);
    if (!kind) io.err << "error: the server doesn't have a resource type \"" << type << "\"\n";
    return kind;
  };
  if (args[0].find('/') != std::string::npos) {
    for (const auto& arg : args) {
      auto slash = arg.find('/');
      if (slash == std::string::npos) {
        fail(io,
             "there is no need to specify a resource type as a separate argument when passing "
             "arguments in resource/name form (e.g. 'troupectl get resource/<name>' instead of "
             "'troupectl get resource resource/<name>'");
        return std::nullopt;
      }
      const auto* kind = resolve(arg.substr(0, slash));
      if (!kind) return std::nullopt;
      out.objects.push_back({kind, ns, arg.substr(slash + 1)});
    }
    return out;
  }
  const auto* kind = resolve(args[0]);
  if (!kind) return std::nullopt;
  if (args.size() == 1) {
    out.type_only = kind;
    return out;
  }
  for (std::size_t i = 1; i < args.size(); ++i)
    out.objects.push_back({kind, ns, args[i]});
  return out;
}

std::optional<std::vector<target_object>> list_targets(const messages::kind_info& kind,
                                                       const std::string& ns,
                                                       const std::string& selector, cluster& c,
                                                       cli_io& io) {
  auto request = request_for(kind, messages::ApiRequest::LIST, ns);
  request.set_label_selector(selector);
  auto listed = c.client->call(request);
  if (auto* failed = std::get_if<api_client::failure>(&listed)) {
    io.err << failed->to_string() << '\n';
    return std::nullopt;
  }
  std::vector<target_object> out;
  for (const auto& item : std::get<messages::ApiResponse>(listed).items()) {
    auto object = kind.new_object();
    if (!object->ParseFromString(item)) continue;
    const auto* meta = messages::metadata_of(*object);
    out.push_back({&kind, meta->namespace_(), meta->name()});
  }
  return out;
}

std::unique_ptr<google::protobuf::Message> read_target(const target_object& t, cluster& c,
                                                       cli_io& io) {
  auto get = request_for(*t.kind, messages::ApiRequest::GET, t.ns);
  get.set_name(t.name);
  auto read = c.client->call(get);
  if (auto* failed = std::get_if<api_client::failure>(&read)) {
    io.err << failed->to_string() << '\n';
    return nullptr;
  }
  auto object = t.kind->new_object();
  if (!object->ParseFromString(std::get<messages::ApiResponse>(read).object())) {
    io.err << "error: the server sent a " << t.kind->kind << " that does not decode\n";
    return nullptr;
  }
  return object;
}

}  // namespace troupe::cli
