// Kubernetes resource quantities ("500m", "128Mi", "1.5Gi") held exactly as int64 milli-units.
// Pure functions with no shared state; any thread may call them. Used by the codec and scheduler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::messages {

// How a quantity was written, and so how format_quantity prints it back. Mirrors Kubernetes'
// resource.Format: the suffix chooses it (Ki..Ei -> binary_si, e/E<n> -> decimal_exponent,
// anything else -> decimal_si).
enum class quantity_format { decimal_si, binary_si, decimal_exponent };

// A quantity is an integer count of thousandths, so "1" is {1000} and "500m" is {500}. Unlike
// Kubernetes (which keeps nano precision and arbitrary size) we hold exactly what fits in int64
// milli-units; parse_quantity rejects anything larger rather than saturating. Equality compares
// the format too, because the format is part of what round-trips.
struct quantity {
  int64_t milli = 0;
  quantity_format format = quantity_format::decimal_si;
  friend bool operator==(const quantity&, const quantity&) = default;
};

// Exactly one of the two is meaningful: value on success, error (non-empty) on failure.
struct quantity_parse {
  std::optional<quantity> value;
  std::string error;
};

// Inputs longer than this are rejected before any arithmetic, which keeps parsing bounded.
inline constexpr std::size_t max_quantity_length = 64;

// Parses the Kubernetes quantity grammar: [+-] digits [. digits] [suffix], where suffix is one
// of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e/E followed by a signed integer. At least one
// digit is required (Kubernetes itself reads "" after a sign, or "Mi", as zero; we do not).
// Precision below 1m rounds toward +infinity ("0.1m" -> 1m, "-0.1m" -> 0), so a request never
// shrinks to nothing. Magnitudes above INT64_MAX milli-units are an error, symmetrically for
// negative values, so negation and ceil never overflow. Error texts follow Kubernetes' phrasing.
quantity_parse parse_quantity(std::string_view text);

// Kubernetes' canonical form (Quantity.String()): "1.5Gi" -> "1536Mi", "1.5" -> "1500m",
// "1e3" -> "1e3". Like Kubernetes, a binary_si value that is below 1024 in magnitude or not a
// whole number prints as decimal_si ("0.5Ki" -> "512", 1000 binary_si -> "1k").
std::string format_quantity(const quantity& q);

// The value in whole units rounded toward +infinity: 1500m -> 2, -1500m -> -1. Schedulers
// compare bytes and cores in whole units; rounding up never under-reserves a positive request.
int64_t quantity_value_ceil(const quantity& q);

// "DecimalSI", "BinarySI", "DecimalExponent": Kubernetes' resource.Format names.
std::string_view to_string(quantity_format f);

// The inverse of to_string; nullopt for any other text (the match is case-sensitive).
std::optional<quantity_format> quantity_format_from_string(std::string_view s);

}  // namespace troupe::messages
