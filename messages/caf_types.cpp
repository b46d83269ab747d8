#include "messages/caf_types.hpp"

#include "messages/proto/api.pb.h"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/raft.pb.h"
#include "messages/proto/rbac.pb.h"
#include "messages/proto/store.pb.h"

namespace troupe::messages {

void register_caf_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::troupe>();
  // CAF 0.17.6's add_error_category<T> does not compile; give the renderer directly.
  cfg.add_error_category(caf::atom("troupe"),
                         [](uint8_t code, caf::atom_value, const caf::message& context) {
                           std::string out = "troupe: ";
                           out += to_string(static_cast<errc>(code));
                           if (!context.empty()) out += " (" + to_string(context) + ")";
                           return out;
                         });
}

bool is_error(const caf::error& e, errc code) {
  return e.category() == caf::atom("troupe") && e.code() == static_cast<uint8_t>(code);
}

std::string message_of(const caf::error& e) {
  if (e.context().match_elements<std::string>()) return e.context().get_as<std::string>(0);
  return caf::to_string(e);
}

}  // namespace troupe::messages
