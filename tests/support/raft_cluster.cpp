// The simulation's event loop, and the driver each member runs around its raft_core: the
// same duties raft_actor has on a server (persist, then send; apply; serve reads; take and
// install snapshots), done against the simulated disk and network.
#include "tests/support/raft_cluster.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "tests/support/raft_cluster_member.hpp"
#include "tests/support/sim_kv.hpp"

namespace troupe::test_support {

using store::raft::Configuration;
using store::raft::index_t;
using store::raft::LogEntry;
using store::raft::raft_core;
using store::raft::RaftMessage;
using store::raft::SnapshotMeta;
using store::raft::term_t;

namespace {

[[noreturn]] void harness_bug(const std::string& what) {
  std::fprintf(stderr, "raft_cluster: %s\n", what.c_str());
  std::abort();
}

}  // namespace

raft_cluster::raft_cluster(sim_options options)
    : options_(std::move(options)), rng_(options_.seed), clients_(options_.clients, rng_, *this) {
  network_.set_faults(options_.network);
  Configuration config;
  for (std::size_t i = 0; i < options_.members; ++i) {
    auto* m = config.add_members();
    m->set_id("s" + std::to_string(next_member_++));
    m->set_address("sim:" + m->id());
  }
  for (const auto& m : config.members())
    boot(start_member(m.id(), config));
  clients_.set_members(ids());
  check();
}

raft_cluster::~raft_cluster() = default;

int64_t raft_cluster::uniform(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
}

raft_cluster::member* raft_cluster::find(const std::string& id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : it->second.get();
}

// -- the event loop -----------------------------------------------------------------------

void raft_cluster::schedule(int64_t at_ms, sim_event event) {
  queue_.emplace(std::make_pair(at_ms, next_event_++), std::move(event));
}

void raft_cluster::mix_trace(uint64_t value) {
  trace_ = (trace_ ^ value) * 0x100000001b3ULL;
}

bool raft_cluster::step(int64_t until_ms) {
  if (queue_.empty() || queue_.begin()->first.first > until_ms || exhausted()) return false;
  auto node = queue_.extract(queue_.begin());
  now_ = node.key().first;
  mix_trace(static_cast<uint64_t>(now_));
  mix_trace(node.mapped().index());
  dispatch(node.mapped());
  ++stats_.steps;
  check();
  return true;
}

void raft_cluster::run_for(int64_t ms) {
  const int64_t until = now_ + ms;
  while (step(until)) {
  }
  now_ = until;
}

bool raft_cluster::run_until(const std::function<bool()>& done, int64_t max_ms) {
  const int64_t until = now_ + max_ms;
  if (done()) return true;
  while (step(until))
    if (done()) return true;
  now_ = until;
  return done();
}

void raft_cluster::dispatch(sim_event& event) {
  if (auto* d = std::get_if<raft_delivery>(&event)) {
    const auto& msg = d->message;
    member* m = find(msg.to());
    if (m == nullptr || !m->core || network_.blocked(msg.from(), msg.to())) return;
    mix_trace(static_cast<uint64_t>(msg.body_case()) * 1000003 + msg.term());
    ++stats_.delivered;
    m->core->receive(msg, now_);
    return drain(*m);
  }
  if (auto* t = std::get_if<tick_due>(&event)) {
    member* m = find(t->member);
    if (m == nullptr || !m->core || m->incarnation != t->incarnation) return;
    m->core->tick(now_);
    drain(*m);
    return schedule(now_ + options_.tick_ms, tick_due{m->id, m->incarnation});
  }
  if (auto* f = std::get_if<fsync_done>(&event)) {
    member* m = find(f->member);
    if (m == nullptr || !m->core || m->incarnation != f->incarnation) return;
    return on_fsync_done(*m);
  }
  if (auto* r = std::get_if<request_delivery>(&event)) {
    member* m = find(r->request.member);
    if (m == nullptr || !m->core) return;
    return on_request(*m, r->request);
  }
  if (auto* r = std::get_if<reply_delivery>(&event)) return clients_.on_reply(r->reply, now_);
  if (auto* c = std::get_if<client_timer>(&event))
    return clients_.on_timer(c->client, c->token, now_);
  if (auto* l = std::get_if<link_closed>(&event)) {
    member* m = find(l->observer);
    if (m == nullptr || !m->core) return;
    m->core->peer_unreachable(l->lost, now_);
    return drain(*m);
  }
  if (auto* c = std::get_if<crash_due>(&event)) {
    member* m = find(c->member);
    if (m == nullptr || m->incarnation != c->incarnation) return;
    if (c->restart) return restart(m->id);
    crash(m->id);
    schedule(now_ + uniform(0, crash_downtime_ms_), crash_due{m->id, m->incarnation, true});
  }
}

void raft_cluster::check() {
  std::vector<const raft_core*> cores;
  for (const auto& [id, m] : members_) {
    if (!m->core) continue;
    cores.push_back(m->core.get());
    // Invariant: the state machine applied exactly what the core handed out.
    if (m->kv.applied_index() != m->core->applied_index())
      harness_bug(id + ": state machine applied " + std::to_string(m->kv.applied_index()) +
                  ", core handed out " + std::to_string(m->core->applied_index()));
  }
  invariants_.check_all(cores);
}

// -- members --------------------------------------------------------------------------------

raft_cluster::member& raft_cluster::start_member(const std::string& id, Configuration bootstrap) {
  auto m = std::make_unique<member>(id, std::move(bootstrap), options_.sessions);
  auto& ref = *m;
  members_.emplace(id, std::move(m));
  return ref;
}

// Builds the core from the durable disk, as a restarting server does.
void raft_cluster::boot(member& m) {
  store::raft::raft_options o;
  o.self = m.id;
  o.heartbeat_ms = options_.heartbeat_ms;
  o.election_timeout_ms = options_.election_timeout_ms;
  o.max_append_entries = options_.max_append_entries;
  o.snapshot_chunk_bytes = options_.snapshot_chunk_bytes;
  o.pre_vote = options_.pre_vote;
  o.check_quorum = options_.check_quorum;
  const sim_snapshot& snap = m.disk.durable_snapshot();
  m.kv = sim_kv(options_.sessions);
  m.applied_config = m.bootstrap;
  m.last_snapshot = snap.meta.last_index();
  m.snapshots.clear();
  if (snap.meta.last_index() > 0) {
    auto kv = sim_kv::parse(snap.data, options_.sessions);
    if (!kv) harness_bug(m.id + ": unreadable durable snapshot");
    m.kv = std::move(*kv);
    m.applied_config = snap.meta.config();
    m.snapshots[snap.meta.last_index()] = snap.data;
  }
  m.core = std::make_unique<raft_core>(std::move(o), m.disk.recover(), now_, rng_());
  m.core->set_snapshot_reader([&m](const SnapshotMeta& meta, uint64_t offset, std::size_t max) {
    auto it = m.snapshots.find(meta.last_index());
    if (it == m.snapshots.end() || offset >= it->second.size()) return std::string();
    return it->second.substr(offset, max);
  });
  ++m.incarnation;
  invariants_.forget_volatile(m.id);
  schedule(now_ + uniform(1, options_.tick_ms), tick_due{m.id, m.incarnation});
  drain(m);
}

std::vector<std::string> raft_cluster::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, m] : members_)
    if (!m->retired) out.push_back(id);
  return out;
}

std::vector<std::string> raft_cluster::live() const {
  std::vector<std::string> out;
  for (const auto& [id, m] : members_)
    if (m->core) out.push_back(id);
  return out;
}

bool raft_cluster::is_live(const std::string& id) const {
  const member* m = find(id);
  return m != nullptr && m->core != nullptr;
}

const raft_core* raft_cluster::core(const std::string& id) const {
  const member* m = find(id);
  return m == nullptr ? nullptr : m->core.get();
}

std::size_t raft_cluster::snapshots_installed(const std::string& id) const {
  const member* m = find(id);
  return m == nullptr ? 0 : m->snapshots_installed;
}

std::size_t raft_cluster::unsynced_writes(const std::string& id) const {
  const member* m = find(id);
  return m == nullptr || !m->core ? 0 : m->disk.unsynced_writes();
}

std::optional<std::string> raft_cluster::leader() const {
  std::optional<std::string> best;
  term_t term = 0;
  for (const auto& [id, m] : members_) {
    if (!m->core || m->core->current_role() != store::raft::role::leader) continue;
    if (!best || m->core->term() > term) {
      best = id;
      term = m->core->term();
    }
  }
  return best;
}

void raft_cluster::crash(const std::string& id) {
  member* m = find(id);
  if (m == nullptr || !m->core) return;
  m->core.reset();
  stats_.writes_lost += m->disk.crash(rng_, options_.crash_keeps_random_prefix);
  ++stats_.crashes;
  ++m->incarnation;
  m->fsyncs.clear();
  m->proposals.clear();
  m->reads_started.clear();
  m->reads_confirmed.clear();
  m->incoming.reset();
  m->snapshots.clear();
  m->kv = sim_kv(options_.sessions);
  for (const auto& [other, o] : members_)
    if (other != id && o->core) report_link_closed(other, id);
  check();
}

void raft_cluster::report_link_closed(const std::string& observer, const std::string& lost) {
  schedule(now_ + uniform(0, 5), link_closed{observer, lost});
}

void raft_cluster::restart(const std::string& id) {
  member* m = find(id);
  if (m == nullptr || m->core || m->retired) return;
  boot(*m);
  check();
}

void raft_cluster::retire(const std::string& id) {
  member* m = find(id);
  if (m == nullptr) return;
  crash(id);
  m->retired = true;
  clients_.set_members(ids());
}

void raft_cluster::crash_after_sending(std::function<bool(const RaftMessage&)> trigger,
                                       int64_t max_downtime_ms) {
  crash_trigger_ = std::move(trigger);
  crash_downtime_ms_ = max_downtime_ms;
}

void raft_cluster::isolate(const std::string& id) {
  for (const auto& [other, m] : members_)
    if (other != id) network_.block_both(id, other);
}

// -- membership -------------------------------------------------------------------------------

std::optional<std::string> raft_cluster::add_member() {
  auto lead = leader();
  if (!lead) return std::nullopt;
  member& l = *find(*lead);
  const std::string id = "s" + std::to_string(next_member_);
  messages::Member joining;
  joining.set_id(id);
  joining.set_address("sim:" + id);
  // It joins knowing the cluster as it is; it learns its own addition from the log.
  member& m = start_member(id, l.core->configuration());
  if (!l.core->add_member(joining)) {
    members_.erase(id);
    return std::nullopt;
  }
  ++next_member_;
  boot(m);
  drain(l);
  clients_.set_members(ids());
  check();
  return id;
}

bool raft_cluster::remove_member(const std::string& id) {
  auto lead = leader();
  if (!lead) return false;
  member& l = *find(*lead);
  if (!l.core->remove_member(id)) return false;
  drain(l);
  check();
  return true;
}

bool raft_cluster::transfer_leadership(const std::string& target) {
  auto lead = leader();
  if (!lead) return false;
  member& l = *find(*lead);
  if (!l.core->transfer_leadership(target)) return false;
  drain(l);
  check();
  return true;
}

std::vector<std::string> raft_cluster::configuration() const {
  std::vector<std::string> out;
  auto lead = leader();
  if (!lead) return out;
  for (const auto& m : core(*lead)->configuration().members())
    out.push_back(m.id());
  return out;
}

bool raft_cluster::configuration_settled() const {
  auto lead = leader();
  if (!lead) return false;
  const member& l = *find(*lead);
  return l.applied_config.SerializeAsString() == l.core->configuration().SerializeAsString();
}

// -- clients ------------------------------------------------------------------------------------

void raft_cluster::start_clients() {
  clients_.set_members(ids());
  clients_.start(now_);
}

void raft_cluster::send_request(const client_request& request) {
  for (int64_t delay : network_.plan("client", request.member, rng_))
    schedule(now_ + delay, request_delivery{request});
}

void raft_cluster::set_client_timer(std::size_t client, int64_t delay_ms, uint64_t token) {
  schedule(now_ + delay_ms, client_timer{client, token});
}

void raft_cluster::reply(member& m, const client_request& request, client_reply::kind what,
                         const kv_output& output) {
  client_reply r;
  r.client = request.client;
  r.sequence = request.sequence;
  r.attempt = request.attempt;
  r.what = what;
  r.output = output;
  if (m.core) r.leader_hint = m.core->leader_hint();
  for (int64_t delay : network_.plan(m.id, "client", rng_))
    schedule(now_ + delay, reply_delivery{r});
}

void raft_cluster::on_request(member& m, const client_request& request) {
  if (request.input.kind == kv_kind::get) {
    const uint64_t id = next_read_++;
    if (!m.core->read_index(id)) return reply(m, request, client_reply::kind::not_leader);
    m.reads_started.emplace(id, request);
  } else {
    auto p = m.core->propose(encode_kv_command(request.client_id, request.sequence, request.input));
    if (!p) return reply(m, request, client_reply::kind::not_leader);
    m.proposals[p->index] = member::pending_write{p->term, request};
  }
  drain(m);
}

// -- checks -----------------------------------------------------------------------------------

std::string raft_cluster::state_of(const std::string& id) const {
  const member* m = find(id);
  return m == nullptr || !m->core ? std::string() : m->kv.serialize();
}

std::string raft_cluster::settle(int64_t max_ms) {
  network_.heal();
  network_faults calm;
  calm.min_delay_ms = options_.network.min_delay_ms;
  calm.max_delay_ms = options_.network.max_delay_ms;
  network_.set_faults(calm);
  for (const auto& id : ids())
    restart(id);
  clients_.stop();
  auto converged = [&] {
    auto lead = leader();
    if (!lead || !clients_.idle()) return false;
    const raft_core& l = *core(*lead);
    if (l.commit_index() != l.last_index()) return false;
    for (const auto& id : configuration()) {
      const raft_core* c = core(id);
      if (c == nullptr || find(id)->kv.applied_index() != l.commit_index()) return false;
    }
    return true;
  };
  if (!run_until(converged, max_ms)) {
    if (exhausted())
      return "the step budget of " + std::to_string(options_.max_steps) +
             " ran out (a message storm?):\n" + describe();
    return "the cluster did not converge:\n" + describe();
  }
  const auto config = configuration();
  const std::string reference = state_of(config.front());
  for (const auto& id : config)
    if (state_of(id) != reference)
      return "state machines differ: " + config.front() + " and " + id + "\n" + describe();
  return {};
}

std::string raft_cluster::describe() const {
  std::ostringstream out;
  out << "t=" << now_ << "ms";
  for (const auto& [id, m] : members_) {
    out << "\n  " << id << ": ";
    if (m->retired) {
      out << "retired";
      continue;
    }
    if (!m->core) {
      out << "down";
      continue;
    }
    const auto& c = *m->core;
    out << to_string(c.current_role()) << " term " << c.term() << " log [" << c.first_index()
        << ", " << c.last_index() << "] commit " << c.commit_index() << " applied "
        << m->kv.applied_index() << " snapshot " << c.snapshot().last_index() << " leader '"
        << c.leader_hint() << "' config";
    for (const auto& x : c.configuration().members())
      out << " " << x.id();
  }
  return out.str();
}

}  // namespace troupe::test_support
