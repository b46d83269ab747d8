#include "cli/manifest_input.hpp"

#include <istream>

namespace troupe::cli {

messages::codec::manifest_set read_manifests(const std::string& name, std::istream& in) {
  namespace codec = messages::codec;
  if (name != "-") return codec::read_manifest_path(name);
  // Bounded like a file: one byte past the limit is enough to refuse.
  std::string text(codec::parse_limits{}.max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return codec::read_manifest_text(text, "STDIN");
}

}  // namespace troupe::cli
