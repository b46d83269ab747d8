#include "actors/store_client.hpp"

#include <random>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

namespace troupe::actors {

using messages::errc;

namespace {

store_client_impl::behavior_type store_client(
    store_client_impl::stateful_pointer<store_client_state> self, store_client_options options) {
  self->state.init(self, std::move(options));
  return with_store_api(
      self,
      [self](atoms::watch_events_atom, uint64_t id, std::vector<messages::WatchEvent>& events) {
        self->state.on_watch_events(id, events);
      },
      [self](atoms::watch_end_atom, uint64_t id, caf::error& error) {
        self->state.on_watch_end(id, std::move(error));
      },
      [self](atoms::retry_atom, uint64_t op) { self->state.on_retry(op); });
}

std::string random_client_id() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> dist;
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "client-";
  uint64_t bits = dist(rd);
  for (int i = 0; i < 16; ++i, bits >>= 4)
    id += hex[bits & 0xF];
  return id;
}

}  // namespace

void store_client_state::init(store_client_impl::stateful_pointer<store_client_state> owner,
                              store_client_options opts) {
  self = owner;
  options = std::move(opts);
  client_id = options.client_id;
  for (const auto& address : options.servers)
    servers.push_back(server_link{address, {}, false, {}});
  self->set_down_handler([this](caf::down_msg& down) { on_down(down); });
}

// -- handlers ------------------------------------------------------------------------------

caf::typed_response_promise<messages::StoreResult> store_client_state::on_propose(
    messages::StoreCommand command) {
  auto rp = self->make_response_promise<messages::StoreResult>();
  auto shared = std::make_shared<messages::StoreCommand>(std::move(command));
  shared->clear_client_id();
  shared->set_sequence(0);
  operation op;
  op.command = shared;
  op.send = [this, rp, shared](const raft_actor& server, uint64_t id, std::size_t index) {
    // Invariant: a sent proposal's sequence is outstanding until it ends.
    shared->set_acked_below(*outstanding.begin());
    self->request(server, options.attempt_timeout, atoms::propose_atom_v, *shared)
        .then(
            [this, rp, id](messages::StoreResult& result) {
              auto promise = rp;
              finish(id);
              promise.deliver(std::move(result));
            },
            [this, id, index, attempt = operations.at(id).attempt](caf::error& error) {
              on_attempt_error(id, attempt, index, std::move(error));
            });
  };
  op.fail = [rp](caf::error error) mutable { rp.deliver(std::move(error)); };
  held.push_back(add(std::move(op)));
  pump();
  return rp;
}

caf::typed_response_promise<messages::StoredObject> store_client_state::on_get(std::string key,
                                                                               bool serializable) {
  auto rp = self->make_response_promise<messages::StoredObject>();
  operation op;
  op.send = [this, rp, key, serializable](const raft_actor& server, uint64_t id,
                                          std::size_t index) {
    self->request(server, options.attempt_timeout, atoms::store_get_atom_v, key, serializable)
        .then(
            [this, rp, id](messages::StoredObject& object) {
              auto promise = rp;
              finish(id);
              promise.deliver(std::move(object));
            },
            [this, id, index, attempt = operations.at(id).attempt](caf::error& error) {
              on_attempt_error(id, attempt, index, std::move(error));
            });
  };
  op.fail = [rp](caf::error error) mutable { rp.deliver(std::move(error)); };
  run(add(std::move(op)));
  return rp;
}

raft_state::list_promise store_client_state::on_list(std::string prefix, uint64_t limit,
                                                     std::string token, bool serializable) {
  auto rp =
      self->make_response_promise<std::vector<std::string>, std::vector<messages::StoredObject>,
                                  uint64_t, std::string>();
  operation op;
  op.send = [this, rp, prefix, limit, token, serializable](const raft_actor& server, uint64_t id,
                                                           std::size_t index) {
    self->request(server, options.attempt_timeout, atoms::store_list_atom_v, prefix, limit, token,
                  serializable)
        .then(
            [this, rp, id](std::vector<std::string>& keys,
                           std::vector<messages::StoredObject>& objects, uint64_t revision,
                           std::string& next) {
              auto promise = rp;
              finish(id);
              promise.deliver(std::move(keys), std::move(objects), revision, std::move(next));
            },
            [this, id, index, attempt = operations.at(id).attempt](caf::error& error) {
              on_attempt_error(id, attempt, index, std::move(error));
            });
  };
  op.fail = [rp](caf::error error) mutable { rp.deliver(std::move(error)); };
  run(add(std::move(op)));
  return rp;
}

caf::typed_response_promise<uint64_t> store_client_state::on_watch(std::string prefix,
                                                                   uint64_t after,
                                                                   caf::actor subscriber,
                                                                   uint64_t tag) {
  auto rp = self->make_response_promise<uint64_t>();
  if (!subscriber) {
    rp.deliver(caf::make_error(errc::invalid, "a watch needs a subscriber"));
    return rp;
  }
  const uint64_t id = next_watch++;
  self->monitor(subscriber);
  watches[id] = client_watch{std::move(prefix), std::move(subscriber), tag, after, {}, 0};
  register_watch(id, rp);
  return rp;
}

void store_client_state::register_watch(uint64_t id,
                                        std::optional<caf::typed_response_promise<uint64_t>> rp) {
  operation op;
  op.send = [this, id, rp](const raft_actor& server, uint64_t op_id, std::size_t index) {
    auto it = watches.find(id);
    if (it == watches.end()) return finish(op_id);  // unwatched meanwhile
    self->request(server, options.attempt_timeout, atoms::watch_atom_v, it->second.prefix,
                  it->second.revision, caf::actor_cast<caf::actor>(self), id)
        .then(
            [this, id, rp, op_id, index, server](uint64_t server_watch) mutable {
              finish(op_id);
              auto it = watches.find(id);
              if (it == watches.end()) {
                self->send(server, atoms::unwatch_atom_v, server_watch);
                return;
              }
              it->second.server = index;
              it->second.server_watch = server_watch;
              if (rp) rp->deliver(id);
            },
            [this, op_id, index, attempt = operations.at(op_id).attempt](caf::error& error) {
              on_attempt_error(op_id, attempt, index, std::move(error));
            });
  };
  op.fail = [this, id, rp](caf::error error) mutable {
    if (rp) {
      watches.erase(id);
      rp->deliver(std::move(error));
    } else {
      end_watch(id, std::move(error));
    }
  };
  run(add(std::move(op)));
}

void store_client_state::on_unwatch(uint64_t id) {
  auto it = watches.find(id);
  if (it == watches.end()) return;
  if (it->second.server && servers[*it->second.server].handle)
    self->send(servers[*it->second.server].handle, atoms::unwatch_atom_v, it->second.server_watch);
  watches.erase(it);
}

void store_client_state::on_watch_events(uint64_t id, std::vector<messages::WatchEvent>& events) {
  auto it = watches.find(id);
  if (it == watches.end()) return;
  auto& w = it->second;
  // Invariant: w.revision only grows, and each revision's events come in one message.
  std::erase_if(events, [&](const messages::WatchEvent& e) { return e.revision() <= w.revision; });
  if (events.empty()) return;
  w.revision = events.back().revision();
  caf::anon_send(w.subscriber, atoms::watch_events_atom_v, w.subscriber_tag, std::move(events));
}

void store_client_state::on_watch_end(uint64_t id, caf::error error) {
  auto it = watches.find(id);
  if (it == watches.end()) return;
  // gone and invalid are the store's final word; anything else (a server stopping) moves
  // the watch to another server.
  if (messages::is_error(error, errc::gone) || messages::is_error(error, errc::invalid))
    return end_watch(id, std::move(error));
  it->second.server.reset();
  register_watch(id, std::nullopt);
}

void store_client_state::end_watch(uint64_t id, caf::error why) {
  auto it = watches.find(id);
  if (it == watches.end()) return;
  caf::anon_send(it->second.subscriber, atoms::watch_end_atom_v, it->second.subscriber_tag,
                 std::move(why));
  watches.erase(it);
}

void store_client_state::on_retry(uint64_t op) {
  run(op);
}

void store_client_state::on_down(const caf::down_msg& down) {
  std::vector<uint64_t> orphaned;  // watches whose subscriber is gone
  for (const auto& [id, w] : watches)
    if (w.subscriber.address() == down.source) orphaned.push_back(id);
  for (uint64_t id : orphaned)
    on_unwatch(id);
  for (std::size_t index = 0; index < servers.size(); ++index) {
    auto& s = servers[index];
    if (!s.handle || s.handle.address() != down.source) continue;
    s.handle = nullptr;
    // Calls waiting on the dead server fail over now rather than at their timeout; a
    // proposal keeps its sequence number, so it still applies once.
    std::vector<uint64_t> stranded;
    for (auto& [id, op] : operations)
      if (op.in_flight_at == index) stranded.push_back(id);
    for (uint64_t id : stranded) {
      auto& op = operations.at(id);
      ++op.attempt;  // its reply, if one still comes, is stale
      op.in_flight_at.reset();
      on_error(id, index, caf::make_error(caf::sec::request_receiver_down));
    }
    std::vector<uint64_t> moved;
    for (auto& [id, w] : watches) {
      if (w.server != index) continue;
      w.server.reset();
      moved.push_back(id);
    }
    for (uint64_t id : moved)
      register_watch(id, std::nullopt);
  }
}

void store_client_state::on_attempt_error(uint64_t id, uint64_t attempt, std::size_t server,
                                          caf::error error) {
  auto it = operations.find(id);
  if (it == operations.end() || it->second.attempt != attempt) return;
  it->second.in_flight_at.reset();
  on_error(id, server, std::move(error));
}

// -- operations ----------------------------------------------------------------------------

uint64_t store_client_state::add(operation op) {
  const uint64_t id = next_operation++;
  op.deadline = self->clock().now() + options.give_up_after;
  op.retry = backoff(options.retry_initial, options.retry_max, options.seed ^ id);
  operations.emplace(id, std::move(op));
  return id;
}

void store_client_state::run(uint64_t id) {
  auto it = operations.find(id);
  if (it == operations.end()) return;
  auto& op = it->second;
  if (servers.empty())
    return fail(id, caf::make_error(errc::invalid, "the store client has no servers configured"));
  if (self->clock().now() >= op.deadline) {
    std::string why = op.last_error ? self->home_system().render(op.last_error) : "no reply";
    return fail(
        id, caf::make_error(errc::unavailable, "no store server answered within " +
                                                   std::to_string(options.give_up_after.count()) +
                                                   " ms (servers: " + describe_servers() +
                                                   "); the last error: " + why));
  }
  auto& server = servers[target];
  if (!server.handle) {
    server.waiting.push_back(id);
    connect(target);
    return;
  }
  ++op.attempt;
  op.in_flight_at = target;
  op.send(server.handle, id, target);
}

void store_client_state::finish(uint64_t id) {
  auto it = operations.find(id);
  if (it == operations.end()) return;
  std::shared_ptr<messages::StoreCommand> command = std::move(it->second.command);
  operations.erase(it);
  if (!command) return;
  outstanding.erase(command->sequence());
  if (!session_open && command->sequence() == 1) {
    session_open = true;
    pump();
  }
}

void store_client_state::fail(uint64_t id, caf::error error) {
  auto it = operations.find(id);
  if (it == operations.end()) return;
  operation op = std::move(it->second);
  operations.erase(it);
  if (op.command) {
    for (auto h = held.begin(); h != held.end(); ++h) {
      if (*h == id) {
        held.erase(h);
        break;
      }
    }
    if (op.command->sequence() != 0) outstanding.erase(op.command->sequence());
    if (!session_open && op.command->sequence() == 1) restart_session();
  }
  op.fail(std::move(error));
}

void store_client_state::on_error(uint64_t id, std::size_t server, caf::error error) {
  auto it = operations.find(id);
  if (it == operations.end()) return;
  auto& op = it->second;
  if (messages::is_error(error, errc::not_leader)) {
    std::string hint;
    const auto& context = error.context();
    if (context.match_elements<std::string>()) hint = context.get_as<std::string>(0);
    op.last_error = std::move(error);
    if (!hint.empty()) {
      std::size_t leader = server_index(hint);
      target = leader;
      // Follow a hint at once, but not twice in a row: members that disagree about the
      // leader (an election under way) would bounce the call between them.
      if (leader != server && !op.redirected) {
        op.redirected = true;
        return run(id);
      }
    } else if (server == target) {
      target = (target + 1) % servers.size();
    }
    op.redirected = false;
    return retry_later(id);
  }
  op.redirected = false;
  if (error.category() == caf::atom("troupe") && !messages::is_error(error, errc::unavailable))
    return fail(id, std::move(error));  // the store's answer: not_found, invalid, ...
  // unavailable (no quorum yet, a full map), or CAF's own: the server died, is unreachable
  // or too slow. Another server may do better.
  op.last_error = std::move(error);
  if (server == target) target = (target + 1) % servers.size();
  retry_later(id);
}

void store_client_state::retry_later(uint64_t id) {
  auto it = operations.find(id);
  if (it == operations.end()) return;
  self->delayed_send(self, it->second.retry.next(), atoms::retry_atom_v, id);
}

void store_client_state::connect(std::size_t index) {
  auto& server = servers[index];
  if (server.connecting || server.handle) return;
  auto host_port = split_host_port(server.address);
  if (!host_port) {
    auto waiting = std::move(server.waiting);
    server.waiting.clear();
    for (uint64_t id : waiting)
      on_error(id, index, host_port.error());
    return;
  }
  server.connecting = true;
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, options.connect_timeout, caf::connect_atom_v, host_port->first,
                host_port->second)
      .then(
          [this, index](const caf::node_id&, caf::strong_actor_ptr& ptr,
                        const std::set<std::string>& ifs) {
            auto& server = servers[index];
            server.connecting = false;
            auto waiting = std::move(server.waiting);
            server.waiting.clear();
            if (!ptr || (!ifs.empty() && ifs != self->home_system().message_types<raft_actor>())) {
              auto error = caf::make_error(errc::unavailable,
                                           "no troupe server listens at " + server.address);
              for (uint64_t id : waiting)
                on_error(id, index, error);
              return;
            }
            server.handle = caf::actor_cast<raft_actor>(std::move(ptr));
            self->monitor(server.handle);
            for (uint64_t id : waiting)
              run(id);
          },
          [this, index](caf::error& error) {
            auto& server = servers[index];
            server.connecting = false;
            auto waiting = std::move(server.waiting);
            server.waiting.clear();
            for (uint64_t id : waiting)
              on_error(id, index, error);
          });
}

// -- the session ---------------------------------------------------------------------------

void store_client_state::pump() {
  while (!held.empty()) {
    // The session's first command is in flight: the store does not know the session yet.
    if (!session_open && next_sequence > 1) return;
    uint64_t id = held.front();
    held.pop_front();
    auto it = operations.find(id);
    if (it == operations.end()) continue;
    auto& command = *it->second.command;
    command.set_client_id(client_id);
    command.set_sequence(next_sequence++);
    outstanding.insert(command.sequence());
    run(id);
  }
}

void store_client_state::restart_session() {
  // The first command's fate is unknown: it may have opened the session or not. A new
  // client_id starts over at sequence 1 either way.
  client_id = options.client_id + "-" + std::to_string(++session_generation);
  next_sequence = 1;
  session_open = false;
  pump();
}

std::size_t store_client_state::server_index(const std::string& address) {
  for (std::size_t i = 0; i < servers.size(); ++i)
    if (servers[i].address == address) return i;
  // A member the configuration did not list, e.g. one added since.
  servers.push_back(server_link{address, {}, false, {}});
  return servers.size() - 1;
}

std::string store_client_state::describe_servers() const {
  std::string out;
  for (const auto& s : servers)
    out += (out.empty() ? "" : ", ") + s.address;
  return out;
}

store_client_actor spawn_store_client(caf::actor_system& system, store_client_options options) {
  if (options.client_id.empty()) options.client_id = random_client_id();
  return system.spawn(store_client, std::move(options));
}

}  // namespace troupe::actors
