// Field errors as the Kubernetes API server reports them: a field path and a message
// such as "Required value" or "Invalid value: -1: must be greater than or equal to 0".
// Validation collects every error, never just the first. Plain data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace troupe::messages {

struct field_error {
  std::string path;    // "spec.template.spec.containers[0].image"
  std::string detail;  // "Required value"

  // "spec.template.spec.containers[0].image: Required value"
  std::string to_string() const { return path + ": " + detail; }
};

using field_errors = std::vector<field_error>;

// Builders with Kubernetes' exact phrasing (k8s.io/apimachinery field.Error).
field_error required(std::string path);
// `value` is printed as given: pass `"\"name\""` for strings, `"-1"` for numbers.
field_error invalid(std::string path, std::string_view value, std::string_view why);
field_error not_supported(std::string path, std::string_view value,
                          const std::vector<std::string_view>& supported);
field_error duplicate(std::string path, std::string_view value);
field_error forbidden(std::string path, std::string_view why);
field_error too_long(std::string path, std::string_view value, std::size_t max_length);

// Go's %q of a string, as Kubernetes prints invalid string values: "\"My_App\"".
std::string quoted(std::string_view value);

}  // namespace troupe::messages
