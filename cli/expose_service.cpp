#include "cli/expose_service.hpp"

#include <google/protobuf/message.h>

#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

using string_map = std::map<std::string, std::string>;
using messages::Deployment;
using messages::Pod;
using messages::ReplicaSet;
using messages::ReplicationController;
using messages::Service;

template <class Map>
string_map to_map(const Map& m) {
  return string_map(m.begin(), m.end());
}

// kubectl's "%+v" of a []LabelSelectorRequirement: [{Key:app Operator:In Values:[a b]}].
std::string go_requirements(const messages::LabelSelector& selector) {
  std::string out = "[";
  for (int i = 0; i < selector.match_expressions_size(); ++i) {
    const auto& r = selector.match_expressions(i);
    out += (i ? " " : "") + std::string("{Key:") + r.key() + " Operator:" + r.operator_() +
           " Values:[";
    for (int j = 0; j < r.values_size(); ++j)
      out += (j ? " " : "") + r.values(j);
    out += "]}";
  }
  return out + "]";
}

// kubectl's MapBasedSelectorForObject: the selector, or why there is none.
std::variant<string_map, std::string> selector_of(const google::protobuf::Message& object) {
  auto from_label_selector =
      [](const messages::LabelSelector& s) -> std::variant<string_map, std::string> {
    if (s.match_expressions_size() > 0)
      return "couldn't convert expressions - \"" + go_requirements(s) +
             "\" to map-based selector format";
    return to_map(s.match_labels());
  };
  if (const auto* pod = dynamic_cast<const Pod*>(&object)) {
    if (pod->metadata().labels().empty())
      return std::string("the pod has no labels and cannot be exposed");
    return to_map(pod->metadata().labels());
  }
  if (const auto* svc = dynamic_cast<const Service*>(&object)) {
    if (svc->spec().selector().empty()) return std::string("the service has no pod selector set");
    return to_map(svc->spec().selector());
  }
  if (const auto* rc = dynamic_cast<const ReplicationController*>(&object))
    return to_map(rc->spec().selector());
  if (const auto* d = dynamic_cast<const Deployment*>(&object))
    return from_label_selector(d->spec().selector());
  if (const auto* rs = dynamic_cast<const ReplicaSet*>(&object))
    return from_label_selector(rs->spec().selector());
  return "cannot extract pod selector from " + object.GetDescriptor()->name();
}

const messages::PodSpec* pod_spec_of(const google::protobuf::Message& object) {
  if (const auto* pod = dynamic_cast<const Pod*>(&object)) return &pod->spec();
  if (const auto* rc = dynamic_cast<const ReplicationController*>(&object))
    return &rc->spec().template_().spec();
  if (const auto* d = dynamic_cast<const Deployment*>(&object))
    return &d->spec().template_().spec();
  if (const auto* rs = dynamic_cast<const ReplicaSet*>(&object))
    return &rs->spec().template_().spec();
  return nullptr;
}

struct introspected_port {
  int32_t port;
  std::string protocol;  // "" when the object does not say
};

// kubectl's PortsForObject and ProtocolsForObject: every container port of the pod template
// (in container order), or a service's ports.
std::vector<introspected_port> ports_of(const google::protobuf::Message& object) {
  std::vector<introspected_port> out;
  if (const auto* svc = dynamic_cast<const Service*>(&object)) {
    for (const auto& p : svc->spec().ports())
      out.push_back({p.port(), p.protocol()});
    return out;
  }
  if (const auto* spec = pod_spec_of(object)) {
    for (const auto& c : spec->containers())
      for (const auto& p : c.ports())
        out.push_back({p.container_port(), p.protocol()});
  }
  return out;
}

std::optional<int32_t> parse_int(std::string_view text) {
  int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::variant<messages::Service, std::string> exposed_service(
    const google::protobuf::Message& object, const messages::kind_info& kind,
    const expose_options& options) {
  const bool exposable =
      (kind.group.empty() &&
       (kind.kind == "Pod" || kind.kind == "Service" || kind.kind == "ReplicationController")) ||
      (kind.group == "apps" && (kind.kind == "Deployment" || kind.kind == "ReplicaSet"));
  if (!exposable) {
    std::string group_kind(kind.kind);
    if (!kind.group.empty()) group_kind += "." + std::string(kind.group);
    return "cannot expose a " + group_kind;
  }
  const auto& meta = *messages::metadata_of(object);

  string_map selector;
  if (!options.selector.empty()) {
    // kubectl's ParseLabels: k=v pairs separated by commas.
    std::string_view rest = options.selector;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto pair = rest.substr(0, comma);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return "invalid label spec: " + std::string(pair);
      selector[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else {
    auto found = selector_of(object);
    if (auto* why = std::get_if<std::string>(&found))
      return "couldn't retrieve selectors via --selector flag or introspection: " + *why;
    selector = std::move(std::get<string_map>(found));
  }

  std::vector<introspected_port> ports;
  if (!options.port.empty()) {
    auto port = parse_int(options.port);
    if (!port) return "invalid --port value \"" + options.port + "\": must be a port number";
    ports.push_back({*port, {}});
    for (const auto& p : ports_of(object))  // the protocol the object gives that port
      if (p.port == *port && ports.back().protocol.empty()) ports.back().protocol = p.protocol;
  } else {
    ports = ports_of(object);
    if (ports.empty()) return std::string("couldn't find port via --port flag or introspection");
  }

  Service service;
  auto& out_meta = *service.mutable_metadata();
  out_meta.set_name(options.name.empty() ? meta.name() : options.name);
  out_meta.set_namespace_(meta.namespace_());
  for (const auto& [k, v] : meta.labels())
    (*out_meta.mutable_labels())[k] = v;
  auto& spec = *service.mutable_spec();
  for (const auto& [k, v] : selector)
    (*spec.mutable_selector())[k] = v;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    auto& p = *spec.add_ports();
    if (ports.size() > 1) p.set_name("port-" + std::to_string(i + 1));
    p.set_port(ports[i].port);
    p.set_protocol(!options.protocol.empty()    ? options.protocol
                   : !ports[i].protocol.empty() ? ports[i].protocol
                                                : "TCP");
    if (options.target_port.empty()) {
      p.mutable_target_port()->set_int_val(ports[i].port);
    } else if (auto number = parse_int(options.target_port)) {
      p.mutable_target_port()->set_int_val(*number);
    } else {
      p.mutable_target_port()->set_str_val(options.target_port);
    }
  }
  if (!options.type.empty()) spec.set_type(options.type);
  return service;
}

}  // namespace troupe::cli
