// The apiVersion/kind table: which protobuf message each Kubernetes kind maps to, its
// resource name, short names and scope. Immutable after static initialisation; safe
// from any thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace troupe::messages {

class ObjectMeta;

struct kind_info {
  std::string_view group;                         // "" for the core group
  std::string_view version;                       // "v1", "v2"
  std::string_view kind;                          // "Deployment"
  std::string_view resource;                      // plural, lower case: "deployments"
  std::span<const std::string_view> short_names;  // "deploy"
  bool namespaced;
  const google::protobuf::Descriptor* (*descriptor)();

  // "apps/v1", or "v1" for the core group.
  std::string api_version() const;
  // "deployment.apps", or "pod" for the core group: kubectl's "deployment.apps/x created".
  std::string qualified_kind() const;
  std::unique_ptr<google::protobuf::Message> new_object() const;
};

// Every kind, the preferred version of a kind before any other version of it.
std::span<const kind_info> all_kinds();

// Exact match on apiVersion and kind, as the API server does; nullptr if unknown.
const kind_info* find_kind(std::string_view api_version, std::string_view kind);

// The kind whose message type this is.
const kind_info* find_kind(const google::protobuf::Descriptor* descriptor);

// A resource as the CLI names it: plural, singular, short name or kind, any case
// ("deployments", "deployment", "deploy", "Deployment"); the preferred version.
const kind_info* find_resource(std::string_view name);

// An API object's ObjectMeta: every kind's message has it in field `metadata`. Null for a
// message without one (not an API kind).
ObjectMeta* metadata_of(google::protobuf::Message& object);
const ObjectMeta* metadata_of(const google::protobuf::Message& object);

// For an unknown apiVersion/kind, a hint such as `did you mean "v1"?`, or "".
std::string suggest_kind(std::string_view api_version, std::string_view kind);

}  // namespace troupe::messages
