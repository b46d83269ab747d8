// Small text helpers the printers share. Pure, thread-safe.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>

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

// Go's strings.Join.
inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// Kubernetes' storageutil.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, whatever
// the order written; for PersistentVolumes and claims in tables and describe.
inline std::string access_modes(const google::protobuf::RepeatedPtrField<std::string>& modes) {
  constexpr std::pair<std::string_view, std::string_view> abbreviations[] = {
      {"ReadWriteOnce", "RWO"},
      {"ReadOnlyMany", "ROX"},
      {"ReadWriteMany", "RWX"},
      {"ReadWriteOncePod", "RWOP"},
  };
  std::vector<std::string> out;
  for (const auto& [mode, abbreviation] : abbreviations)
    if (std::find(modes.begin(), modes.end(), mode) != modes.end()) out.emplace_back(abbreviation);
  return join(out, ",");
}

}  // namespace troupe::cli
