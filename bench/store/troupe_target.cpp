#include "bench/store/troupe_target.hpp"

#include <chrono>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/store_client.hpp"
#include "actors/system_config.hpp"

namespace troupe::bench {
namespace {

std::size_t varint_size(std::size_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

struct troupe_target::impl {
  actors::system_config cfg;
  caf::actor_system system{cfg};
  actors::store_client_actor client;
  caf::actor helper;
  std::mutex mutex;
  std::deque<request> queue;

  std::optional<request> pop() {
    std::lock_guard lock{mutex};
    if (queue.empty()) return std::nullopt;
    auto r = std::move(queue.front());
    queue.pop_front();
    return r;
  }
};

std::string troupe_target::wrap_value(const std::string& payload, std::size_t value_bytes) {
  // One tag byte for field 15, wire type 2 (length-delimited): (15 << 3) | 2.
  std::size_t length = 0;
  for (std::size_t v = 1; v <= 5; ++v) {
    if (value_bytes < 1 + v) break;
    std::size_t l = value_bytes - 1 - v;
    if (varint_size(l) == v) {
      length = l;
      break;
    }
  }
  std::string out;
  out.reserve(value_bytes);
  out.push_back(static_cast<char>((15 << 3) | 2));
  for (std::size_t v = length;; v >>= 7) {
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
      break;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
  }
  for (std::size_t i = 0; i < length; ++i)
    out.push_back(payload.empty() ? 'x' : payload[i % payload.size()]);
  return out;
}

troupe_target::troupe_target(std::vector<std::string> servers) : impl_(std::make_unique<impl>()) {
  actors::store_client_options options;
  options.servers = std::move(servers);
  options.give_up_after = std::chrono::seconds(20);
  impl_->client = actors::spawn_store_client(impl_->system, options);
  impl* state = impl_.get();
  auto client = impl_->client;
  // One message per queued put: the helper takes it off the queue, proposes it through the
  // client and calls `done` from its own handlers, so never inside start_put.
  impl_->helper = impl_->system.spawn([state, client](caf::event_based_actor* self) {
    return caf::behavior{[=](uint64_t) {
      auto r = state->pop();
      if (!r) return;
      messages::StoreCommand command;
      command.mutable_create()->set_key(std::move(r->key));
      command.mutable_create()->set_value(wrap_value(r->value, r->value.size()));
      auto done = std::make_shared<std::function<void(bool)>>(std::move(r->done));
      self->request(client, std::chrono::seconds(30), atoms::propose_atom_v, std::move(command))
          .then([done](messages::StoreResult& result) { (*done)(result.code() == 0); },
                [done](caf::error&) { (*done)(false); });
    }};
  });
}

troupe_target::~troupe_target() {
  caf::anon_send_exit(impl_->helper, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(impl_->client, caf::exit_reason::user_shutdown);
  impl_->helper = nullptr;
  impl_->client = nullptr;
}

void troupe_target::start_put(std::string key, std::string value,
                              std::function<void(bool ok)> done) {
  {
    std::lock_guard lock{impl_->mutex};
    impl_->queue.push_back({std::move(key), std::move(value), std::move(done)});
  }
  caf::anon_send(impl_->helper, uint64_t{1});
}

}  // namespace troupe::bench
