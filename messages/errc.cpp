#include "messages/errc.hpp"

#include <array>
#include <utility>

namespace troupe::messages {
namespace {

struct errc_names {
  errc code;
  std::string_view name;
  std::string_view reason;
};

constexpr std::array<errc_names, 9> names{{
    {errc::not_leader, "not_leader", "ServiceUnavailable"},
    {errc::conflict, "conflict", "Conflict"},
    {errc::not_found, "not_found", "NotFound"},
    {errc::already_exists, "already_exists", "AlreadyExists"},
    {errc::gone, "gone", "Expired"},
    {errc::invalid, "invalid", "Invalid"},
    {errc::forbidden, "forbidden", "Forbidden"},
    {errc::unauthenticated, "unauthenticated", "Unauthorized"},
    {errc::unavailable, "unavailable", "ServiceUnavailable"},
}};

}  // namespace

std::string_view to_string(errc code) {
  for (const auto& n : names)
    if (n.code == code) return n.name;
  return "unknown";
}

std::optional<errc> errc_from_string(std::string_view name) {
  for (const auto& n : names)
    if (n.name == name) return n.code;
  return std::nullopt;
}

std::string_view kubernetes_reason(errc code) {
  for (const auto& n : names)
    if (n.code == code) return n.reason;
  return "InternalError";
}

}  // namespace troupe::messages
