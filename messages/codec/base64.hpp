// Standard base64 (RFC 4648, with padding), as Kubernetes uses for Secret data and
// ConfigMap binaryData. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace troupe::messages::codec {

std::string base64_encode(std::string_view bytes);

struct base64_decoded {
  std::optional<std::string> bytes;
  std::string error;  // Go's phrasing: "illegal base64 data at input byte 4"
};
base64_decoded base64_decode(std::string_view text);

}  // namespace troupe::messages::codec
