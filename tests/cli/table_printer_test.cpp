// troupectl get's human tables, compared with what kubectl 1.32 prints for the same objects.
// Every expected table was laid out by kubectl itself (fed the same cells), so the padding,
// -A, --show-labels and -o wide handling are kubectl's, not a copy of ours.
#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "cli/age.hpp"
#include "cli/table_printer.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"

namespace {

namespace m = troupe::messages;
using troupe::cli::table_options;

// "Now" for every table: 2023-11-14T22:13:20Z.
constexpr int64_t now_ms = 1'700'000'000'000;
constexpr int64_t second = 1000, minute = 60 * second, hour = 60 * minute, day = 24 * hour;

void set_ago(m::Time* t, int64_t ago_ms) {
  const int64_t at = now_ms - ago_ms;
  t->set_seconds(at / 1000);
  t->set_nanos(static_cast<int32_t>(at % 1000) * 1'000'000);
}

// An object named `name`, created `age_ms` before now, in `ns` ("" for cluster-scoped kinds).
template <class T>
T named(const std::string& name, int64_t age_ms, const std::string& ns = "default") {
  T object;
  m::ObjectMeta* meta = object.mutable_metadata();
  meta->set_name(name);
  meta->set_namespace_(ns);
  set_ago(meta->mutable_creation_timestamp(), age_ms);
  return object;
}

std::string table(const m::kind_info& kind,
                  std::initializer_list<const google::protobuf::Message*> objects,
                  table_options options = {}) {
  options.now_ms = now_ms;
  std::vector<const google::protobuf::Message*> list(objects);
  return troupe::cli::print_table(kind, list, options);
}

std::string table(std::string_view resource,
                  std::initializer_list<const google::protobuf::Message*> objects,
                  table_options options = {}) {
  const m::kind_info* kind = m::find_resource(resource);
  BOOST_TEST_REQUIRE(kind != nullptr);
  return table(*kind, objects, options);
}

m::Quantity quantity(int64_t milli, const std::string& format) {
  m::Quantity q;
  q.set_milli(milli);
  q.set_format(format);
  return q;
}
constexpr int64_t mebi = int64_t{1} << 20, gibi = int64_t{1} << 30;

// ---- Pods ----

m::Pod pod(const std::string& name, int64_t age_ms, const std::string& phase,
           const std::string& ns = "default") {
  auto p = named<m::Pod>(name, age_ms, ns);
  p.mutable_status()->set_phase(phase);
  return p;
}

m::ContainerStatus* app(m::Pod& p, const std::string& name) {
  p.mutable_spec()->add_containers()->set_name(name);
  m::ContainerStatus* status = p.mutable_status()->add_container_statuses();
  status->set_name(name);
  return status;
}

m::ContainerStatus* init(m::Pod& p, const std::string& name) {
  p.mutable_spec()->add_init_containers()->set_name(name);
  m::ContainerStatus* status = p.mutable_status()->add_init_container_statuses();
  status->set_name(name);
  return status;
}

void running(m::ContainerStatus* c, bool ready) {
  c->mutable_state()->mutable_running();
  c->set_ready(ready);
}

void waiting(m::ContainerStatus* c, const std::string& reason) {
  c->mutable_state()->mutable_waiting()->set_reason(reason);
}

m::ContainerStateTerminated* terminated(m::ContainerStatus* c) {
  return c->mutable_state()->mutable_terminated();
}

// `count` restarts, the last container exit `ago_ms` before now.
void restarted(m::ContainerStatus* c, int count, int64_t ago_ms) {
  c->set_restart_count(count);
  set_ago(c->mutable_last_state()->mutable_terminated()->mutable_finished_at(), ago_ms);
}

void condition(m::Pod& p, const std::string& type, const std::string& status,
               const std::string& reason = "") {
  m::PodCondition* c = p.mutable_status()->add_conditions();
  c->set_type(type);
  c->set_status(status);
  c->set_reason(reason);
}

// ---- Other kinds ----

m::PodTemplateSpec* with_containers(m::PodTemplateSpec* tmpl,
                                    std::initializer_list<std::pair<std::string, std::string>> cs) {
  for (const auto& [name, image] : cs) {
    m::Container* c = tmpl->mutable_spec()->add_containers();
    c->set_name(name);
    c->set_image(image);
  }
  return tmpl;
}

m::ServicePort* port(m::Service& svc, int32_t number, int32_t node_port = 0) {
  m::ServicePort* p = svc.mutable_spec()->add_ports();
  p->set_port(number);
  p->set_node_port(node_port);
  p->set_protocol("TCP");
  return p;
}

void node_condition(m::Node& n, const std::string& type, const std::string& status) {
  m::NodeCondition* c = n.mutable_status()->add_conditions();
  c->set_type(type);
  c->set_status(status);
}

void node_address(m::Node& n, const std::string& type, const std::string& address) {
  m::NodeAddress* a = n.mutable_status()->add_addresses();
  a->set_type(type);
  a->set_address(address);
}

m::EndpointSubset* subset(m::Endpoints& ep, std::initializer_list<std::string> ips,
                          std::initializer_list<int32_t> ports) {
  m::EndpointSubset* s = ep.add_subsets();
  for (const auto& ip : ips)
    s->add_addresses()->set_ip(ip);
  for (int32_t p : ports)
    s->add_ports()->set_port(p);
  return s;
}

m::Event event(const std::string& name, const std::string& type, const std::string& reason,
               const std::string& pod_name, const std::string& message) {
  auto e = named<m::Event>(name, 0);
  e.set_type(type);
  e.set_reason(reason);
  e.set_message(message);
  e.mutable_involved_object()->set_kind("Pod");
  e.mutable_involved_object()->set_name(pod_name);
  return e;
}

void subject(m::RoleBinding& b, const std::string& kind, const std::string& name,
             const std::string& ns = "") {
  m::Subject* s = b.add_subjects();
  s->set_kind(kind);
  s->set_name(name);
  s->set_namespace_(ns);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_table_printer)

BOOST_AUTO_TEST_CASE(human_duration_matches_kubectl) {
  // k8s.io/apimachinery/pkg/util/duration's own cases, in milliseconds.
  struct {
    int64_t ms;
    const char* text;
  } cases[] = {
      {-2 * second, "<invalid>"},
      {-2 * second + 1, "0s"},
      {0, "0s"},
      {second - 1, "0s"},
      {second, "1s"},
      {59 * second, "59s"},
      {70 * second, "70s"},
      {2 * minute - 1, "119s"},
      {2 * minute, "2m"},
      {2 * minute + second, "2m1s"},
      {190 * second, "3m10s"},
      {5 * minute + 10 * second, "5m10s"},
      {10 * minute - 1, "9m59s"},
      {10 * minute, "10m"},
      {10 * minute + second, "10m"},
      {70 * minute, "70m"},
      {3 * hour - 1, "179m"},
      {3 * hour, "3h"},
      {3 * hour + minute, "3h1m"},
      {3 * hour + 5 * minute, "3h5m"},
      {8 * hour - 1, "7h59m"},
      {8 * hour, "8h"},
      {8 * hour + 59 * minute, "8h"},
      {47 * hour, "47h"},
      {2 * day - 1, "47h"},
      {2 * day, "2d"},
      {49 * hour, "2d1h"},
      {2 * day + 3 * hour, "2d3h"},
      {8 * day - 1, "7d23h"},
      {8 * day, "8d"},
      {8 * day + 23 * hour, "8d"},
      {367 * day, "367d"},
      {400 * day, "400d"},
      {2 * 365 * day - 1, "729d"},
      {2 * 365 * day, "2y"},
      {2 * 365 * day + 24 * hour - 1, "2y"},
      {2 * 365 * day + 25 * hour, "2y1d"},
      {3 * 365 * day + 100 * day, "3y100d"},
      {8 * 365 * day - 1, "7y364d"},
      {8 * 365 * day, "8y"},
      {8 * 365 * day + 364 * day, "8y"},
      {9 * 365 * day, "9y"},
  };
  for (const auto& c : cases)
    BOOST_TEST(troupe::cli::human_duration(c.ms) == c.text, c.ms << " ms");
}

BOOST_AUTO_TEST_CASE(age_is_unknown_without_creation_time) {
  BOOST_TEST(troupe::cli::age(0, now_ms) == "<unknown>");
  BOOST_TEST(troupe::cli::age(now_ms - 5 * minute, now_ms) == "5m");
  BOOST_TEST(troupe::cli::age(now_ms + 10 * second, now_ms) == "<invalid>");
}

BOOST_AUTO_TEST_CASE(regression_age_of_a_sub_millisecond_time) {
  // Created 119.9995s ago: kubectl says 119s; rounding the time down to whole milliseconds
  // would say 2m.
  auto cm = named<m::ConfigMap>("c", 0);
  m::Time* created = cm.mutable_metadata()->mutable_creation_timestamp();
  created->set_seconds(now_ms / 1000 - 120);
  created->set_nanos(500'000);
  BOOST_TEST(table("configmaps", {&cm}, {.no_headers = true}) == "c     0     119s\n");
}

BOOST_AUTO_TEST_CASE(pods_show_ready_status_restarts_and_age) {
  auto web1 = pod("web-1", 3 * hour, "Running");
  running(app(web1, "nginx"), true);
  condition(web1, "Ready", "True");

  auto web2 = pod("web-2", 5 * second, "Pending");
  waiting(app(web2, "nginx"), "ContainerCreating");

  auto crash = pod("crash", 2 * day + 3 * hour, "Running");
  m::ContainerStatus* c = app(crash, "app");
  waiting(c, "CrashLoopBackOff");
  restarted(c, 5, 5 * minute);

  auto old = pod("old", 45 * second, "Running");
  running(app(old, "nginx"), true);
  set_ago(old.mutable_metadata()->mutable_deletion_timestamp(), 0);

  BOOST_TEST(table("pods", {&web1, &web2, &crash, &old}) ==
             "NAME    READY   STATUS              RESTARTS     AGE\n"
             "web-1   1/1     Running             0            3h\n"
             "web-2   0/1     ContainerCreating   0            5s\n"
             "crash   0/1     CrashLoopBackOff    5 (5m ago)   2d3h\n"
             "old     1/1     Terminating         0            45s\n");
}

BOOST_AUTO_TEST_CASE(pods_wide_all_namespaces_show_labels) {
  auto web = pod("web-1", 3 * hour, "Running");
  running(app(web, "nginx"), true);
  (*web.mutable_metadata()->mutable_labels())["tier"] = "frontend";
  (*web.mutable_metadata()->mutable_labels())["app"] = "web";
  web.mutable_spec()->set_node_name("node-a");
  web.mutable_status()->add_pod_ips()->set_ip("10.244.1.5");
  // One gate met, one whose condition has not been reported.
  web.mutable_spec()->add_readiness_gates()->set_condition_type("example.com/lb");
  web.mutable_spec()->add_readiness_gates()->set_condition_type("example.com/dns");
  condition(web, "example.com/lb", "True");

  auto dns = pod("dns", 8 * day - minute, "Pending", "kube-system");
  dns.mutable_spec()->add_containers()->set_name("coredns");
  dns.mutable_status()->set_nominated_node_name("node-b");

  BOOST_TEST(
      table("pods", {&web, &dns}, {.wide = true, .show_labels = true, .all_namespaces = true}) ==
      "NAMESPACE     NAME    READY   STATUS    RESTARTS   AGE     IP           NODE     "
      "NOMINATED NODE   READINESS GATES   LABELS\n"
      "default       web-1   1/1     Running   0          3h      10.244.1.5   node-a   "
      "<none>           1/2               app=web,tier=frontend\n"
      "kube-system   dns     0/1     Pending   0          7d23h   <none>       <none>   "
      "node-b           <none>            <none>\n");
  BOOST_TEST(table("pods", {&web, &dns}, {.show_labels = true}) ==
             "NAME    READY   STATUS    RESTARTS   AGE     LABELS\n"
             "web-1   1/1     Running   0          3h      app=web,tier=frontend\n"
             "dns     0/1     Pending   0          7d23h   <none>\n");
}

BOOST_AUTO_TEST_CASE(pod_status_follows_kubectl_rules) {
  struct status_case {
    const char* what;
    m::Pod pod;
    const char* row;  // --no-headers, so each row is laid out on its own
  };
  std::vector<status_case> cases;
  auto add = [&](const char* what, m::Pod p, const char* row) {
    cases.push_back({what, std::move(p), row});
  };
  {
    auto p = pod("p", 5 * second, "Pending");
    running(init(p, "setup"), false);
    waiting(app(p, "app"), "PodInitializing");
    add("an init container still running", p, "p     0/1   Init:0/1   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    m::ContainerStatus* c = init(p, "setup");
    waiting(c, "CrashLoopBackOff");
    restarted(c, 3, minute);
    waiting(app(p, "app"), "PodInitializing");
    add("an init container crash-looping", p,
        "p     0/1   Init:CrashLoopBackOff   3 (60s ago)   5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    terminated(init(p, "setup"))->set_exit_code(1);
    app(p, "app");
    add("an init container failed without a reason", p, "p     0/1   Init:ExitCode:1   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    m::ContainerStateTerminated* killed = terminated(init(p, "setup"));
    killed->set_exit_code(137);
    killed->set_signal(9);
    app(p, "app");
    add("an init container killed by a signal", p, "p     0/1   Init:Signal:9   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    terminated(init(p, "first"))->set_reason("Completed");
    running(init(p, "second"), false);
    app(p, "app");
    add("the second of two init containers running", p, "p     0/1   Init:1/2   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    terminated(init(p, "first"))->set_reason("Completed");
    waiting(init(p, "second"), "PodInitializing");
    app(p, "app");
    add("the second of two init containers about to start", p, "p     0/1   Init:1/2   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Succeeded");
    terminated(app(p, "job"))->set_reason("Completed");
    add("a finished pod", p, "p     0/1   Completed   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    m::ContainerStateTerminated* killed = terminated(app(p, "app"));
    killed->set_exit_code(137);
    killed->set_signal(9);
    add("a container killed by a signal", p, "p     0/1   Signal:9   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    terminated(app(p, "app"))->set_exit_code(137);
    add("a container exited without a reason", p, "p     0/1   ExitCode:137   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    terminated(app(p, "migrate"))->set_reason("Completed");
    running(app(p, "server"), true);
    condition(p, "Ready", "True");
    add("one container done, one running, pod ready", p, "p     1/2   Running   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    terminated(app(p, "migrate"))->set_reason("Completed");
    running(app(p, "server"), true);
    add("one container done, one running, pod not ready", p, "p     1/2   NotReady   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    app(p, "app");
    condition(p, "PodScheduled", "False", "SchedulingGated");
    add("scheduling gates not yet removed", p, "p     0/1   SchedulingGated   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    p.mutable_status()->set_reason("NodeLost");
    app(p, "app");
    set_ago(p.mutable_metadata()->mutable_deletion_timestamp(), 0);
    add("deleted on an unreachable node", p, "p     0/1   Unknown   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Succeeded");
    terminated(app(p, "job"))->set_reason("Completed");
    set_ago(p.mutable_metadata()->mutable_deletion_timestamp(), 0);
    add("deleted after it finished", p, "p     0/1   Completed   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    m::ContainerStatus* proxy = init(p, "proxy");
    p.mutable_spec()->mutable_init_containers(0)->set_restart_policy("Always");
    running(proxy, true);
    proxy->set_started(true);
    restarted(proxy, 2, 10 * minute);
    m::ContainerStatus* server = app(p, "server");
    running(server, true);
    restarted(server, 1, 3 * minute);
    condition(p, "Initialized", "True");
    add("a sidecar counts in READY and RESTARTS", p, "p     2/2   Running   3 (3m ago)   5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Failed");
    p.mutable_status()->set_reason("Evicted");
    app(p, "app");
    add("status.reason wins over the phase", p, "p     0/1   Evicted   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    m::ContainerStatus* c = app(p, "app");
    running(c, true);
    c->set_restart_count(2);
    add("restarts without a recorded exit time", p, "p     1/1   Running   2     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Pending");
    waiting(app(p, "web"), "ImagePullBackOff");
    waiting(app(p, "log"), "ContainerCreating");
    add("the first container's reason wins", p, "p     0/2   ImagePullBackOff   0     5s\n");
  }
  {
    auto p = pod("p", 5 * second, "Running");
    m::ContainerStatus* setup = init(p, "setup");
    terminated(setup)->set_reason("Completed");
    restarted(setup, 2, 4 * minute);
    m::ContainerStatus* server = app(p, "server");
    running(server, true);
    restarted(server, 1, 3 * minute);
    add("restarts of finished init containers do not count", p,
        "p     1/1   Running   1 (3m ago)   5s\n");
  }
  for (const status_case& c : cases)
    BOOST_TEST(table("pods", {&c.pod}, {.no_headers = true}) == c.row, c.what);
}

BOOST_AUTO_TEST_CASE(deployments_ready_up_to_date_available_and_wide) {
  auto web = named<m::Deployment>("web", 10 * minute);
  web.mutable_spec()->set_replicas(3);
  (*web.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  with_containers(web.mutable_spec()->mutable_template_(),
                  {{"nginx", "nginx:1.27"}, {"envoy", "envoyproxy/envoy:v1.30"}});
  web.mutable_status()->set_ready_replicas(2);
  web.mutable_status()->set_updated_replicas(3);
  web.mutable_status()->set_available_replicas(2);

  auto api = named<m::Deployment>("api", 45 * second);
  api.mutable_spec()->set_replicas(1);
  m::LabelSelector* selector = api.mutable_spec()->mutable_selector();
  (*selector->mutable_match_labels())["app"] = "api";
  m::LabelSelectorRequirement* tier = selector->add_match_expressions();
  tier->set_key("tier");
  tier->set_operator_("In");
  tier->add_values("cache");
  tier->add_values("backend");
  with_containers(api.mutable_spec()->mutable_template_(), {{"api", "troupe/api:2"}});
  api.mutable_status()->set_updated_replicas(1);

  BOOST_TEST(table("deployments", {&web, &api}) ==
             "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
             "web    2/3     3            2           10m\n"
             "api    0/1     1            0           45s\n");
  BOOST_TEST(table("deploy", {&web, &api}, {.wide = true}) ==
             "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS    IMAGES                 "
             "             SELECTOR\n"
             "web    2/3     3            2           10m   nginx,envoy   nginx:1.27,envoyproxy/"
             "envoy:v1.30   app=web\n"
             "api    0/1     1            0           45s   api           troupe/api:2           "
             "             app=api,tier in (backend,cache)\n");
}

BOOST_AUTO_TEST_CASE(replicasets_desired_current_ready_and_wide) {
  auto rs = [](const std::string& hash, int32_t replicas, int64_t age_ms,
               const std::string& image) {
    auto r = named<m::ReplicaSet>("web-" + hash, age_ms);
    r.mutable_spec()->set_replicas(replicas);
    auto& labels = *r.mutable_spec()->mutable_selector()->mutable_match_labels();
    labels["pod-template-hash"] = hash;
    labels["app"] = "web";
    with_containers(r.mutable_spec()->mutable_template_(), {{"nginx", image}});
    r.mutable_status()->set_replicas(replicas);
    r.mutable_status()->set_ready_replicas(replicas);
    return r;
  };
  auto current = rs("7d4b9c", 3, 10 * minute, "nginx:1.27");
  auto previous = rs("5f6a7b", 0, 3 * day, "nginx:1.26");

  BOOST_TEST(table("replicasets", {&current, &previous}) ==
             "NAME         DESIRED   CURRENT   READY   AGE\n"
             "web-7d4b9c   3         3         3       10m\n"
             "web-5f6a7b   0         0         0       3d\n");
  BOOST_TEST(table("rs", {&current, &previous}, {.wide = true}) ==
             "NAME         DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR\n"
             "web-7d4b9c   3         3         3       10m   nginx        nginx:1.27   "
             "app=web,pod-template-hash=7d4b9c\n"
             "web-5f6a7b   0         0         0       3d    nginx        nginx:1.26   "
             "app=web,pod-template-hash=5f6a7b\n");
}

BOOST_AUTO_TEST_CASE(replicationcontrollers_select_by_label_map) {
  auto rc = named<m::ReplicationController>("frontend", 400 * day);
  rc.mutable_spec()->set_replicas(2);
  (*rc.mutable_spec()->mutable_selector())["tier"] = "frontend";
  (*rc.mutable_spec()->mutable_selector())["app"] = "guestbook";
  with_containers(rc.mutable_spec()->mutable_template_(),
                  {{"php-redis", "gcr.io/google-samples/gb-frontend:v4"}});
  rc.mutable_status()->set_replicas(2);
  rc.mutable_status()->set_ready_replicas(1);

  BOOST_TEST(table("rc", {&rc}, {.wide = true}) ==
             "NAME       DESIRED   CURRENT   READY   AGE    CONTAINERS   IMAGES               "
             "                  SELECTOR\n"
             "frontend   2         2         1       400d   php-redis    gcr.io/google-samples/"
             "gb-frontend:v4   app=guestbook,tier=frontend\n");
}

namespace {

struct service_fixture {
  m::Service kubernetes = named<m::Service>("kubernetes", 400 * day);
  m::Service web = named<m::Service>("web", 5 * minute + 10 * second);
  m::Service shop = named<m::Service>("shop", 2 * minute, "shop");

  service_fixture() {
    kubernetes.mutable_spec()->set_type("ClusterIP");
    kubernetes.mutable_spec()->set_cluster_ip("10.96.0.1");
    kubernetes.mutable_spec()->add_cluster_ips("10.96.0.1");
    port(kubernetes, 443);

    web.mutable_spec()->set_type("NodePort");
    web.mutable_spec()->add_cluster_ips("10.96.12.34");
    (*web.mutable_spec()->mutable_selector())["app"] = "web";
    port(web, 80, 30080);
    port(web, 443, 30443);

    // Only clusterIP, as an object written before clusterIPs existed: printed the same.
    shop.mutable_spec()->set_type("LoadBalancer");
    shop.mutable_spec()->set_cluster_ip("10.96.1.1");
    (*shop.mutable_spec()->mutable_selector())["app"] = "shop";
    port(shop, 80);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(services_clusterip_nodeport_and_pending_load_balancer) {
  service_fixture s;
  BOOST_TEST(table("svc", {&s.kubernetes, &s.web, &s.shop}) ==
             "NAME         TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)                      "
             "AGE\n"
             "kubernetes   ClusterIP      10.96.0.1     <none>        443/TCP                      "
             "400d\n"
             "web          NodePort       10.96.12.34   <none>        80:30080/TCP,443:30443/TCP   "
             "5m10s\n"
             "shop         LoadBalancer   10.96.1.1     <pending>     80/TCP                       "
             "2m\n");
}

BOOST_AUTO_TEST_CASE(services_all_namespaces_wide) {
  service_fixture s;
  BOOST_TEST(
      table("services", {&s.kubernetes, &s.web, &s.shop}, {.wide = true, .all_namespaces = true}) ==
      "NAMESPACE   NAME         TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)          "
      "            AGE     SELECTOR\n"
      "default     kubernetes   ClusterIP      10.96.0.1     <none>        443/TCP          "
      "            400d    <none>\n"
      "default     web          NodePort       10.96.12.34   <none>        "
      "80:30080/TCP,443:30443/TCP   5m10s   app=web\n"
      "shop        shop         LoadBalancer   10.96.1.1     <pending>     80/TCP           "
      "            2m      app=shop\n");
}

BOOST_AUTO_TEST_CASE(services_external_name_and_load_balancer_address) {
  auto db = named<m::Service>("db", 59 * second);
  db.mutable_spec()->set_type("ExternalName");
  db.mutable_spec()->set_external_name("db.example.com");

  auto elb = named<m::Service>("elb", 3 * 365 * day + 100 * day);
  elb.mutable_spec()->set_type("LoadBalancer");
  elb.mutable_spec()->add_cluster_ips("10.96.7.7");
  port(elb, 80, 31000);
  elb.mutable_status()->mutable_load_balancer()->add_ingress()->set_hostname(
      "a1b2c3d4e5f6.elb.amazonaws.com");

  // Without -o wide a load balancer's address is cut to 16 characters.
  BOOST_TEST(table("svc", {&db, &elb}) ==
             "NAME   TYPE           CLUSTER-IP   EXTERNAL-IP        PORT(S)        AGE\n"
             "db     ExternalName   <none>       db.example.com     <none>         59s\n"
             "elb    LoadBalancer   10.96.7.7    a1b2c3d4e5f6....   80:31000/TCP   3y100d\n");
  BOOST_TEST(table("svc", {&elb}, {.wide = true, .no_headers = true}) ==
             "elb   LoadBalancer   10.96.7.7   a1b2c3d4e5f6.elb.amazonaws.com   80:31000/TCP   "
             "3y100d   <none>\n");
}

namespace {

struct node_fixture {
  m::Node control = named<m::Node>("control", 400 * day, "");
  m::Node worker1 = named<m::Node>("worker-1", 3 * hour + 5 * minute, "");
  m::Node worker2 = named<m::Node>("worker-2", 2 * day, "");

  node_fixture() {
    (*control.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/control-plane"] = "";
    (*control.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = "control";
    node_condition(control, "MemoryPressure", "False");
    node_condition(control, "Ready", "True");
    node_address(control, "Hostname", "control");
    node_address(control, "InternalIP", "192.168.1.10");
    m::NodeSystemInfo* info = control.mutable_status()->mutable_node_info();
    info->set_kubelet_version("v1.32.0");
    info->set_os_image("Debian GNU/Linux 12 (bookworm)");
    info->set_kernel_version("6.1.0-18-amd64");
    info->set_container_runtime_version("containerd://1.7.13");

    node_condition(worker1, "Ready", "False");
    worker1.mutable_spec()->set_unschedulable(true);
    node_address(worker1, "InternalIP", "192.168.1.11");
    node_address(worker1, "ExternalIP", "203.0.113.7");
    worker1.mutable_status()->mutable_node_info()->set_kubelet_version("v1.32.0");

    // No Ready condition yet; a role from the older kubernetes.io/role label.
    (*worker2.mutable_metadata()->mutable_labels())["kubernetes.io/role"] = "worker";
    worker2.mutable_status()->mutable_node_info()->set_kubelet_version("v1.31.4");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(nodes_status_roles_version_and_no_namespace_column) {
  node_fixture n;
  const std::string expected =
      "NAME       STATUS                        ROLES           AGE    VERSION\n"
      "control    Ready                         control-plane   400d   v1.32.0\n"
      "worker-1   NotReady,SchedulingDisabled   <none>          3h5m   v1.32.0\n"
      "worker-2   Unknown                       worker          2d     v1.31.4\n";
  BOOST_TEST(table("nodes", {&n.control, &n.worker1, &n.worker2}) == expected);
  // Nodes are cluster-scoped: -A adds no NAMESPACE column.
  BOOST_TEST(table("no", {&n.control, &n.worker1, &n.worker2}, {.all_namespaces = true}) ==
             expected);
}

BOOST_AUTO_TEST_CASE(nodes_wide) {
  node_fixture n;
  BOOST_TEST(
      table("nodes", {&n.control, &n.worker1, &n.worker2}, {.wide = true}) ==
      "NAME       STATUS                        ROLES           AGE    VERSION   INTERNAL-IP "
      "   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME\n"
      "control    Ready                         control-plane   400d   v1.32.0   192.168.1.10"
      "   <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-18-amd64   "
      "containerd://1.7.13\n"
      "worker-1   NotReady,SchedulingDisabled   <none>          3h5m   v1.32.0   192.168.1.11"
      "   203.0.113.7   <unknown>                        <unknown>        <unknown>\n"
      "worker-2   Unknown                       worker          2d     v1.31.4   <none>      "
      "   <none>        <unknown>                        <unknown>        <unknown>\n");
}

BOOST_AUTO_TEST_CASE(namespaces_configmaps_secrets_serviceaccounts) {
  auto default_ns = named<m::Namespace>("default", 400 * day, "");
  default_ns.mutable_status()->set_phase("Active");
  auto dev = named<m::Namespace>("dev", 5 * second, "");
  dev.mutable_status()->set_phase("Terminating");
  BOOST_TEST(table("ns", {&default_ns, &dev}) ==
             "NAME      STATUS        AGE\n"
             "default   Active        400d\n"
             "dev       Terminating   5s\n");

  auto settings = named<m::ConfigMap>("settings", 3 * hour + minute);
  (*settings.mutable_data())["a"] = "1";
  (*settings.mutable_data())["b"] = "2";
  (*settings.mutable_binary_data())["logo.png"] = "\x89PNG";
  auto ca = named<m::ConfigMap>("kube-root-ca.crt", 400 * day);
  (*ca.mutable_data())["ca.crt"] = "-----BEGIN CERTIFICATE-----";
  BOOST_TEST(table("cm", {&settings, &ca}) ==
             "NAME               DATA   AGE\n"
             "settings           3      3h1m\n"
             "kube-root-ca.crt   1      400d\n");

  auto tls = named<m::Secret>("web-tls", 8 * day);
  tls.set_type("kubernetes.io/tls");
  (*tls.mutable_data())["tls.crt"] = "c";
  (*tls.mutable_data())["tls.key"] = "k";
  auto db = named<m::Secret>("db", 2 * 365 * day - 1);
  db.set_type("Opaque");
  (*db.mutable_data())["password"] = "p";
  BOOST_TEST(table("secrets", {&tls, &db}) ==
             "NAME      TYPE                DATA   AGE\n"
             "web-tls   kubernetes.io/tls   2      8d\n"
             "db        Opaque              1      729d\n");

  auto default_sa = named<m::ServiceAccount>("default", 400 * day);
  auto builder = named<m::ServiceAccount>("builder", 2 * 365 * day);
  builder.add_secrets()->set_name("builder-token");
  BOOST_TEST(table("sa", {&default_sa, &builder}) ==
             "NAME      SECRETS   AGE\n"
             "default   0         400d\n"
             "builder   1         2y\n");
}

BOOST_AUTO_TEST_CASE(endpoints_list_three_then_count_the_rest) {
  auto web = named<m::Endpoints>("web", 10 * minute);
  subset(web, {"10.244.1.5", "10.244.2.7"}, {80});
  auto big = named<m::Endpoints>("big", 10 * minute);
  subset(big, {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}, {80});
  // A headless service's subset without ports lists bare IPs; IPv6 gets brackets.
  auto headless = named<m::Endpoints>("headless", 10 * minute);
  subset(headless, {"10.0.0.9"}, {});
  subset(headless, {"fd00::1"}, {53});
  auto pending = named<m::Endpoints>("pending", 5 * second);
  BOOST_TEST(table("ep", {&web, &big, &headless, &pending}) ==
             "NAME       ENDPOINTS                                         AGE\n"
             "web        10.244.1.5:80,10.244.2.7:80                       10m\n"
             "big        10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...   10m\n"
             "headless   10.0.0.9,[fd00::1]:53                             10m\n"
             "pending    <none>                                            5s\n");
}

BOOST_AUTO_TEST_CASE(persistent_volumes_and_claims) {
  auto pv1 = named<m::PersistentVolume>("pv0001", 5 * minute, "");
  m::PersistentVolumeSpec* spec = pv1.mutable_spec();
  (*spec->mutable_capacity())["storage"] = quantity(10 * gibi * 1000, "BinarySI");
  spec->add_access_modes("ReadWriteMany");
  spec->add_access_modes("ReadWriteOnce");
  spec->set_persistent_volume_reclaim_policy("Retain");
  spec->mutable_claim_ref()->set_namespace_("default");
  spec->mutable_claim_ref()->set_name("myclaim");
  spec->set_storage_class_name("manual");
  spec->set_volume_mode("Filesystem");
  pv1.mutable_status()->set_phase("Bound");

  auto pv2 = named<m::PersistentVolume>("pv0002", 3 * hour, "");
  pv2.mutable_spec()->add_access_modes("ReadWriteOncePod");
  pv2.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  pv2.mutable_status()->set_phase("Released");
  set_ago(pv2.mutable_metadata()->mutable_deletion_timestamp(), 0);

  BOOST_TEST(table("pv", {&pv1, &pv2}) ==
             "NAME     CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS        CLAIM             "
             "STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n"
             "pv0001   10Gi       RWO,RWX        Retain           Bound         default/myclaim   "
             "manual         <unset>                          5m\n"
             "pv0002   0          RWOP           Delete           Terminating                     "
             "               <unset>                          3h\n");
  BOOST_TEST(table("pv", {&pv1, &pv2}, {.wide = true}) ==
             "NAME     CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS        CLAIM             "
             "STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE   VOLUMEMODE\n"
             "pv0001   10Gi       RWO,RWX        Retain           Bound         default/myclaim   "
             "manual         <unset>                          5m    Filesystem\n"
             "pv0002   0          RWOP           Delete           Terminating                     "
             "               <unset>                          3h    <unset>\n");

  auto bound = named<m::PersistentVolumeClaim>("myclaim", 5 * minute);
  bound.mutable_spec()->set_volume_name("pv0001");
  bound.mutable_spec()->set_storage_class_name("manual");
  bound.mutable_status()->set_phase("Bound");
  bound.mutable_status()->add_access_modes("ReadWriteOnce");
  bound.mutable_status()->add_access_modes("ReadWriteMany");
  (*bound.mutable_status()->mutable_capacity())["storage"] = quantity(10 * gibi * 1000, "BinarySI");
  // The beta annotation names the class when present.
  auto fast = named<m::PersistentVolumeClaim>("fast", 10 * second);
  (*fast.mutable_metadata()->mutable_annotations())["volume.beta.kubernetes.io/storage-class"] =
      "ssd";
  fast.mutable_spec()->set_storage_class_name("standard");
  fast.mutable_spec()->add_access_modes("ReadWriteOnce");
  fast.mutable_status()->set_phase("Pending");
  BOOST_TEST(table("pvc", {&bound, &fast}) ==
             "NAME      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   "
             "VOLUMEATTRIBUTESCLASS   AGE\n"
             "myclaim   Bound     pv0001   10Gi       RWO,RWX        manual         <unset>        "
             "         5m\n"
             "fast      Pending                                      ssd            <unset>        "
             "         10s\n");
}

BOOST_AUTO_TEST_CASE(horizontal_pod_autoscalers_v2_targets) {
  auto web = named<m::HorizontalPodAutoscaler>("web", 2 * day + 3 * hour);
  m::HorizontalPodAutoscalerSpec* spec = web.mutable_spec();
  spec->mutable_scale_target_ref()->set_kind("Deployment");
  spec->mutable_scale_target_ref()->set_name("web");
  spec->set_min_replicas(1);
  spec->set_max_replicas(10);
  m::MetricSpec* cpu = spec->add_metrics();
  cpu->set_type("Resource");
  cpu->mutable_resource()->set_name("cpu");
  cpu->mutable_resource()->mutable_target()->set_type("Utilization");
  cpu->mutable_resource()->mutable_target()->set_average_utilization(80);
  m::MetricSpec* memory = spec->add_metrics();
  memory->set_type("Resource");
  memory->mutable_resource()->set_name("memory");
  memory->mutable_resource()->mutable_target()->set_type("AverageValue");
  *memory->mutable_resource()->mutable_target()->mutable_average_value() =
      quantity(200 * mebi * 1000, "BinarySI");
  m::MetricSpec* requests = spec->add_metrics();
  requests->set_type("Pods");
  requests->mutable_pods()->mutable_metric()->set_name("requests_per_second");
  *requests->mutable_pods()->mutable_target()->mutable_average_value() = quantity(1000, "");
  m::MetricStatus* cpu_now = web.mutable_status()->add_current_metrics();
  cpu_now->set_type("Resource");
  cpu_now->mutable_resource()->set_name("cpu");
  cpu_now->mutable_resource()->mutable_current()->set_average_utilization(45);
  m::MetricStatus* memory_now = web.mutable_status()->add_current_metrics();
  memory_now->set_type("Resource");
  memory_now->mutable_resource()->set_name("memory");
  *memory_now->mutable_resource()->mutable_current()->mutable_average_value() =
      quantity(100 * mebi * 1000, "BinarySI");
  web.mutable_status()->set_current_replicas(3);

  // No status yet, no minReplicas.
  auto api = named<m::HorizontalPodAutoscaler>("api", 30 * second);
  api.mutable_spec()->mutable_scale_target_ref()->set_kind("Deployment");
  api.mutable_spec()->mutable_scale_target_ref()->set_name("api");
  api.mutable_spec()->set_max_replicas(5);
  m::MetricSpec* api_cpu = api.mutable_spec()->add_metrics();
  api_cpu->set_type("Resource");
  api_cpu->mutable_resource()->set_name("cpu");
  api_cpu->mutable_resource()->mutable_target()->set_average_utilization(80);

  BOOST_TEST(table("hpa", {&web, &api}) ==
             "NAME   REFERENCE        TARGETS                                         MINPODS   "
             "MAXPODS   REPLICAS   AGE\n"
             "web    Deployment/web   cpu: 45%/80%, memory: 100Mi/200Mi + 1 more...   1         "
             "10        3          2d3h\n"
             "api    Deployment/api   cpu: <unknown>/80%                              <unset>   "
             "5         0          30s\n");
}

BOOST_AUTO_TEST_CASE(horizontal_pod_autoscalers_v1_cpu_percentage) {
  auto legacy = named<m::HorizontalPodAutoscalerV1>("legacy", 3 * hour);
  legacy.mutable_spec()->mutable_scale_target_ref()->set_kind("ReplicationController");
  legacy.mutable_spec()->mutable_scale_target_ref()->set_name("frontend");
  legacy.mutable_spec()->set_min_replicas(2);
  legacy.mutable_spec()->set_max_replicas(4);
  legacy.mutable_spec()->set_target_cpu_utilization_percentage(50);
  legacy.mutable_status()->set_current_cpu_utilization_percentage(12);
  legacy.mutable_status()->set_current_replicas(2);
  auto fresh = named<m::HorizontalPodAutoscalerV1>("fresh", 0);
  fresh.mutable_spec()->mutable_scale_target_ref()->set_kind("Deployment");
  fresh.mutable_spec()->mutable_scale_target_ref()->set_name("fresh");
  fresh.mutable_spec()->set_min_replicas(1);
  fresh.mutable_spec()->set_max_replicas(3);
  fresh.mutable_spec()->set_target_cpu_utilization_percentage(80);

  const m::kind_info* v1 = m::find_kind("autoscaling/v1", "HorizontalPodAutoscaler");
  BOOST_TEST_REQUIRE(v1 != nullptr);
  BOOST_TEST(table(*v1, {&legacy, &fresh}) ==
             "NAME     REFERENCE                        TARGETS              MINPODS   MAXPODS   "
             "REPLICAS   AGE\n"
             "legacy   ReplicationController/frontend   cpu: 12%/50%         2         4         "
             "2          3h\n"
             "fresh    Deployment/fresh                 cpu: <unknown>/80%   1         3         "
             "0          0s\n");
}

BOOST_AUTO_TEST_CASE(events_last_seen_object_message_and_wide) {
  auto scheduled = event("web-1.17a", "Normal", "Scheduled", "web-1",
                         "Successfully assigned default/web-1 to node-a");
  scheduled.mutable_source()->set_component("default-scheduler");
  set_ago(scheduled.mutable_first_timestamp(), 30 * second);
  set_ago(scheduled.mutable_last_timestamp(), 30 * second);  // no count: seen once

  // A multi-line message shows its first line and "...".
  auto backoff = event("crash.17b", "Warning", "BackOff", "crash",
                       "Back-off restarting failed container\nsecond line\n");
  backoff.mutable_involved_object()->set_field_path("spec.containers{app}");
  backoff.mutable_source()->set_component("kubelet");
  backoff.mutable_source()->set_host("node-b");
  set_ago(backoff.mutable_first_timestamp(), 10 * minute);
  set_ago(backoff.mutable_last_timestamp(), 2 * minute);
  backoff.set_count(12);

  // An events.k8s.io-style event: eventTime and series instead of timestamps and count.
  auto pulled = event("web-1.17c", "Normal", "Pulled", "web-1", "  Container image pulled  ");
  pulled.set_reporting_component("kubelet");
  set_ago(pulled.mutable_event_time(), 3 * minute);
  pulled.mutable_series()->set_count(4);
  set_ago(pulled.mutable_series()->mutable_last_observed_time(), 5 * second);

  BOOST_TEST(table("events", {&scheduled, &backoff, &pulled}) ==
             "LAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n"
             "30s         Normal    Scheduled   pod/web-1   Successfully assigned default/web-1 "
             "to node-a\n"
             "2m          Warning   BackOff     pod/crash   Back-off restarting failed "
             "container...\n"
             "5s          Normal    Pulled      pod/web-1   Container image pulled\n");
  BOOST_TEST(
      table("ev", {&scheduled, &backoff, &pulled}, {.wide = true}) ==
      "LAST SEEN   TYPE      REASON      OBJECT      SUBOBJECT              SOURCE          "
      "    MESSAGE                                         FIRST SEEN   COUNT   NAME\n"
      "30s         Normal    Scheduled   pod/web-1                          "
      "default-scheduler   Successfully assigned default/web-1 to node-a   30s          1 "
      "      web-1.17a\n"
      "2m          Warning   BackOff     pod/crash   spec.containers{app}   kubelet, node-b "
      "    Back-off restarting failed container...         10m          12      crash.17b\n"
      "5s          Normal    Pulled      pod/web-1                          kubelet         "
      "    Container image pulled                          3m           4       web-1.17c\n");
}

BOOST_AUTO_TEST_CASE(regression_cells_escape_terminal_sequences_and_count_characters) {
  // ESC shows as "^[", and a column's width counts characters, not UTF-8 bytes.
  auto reset = event("a", "Warning",
                     "Zur\xC3\xBC"
                     "ckgesetzt",
                     "web-1", "esc \x1b[31mred");
  reset.set_reporting_component("kubelet");
  set_ago(reset.mutable_last_timestamp(), 5 * second);
  auto pulled = event("b", "Normal", "Pulled", "web-1", "ok");
  set_ago(pulled.mutable_last_timestamp(), 3 * minute);
  BOOST_TEST(table("events", {&reset, &pulled}) ==
             "LAST SEEN   TYPE      REASON          OBJECT      MESSAGE\n"
             "5s          Warning   Zur\xC3\xBC"
             "ckgesetzt   pod/web-1   esc ^[[31mred\n"
             "3m          Normal    Pulled          pod/web-1   ok\n");
}

BOOST_AUTO_TEST_CASE(network_policies_and_role_bindings) {
  auto deny_all = named<m::NetworkPolicy>("deny-all", 400 * day);
  deny_all.mutable_spec()->mutable_pod_selector();
  auto allow_web = named<m::NetworkPolicy>("allow-web", 2 * day);
  (*allow_web.mutable_spec()->mutable_pod_selector()->mutable_match_labels())["app"] = "web";
  BOOST_TEST(table("netpol", {&deny_all, &allow_web}) ==
             "NAME        POD-SELECTOR   AGE\n"
             "deny-all    <none>         400d\n"
             "allow-web   app=web        2d\n");

  auto read_pods = named<m::RoleBinding>("read-pods", 10 * minute);
  read_pods.mutable_role_ref()->set_kind("Role");
  read_pods.mutable_role_ref()->set_name("pod-reader");
  subject(read_pods, "User", "jane");
  subject(read_pods, "ServiceAccount", "builder", "default");
  subject(read_pods, "User", "bob");
  auto admins = named<m::RoleBinding>("admins", 3 * day);
  admins.mutable_role_ref()->set_kind("ClusterRole");
  admins.mutable_role_ref()->set_name("admin");
  subject(admins, "Group", "ops");
  BOOST_TEST(table("rolebindings", {&read_pods, &admins}) ==
             "NAME        ROLE                AGE\n"
             "read-pods   Role/pod-reader     10m\n"
             "admins      ClusterRole/admin   3d\n");
  // kubectl pads an empty last-but-one cell even when the last one is empty too.
  BOOST_TEST(table("rolebindings", {&read_pods, &admins}, {.wide = true}) ==
             "NAME        ROLE                AGE   USERS       GROUPS   SERVICEACCOUNTS\n"
             "read-pods   Role/pod-reader     10m   jane, bob            default/builder\n"
             "admins      ClusterRole/admin   3d                ops      \n");
}

BOOST_AUTO_TEST_CASE(kinds_without_a_printer_show_name_and_created_at) {
  auto reader = named<m::Role>("pod-reader", hour);
  auto unset = named<m::Role>("unset", 0);
  unset.mutable_metadata()->clear_creation_timestamp();
  BOOST_TEST(table("roles", {&reader, &unset}) ==
             "NAME         CREATED AT\n"
             "pod-reader   2023-11-14T21:13:20Z\n"
             "unset        0001-01-01T00:00:00Z\n");
}

BOOST_AUTO_TEST_CASE(no_objects_print_nothing) {
  BOOST_TEST(table("pods", {}) == "");
  BOOST_TEST(table("pods", {}, {.wide = true, .all_namespaces = true}) == "");
}

BOOST_AUTO_TEST_SUITE_END()
