// Reading the -f argument of create, replace and the like: a file, a directory, or "-" for
// standard input (bounded like a file).
#pragma once

#include <iosfwd>
#include <string>

#include "messages/codec/manifest_reader.hpp"

namespace troupe::cli {

messages::codec::manifest_set read_manifests(const std::string& name, std::istream& in);

}  // namespace troupe::cli
