#include "actors/raft_actor.hpp"

#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

namespace troupe::actors {

using messages::errc;
using store::raft::index_t;

namespace {

// The bootstrap configuration: every listed member, plus this one if it is not listed.
messages::Configuration bootstrap_config(const raft_server_options& options) {
  messages::Configuration config;
  bool self_listed = false;
  for (const auto& m : options.bootstrap) {
    *config.add_members() = m;
    self_listed = self_listed || m.id() == options.id;
  }
  if (!self_listed) {
    auto* self = config.add_members();
    self->set_id(options.id);
    self->set_address(options.listen);
  }
  return config;
}

raft_actor_impl::behavior_type raft(raft_actor_impl::stateful_pointer<raft_state> self,
                                    raft_server_options options,
                                    std::shared_ptr<raft_storage> storage,
                                    store::raft::persisted_state persisted) {
  self->state.init(self, std::move(options), std::move(storage), std::move(persisted));
  return with_store_api(
      self, [self](messages::RaftMessage& message) { self->state.on_raft_message(message); },
      [self](atoms::raft_status_atom) { return self->state.on_status(); },
      [self](atoms::add_member_atom, messages::Member& member) {
        return self->state.on_add_member(member);
      },
      [self](atoms::remove_member_atom, std::string& id) {
        return self->state.on_remove_member(id);
      },
      [self](atoms::transfer_atom, std::string& target) { return self->state.on_transfer(target); },
      [self](atoms::tick_atom) { self->state.on_tick(); },
      [self](atoms::reconnect_atom, std::string& id) { self->state.on_reconnect(id); },
      [self](atoms::retry_atom) { self->state.on_retry_applies(); },
      [self](atoms::flush_atom) {
        self->state.drain_scheduled = false;
        self->state.drain();
      });
}

}  // namespace

caf::expected<std::pair<std::string, uint16_t>> split_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size())
    return caf::make_error(errc::invalid, "\"" + address + "\" is not host:port");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9' || (port = port * 10 + static_cast<uint32_t>(c - '0')) > 65535)
      return caf::make_error(errc::invalid,
                             "\"" + address + "\" has no port number from 0 to 65535 after ':'");
  }
  return std::make_pair(std::move(host), static_cast<uint16_t>(port));
}

// -- setup ---------------------------------------------------------------------------------

void raft_state::init(raft_actor_impl::stateful_pointer<raft_state> owner, raft_server_options opts,
                      std::shared_ptr<raft_storage> store, store::raft::persisted_state persisted) {
  self = owner;
  options = std::move(opts);
  storage = std::move(store);
  applied = persisted.applied;
  store::raft::raft_options raft_options;
  raft_options.self = options.id;
  raft_options.heartbeat_ms = options.heartbeat_ms;
  raft_options.election_timeout_ms = options.election_timeout_ms;
  log("starting: term " + std::to_string(persisted.hard_state.term()) + ", " +
      std::to_string(persisted.entries.size()) + " log entries, applied index " +
      std::to_string(applied));
  watches = std::make_unique<store_watches>((uint64_t{std::random_device{}()} << 32) | 1);
  snapshot_index = persisted.snapshot.last_index();
  next_snapshot_at = snapshot_index + options.snapshot_every;
  core = std::make_unique<store::raft::raft_core>(std::move(raft_options), std::move(persisted),
                                                  now_ms(), options.seed);
  core->set_snapshot_reader(
      [storage = storage](const messages::SnapshotMeta& meta, uint64_t offset, std::size_t max) {
        return storage->read_snapshot(meta, offset, max);
      });
  io = spawn_raft_io(self, storage);
  self->set_down_handler([this](caf::down_msg& down) { on_down(down); });
  reconcile_peers();
  self->delayed_send(self, options.tick_interval, atoms::tick_atom_v);
}

// -- handlers ------------------------------------------------------------------------------

caf::typed_response_promise<messages::StoreResult> raft_state::on_propose(
    messages::StoreCommand command) {
  auto rp = self->make_response_promise<messages::StoreResult>();
  command.set_proposed_at_ms(options.unix_ms());
  errc error = errc::not_leader;
  auto p = core->propose(command.SerializeAsString(), &error);
  await_proposal(p, error,
                 waiter{0, [rp](const applied_entry& e) mutable { rp.deliver(e.result); },
                        [rp](caf::error e) mutable { rp.deliver(std::move(e)); }});
  schedule_drain();
  return rp;
}

caf::typed_response_promise<messages::StoredObject> raft_state::on_get(std::string key,
                                                                       bool serializable) {
  auto rp = self->make_response_promise<messages::StoredObject>();
  auto serve = [this, rp, key]() mutable {
    auto object = storage->objects().get(key);
    if (object.ok()) {
      rp.deliver(std::move(*object));
    } else {
      rp.deliver(to_error(object.error()));
    }
  };
  if (serializable) {
    serve();
  } else {
    start_read(read_waiter{serve, [rp](caf::error e) mutable { rp.deliver(std::move(e)); }});
  }
  return rp;
}

raft_state::list_promise raft_state::on_list(std::string prefix, uint64_t limit, std::string token,
                                             bool serializable) {
  auto rp =
      self->make_response_promise<std::vector<std::string>, std::vector<messages::StoredObject>,
                                  uint64_t, std::string>();
  auto serve = [this, rp, prefix, limit, token]() mutable {
    auto page = read_list_page(storage->objects(), prefix, limit, token);
    if (!page) {
      rp.deliver(std::move(page.error()));
      return;
    }
    rp.deliver(std::move(page->keys), std::move(page->objects), page->revision,
               std::move(page->continue_token));
  };
  if (serializable) {
    serve();
  } else {
    start_read(read_waiter{serve, [rp](caf::error e) mutable { rp.deliver(std::move(e)); }});
  }
  return rp;
}

caf::result<uint64_t> raft_state::on_watch(std::string prefix, uint64_t after,
                                           caf::actor subscriber, uint64_t tag) {
  auto id = watches->add(storage->objects(), std::move(prefix), after, subscriber, tag);
  if (!id) return std::move(id.error());
  self->monitor(subscriber);
  return *id;
}

void raft_state::on_unwatch(uint64_t id) {
  watches->remove(id);
}

void raft_state::on_raft_message(const messages::RaftMessage& message) {
  if (peers.count(message.from()) == 0 && self->current_sender() != nullptr)
    reply_paths[message.from()] = caf::actor_cast<raft_actor>(self->current_sender());
  core->receive(message, now_ms());
  schedule_drain();
}

raft_status raft_state::on_status() const {
  return {options.id,           std::string(store::raft::to_string(core->current_role())),
          core->term(),         core->leader_hint(),
          core->commit_index(), applied};
}

caf::typed_response_promise<uint64_t> raft_state::on_add_member(const messages::Member& member) {
  auto rp = self->make_response_promise<uint64_t>();
  errc error = errc::not_leader;
  auto p = core->add_member(member, &error);
  await_proposal(p, error,
                 waiter{0, [rp](const applied_entry& e) mutable { rp.deliver(uint64_t{e.index}); },
                        [rp](caf::error e) mutable { rp.deliver(std::move(e)); }});
  drain();
  return rp;
}

caf::typed_response_promise<uint64_t> raft_state::on_remove_member(const std::string& id) {
  auto rp = self->make_response_promise<uint64_t>();
  errc error = errc::not_leader;
  auto p = core->remove_member(id, &error);
  await_proposal(p, error,
                 waiter{0, [rp](const applied_entry& e) mutable { rp.deliver(uint64_t{e.index}); },
                        [rp](caf::error e) mutable { rp.deliver(std::move(e)); }});
  drain();
  return rp;
}

caf::typed_response_promise<uint64_t> raft_state::on_transfer(const std::string& target) {
  auto rp = self->make_response_promise<uint64_t>();
  errc error = errc::not_leader;
  if (core->transfer_leadership(target, &error)) {
    rp.deliver(uint64_t{core->term()});
  } else if (error == errc::not_leader) {
    rp.deliver(not_leader());
  } else {
    rp.deliver(caf::make_error(error, "cannot hand leadership to \"" + target +
                                          "\": it is not a voting member, or a transfer or "
                                          "membership change is under way"));
  }
  drain();
  return rp;
}

void raft_state::on_tick() {
  core->tick(now_ms());
  drain();
  self->delayed_send(self, options.tick_interval, atoms::tick_atom_v);
}

void raft_state::on_reconnect(const std::string& id) {
  auto it = peers.find(id);
  if (it == peers.end()) return;
  it->second.retry_scheduled = false;
  connect(id);
}

void raft_state::on_retry_applies() {
  apply_retry_scheduled = false;
  self->request(io, options.io_timeout, atoms::retry_atom_v)
      .then([this](io_done& done) { on_applied(done); },
            [this](caf::error& err) {
              fatal("the I/O worker did not retry the applies: " + to_string(err));
            });
}

void raft_state::on_down(const caf::down_msg& down) {
  watches->remove_subscriber(down.source);
  for (auto& [id, link] : peers) {
    if (link.handle && link.handle.address() == down.source) {
      log("lost member " + id + " at " + link.address + "; reconnecting");
      link.handle = nullptr;
      schedule_reconnect(id, link);
      // A closed connection is the fastest sign of a dead leader (kill -9 closes its
      // sockets at once): the core campaigns soon rather than after a whole timeout.
      core->peer_unreachable(id, now_ms());
    }
  }
  drain();
}

// -- driving the core ----------------------------------------------------------------------

void raft_state::schedule_drain() {
  if (drain_scheduled) return;
  drain_scheduled = true;
  self->send(self, atoms::flush_atom_v);
}

void raft_state::drain() {
  for (;;) {
    store::raft::ready r = core->take_ready();
    if (r.empty()) break;
    handle_ready(r);
  }
  notice_changes();
}

void raft_state::handle_ready(store::raft::ready& r) {
  // The leader's AppendEntries depend on nothing unpersisted: they go out before its own
  // fsync, which overlaps replication.
  for (const auto& m : r.send_now)
    send(m);
  const bool io_work = r.hard_state || !r.entries.empty() || !r.committed.empty() ||
                       !r.snapshot_chunks.empty() || r.compacted_to || r.discard_log_after;
  if (io_work) {
    io_batch batch;
    batch.hard_state = std::move(r.hard_state);
    batch.entries = std::move(r.entries);
    for (const auto& entry : r.committed)
      bytes_since_snapshot += entry.ByteSizeLong();
    batch.committed = std::move(r.committed);
    batch.snapshot_chunks = std::move(r.snapshot_chunks);
    batch.compacted_to = r.compacted_to;
    batch.discard_log_after = r.discard_log_after;
    send_io(std::move(batch), std::move(r.send_after_persist));
  } else if (!r.send_after_persist.empty()) {
    // Votes and acknowledgements wait for everything written before them to be durable.
    auto* after = !io_queue.empty()      ? &io_queue.back().after_persist
                  : !io_inflight.empty() ? &io_inflight.back().after_persist
                                         : nullptr;
    if (after == nullptr) {
      for (const auto& m : r.send_after_persist)
        send(m);
    } else {
      after->insert(after->end(), r.send_after_persist.begin(), r.send_after_persist.end());
    }
  }
  for (const auto& rs : r.reads) {
    auto it = reads_started.find(rs.request_id);
    if (it == reads_started.end()) continue;
    reads_confirmed.emplace(rs.index, std::move(it->second));
    reads_started.erase(it);
  }
  for (uint64_t id : r.failed_reads) {
    auto it = reads_started.find(id);
    if (it == reads_started.end()) continue;
    auto fail = std::move(it->second.fail);
    reads_started.erase(it);
    fail(not_leader());
  }
  serve_reads();
}

void raft_state::send_io(io_batch batch, std::vector<messages::RaftMessage> after) {
  // One batch with the worker at a time: its fsync covers everything that queued meanwhile.
  if (io_inflight.empty()) return dispatch_io(std::move(batch), std::move(after));
  if (!io_queue.empty() && merge_io_batches(io_queue.back().batch, batch)) {
    auto& queued = io_queue.back().after_persist;
    queued.insert(queued.end(), std::make_move_iterator(after.begin()),
                  std::make_move_iterator(after.end()));
    return;
  }
  io_queue.push_back(queued_batch{std::move(batch), std::move(after)});
}

void raft_state::dispatch_io(io_batch batch, std::vector<messages::RaftMessage> after) {
  io_inflight.push_back(
      inflight_batch{std::move(after), batch.take_snapshot, std::chrono::steady_clock::now()});
  self->request(io, options.io_timeout, std::move(batch))
      .then([this](io_done& done) { on_io_done(done); },
            [this](caf::error& err) {
              fatal("the I/O worker did not finish a batch: " + to_string(err));
            });
}

void raft_state::on_io_done(io_done& done) {
  if (!done.failure.ok()) return fatal("storage failed: " + done.failure.to_string());
  // Invariant: replies come in the order of the batches.
  if (io_inflight.empty()) return fatal("the I/O worker answered a batch that was not sent");
  inflight_batch batch = std::move(io_inflight.front());
  io_inflight.pop_front();
  if (batch.take_snapshot) {
    if (done.snapshot_started) {
      await_snapshot(batch.sent);
    } else {
      snapshot_later();  // it could not start: applies held back, or an error
    }
  }
  const auto& after = batch.after_persist;
  if (done.persisted) core->on_persisted(done.persisted->index, done.persisted->term);
  for (const auto& m : after)
    send(m);
  if (!io_queue.empty()) {
    queued_batch next = std::move(io_queue.front());
    io_queue.pop_front();
    dispatch_io(std::move(next.batch), std::move(next.after_persist));
  }
  on_applied(done);
}

void raft_state::snapshot_later() {
  // A failed snapshot is tried again a little later, not after every apply.
  snapshot_pending = false;
  next_snapshot_at = applied + std::max<uint64_t>(1, options.snapshot_every / 4);
}

void raft_state::await_snapshot(std::chrono::steady_clock::time_point since) {
  self->request(io, caf::infinite, atoms::snapshot_atom_v)
      .then(
          [this, since](io_done& done) {
            if (done.snapshot_taken) {
              snapshot_pending = false;
              auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - since)
                            .count();
              log("took a snapshot up to index " +
                  std::to_string(done.snapshot_taken->last_index()) + " (" +
                  std::to_string(done.snapshot_taken->size() >> 10) + " KiB) in " +
                  std::to_string(ms) + " ms");
            } else {
              snapshot_later();
            }
            on_applied(done);
          },
          [this](caf::error& err) {
            fatal("the I/O worker did not finish a snapshot: " + to_string(err));
          });
}

void raft_state::on_applied(io_done& done) {
  if (!done.failure.ok()) return fatal("storage failed: " + done.failure.to_string());
  for (const auto& e : done.applied) {
    applied = e.index;
    auto it = waiters.find(e.index);
    if (it == waiters.end()) continue;
    waiter w = std::move(it->second);
    waiters.erase(it);
    if (w.term == e.term) {
      w.done(e);
    } else {
      // Another leader's entry took this index: the proposal never applied here.
      w.fail(not_leader());
    }
  }
  if (!done.snapshot_failure.ok()) log("snapshot failed: " + done.snapshot_failure.to_string());
  if (done.snapshot_installed) {
    const auto& [meta, ok] = *done.snapshot_installed;
    if (ok) {
      log("installed the leader's snapshot up to index " + std::to_string(meta.last_index()));
      applied = std::max(applied, meta.last_index());
      snapshot_index = std::max(snapshot_index, meta.last_index());
      next_snapshot_at = snapshot_index + options.snapshot_every;
      bytes_since_snapshot = 0;
    }
    core->on_snapshot_installed(meta, ok);
  }
  if (done.snapshot_taken) {
    snapshot_index = done.snapshot_taken->last_index();
    next_snapshot_at = snapshot_index + options.snapshot_every;
    core->on_snapshot_taken(*done.snapshot_taken, options.keep_trailing);
  }
  if (done.apply_backlog > 0 && !apply_retry_scheduled) {
    log(std::to_string(done.apply_backlog) +
        " committed entries wait for room in the store's map (raise --store-map-size)");
    apply_retry_scheduled = true;
    self->delayed_send(self, options.apply_retry, atoms::retry_atom_v);
  }
  const bool log_is_big =
      options.snapshot_bytes > 0 && bytes_since_snapshot >= options.snapshot_bytes;
  if (!snapshot_pending && options.snapshot_every > 0 &&
      (applied >= next_snapshot_at || log_is_big)) {
    snapshot_pending = true;
    // What is committed from here on follows the snapshot.
    bytes_since_snapshot = 0;
    io_batch batch;
    batch.take_snapshot = true;
    send_io(std::move(batch), {});
  }
  serve_reads();
  watches->pump_all(storage->objects());
  schedule_drain();
}

void raft_state::serve_reads() {
  while (!reads_confirmed.empty() && reads_confirmed.begin()->first <= applied) {
    auto serve = std::move(reads_confirmed.begin()->second.serve);
    reads_confirmed.erase(reads_confirmed.begin());
    serve();
  }
}

void raft_state::start_read(read_waiter waiter) {
  uint64_t id = next_read_id++;
  errc error = errc::not_leader;
  if (!core->read_index(id, &error)) {
    waiter.fail(error == errc::not_leader
                    ? not_leader()
                    : caf::make_error(error, "the leader cannot confirm reads yet: retry"));
    return;
  }
  reads_started.emplace(id, std::move(waiter));
  schedule_drain();
}

void raft_state::await_proposal(std::optional<store::raft::proposal> p, errc error, waiter w) {
  if (!p) {
    w.fail(error == errc::not_leader
               ? not_leader()
               : caf::make_error(error, "the leader refused the proposal: retry later"));
    return;
  }
  w.term = p->term;
  waiters[p->index] = std::move(w);
}

void raft_state::notice_changes() {
  const auto role = core->current_role();
  const auto& leader = core->leader_hint();
  if (role != last_role || leader != last_leader) {
    log(std::string(store::raft::to_string(role)) + " in term " + std::to_string(core->term()) +
        (leader.empty() ? ", no leader known" : ", leader " + leader));
    if (last_role == store::raft::role::leader && role != store::raft::role::leader) {
      // Their entries may still commit under the next leader: the client retries with the
      // same sequence, and the session applies the command once.
      auto deposed = std::move(waiters);
      waiters.clear();
      for (auto& [index, w] : deposed)
        w.fail(not_leader());
    }
    last_role = role;
    last_leader = leader;
  }
  if (core->configuration().SerializeAsString() != peers_config) reconcile_peers();
}

void raft_state::fatal(const std::string& what) {
  log("stopping: " + what);
  auto error = caf::make_error(errc::unavailable, "server " + options.id + " stopped: " + what);
  auto deposed = std::move(waiters);
  waiters.clear();
  for (auto& [index, w] : deposed)
    w.fail(error);
  auto started = std::move(reads_started);
  reads_started.clear();
  for (auto& [id, r] : started)
    r.fail(error);
  auto confirmed = std::move(reads_confirmed);
  reads_confirmed.clear();
  for (auto& [index, r] : confirmed)
    r.fail(error);
  watches->end_all(error);
  self->quit(error);
}

// -- peers ---------------------------------------------------------------------------------

void raft_state::send(const messages::RaftMessage& message) {
  auto it = peers.find(message.to());
  if (it == peers.end()) {
    auto path = reply_paths.find(message.to());
    if (path != reply_paths.end()) self->send(path->second, message);
    return;
  }
  if (it->second.handle) {
    self->send(it->second.handle, message);
  } else {
    // Raft retries what is lost; the connection is what needs starting.
    connect(it->first);
  }
}

void raft_state::reconcile_peers() {
  const auto& config = core->configuration();
  peers_config = config.SerializeAsString();
  std::map<std::string, std::string> wanted;
  for (const auto& m : config.members())
    if (m.id() != options.id) wanted[m.id()] = m.address();
  // Members of the configuration are reached through their own links from now on.
  for (const auto& [id, address] : wanted)
    reply_paths.erase(id);
  for (auto it = peers.begin(); it != peers.end();) {
    if (wanted.count(it->first) > 0) {
      ++it;
      continue;
    }
    if (it->second.handle) self->demonitor(it->second.handle.address());
    log("member " + it->first + " left the configuration");
    it = peers.erase(it);
  }
  for (const auto& [id, address] : wanted) {
    auto [it, added] = peers.try_emplace(id);
    auto& link = it->second;
    if (added) {
      link.retry = backoff(options.reconnect_initial, options.reconnect_max,
                           options.seed ^ std::hash<std::string>{}(id));
    }
    if (link.address != address) {
      link.address = address;
      ++link.generation;
      if (link.handle) self->demonitor(link.handle.address());
      link.handle = nullptr;
      link.connecting = false;
    }
    connect(id);
  }
}

void raft_state::connect(const std::string& id) {
  auto it = peers.find(id);
  if (it == peers.end()) return;
  auto& link = it->second;
  if (link.handle || link.connecting || link.retry_scheduled) return;
  auto host_port = split_host_port(link.address);
  if (!host_port) {
    log("cannot reach member " + id + ": " + to_string(host_port.error()));
    return;
  }
  link.connecting = true;
  const uint64_t generation = link.generation;
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, options.connect_timeout, caf::connect_atom_v, host_port->first,
                host_port->second)
      .then(
          [this, id, generation](const caf::node_id&, caf::strong_actor_ptr& ptr,
                                 const std::set<std::string>& ifs) {
            auto it = peers.find(id);
            if (it == peers.end() || it->second.generation != generation) return;
            auto& link = it->second;
            link.connecting = false;
            if (!ptr || (!ifs.empty() && ifs != self->home_system().message_types<raft_actor>())) {
              log("no raft actor listens at " + link.address + " (member " + id + ")");
              schedule_reconnect(id, link);
              return;
            }
            link.handle = caf::actor_cast<raft_actor>(std::move(ptr));
            self->monitor(link.handle);
            link.retry.reset();
            log("connected to member " + id + " at " + link.address);
          },
          [this, id, generation](caf::error&) {
            auto it = peers.find(id);
            if (it == peers.end() || it->second.generation != generation) return;
            it->second.connecting = false;
            schedule_reconnect(id, it->second);
          });
}

void raft_state::schedule_reconnect(const std::string& id, peer_link& link) {
  if (link.retry_scheduled) return;
  link.retry_scheduled = true;
  self->delayed_send(self, link.retry.next(), atoms::reconnect_atom_v, id);
}

// -- helpers -------------------------------------------------------------------------------

int64_t raft_state::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             self->clock().now().time_since_epoch())
      .count();
}

std::string raft_state::address_of(const std::string& member_id) const {
  for (const auto& m : core->configuration().members())
    if (m.id() == member_id) return m.address();
  return {};
}

caf::error raft_state::not_leader() const {
  return caf::make_error(errc::not_leader, address_of(core->leader_hint()));
}

void raft_state::log(const std::string& line) const {
  std::string out = "raft " + options.id + ": " + line;
  if (options.log) {
    options.log(out);
  } else {
    std::cerr << out + "\n";
  }
}

// -- spawning ------------------------------------------------------------------------------

caf::expected<started_raft_actor> spawn_raft_actor(caf::actor_system& system,
                                                   raft_server_options options) {
  if (options.id.empty())
    return caf::make_error(errc::invalid, "a server needs a member id (--name)");
  auto host_port = split_host_port(options.listen);
  if (!host_port) return host_port.error();
  auto opened = raft_storage::open(options.data_dir, options.storage);
  if (!opened.ok()) return to_error(opened.error());
  std::shared_ptr<raft_storage> storage = std::move(*opened);
  auto persisted = storage->load();
  if (!persisted.ok()) return to_error(persisted.error());
  if (!options.join) persisted->bootstrap = bootstrap_config(options);
  storage->recover(*persisted);
  if (!options.unix_ms) {
    options.unix_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  raft_actor actor = system.spawn(raft, std::move(options), storage, std::move(*persisted));
  const char* in = host_port->first.empty() ? nullptr : host_port->first.c_str();
  auto port = system.middleman().publish(actor, host_port->second, in, true);
  if (!port) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    return port.error();
  }
  return started_raft_actor{actor, *port};
}

}  // namespace troupe::actors
