#include "node/kubelet_format.hpp"

#include <cstdio>

#include "messages/proto/core_pod.pb.h"

namespace troupe::node {

std::string go_duration(int64_t ms) {
  constexpr int64_t millis_per_second = 1000;
  if (ms == 0) return "0s";
  if (ms < millis_per_second) return std::to_string(ms) + "ms";
  int64_t hours = ms / 3'600'000;
  int64_t minutes = ms / 60'000 % 60;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(ms / millis_per_second % 60);
  if (int64_t fraction = ms % millis_per_second; fraction != 0) {
    char digits[8];
    std::snprintf(digits, sizeof digits, ".%03d", static_cast<int>(fraction));
    std::string text = digits;
    text.erase(text.find_last_not_of('0') + 1);
    out += text;
  }
  return out + "s";
}

std::string pod_reference(const messages::Pod& pod) {
  const auto& meta = pod.metadata();
  return meta.name() + "_" + meta.namespace_() + "(" + meta.uid() + ")";
}

}  // namespace troupe::node
