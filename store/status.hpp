// Errors as values for the store: ok, an errc that a caller reacts to, or corruption. Plain
// values with no shared state; any thread may create, copy and read them.
//
// Nothing in store/ throws across its API: every operation that can fail returns a `status`
// or a `result<T>`. Corruption is a separate kind because nobody retries it: data failed an
// integrity check (an LMDB page, a snapshot checksum), and serving it would spread the damage.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "messages/errc.hpp"

namespace troupe::store {

// Logs `what` to stderr and aborts. For broken invariants, which are programming errors
// (STYLE.md): continuing would write a state that replicas do not share.
[[noreturn]] void invariant_failed(std::string_view what);

class [[nodiscard]] status {
 public:
  // The default status is ok.
  status() = default;

  static status error(messages::errc code, std::string message) {
    return status(kind::error, code, std::move(message));
  }
  // Data failed an integrity check. The caller decides the consequence: corrupt LMDB pages
  // stop the server; a snapshot that arrived corrupt is discarded and fetched again.
  static status corruption(std::string message) {
    return status(kind::corruption, messages::errc::unavailable, std::move(message));
  }

  bool ok() const { return kind_ == kind::ok; }
  bool is_corruption() const { return kind_ == kind::corruption; }

  // The code a client sees; precondition: !ok(). Corruption reports `unavailable`, because
  // the member that found it is going out of service.
  messages::errc code() const { return code_; }
  // What went wrong and what to do, for the user; empty when ok.
  const std::string& message() const { return message_; }

  // "ok", "not_found: pods \"web\" not found", "corruption: store data is corrupt: ...".
  std::string to_string() const;

 private:
  enum class kind : unsigned char { ok, error, corruption };

  status(kind k, messages::errc code, std::string message)
      : kind_(k), code_(code), message_(std::move(message)) {}

  kind kind_ = kind::ok;
  messages::errc code_ = messages::errc::unavailable;
  std::string message_;
};

// A value or the status that explains its absence.
// Invariant: exactly one of the two is present, so ok() == !error().ok().
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : value_(std::move(value)) {}      // NOLINT: implicit, like std::expected
  result(status error) : error_(std::move(error)) {  // NOLINT
    if (error_.ok()) invariant_failed("result<T> built from an ok status without a value");
  }

  bool ok() const { return value_.has_value(); }
  // The failure; an ok status when a value is present.
  const status& error() const { return error_; }

  // Preconditions: ok(); a violation aborts rather than reading an empty optional.
  T& value() & { return (check(), *value_); }
  const T& value() const& { return (check(), *value_); }
  T&& value() && { return (check(), std::move(*value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!value_) invariant_failed("result<T>::value() called on an error: " + error_.to_string());
  }

  std::optional<T> value_;
  status error_;
};

}  // namespace troupe::store
