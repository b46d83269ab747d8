// kubectl's human-readable table for `troupectl get` (the default output, -o wide,
// --show-labels, -A, --no-headers): the columns kubectl 1.32 prints for each kind, laid out
// as kubectl's tabwriter lays them out. Used only by troupectl verbs. Pure functions of
// their arguments (the caller passes "now"), so any thread may call them.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "messages/kinds.hpp"

namespace troupe::cli {

struct table_options {
  // -o wide: the kind's extra columns (a pod's IP and NODE, a deployment's IMAGES ...).
  bool wide = false;
  // --show-labels: a last LABELS column, "k=v,k2=v2" sorted by key, "<none>" when empty.
  bool show_labels = false;
  // -A: a first NAMESPACE column. Ignored for cluster-scoped kinds, as kubectl ignores it.
  bool all_namespaces = false;
  // --no-headers: rows only.
  bool no_headers = false;
  // "Now" in Unix milliseconds, for AGE and other "how long ago" cells.
  int64_t now_ms = 0;
  // Put before every NAME cell: "deployment.apps/", as kubectl does when one `get` prints
  // several kinds (`get all`).
  std::string name_prefix = {};
};

// The table for `objects`, all of kind `kind`, one row per object in the given order, each
// line ending in '\n'. Headers are kubectl's column names in capitals; every column but the
// last is padded to its widest cell plus 3 spaces (at least 6 wide). Kinds without a kubectl
// printer get the API server's default columns, NAME and CREATED AT. Returns "" for no
// objects: the caller prints kubectl's "No resources found in <ns> namespace.".
// Precondition: every object's type is kind.descriptor(); a mismatch aborts.
std::string print_table(const messages::kind_info& kind,
                        std::span<const google::protobuf::Message* const> objects,
                        const table_options& options);

}  // namespace troupe::cli
