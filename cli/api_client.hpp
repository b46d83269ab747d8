// troupectl's connection to a cluster: an actor system of its own, and the API gateway of
// the first configured server that answers. One per troupectl run; blocking calls.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "messages/proto/api.pb.h"
#include "messages/proto/store.pb.h"

namespace troupe::cli {

class api_client {
 public:
  // An error as the API server reports it: kubectl's reason and message.
  struct failure {
    std::string reason;   // "NotFound", "AlreadyExists", "Conflict", "Invalid", ...
    std::string message;  // `pods "x" not found`
    // kubectl's line: `Error from server (NotFound): pods "x" not found`; an Invalid error
    // is printed bare, as kubectl does ("The Pod \"x\" is invalid: ...").
    std::string to_string() const;
  };
  using outcome = std::variant<messages::ApiResponse, failure>;

  // Connects to the first of `servers` that answers; null with kubectl's connection error
  // in `error` when none does.
  static std::unique_ptr<api_client> connect(const std::vector<std::string>& servers,
                                             std::string& error);
  ~api_client();
  api_client(const api_client&) = delete;
  api_client& operator=(const api_client&) = delete;

  outcome call(const messages::ApiRequest& request,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Watches as `request` says (a LIST request with resource_version set to start after) and
  // hands each event to `on_event` until it returns false or the watch ends. The failure
  // that kept it from starting or ended it, if any. With a deadline, a watch still going then
  // ends with reason "Timeout", "timed out waiting for the condition" (kubectl's wording).
  std::optional<failure> watch(
      const messages::ApiRequest& request,
      const std::function<bool(const messages::WatchEvent&)>& on_event,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

 private:
  struct impl;
  explicit api_client(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

}  // namespace troupe::cli
