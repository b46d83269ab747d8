// `troupe agent`: a worker node process. It reaches the cluster through a gateway proxy over
// every server it is given (failing over when one goes) and runs one node agent, or N hollow
// nodes on the sim runtime.
#pragma once

#include <span>
#include <string>

namespace troupe::cli {

int run_agent(std::span<const std::string> args);

}  // namespace troupe::cli
