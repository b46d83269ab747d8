#include "messages/quantity.hpp"

#include <cstddef>

namespace troupe::messages {
namespace {

// Kubernetes' error texts (k8s.io/apimachinery/pkg/api/resource), so messages read the same
// to users who know kubectl.
constexpr std::string_view format_wrong_error =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view numeric_error = "unable to parse numeric part of quantity";
constexpr std::string_view suffix_error = "unable to parse quantity's suffix";
// Kubernetes has no such error (it falls back to arbitrary precision); we hold int64 milli.
constexpr std::string_view too_large_error =
    "quantity too large: it must fit in int64 milli-units (at most 9223372036854775807m)";

constexpr int64_t milli_per_unit = 1000;
// INT64_MAX has 19 decimal digits; any integer with more digits overflows.
constexpr int64_t int64_max_digits = 19;
// Exponents are clamped here while scanning: anything beyond already decides the outcome
// (overflow, or rounding up to 1m), and clamping keeps the arithmetic below in range.
constexpr int64_t exponent_clamp = 1000000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_suffix_char(char c) {
  return std::string_view("eEinumkKMGTP").find(c) != std::string_view::npos;
}

// What a suffix means: value = number * 10^decimal_exponent * 1024^binary_power.
struct suffix_meaning {
  quantity_format format = quantity_format::decimal_si;
  int64_t decimal_exponent = 0;
  int binary_power = 0;
};

// Same lookup order as Kubernetes: decimal SI, then binary SI, then e/E<int>. That order is
// why "1E" is one exa while "1E3" is a thousand.
std::optional<suffix_meaning> interpret_suffix(std::string_view s) {
  struct named {
    std::string_view name;
    int64_t exponent;
  };
  static constexpr named decimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
                                      {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  for (const named& d : decimal) {
    if (s == d.name) return suffix_meaning{quantity_format::decimal_si, d.exponent, 0};
  }
  static constexpr std::string_view binary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  for (int i = 0; i < 6; ++i) {
    if (s == binary[i]) return suffix_meaning{quantity_format::binary_si, 0, i + 1};
  }
  if (s.size() < 2 || (s[0] != 'e' && s[0] != 'E')) return std::nullopt;
  std::string_view rest = s.substr(1);
  bool negative = false;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return std::nullopt;
  int64_t exponent = 0;
  for (char c : rest) {
    if (!is_digit(c)) return std::nullopt;
    exponent = exponent * 10 + (c - '0');
    if (exponent > exponent_clamp) exponent = exponent_clamp;
  }
  return suffix_meaning{quantity_format::decimal_exponent, negative ? -exponent : exponent, 0};
}

// Multiplies a big-endian decimal digit string in place. The digits are at most
// max_quantity_length long, so schoolbook arithmetic is both exact and cheap.
void multiply_digits(std::string& digits, int factor) {
  int carry = 0;
  for (std::size_t i = digits.size(); i-- > 0;) {
    int product = (digits[i] - '0') * factor + carry;
    digits[i] = static_cast<char>('0' + product % 10);
    carry = product / 10;
  }
  while (carry > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

// Reads a digit string as int64; nullopt when it does not fit.
std::optional<int64_t> digits_to_int64(std::string_view digits) {
  int64_t value = 0;
  for (char c : digits) {
    if (__builtin_mul_overflow(value, int64_t{10}, &value) ||
        __builtin_add_overflow(value, int64_t{c - '0'}, &value)) {
      return std::nullopt;
    }
  }
  return value;
}

quantity_parse fail(std::string_view error) {
  return {std::nullopt, std::string(error)};
}

// Removes every factor of `base` from value; returns how many were removed.
int remove_factors(int64_t& value, int64_t base) {
  int count = 0;
  while (value != 0 && value % base == 0) {
    value /= base;
    ++count;
  }
  return count;
}

std::string decimal_canonical(int64_t milli, quantity_format format) {
  // milli * 10^-3 = mantissa * 10^exponent, with exponent a multiple of 3 as small as the
  // factors of ten in milli allow, exactly as Kubernetes' AsCanonicalBytes.
  int64_t mantissa = milli;
  int removed = remove_factors(mantissa, 10);
  int spare = removed % 3;
  // Cannot overflow: this puts back at most the factors of ten just removed.
  for (int i = 0; i < spare; ++i)
    mantissa *= 10;
  int exponent = -3 + removed - spare;
  std::string out = std::to_string(mantissa);
  if (exponent == 0) return out;
  if (format == quantity_format::decimal_exponent) return out + "e" + std::to_string(exponent);
  // int64 milli-units reach at most 9.2e15 units, so exponent is in [-3, 15].
  static constexpr std::string_view si[] = {"m", "", "k", "M", "G", "T", "P", "E"};
  return out + std::string(si[(exponent + 3) / 3]);
}

}  // namespace

quantity_parse parse_quantity(std::string_view text) {
  if (text.empty()) return fail(format_wrong_error);
  if (text.size() > max_quantity_length) {
    return fail("quantity too long: at most " + std::to_string(max_quantity_length) +
                " characters are accepted");
  }

  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++pos;
  }
  std::size_t int_start = pos;
  while (pos < text.size() && is_digit(text[pos]))
    ++pos;
  std::string_view int_digits = text.substr(int_start, pos - int_start);
  bool has_point = pos < text.size() && text[pos] == '.';
  std::string_view frac_digits;
  if (has_point) {
    std::size_t frac_start = ++pos;
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
    frac_digits = text.substr(frac_start, pos - frac_start);
  }
  if (int_digits.empty() && frac_digits.empty()) {
    // "." matches Kubernetes' pattern but holds no number; "Mi" or "+" do not match it.
    return fail(has_point ? numeric_error : format_wrong_error);
  }

  // The suffix is [eEinumkKMGTP]* [+-]? [0-9]* up to the end, as in Kubernetes' scanner;
  // anything left over ("1.2.3", "1 Mi", "1Qi") does not match the pattern at all.
  std::size_t suffix_start = pos;
  while (pos < text.size() && is_suffix_char(text[pos]))
    ++pos;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  while (pos < text.size() && is_digit(text[pos]))
    ++pos;
  if (pos != text.size()) return fail(format_wrong_error);
  std::optional<suffix_meaning> suffix = interpret_suffix(text.substr(suffix_start));
  if (!suffix) return fail(suffix_error);

  // Work on the exact decimal digits: milli = digits * 10^scale, with scale possibly negative.
  std::string digits;
  digits.reserve(int_digits.size() + frac_digits.size() + 20);
  digits.append(int_digits);
  digits.append(frac_digits);
  for (int i = 0; i < suffix->binary_power; ++i)
    multiply_digits(digits, 1024);
  int64_t scale = 3 - static_cast<int64_t>(frac_digits.size()) + suffix->decimal_exponent;

  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {quantity{0, suffix->format}, {}};
  digits.erase(0, first);
  int64_t length = static_cast<int64_t>(digits.size());

  int64_t magnitude = 0;
  bool inexact = false;
  if (scale >= 0) {
    if (length + scale > int64_max_digits) return fail(too_large_error);
    digits.append(static_cast<std::size_t>(scale), '0');
    std::optional<int64_t> whole = digits_to_int64(digits);
    if (!whole) return fail(too_large_error);
    magnitude = *whole;
  } else if (-scale >= length) {
    // Entirely below 1m and non-zero.
    inexact = true;
  } else {
    std::size_t keep = static_cast<std::size_t>(length + scale);
    std::optional<int64_t> whole = digits_to_int64(std::string_view(digits).substr(0, keep));
    if (!whole) return fail(too_large_error);
    magnitude = *whole;
    // Leading zeros are gone, but trailing ones may remain in the dropped part.
    inexact = digits.find_first_not_of('0', keep) != std::string::npos;
  }

  // Round toward +infinity: up for positive values, truncation for negative ones.
  int64_t milli = magnitude;
  if (negative) {
    milli = -magnitude;
  } else if (inexact && __builtin_add_overflow(milli, int64_t{1}, &milli)) {
    return fail(too_large_error);
  }
  return {quantity{milli, suffix->format}, {}};
}

std::string format_quantity(const quantity& q) {
  if (q.milli == 0) return "0";
  if (q.format != quantity_format::binary_si) return decimal_canonical(q.milli, q.format);

  // Kubernetes prints binary values under 1024, and fractional ones, in decimal SI rather
  // than rounding them. Comparisons avoid negating, which would overflow for INT64_MIN.
  constexpr int64_t binary_floor = 1024 * milli_per_unit;
  if ((q.milli > -binary_floor && q.milli < binary_floor) || q.milli % milli_per_unit != 0) {
    return decimal_canonical(q.milli, quantity_format::decimal_si);
  }
  int64_t units = q.milli / milli_per_unit;
  int power = remove_factors(units, 1024);
  // |units| < 2^54, so power is at most 5 ("Pi"); "Ei" is listed for completeness.
  static constexpr std::string_view binary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  return std::to_string(units) + std::string(binary[power]);
}

int64_t quantity_value_ceil(const quantity& q) {
  int64_t units = q.milli / milli_per_unit;
  // Division truncates toward zero, which is already the ceiling for negative values.
  if (q.milli % milli_per_unit > 0) ++units;
  return units;
}

std::string_view to_string(quantity_format f) {
  switch (f) {
    case quantity_format::decimal_si:
      return "DecimalSI";
    case quantity_format::binary_si:
      return "BinarySI";
    case quantity_format::decimal_exponent:
      return "DecimalExponent";
  }
  return "DecimalSI";
}

std::optional<quantity_format> quantity_format_from_string(std::string_view s) {
  for (quantity_format f : {quantity_format::decimal_si, quantity_format::binary_si,
                            quantity_format::decimal_exponent}) {
    if (s == to_string(f)) return f;
  }
  return std::nullopt;
}

}  // namespace troupe::messages
