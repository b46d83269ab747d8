#include "cli/object_update.hpp"

#include <google/protobuf/message.h>

#include <ostream>

namespace troupe::cli {

update_result update_object(const target_object& t, cluster& c, cli_io& io,
                            const object_change& edit) {
  for (int attempt = 1;; ++attempt) {
    update_result out;
    out.object = read_target(t, c, io);
    if (!out.object) return out;
    out.outcome = edit(*out.object, attempt);
    if (out.outcome == change::refused) {
      out.object.reset();
      return out;
    }
    if (out.outcome == change::unchanged) return out;
    // The resourceVersion just read stays in the object: a write in between is a Conflict.
    auto update = request_for(*t.kind, messages::ApiRequest::UPDATE, t.ns);
    update.set_name(t.name);
    update.set_object(out.object->SerializeAsString());
    auto written = c.client->call(update);
    if (auto* failed = std::get_if<api_client::failure>(&written)) {
      if (failed->reason == "Conflict" && attempt < max_update_attempts) continue;
      io.err << failed->to_string() << '\n';
      out.object.reset();
      out.outcome = change::refused;
      return out;
    }
    auto stored = t.kind->new_object();
    if (stored->ParseFromString(std::get<messages::ApiResponse>(written).object()))
      out.object = std::move(stored);
    return out;
  }
}

}  // namespace troupe::cli
