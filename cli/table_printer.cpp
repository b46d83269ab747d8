#include "cli/table_printer.hpp"
#include "cli/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "cli/age.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"
#include "messages/proto/rbac.pb.h"
#include "messages/quantity.hpp"
#include "messages/rfc3339.hpp"

// The columns and cells follow kubectl 1.32, whose tables the API server builds in
// k8s.io/kubernetes/pkg/printers/internalversion/printers.go and kubectl decorates and lays
// out in k8s.io/cli-runtime/pkg/printers/tableprinter.go. What our protos do not model:
// - PersistentVolume and PersistentVolumeClaim have no volumeAttributesClassName, so their
//   VOLUMEATTRIBUTESCLASS is always "<unset>", as kubectl prints it for an unset class.
// - Roles and ClusterRoles have no kubectl printer; like the API server's default table we
//   print NAME and CREATED AT for them (and for any kind added without a printer here).

namespace troupe::cli {
namespace {

namespace pb = google::protobuf;
using row = std::vector<std::string>;

// One column of a kind's table, as printers.go defines it.
struct column {
  constexpr column(const char* name, bool wide = false) : name(name), wide(wide) {}
  std::string_view name;  // kubectl's name, e.g. "Up-to-date"; the header is its upper case
  bool wide;              // only with -o wide (kubectl's priority 1)
};

constexpr column wide(const char* name) {
  return {name, true};
}

[[noreturn]] void broken_invariant(std::string_view what) {
  std::fprintf(stderr, "troupectl: broken invariant in table printer: %.*s\n",
               static_cast<int>(what.size()), what.data());
  std::abort();
}

// ---------------------------------------------------------------------------
// Cell formatting shared by the kinds
// ---------------------------------------------------------------------------

std::string or_none(std::string text) {
  return text.empty() ? "<none>" : text;
}

// Unix milliseconds, rounded up. An age is "now minus this", and kubectl's duration units
// are whole milliseconds or more, so rounding the instant up keeps every age exact.
int64_t unix_ms(const messages::Time& t) {
  return t.seconds() * 1000 + (t.nanos() + 999'999) / 1'000'000;
}

// An unset Time, as Go's zero time.Time is "not set" for kubectl.
bool is_zero(const messages::Time& t) {
  return t.seconds() == 0 && t.nanos() == 0;
}

bool before(const messages::Time& a, const messages::Time& b) {
  return a.seconds() < b.seconds() || (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

// kubectl's translateTimestampSince: "5m", or "<unknown>" for an unset time.
std::string since(const messages::Time& t, const table_options& options) {
  return age(unix_ms(t), options.now_ms);
}

std::string quantity_text(const messages::Quantity& q) {
  auto format = messages::quantity_format_from_string(q.format())
                    .value_or(messages::quantity_format::decimal_si);
  return messages::format_quantity({q.milli(), format});
}

// Go's (*resource.Quantity).String(), which prints a nil quantity as "<nil>".
std::string quantity_or_nil(bool present, const messages::Quantity& q) {
  return present ? quantity_text(q) : "<nil>";
}

// labels.FormatLabels: "k=v" pairs sorted by key and comma separated, "<none>" for none.
std::string format_labels(const pb::Map<std::string, std::string>& labels) {
  std::map<std::string_view, std::string_view> sorted;
  for (const auto& [key, value] : labels)
    sorted.emplace(key, value);
  std::string out;
  for (const auto& [key, value] : sorted) {
    if (!out.empty()) out += ',';
    out.append(key).append("=").append(value);
  }
  return or_none(out);
}

// metav1.LabelSelectorAsSelector(s).String(): "" selects everything; nullopt if invalid.
std::optional<std::string> selector_text(const messages::LabelSelector& selector) {
  auto parsed = messages::label_selector::from_proto(selector);
  if (!parsed.value) return std::nullopt;
  return parsed.value->to_string();
}

// metav1.FormatLabelSelector: as selector_text, but "<none>" and "<error>" spelled out.
std::string format_label_selector(const messages::LabelSelector& selector) {
  return or_none(selector_text(selector).value_or("<error>"));
}

// layoutContainerCells: the CONTAINERS and IMAGES cells, each comma separated.
void append_containers(const messages::PodSpec& spec, row& cells) {
  std::vector<std::string> names, images;
  for (const messages::Container& c : spec.containers()) {
    names.push_back(c.name());
    images.push_back(c.image());
  }
  cells.push_back(join(names, ","));
  cells.push_back(join(images, ","));
}

// Every kind's message has an ObjectMeta `metadata`: the NAMESPACE, LABELS and default
// columns read it without knowing the kind.
const messages::ObjectMeta& metadata_of(const pb::Message& object) {
  const auto* meta = messages::metadata_of(object);
  return meta ? *meta : messages::ObjectMeta::default_instance();
}

// ---------------------------------------------------------------------------
// Pods
// ---------------------------------------------------------------------------

constexpr column pod_columns[] = {"Name",
                                  "Ready",
                                  "Status",
                                  "Restarts",
                                  "Age",
                                  wide("IP"),
                                  wide("Node"),
                                  wide("Nominated Node"),
                                  wide("Readiness Gates")};

// A sidecar: an init container that keeps running beside the app containers.
bool restartable_init(const messages::Container* c) {
  return c != nullptr && c->has_restart_policy() && c->restart_policy() == "Always";
}

// The first condition of the type decides, as in kubectl.
bool pod_condition_true(const messages::PodStatus& status, std::string_view type) {
  for (const messages::PodCondition& c : status.conditions())
    if (c.type() == type) return c.status() == "True";
  return false;
}

// "OOMKilled", or "Signal:9" / "ExitCode:1" when the runtime gave no reason.
std::string terminated_reason(const messages::ContainerStateTerminated& t) {
  if (!t.reason().empty()) return t.reason();
  if (t.signal() != 0) return "Signal:" + std::to_string(t.signal());
  return "ExitCode:" + std::to_string(t.exit_code());
}

// Keeps in `latest` the latest time a container of the pod last terminated.
void note_restart(const messages::ContainerStatus& c, messages::Time& latest) {
  const messages::ContainerState& last = c.last_state();
  if (last.has_terminated() && before(latest, last.terminated().finished_at()))
    latest = last.terminated().finished_at();
}

// What kubectl's printPod derives from a pod's containers.
struct pod_summary {
  int ready = 0;  // ready app containers and started, ready sidecars
  int total = 0;  // app containers and sidecars
  std::string status;
  int64_t restarts = 0;
  messages::Time last_restart;  // zero when no counted container has terminated before
};

pod_summary summarize_pod(const messages::Pod& pod) {
  const messages::PodSpec& spec = pod.spec();
  const messages::PodStatus& status = pod.status();
  pod_summary out;
  out.total = spec.containers_size();
  out.status = status.reason().empty() ? status.phase() : status.reason();
  for (const messages::PodCondition& c : status.conditions())
    if (c.type() == "PodScheduled" && c.reason() == "SchedulingGated") out.status = c.reason();

  std::map<std::string_view, const messages::Container*> init_specs;
  for (const messages::Container& c : spec.init_containers()) {
    init_specs[c.name()] = &c;
    if (restartable_init(&c)) ++out.total;
  }
  auto init_spec = [&](const std::string& name) -> const messages::Container* {
    auto it = init_specs.find(name);
    return it == init_specs.end() ? nullptr : it->second;
  };

  // Init containers in order, up to the first one that has not finished (sidecars that
  // have started count as finished): its state is the pod's status.
  int64_t sidecar_restarts = 0;
  messages::Time sidecar_last_restart;
  bool initializing = false;
  for (int i = 0; i < status.init_container_statuses_size(); ++i) {
    const messages::ContainerStatus& c = status.init_container_statuses(i);
    const bool sidecar = restartable_init(init_spec(c.name()));
    out.restarts += c.restart_count();
    note_restart(c, out.last_restart);
    if (sidecar) {
      sidecar_restarts += c.restart_count();
      note_restart(c, sidecar_last_restart);
    }
    const messages::ContainerState& state = c.state();
    if (state.has_terminated() && state.terminated().exit_code() == 0) continue;
    if (sidecar && c.has_started() && c.started()) {
      if (c.ready()) ++out.ready;
      continue;
    }
    initializing = true;
    if (state.has_terminated()) {
      out.status = "Init:" + terminated_reason(state.terminated());
    } else if (state.has_waiting() && !state.waiting().reason().empty() &&
               state.waiting().reason() != "PodInitializing") {
      out.status = "Init:" + state.waiting().reason();
    } else {
      out.status = "Init:" + std::to_string(i) + "/" + std::to_string(spec.init_containers_size());
    }
    break;
  }

  if (!initializing || pod_condition_true(status, "Initialized")) {
    // Restarts of finished init containers no longer count; sidecars' still do.
    out.restarts = sidecar_restarts;
    out.last_restart = sidecar_last_restart;
    bool has_running = false;
    // Last to first, so that the first container with something to say sets the status.
    for (int i = status.container_statuses_size() - 1; i >= 0; --i) {
      const messages::ContainerStatus& c = status.container_statuses(i);
      out.restarts += c.restart_count();
      note_restart(c, out.last_restart);
      const messages::ContainerState& state = c.state();
      if (state.has_waiting() && !state.waiting().reason().empty()) {
        out.status = state.waiting().reason();
      } else if (state.has_terminated()) {
        out.status = terminated_reason(state.terminated());
      } else if (c.ready() && state.has_running()) {
        has_running = true;
        ++out.ready;
      }
    }
    if (out.status == "Completed" && has_running)
      out.status = pod_condition_true(status, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata().has_deletion_timestamp()) {
    if (status.reason() == "NodeLost") {
      out.status = "Unknown";
    } else if (status.phase() != "Succeeded" && status.phase() != "Failed") {
      out.status = "Terminating";
    }
  }
  return out;
}

row pod_cells(const messages::Pod& pod, const table_options& options) {
  const pod_summary summary = summarize_pod(pod);
  std::string restarts = std::to_string(summary.restarts);
  if (summary.restarts != 0 && !is_zero(summary.last_restart))
    restarts += " (" + since(summary.last_restart, options) + " ago)";

  const messages::PodStatus& status = pod.status();
  // The API server fills podIPs from podIP, so a pod with only podIP reads the same.
  std::string ip = status.pod_ips().empty() ? status.pod_ip() : status.pod_ips(0).ip();
  std::string gates = "<none>";
  if (const auto& wanted = pod.spec().readiness_gates(); !wanted.empty()) {
    int met = 0;
    for (const messages::PodReadinessGate& gate : wanted)
      met += pod_condition_true(status, gate.condition_type()) ? 1 : 0;
    gates = std::to_string(met) + "/" + std::to_string(wanted.size());
  }
  return {pod.metadata().name(),
          std::to_string(summary.ready) + "/" + std::to_string(summary.total),
          summary.status,
          restarts,
          since(pod.metadata().creation_timestamp(), options),
          or_none(ip),
          or_none(pod.spec().node_name()),
          or_none(status.nominated_node_name()),
          gates};
}

// ---------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------

constexpr column replica_set_columns[] = {"Name",         "Desired",       "Current",
                                          "Ready",        "Age",           wide("Containers"),
                                          wide("Images"), wide("Selector")};

// A ReplicationController selects with a label map, a ReplicaSet with a LabelSelector.
std::string selector_column(const pb::Map<std::string, std::string>& selector) {
  return format_labels(selector);
}
std::string selector_column(const messages::LabelSelector& selector) {
  return format_label_selector(selector);
}

// ReplicaSet and ReplicationController print alike.
template <class ReplicaSetLike>
row replica_set_cells(const ReplicaSetLike& rs, const table_options& options) {
  row cells{rs.metadata().name(), std::to_string(rs.spec().replicas()),
            std::to_string(rs.status().replicas()), std::to_string(rs.status().ready_replicas()),
            since(rs.metadata().creation_timestamp(), options)};
  append_containers(rs.spec().template_().spec(), cells);
  cells.push_back(selector_column(rs.spec().selector()));
  return cells;
}

constexpr column deployment_columns[] = {"Name",         "Ready",         "Up-to-date",
                                         "Available",    "Age",           wide("Containers"),
                                         wide("Images"), wide("Selector")};

row deployment_cells(const messages::Deployment& d, const table_options& options) {
  const messages::DeploymentStatus& status = d.status();
  row cells{d.metadata().name(),
            std::to_string(status.ready_replicas()) + "/" + std::to_string(d.spec().replicas()),
            std::to_string(status.updated_replicas()), std::to_string(status.available_replicas()),
            since(d.metadata().creation_timestamp(), options)};
  append_containers(d.spec().template_().spec(), cells);
  // Unlike a ReplicaSet's, an empty selector prints as nothing rather than "<none>".
  cells.push_back(selector_text(d.spec().selector()).value_or("<invalid>"));
  return cells;
}

constexpr column hpa_columns[] = {"Name",    "Reference", "Targets", "MinPods",
                                  "MaxPods", "Replicas",  "Age"};

// "cpu: 45%/80%": a resource's current and target average utilization.
std::string utilization(std::string_view resource, std::optional<int32_t> current,
                        std::optional<int32_t> target) {
  auto percent = [](int32_t v) { return std::to_string(v) + "%"; };
  return std::string(resource) + ": " + (current ? percent(*current) : "<unknown>") + "/" +
         (target ? percent(*target) : "<auto>");
}

// Object and External metrics: "1k/2k (avg)" for an average value target, else "1k/2k".
std::string value_metric(const messages::MetricTarget& target,
                         const messages::MetricValueStatus* current) {
  if (target.has_average_value()) {
    std::string now = current != nullptr && current->has_average_value()
                          ? quantity_text(current->average_value())
                          : "<unknown>";
    return now + "/" + quantity_text(target.average_value()) + " (avg)";
  }
  std::string now =
      current != nullptr ? quantity_or_nil(current->has_value(), current->value()) : "<unknown>";
  return now + "/" + quantity_or_nil(target.has_value(), target.value());
}

// Resource and ContainerResource metrics: "memory: 100Mi/200Mi" or "cpu: 45%/80%".
std::string resource_metric(const std::string& name, const messages::MetricTarget& target,
                            const messages::MetricValueStatus* current) {
  if (target.has_average_value()) {
    std::string now = current != nullptr
                          ? quantity_or_nil(current->has_average_value(), current->average_value())
                          : "<unknown>";
    return name + ": " + now + "/" + quantity_text(target.average_value());
  }
  std::optional<int32_t> now;
  if (current != nullptr && current->has_average_utilization())
    now = current->average_utilization();
  std::optional<int32_t> wanted;
  if (target.has_average_utilization()) wanted = target.average_utilization();
  return utilization(name, now, wanted);
}

// One metric of an autoscaler; `status` is the status entry at the same index, if any
// (kubectl pairs them by position).
std::string metric_text(const messages::MetricSpec& spec, const messages::MetricStatus* status) {
  const messages::MetricStatus& reported =
      status != nullptr ? *status : messages::MetricStatus::default_instance();
  const auto& type = spec.type();
  if (type == "External") {
    return value_metric(spec.external().target(),
                        reported.has_external() ? &reported.external().current() : nullptr);
  }
  if (type == "Object") {
    return value_metric(spec.object().target(),
                        reported.has_object() ? &reported.object().current() : nullptr);
  }
  if (type == "Pods") {
    const messages::MetricTarget& target = spec.pods().target();
    const messages::MetricValueStatus& now = reported.pods().current();
    return (reported.has_pods() ? quantity_or_nil(now.has_average_value(), now.average_value())
                                : "<unknown>") +
           "/" + quantity_or_nil(target.has_average_value(), target.average_value());
  }
  if (type == "Resource") {
    return resource_metric(spec.resource().name(), spec.resource().target(),
                           reported.has_resource() ? &reported.resource().current() : nullptr);
  }
  if (type == "ContainerResource") {
    return resource_metric(
        spec.container_resource().name(), spec.container_resource().target(),
        reported.has_container_resource() ? &reported.container_resource().current() : nullptr);
  }
  return "<unknown type>";
}

// formatHPAMetrics: the first two metrics, then "+ N more...".
std::string hpa_targets(const messages::HorizontalPodAutoscaler& hpa) {
  const auto& specs = hpa.spec().metrics();
  const auto& statuses = hpa.status().current_metrics();
  if (specs.empty()) return "<none>";
  constexpr int shown = 2;
  std::vector<std::string> texts;
  for (int i = 0; i < specs.size() && i < shown; ++i)
    texts.push_back(metric_text(specs[i], i < statuses.size() ? &statuses[i] : nullptr));
  std::string out = join(texts, ", ");
  if (specs.size() > shown) out += " + " + std::to_string(specs.size() - shown) + " more...";
  return out;
}

// The API server converts v1's CPU percentages to one v2 Resource metric before printing.
std::string hpa_targets(const messages::HorizontalPodAutoscalerV1& hpa) {
  if (!hpa.spec().has_target_cpu_utilization_percentage()) return "<none>";
  std::optional<int32_t> current;
  if (hpa.status().has_current_cpu_utilization_percentage())
    current = hpa.status().current_cpu_utilization_percentage();
  return utilization("cpu", current, hpa.spec().target_cpu_utilization_percentage());
}

// autoscaling/v2 and autoscaling/v1 print alike but for TARGETS.
template <class Hpa>
row hpa_cells(const Hpa& hpa, const table_options& options) {
  const auto& spec = hpa.spec();
  return {hpa.metadata().name(),
          spec.scale_target_ref().kind() + "/" + spec.scale_target_ref().name(),
          hpa_targets(hpa),
          spec.has_min_replicas() ? std::to_string(spec.min_replicas()) : "<unset>",
          std::to_string(spec.max_replicas()),
          std::to_string(hpa.status().current_replicas()),
          since(hpa.metadata().creation_timestamp(), options)};
}

// ---------------------------------------------------------------------------
// Services and endpoints
// ---------------------------------------------------------------------------

constexpr column service_columns[] = {"Name",    "Type", "Cluster-IP",    "External-IP",
                                      "Port(s)", "Age",  wide("Selector")};

// A load balancer's ingress IPs (or host names), sorted and deduplicated; cut to 16
// characters ("..." included) unless wide.
std::string load_balancer_ips(const messages::LoadBalancerStatus& lb, bool wide) {
  std::set<std::string> addresses;
  for (const messages::LoadBalancerIngress& ingress : lb.ingress()) {
    if (!ingress.ip().empty()) {
      addresses.insert(ingress.ip());
    } else if (!ingress.hostname().empty()) {
      addresses.insert(ingress.hostname());
    }
  }
  std::string out = join({addresses.begin(), addresses.end()}, ",");
  constexpr std::size_t max_width = 16;
  if (!wide && out.size() > max_width) out = out.substr(0, max_width - 3) + "...";
  return out;
}

std::string external_ip(const messages::Service& svc, bool wide) {
  const messages::ServiceSpec& spec = svc.spec();
  std::vector<std::string> external(spec.external_ips().begin(), spec.external_ips().end());
  if (spec.type() == "ClusterIP" || spec.type() == "NodePort") return or_none(join(external, ","));
  if (spec.type() == "LoadBalancer") {
    std::string lb = load_balancer_ips(svc.status().load_balancer(), wide);
    if (external.empty()) return lb.empty() ? "<pending>" : lb;
    std::vector<std::string> all;
    for (std::size_t start = 0; !lb.empty() && start <= lb.size();) {
      const std::size_t comma = std::min(lb.find(',', start), lb.size());
      all.push_back(lb.substr(start, comma - start));  // strings.Split(lb, ",")
      start = comma + 1;
    }
    all.insert(all.end(), external.begin(), external.end());
    return join(all, ",");
  }
  if (spec.type() == "ExternalName") return spec.external_name();
  return "<unknown>";
}

row service_cells(const messages::Service& svc, const table_options& options) {
  const messages::ServiceSpec& spec = svc.spec();
  // The API server fills clusterIPs from clusterIP, so a service with only clusterIP reads
  // the same.
  std::string cluster_ip = spec.cluster_ips().empty() ? spec.cluster_ip() : spec.cluster_ips(0);
  std::vector<std::string> ports;
  for (const messages::ServicePort& p : spec.ports()) {
    std::string port = std::to_string(p.port());
    if (p.node_port() > 0) port += ":" + std::to_string(p.node_port());
    ports.push_back(port + "/" + p.protocol());
  }
  return {svc.metadata().name(),         spec.type(),
          or_none(cluster_ip),           external_ip(svc, options.wide),
          or_none(join(ports, ",")),     since(svc.metadata().creation_timestamp(), options),
          format_labels(spec.selector())};
}

constexpr column endpoints_columns[] = {"Name", "Endpoints", "Age"};

// formatEndpoints: the first three "ip:port" (or bare IPs for a subset without ports), then
// "+ N more...".
std::string endpoints_text(const messages::Endpoints& endpoints) {
  if (endpoints.subsets().empty()) return "<none>";
  constexpr std::size_t shown = 3;
  std::vector<std::string> list;
  std::size_t count = 0;
  bool more = false;
  auto add_all = [&](const messages::EndpointSubset& subset, const std::string* port) {
    count += subset.addresses_size();
    for (const messages::EndpointAddress& address : subset.addresses()) {
      if (list.size() == shown) {
        more = true;
        return;
      }
      if (port == nullptr) {
        list.push_back(address.ip());
      } else if (address.ip().find(':') != std::string::npos) {
        list.push_back("[" + address.ip() + "]:" + *port);  // Go's net.JoinHostPort for IPv6
      } else {
        list.push_back(address.ip() + ":" + *port);
      }
    }
  };
  for (const messages::EndpointSubset& subset : endpoints.subsets()) {
    if (subset.ports().empty()) add_all(subset, nullptr);  // a headless service's subset
    for (const messages::EndpointPort& port : subset.ports()) {
      std::string number = std::to_string(port.port());
      add_all(subset, &number);
    }
  }
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(count - shown) + " more...";
  return out;
}

row endpoints_cells(const messages::Endpoints& endpoints, const table_options& options) {
  return {endpoints.metadata().name(), endpoints_text(endpoints),
          since(endpoints.metadata().creation_timestamp(), options)};
}

// ---------------------------------------------------------------------------
// Nodes and namespaces
// ---------------------------------------------------------------------------

constexpr column node_columns[] = {"Name",
                                   "Status",
                                   "Roles",
                                   "Age",
                                   "Version",
                                   wide("Internal-IP"),
                                   wide("External-IP"),
                                   wide("OS-Image"),
                                   wide("Kernel-Version"),
                                   wide("Container-Runtime")};

// "Ready", or "NotReady" for a Ready condition that is False or Unknown, or "Unknown" with
// no Ready condition; then ",SchedulingDisabled" for a cordoned node.
std::string node_status(const messages::Node& node) {
  std::string status = "Unknown";
  for (const messages::NodeCondition& c : node.status().conditions())
    if (c.type() == "Ready") status = c.status() == "True" ? "Ready" : "NotReady";  // last wins
  if (node.spec().unschedulable()) status += ",SchedulingDisabled";
  return status;
}

// From node-role.kubernetes.io/<role> labels and the older kubernetes.io/role=<role>.
std::string node_roles(const messages::Node& node) {
  constexpr std::string_view role_prefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  for (const auto& [key, value] : node.metadata().labels()) {
    if (key.starts_with(role_prefix) && key.size() > role_prefix.size()) {
      roles.insert(key.substr(role_prefix.size()));
    } else if (key == "kubernetes.io/role" && !value.empty()) {
      roles.insert(value);
    }
  }
  return or_none(join({roles.begin(), roles.end()}, ","));
}

std::string node_address(const messages::Node& node, std::string_view type) {
  for (const messages::NodeAddress& address : node.status().addresses())
    if (address.type() == type) return address.address();
  return "<none>";
}

row node_cells(const messages::Node& node, const table_options& options) {
  const messages::NodeSystemInfo& info = node.status().node_info();
  auto or_unknown = [](const std::string& text) { return text.empty() ? "<unknown>" : text; };
  return {node.metadata().name(),
          node_status(node),
          node_roles(node),
          since(node.metadata().creation_timestamp(), options),
          info.kubelet_version(),
          node_address(node, "InternalIP"),
          node_address(node, "ExternalIP"),
          or_unknown(info.os_image()),
          or_unknown(info.kernel_version()),
          or_unknown(info.container_runtime_version())};
}

constexpr column namespace_columns[] = {"Name", "Status", "Age"};

row namespace_cells(const messages::Namespace& ns, const table_options& options) {
  return {ns.metadata().name(), ns.status().phase(),
          since(ns.metadata().creation_timestamp(), options)};
}

// ---------------------------------------------------------------------------
// Configuration and identity
// ---------------------------------------------------------------------------

constexpr column config_map_columns[] = {"Name", "Data", "Age"};

row config_map_cells(const messages::ConfigMap& cm, const table_options& options) {
  return {cm.metadata().name(), std::to_string(cm.data_size() + cm.binary_data_size()),
          since(cm.metadata().creation_timestamp(), options)};
}

constexpr column secret_columns[] = {"Name", "Type", "Data", "Age"};

row secret_cells(const messages::Secret& secret, const table_options& options) {
  return {secret.metadata().name(), secret.type(), std::to_string(secret.data_size()),
          since(secret.metadata().creation_timestamp(), options)};
}

constexpr column service_account_columns[] = {"Name", "Secrets", "Age"};

row service_account_cells(const messages::ServiceAccount& sa, const table_options& options) {
  return {sa.metadata().name(), std::to_string(sa.secrets_size()),
          since(sa.metadata().creation_timestamp(), options)};
}

constexpr column lease_columns[] = {"Name", "Holder", "Age"};

row lease_cells(const messages::Lease& lease, const table_options& options) {
  return {lease.metadata().name(), lease.spec().holder_identity(),
          since(lease.metadata().creation_timestamp(), options)};
}

constexpr column binding_columns[] = {"Name",        "Role",         "Age",
                                      wide("Users"), wide("Groups"), wide("ServiceAccounts")};

// RoleBinding and ClusterRoleBinding print alike.
template <class Binding>
row binding_cells(const Binding& binding, const table_options& options) {
  std::vector<std::string> users, groups, service_accounts;
  for (const messages::Subject& s : binding.subjects()) {
    if (s.kind() == "User") {
      users.push_back(s.name());
    } else if (s.kind() == "Group") {
      groups.push_back(s.name());
    } else if (s.kind() == "ServiceAccount") {
      service_accounts.push_back(s.namespace_() + "/" + s.name());
    }
  }
  return {binding.metadata().name(),
          binding.role_ref().kind() + "/" + binding.role_ref().name(),
          since(binding.metadata().creation_timestamp(), options),
          join(users, ", "),
          join(groups, ", "),
          join(service_accounts, ", ")};
}

constexpr column network_policy_columns[] = {"Name", "Pod-Selector", "Age"};

row network_policy_cells(const messages::NetworkPolicy& np, const table_options& options) {
  return {np.metadata().name(), format_label_selector(np.spec().pod_selector()),
          since(np.metadata().creation_timestamp(), options)};
}

// ---------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------

constexpr column persistent_volume_columns[] = {
    "Name",   "Capacity", "Access Modes",    "Reclaim Policy",
    "Status", "Claim",    "StorageClass",    "VolumeAttributesClass",
    "Reason", "Age",      wide("VolumeMode")};

constexpr column persistent_volume_claim_columns[] = {"Name",
                                                      "Status",
                                                      "Volume",
                                                      "Capacity",
                                                      "Access Modes",
                                                      "StorageClass",
                                                      "VolumeAttributesClass",
                                                      "Age",
                                                      wide("VolumeMode")};

// The deprecated beta annotation wins over spec.storageClassName, as in kubectl.
std::string storage_class(const messages::ObjectMeta& meta, const std::string& spec_class) {
  auto it = meta.annotations().find("volume.beta.kubernetes.io/storage-class");
  return it != meta.annotations().end() ? it->second : spec_class;
}

// The "storage" quantity of a capacity map; "0" (Go's zero quantity) when absent.
std::string storage_size(const pb::Map<std::string, messages::Quantity>& capacity) {
  auto it = capacity.find("storage");
  return it != capacity.end() ? quantity_text(it->second) : "0";
}

std::string unset_if_empty(const std::string& text) {
  return text.empty() ? "<unset>" : text;
}

// Terminating while deleted, else the phase.
std::string storage_phase(const messages::ObjectMeta& meta, const std::string& phase) {
  return meta.has_deletion_timestamp() ? "Terminating" : phase;
}

row persistent_volume_cells(const messages::PersistentVolume& pv, const table_options& options) {
  const messages::PersistentVolumeSpec& spec = pv.spec();
  std::string claim;
  if (spec.has_claim_ref()) claim = spec.claim_ref().namespace_() + "/" + spec.claim_ref().name();
  return {pv.metadata().name(),
          storage_size(spec.capacity()),
          access_modes(spec.access_modes()),
          spec.persistent_volume_reclaim_policy(),
          storage_phase(pv.metadata(), pv.status().phase()),
          claim,
          storage_class(pv.metadata(), spec.storage_class_name()),
          "<unset>",  // volumeAttributesClassName is not modelled
          pv.status().reason(),
          since(pv.metadata().creation_timestamp(), options),
          unset_if_empty(spec.volume_mode())};
}

row persistent_volume_claim_cells(const messages::PersistentVolumeClaim& pvc,
                                  const table_options& options) {
  const messages::PersistentVolumeClaimSpec& spec = pvc.spec();
  // Capacity and modes are the bound volume's, so blank until the claim is bound.
  std::string capacity, modes;
  if (!spec.volume_name().empty()) {
    capacity = storage_size(pvc.status().capacity());
    modes = access_modes(pvc.status().access_modes());
  }
  return {pvc.metadata().name(),
          storage_phase(pvc.metadata(), pvc.status().phase()),
          spec.volume_name(),
          capacity,
          modes,
          storage_class(pvc.metadata(), spec.storage_class_name()),
          "<unset>",  // volumeAttributesClassName is not modelled
          since(pvc.metadata().creation_timestamp(), options),
          unset_if_empty(spec.volume_mode())};
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

constexpr column event_columns[] = {
    "Last Seen",    "Type",    "Reason",           "Object",      wide("Subobject"),
    wide("Source"), "Message", wide("First Seen"), wide("Count"), wide("Name")};

row event_cells(const messages::Event& event, const table_options& options) {
  // Events from the newer events API carry eventTime and series instead of the
  // first/last timestamps and count.
  std::string first_seen = is_zero(event.first_timestamp())
                               ? since(event.event_time(), options)
                               : since(event.first_timestamp(), options);
  std::string last_seen =
      is_zero(event.last_timestamp()) ? first_seen : since(event.last_timestamp(), options);
  int32_t count = event.count();
  if (event.has_series()) {
    last_seen = since(event.series().last_observed_time(), options);
    count = event.series().count();
  } else if (count == 0) {
    count = 1;
  }

  const messages::ObjectReference& involved = event.involved_object();
  std::string object = lower(involved.kind());
  if (!involved.name().empty()) object += "/" + involved.name();
  std::string component =
      event.source().component().empty() ? event.reporting_component() : event.source().component();
  std::string instance =
      event.source().host().empty() ? event.reporting_instance() : event.source().host();
  std::string source = instance.empty() ? component : component + ", " + instance;

  return {last_seen,
          event.type(),
          event.reason(),
          object,
          involved.field_path(),
          source,
          trim_space(event.message()),
          first_seen,
          std::to_string(count),
          event.metadata().name()};
}

// ---------------------------------------------------------------------------
// Kinds without a kubectl printer
// ---------------------------------------------------------------------------

constexpr column created_at_columns[] = {"Name", "Created At"};

// The API server's default table: the name and the creation time in RFC 3339, UTC, to the
// second. An unset time prints as Go's zero time does.
row created_at_cells(const pb::Message& object, const table_options&) {
  const messages::ObjectMeta& meta = metadata_of(object);
  const messages::Time& t = meta.creation_timestamp();
  return {meta.name(),
          is_zero(t) ? "0001-01-01T00:00:00Z" : messages::format_rfc3339({t.seconds(), 0})};
}

// ---------------------------------------------------------------------------
// The kind table and the layout
// ---------------------------------------------------------------------------

using cells_function = row (*)(const pb::Message&, const table_options&);

// Casts to the kind's generated type; print_table has checked the descriptor.
template <class T, row (*Cells)(const T&, const table_options&)>
row typed(const pb::Message& object, const table_options& options) {
  return Cells(dynamic_cast<const T&>(object), options);
}

template <class T>
const pb::Descriptor* descriptor_of() {
  return T::descriptor();
}

struct kind_printer {
  const pb::Descriptor* (*descriptor)();
  std::span<const column> columns;
  // One cell per column, wide ones included.
  cells_function cells;
};

namespace m = messages;
constexpr kind_printer kind_printers[] = {
    {descriptor_of<m::Pod>, pod_columns, typed<m::Pod, pod_cells>},
    {descriptor_of<m::ReplicaSet>, replica_set_columns,
     typed<m::ReplicaSet, replica_set_cells<m::ReplicaSet>>},
    {descriptor_of<m::ReplicationController>, replica_set_columns,
     typed<m::ReplicationController, replica_set_cells<m::ReplicationController>>},
    {descriptor_of<m::Deployment>, deployment_columns, typed<m::Deployment, deployment_cells>},
    {descriptor_of<m::HorizontalPodAutoscaler>, hpa_columns,
     typed<m::HorizontalPodAutoscaler, hpa_cells<m::HorizontalPodAutoscaler>>},
    {descriptor_of<m::HorizontalPodAutoscalerV1>, hpa_columns,
     typed<m::HorizontalPodAutoscalerV1, hpa_cells<m::HorizontalPodAutoscalerV1>>},
    {descriptor_of<m::Service>, service_columns, typed<m::Service, service_cells>},
    {descriptor_of<m::Endpoints>, endpoints_columns, typed<m::Endpoints, endpoints_cells>},
    {descriptor_of<m::Node>, node_columns, typed<m::Node, node_cells>},
    {descriptor_of<m::Namespace>, namespace_columns, typed<m::Namespace, namespace_cells>},
    {descriptor_of<m::ConfigMap>, config_map_columns, typed<m::ConfigMap, config_map_cells>},
    {descriptor_of<m::Secret>, secret_columns, typed<m::Secret, secret_cells>},
    {descriptor_of<m::ServiceAccount>, service_account_columns,
     typed<m::ServiceAccount, service_account_cells>},
    {descriptor_of<m::RoleBinding>, binding_columns,
     typed<m::RoleBinding, binding_cells<m::RoleBinding>>},
    {descriptor_of<m::ClusterRoleBinding>, binding_columns,
     typed<m::ClusterRoleBinding, binding_cells<m::ClusterRoleBinding>>},
    {descriptor_of<m::NetworkPolicy>, network_policy_columns,
     typed<m::NetworkPolicy, network_policy_cells>},
    {descriptor_of<m::PersistentVolume>, persistent_volume_columns,
     typed<m::PersistentVolume, persistent_volume_cells>},
    {descriptor_of<m::PersistentVolumeClaim>, persistent_volume_claim_columns,
     typed<m::PersistentVolumeClaim, persistent_volume_claim_cells>},
    {descriptor_of<m::Event>, event_columns, typed<m::Event, event_cells>},
    {descriptor_of<m::Lease>, lease_columns, typed<m::Lease, lease_cells>},
};

constexpr kind_printer created_at_printer{nullptr, created_at_columns, created_at_cells};

const kind_printer& printer_for(const messages::kind_info& kind) {
  for (const kind_printer& printer : kind_printers)
    if (printer.descriptor() == kind.descriptor()) return printer;
  return created_at_printer;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// kubectl cuts a cell at its first line break (adding "...") and shows ESC as "^[", so that
// no object can break the table's lines or send the terminal escape sequences.
std::string sanitize(std::string cell) {
  if (std::size_t cut = cell.find_first_of("\f\n\r"); cut != std::string::npos) {
    cell.resize(cut);
    cell += "...";
  }
  for (std::size_t at = cell.find('\x1b'); at != std::string::npos; at = cell.find('\x1b', at))
    cell.replace(at, 1, "^[");
  return cell;
}

// Characters, not bytes: Go's tabwriter counts UTF-8 code points.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// kubectl's tabwriter (Go text/tabwriter, minwidth 6, padding 3, padded with spaces): each
// column but the last is as wide as its widest cell plus 3, and at least 6. The last column
// is not padded (though an empty last cell leaves the one before it padded, as in kubectl).
std::string tabulate(const std::vector<row>& lines) {
  constexpr std::size_t min_width = 6, padding = 3;
  std::vector<std::size_t> widths;
  for (const row& line : lines) {
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, min_width);
      widths[i] = std::max(widths[i], display_width(line[i]) + padding);
    }
  }
  std::string out;
  for (const row& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out.append(widths[i] - display_width(line[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string print_table(const messages::kind_info& kind,
                        std::span<const google::protobuf::Message* const> objects,
                        const table_options& options) {
  if (objects.empty()) return "";
  const kind_printer& printer = printer_for(kind);
  const bool with_namespace = options.all_namespaces && kind.namespaced;
  auto shown = [&](const column& c) { return options.wide || !c.wide; };

  std::vector<row> lines;
  if (!options.no_headers) {
    row header;
    if (with_namespace) header.push_back("NAMESPACE");
    for (const column& c : printer.columns)
      if (shown(c)) header.push_back(upper(c.name));
    if (options.show_labels) header.push_back("LABELS");
    lines.push_back(std::move(header));
  }
  for (const pb::Message* object : objects) {
    if (object == nullptr || object->GetDescriptor() != kind.descriptor())
      broken_invariant("an object is not of the kind being printed");
    const messages::ObjectMeta& meta = metadata_of(*object);
    const row cells = printer.cells(*object, options);
    // Invariant: a kind's cells match its columns one for one.
    if (cells.size() != printer.columns.size())
      broken_invariant("a kind's cells do not match its columns");
    row line;
    if (with_namespace) line.push_back(sanitize(meta.namespace_()));
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (!shown(printer.columns[i])) continue;
      const bool is_name = upper(printer.columns[i].name) == "NAME";
      line.push_back(sanitize(is_name ? options.name_prefix + cells[i] : cells[i]));
    }
    if (options.show_labels) line.push_back(sanitize(format_labels(meta.labels())));
    lines.push_back(std::move(line));
  }
  return tabulate(lines);
}

}  // namespace troupe::cli
