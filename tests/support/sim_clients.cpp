#include "tests/support/sim_clients.hpp"

#include <algorithm>

namespace troupe::test_support {

sim_clients::sim_clients(client_options options, std::mt19937_64& rng, transport& transport)
    : options_(options), rng_(rng), transport_(transport) {
  clients_.resize(options_.clients);
  for (std::size_t i = 0; i < clients_.size(); ++i)
    clients_[i].id = "c" + std::to_string(i + 1);
}

int64_t sim_clients::uniform(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
}

std::string sim_clients::random_member() {
  if (members_.empty()) return {};
  return members_[static_cast<std::size_t>(uniform(0, static_cast<int64_t>(members_.size()) - 1))];
}

void sim_clients::start(int64_t now_ms) {
  running_ = true;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (clients_[i].in_flight) continue;
    clients_[i].what = phase::thinking;
    set_timer(i, uniform(0, options_.think_max_ms));
  }
  (void)now_ms;
}

bool sim_clients::idle() const {
  return std::none_of(clients_.begin(), clients_.end(),
                      [](const client& c) { return c.in_flight; });
}

void sim_clients::set_timer(std::size_t i, int64_t delay_ms) {
  transport_.set_client_timer(i, delay_ms, ++clients_[i].timer);
}

void sim_clients::next_operation(std::size_t i, int64_t now_ms) {
  client& c = clients_[i];
  const std::string key = "k" + std::to_string(uniform(1, static_cast<int64_t>(options_.keys)));
  std::string value = c.id + "." + std::to_string(c.sequence + 1);
  value.append(static_cast<std::size_t>(uniform(0, static_cast<int64_t>(options_.value_padding))),
               '.');
  // Conditional writes use the revision this client last saw, which may be stale.
  auto seen = c.revisions.count(key) ? c.revisions[key] : 0;
  const uint64_t expected = uniform(0, 1) == 0 ? seen : 0;
  const int64_t dice = uniform(0, 99);
  if (dice < 40) {
    c.input = kv_get(key);
  } else if (dice < 60) {
    c.input = kv_create(key, value);
  } else if (dice < 85) {
    c.input = kv_update(key, value, expected);
  } else {
    c.input = kv_delete(key, expected);
  }
  ++c.sequence;
  c.in_flight = true;
  c.attempt = 0;
  c.call_time = now_ms;
  if (c.target.empty() || uniform(0, 99) < options_.wander_percent) c.target = random_member();
  send_attempt(i, now_ms);
}

void sim_clients::send_attempt(std::size_t i, int64_t now_ms) {
  client& c = clients_[i];
  if (now_ms - c.call_time >= options_.give_up_ms) return finish(i, std::nullopt, now_ms);
  ++c.attempt;
  ++stats_.attempts;
  c.what = phase::waiting;
  if (c.target.empty()) c.target = random_member();
  transport_.send_request(client_request{i, c.id, c.target, c.sequence, c.attempt, c.input});
  set_timer(i, options_.attempt_timeout_ms);
}

void sim_clients::retry_later(std::size_t i, const std::string& hint, int64_t delay_ms,
                              int64_t now_ms) {
  client& c = clients_[i];
  c.target = hint.empty() ? random_member() : hint;
  c.what = phase::backing_off;
  set_timer(i, delay_ms);
  (void)now_ms;
}

void sim_clients::finish(std::size_t i, std::optional<kv_output> output, int64_t now_ms) {
  client& c = clients_[i];
  if (output) {
    history_.push_back(
        kv_completed(static_cast<int64_t>(i + 1), c.input, *output, c.call_time, now_ms));
    (c.input.kind == kv_kind::get ? stats_.reads_ok : stats_.writes_ok)++;
    if (output->status == kv_status::ok) {
      if (c.input.kind == kv_kind::remove) {
        c.revisions.erase(c.input.key);
      } else {
        c.revisions[c.input.key] = output->revision;
      }
    }
  } else {
    history_.push_back(kv_unknown_outcome(static_cast<int64_t>(i + 1), c.input, c.call_time));
    ++stats_.unknown;
    c.target.clear();
  }
  c.in_flight = false;
  c.what = phase::thinking;
  set_timer(i, uniform(0, options_.think_max_ms));
}

void sim_clients::on_reply(const client_reply& reply, int64_t now_ms) {
  client& c = clients_[reply.client];
  if (!c.in_flight || reply.sequence != c.sequence) return;  // an old operation's
  if (reply.what == client_reply::kind::done) {
    // Any attempt's result will do: sessions make every attempt's result the same.
    return finish(reply.client, reply.output, now_ms);
  }
  if (reply.attempt != c.attempt || c.what != phase::waiting) return;
  // A not_leader without a hint, or one naming the member itself, sends us elsewhere.
  std::string hint = reply.leader_hint;
  if (reply.what == client_reply::kind::retry && hint.empty()) hint = c.target;
  if (hint == c.target && reply.what == client_reply::kind::not_leader) hint.clear();
  retry_later(reply.client, hint, uniform(1, options_.retry_backoff_ms), now_ms);
}

void sim_clients::on_timer(std::size_t i, uint64_t token, int64_t now_ms) {
  client& c = clients_[i];
  if (token != c.timer) return;  // superseded
  switch (c.what) {
    case phase::thinking:
      if (running_ && !c.in_flight) next_operation(i, now_ms);
      return;
    case phase::backing_off:
      return send_attempt(i, now_ms);
    case phase::waiting:
      // No answer: the member may be down or cut off; try another.
      c.target = random_member();
      return send_attempt(i, now_ms);
  }
}

kv_history sim_clients::history() const {
  kv_history out = history_;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (clients_[i].in_flight)
      out.push_back(kv_unknown_outcome(static_cast<int64_t>(i + 1), clients_[i].input,
                                       clients_[i].call_time));
  }
  return out;
}

}  // namespace troupe::test_support
