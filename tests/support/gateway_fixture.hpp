// A single-member control plane (raft actor, LMDB, gateway) in the test's process, with the
// bare API (no controllers), and calls to its gateway that wait for the answer: the fixture of
// the actor-level suites.
#pragma once

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/control_plane.hpp"
#include "actors/system_config.hpp"
#include "messages/errc.hpp"
#include "messages/proto/api.pb.h"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace troupe::test_support {

using messages::ApiRequest;
using messages::ApiResponse;
using messages::errc;

struct failure {
  errc code;
  std::string message;
};
using outcome = std::variant<ApiResponse, failure>;

// One control plane (a single-member cluster) and a way to call its gateway.
struct fixture {
  temp_dir dir{"troupe-gateway"};
  actors::system_config cfg;
  caf::actor_system system{cfg};
  actors::control_plane plane;

  fixture() {
    actors::control_plane_options options;
    options.raft.id = "s1";
    options.raft.listen = "127.0.0.1:" + std::to_string(free_port());
    options.raft.data_dir = (dir.path() / "data").string();
    options.raft.storage.env.map_size = uint64_t{64} << 20;
    options.raft.heartbeat_ms = 20;
    options.raft.election_timeout_ms = 60;
    options.api_listen = "127.0.0.1:0";
    options.controllers = false;  // the bare API: no controller writes besides the test's
    auto started = actors::start_control_plane(system, options);
    if (!started) BOOST_FAIL("the control plane did not start: " << system.render(started.error()));
    plane = *started;
    // The gateway creates the default namespaces once the member leads.
    for (int i = 0; i < 200; ++i) {
      if (std::holds_alternative<ApiResponse>(get("", "namespaces", "", "default"))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    BOOST_FAIL("the default namespace did not appear within 5 s");
  }
  ~fixture() { actors::stop_control_plane(plane); }

  outcome call(const ApiRequest& request) {
    caf::scoped_actor self{system};
    outcome out = failure{errc::unavailable, "no answer"};
    self->request(plane.gateway, std::chrono::seconds(10), atoms::api_atom_v, request)
        .receive([&](ApiResponse& r) { out = std::move(r); },
                 [&](caf::error& e) {
                   out = failure{static_cast<errc>(e.code()),
                                 e.context().match_elements<std::string>()
                                     ? e.context().get_as<std::string>(0)
                                     : system.render(e)};
                 });
    return out;
  }

  outcome get(const std::string& group, const std::string& resource, const std::string& ns,
              const std::string& name) {
    ApiRequest r;
    r.set_verb(ApiRequest::GET);
    r.set_group(group);
    r.set_resource(resource);
    r.set_namespace_(ns);
    r.set_name(name);
    return call(r);
  }

  outcome write(ApiRequest::Verb verb, const std::string& group, const std::string& resource,
                const std::string& ns, const google::protobuf::Message& object,
                const std::string& name = "") {
    ApiRequest r;
    r.set_verb(verb);
    r.set_group(group);
    r.set_resource(resource);
    r.set_namespace_(ns);
    r.set_name(name);
    r.set_object(object.SerializeAsString());
    return call(r);
  }
};

template <class T>
inline T decoded(const outcome& o) {
  T out;
  if (const auto* f = std::get_if<failure>(&o)) BOOST_FAIL("the call failed: " << f->message);
  BOOST_TEST_REQUIRE(out.ParseFromString(std::get<ApiResponse>(o).object()));
  return out;
}

inline const failure& failed(const outcome& o) {
  BOOST_TEST_REQUIRE(std::holds_alternative<failure>(o), "the call succeeded");
  return std::get<failure>(o);
}

}  // namespace troupe::test_support
