#include "store/status.hpp"

#include <cstdio>
#include <cstdlib>

namespace troupe::store {

void invariant_failed(std::string_view what) {
  std::fprintf(stderr, "troupe store: invariant violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::fflush(stderr);
  std::abort();
}

std::string status::to_string() const {
  switch (kind_) {
    case kind::ok:
      return "ok";
    case kind::corruption:
      return "corruption: " + message_;
    case kind::error:
      break;
  }
  return std::string(messages::to_string(code_)) + ": " + message_;
}

}  // namespace troupe::store
