// The troupe daemon binary: `troupe server`, `troupe agent`, `troupe up`.
// The control plane arrives in later work; until then this says so plainly.
#include <iostream>
#include <string_view>

int main(int argc, char** argv) {
  std::string_view verb = argc > 1 ? argv[1] : "";
  if (verb == "version" || verb == "--version") {
    std::cout << "troupe v" TROUPE_VERSION "\n";
    return 0;
  }
  if (verb == "up" || verb == "server" || verb == "agent") {
    std::cerr << "troupe " << verb
              << ": not there yet. The replicated store and control plane are the next pieces of "
                 "work; today troupectl decodes, defaults and validates manifests offline "
                 "(troupectl create --dry-run=client -f manifests/ -o yaml).\n";
    return 1;
  }
  std::cerr << "usage: troupe up | server | agent | version\n";
  return verb.empty() || verb == "--help" || verb == "-h" ? (verb.empty() ? 1 : 0) : 1;
}
