// The node lifecycle controller's times, which `troupe server` takes as flags.
#pragma once

#include <chrono>
#include <cstdint>

namespace troupe::actors::controllers {

struct node_lifecycle_options {
  // A node whose lease was not renewed for this long is NotReady (Ready=Unknown) and gets the
  // node.kubernetes.io/unreachable:NoExecute taint. Kubernetes' --node-monitor-grace-period,
  // 50 s there.
  std::chrono::milliseconds grace_period{6000};
  // How long pods stay on an unreachable or not-ready node before they are evicted, when they
  // do not say otherwise: the tolerationSeconds the gateway gives pods by default (Kubernetes'
  // DefaultTolerationSeconds admission, 300 s there).
  std::chrono::milliseconds eviction_timeout{10000};
  // How often leases are checked.
  std::chrono::milliseconds monitor_period{1000};

  // The gateway's default tolerationSeconds, which is what makes eviction_timeout hold.
  int64_t toleration_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(eviction_timeout).count();
  }
};

}  // namespace troupe::actors::controllers
