#include "actors/gateway/api_errors.hpp"

#include "messages/caf_types.hpp"
#include "messages/errc.hpp"

namespace troupe::actors::api_errors {

using messages::errc;

std::string resource_name(const messages::kind_info& kind) {
  std::string out(kind.resource);
  if (!kind.group.empty()) out += "." + std::string(kind.group);
  return out;
}

namespace {

std::string named(const messages::kind_info& kind, std::string_view name) {
  return resource_name(kind) + " \"" + std::string(name) + "\"";
}

}  // namespace

std::string not_found_message(const messages::kind_info& kind, std::string_view name) {
  return named(kind, name) + " not found";
}

caf::error not_found(const messages::kind_info& kind, std::string_view name) {
  return caf::make_error(errc::not_found, not_found_message(kind, name));
}

caf::error already_exists(const messages::kind_info& kind, std::string_view name) {
  return caf::make_error(errc::already_exists, named(kind, name) + " already exists");
}

std::string conflict_message(const messages::kind_info& kind, std::string_view name) {
  return "Operation cannot be fulfilled on " + named(kind, name) +
         ": the object has been modified; please apply your changes to the latest version and "
         "try again";
}

caf::error conflict(const messages::kind_info& kind, std::string_view name) {
  return caf::make_error(errc::conflict, conflict_message(kind, name));
}

caf::error unknown_resource(std::string_view group, std::string_view resource) {
  std::string what(resource);
  if (!group.empty()) what += "." + std::string(group);
  return caf::make_error(errc::not_found,
                         "the server doesn't have a resource type \"" + what + "\"");
}

caf::error invalid(std::string message) {
  return caf::make_error(errc::invalid, std::move(message));
}

caf::error forbidden(std::string message) {
  return caf::make_error(errc::forbidden, std::move(message));
}

}  // namespace troupe::actors::api_errors
