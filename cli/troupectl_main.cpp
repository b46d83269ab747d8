// The troupectl binary: kubectl's verbs for a Troupe cluster.
#include <iostream>
#include <string>
#include <vector>

#include "cli/troupectl.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return troupe::cli::run_troupectl(args, {std::cin, std::cout, std::cerr});
}
