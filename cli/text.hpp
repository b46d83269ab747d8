// Small text helpers the printers share. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace troupe::cli {

// ASCII lower case, as Go's strings.ToLower does for the ASCII names kubectl prints.
inline std::string lower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

// Go's strings.TrimSpace for ASCII white space.
inline std::string trim_space(const std::string& text) {
  constexpr std::string_view space = " \t\n\v\f\r";
  const std::size_t first = text.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace troupe::cli
