#include "cli/describe_printer.hpp"
#include "cli/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include "cli/age.hpp"
#include "messages/codec/encoder.hpp"
#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/quantity.hpp"

// The sections, their order and their texts follow kubectl 1.32's describers
// (k8s.io/kubectl/pkg/describe/describe.go): each writes lines with '\t' between cells, and
// Go's tabwriter aligns them; we do the same, then align with align_tabs. Where 1.32 differs
// from later kubectl (no message prefix by field path in events, events sorted by
// lastTimestamp only, "Kube-Proxy Version", projected volume lines) we print what 1.32
// prints. Deliberate differences, each where kubectl's output is not a function of the object:
// - Secret and ConfigMap keys are sorted (1.32 iterates a Go map, in random order), and a
//   service-account token's value is never printed: every Secret key shows its size only.
// - A projected volume's set `optional` prints as true/false (1.32 prints a Go pointer).
// - Events with equal lastTimestamp keep the caller's order (Go's sort is not stable).
// - Namespaces show no "Resource Quotas"/"LimitRange" lines: Troupe serves neither, and
//   kubectl omits them when the server does not serve them.

namespace troupe::cli {
namespace {

namespace pb = google::protobuf;
namespace m = messages;

[[noreturn]] void broken_invariant(std::string_view what) {
  std::fprintf(stderr, "troupectl: broken invariant in describe printer: %.*s\n",
               static_cast<int>(what.size()), what.data());
  std::abort();
}

// ---------------------------------------------------------------------------
// Text building
// ---------------------------------------------------------------------------

void append_piece(std::string& out, std::string_view text) {
  out.append(text);
}
void append_piece(std::string& out, const std::string& text) {
  out.append(text);
}
void append_piece(std::string& out, const char* text) {
  out.append(text);
}
template <class Integer>
requires std::is_integral_v<Integer>
void append_piece(std::string& out, Integer value) {
  if constexpr (std::is_same_v<Integer, bool>) {
    out.append(value ? "true" : "false");
  } else {
    out.append(std::to_string(value));
  }
}

template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (append_piece(out, parts), ...);
  return out;
}

// kubectl's PrefixWriter: each write starts with two spaces per level; the text may hold
// tabs (cell ends) and newlines, and one line may be written in several pieces.
class writer {
 public:
  template <class... Parts>
  void write(int level, const Parts&... parts) {
    out_.append(static_cast<std::size_t>(2 * level), ' ');
    (append_piece(out_, parts), ...);
  }

  // The aligned text, with terminal escapes made harmless as kubectl's WriteEscaped does.
  std::string finish() const {
    std::string escaped;
    escaped.reserve(out_.size());
    for (char c : out_) {
      if (c == '\x1b') {
        escaped += "^[";
      } else if (c == '\r') {
        escaped += "\\r";
      } else {
        escaped += c;
      }
    }
    return align_tabs(escaped);
  }

 private:
  std::string out_;
};

template <class Strings>
std::vector<std::string> to_vector(const Strings& strings) {
  return {strings.begin(), strings.end()};
}

std::string or_default(const std::string& text, std::string_view fallback) {
  return text.empty() ? std::string(fallback) : text;
}

// Go's strings.Split(text, "\n"): "" is one empty line.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  lines.push_back(text.substr(start));
  return lines;
}

// Go's %q for a string: double quotes, with quotes, backslashes and control bytes escaped.
std::string go_quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Go's %v of a []string: "[a b c]".
std::string go_list(const std::vector<std::string>& items) {
  return "[" + join(items, " ") + "]";
}

template <class Map>
std::vector<std::string> sorted_keys(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map)
    keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// ---------------------------------------------------------------------------
// Times, quantities, selectors
// ---------------------------------------------------------------------------

bool is_zero(const m::Time& t) {
  return t.seconds() == 0 && t.nanos() == 0;
}

// Unix milliseconds, rounded up, so that "now minus this" in whole milliseconds is exact.
int64_t unix_ms(const m::Time& t) {
  return t.seconds() * 1000 + (t.nanos() + 999'999) / 1'000'000;
}

// translateTimestampSince: "5m", or "<unknown>" for an unset time.
std::string since(const m::Time& t, const describe_context& context) {
  return age(is_zero(t) ? 0 : unix_ms(t), context.now_ms);
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void civil_from_days(int64_t days, int64_t& year, int& month, int& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

// Go's time.RFC1123Z layout, "Mon, 02 Jan 2006 15:04:05 -0700", at a fixed UTC offset.
std::string rfc1123z(int64_t unix_seconds, int32_t offset_seconds) {
  static constexpr const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t local = unix_seconds + offset_seconds;
  const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int64_t of_day = local - days * 86400;
  int64_t year = 0;
  int month = 0, day = 0;
  civil_from_days(days, year, month, day);
  const int32_t offset_minutes = std::abs(offset_seconds) / 60;
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04lld %02lld:%02lld:%02lld %c%02d%02d",
                weekdays[((days % 7) + 7) % 7], day, months[month - 1],
                static_cast<long long>(year), static_cast<long long>(of_day / 3600),
                static_cast<long long>(of_day / 60 % 60), static_cast<long long>(of_day % 60),
                offset_seconds < 0 ? '-' : '+', offset_minutes / 60, offset_minutes % 60);
  return text;
}

// An API time as kubectl prints it: Go's zero time (unset) reads as year 1 in UTC.
std::string absolute_time(const m::Time& t, const describe_context& context) {
  if (is_zero(t)) return "Mon, 01 Jan 0001 00:00:00 +0000";
  return rfc1123z(t.seconds(), context.utc_offset_seconds);
}

m::quantity to_quantity(const m::Quantity& q) {
  return {q.milli(),
          m::quantity_format_from_string(q.format()).value_or(m::quantity_format::decimal_si)};
}

// Quantity.String(); Go's zero Quantity reads "0".
std::string quantity_text(const m::Quantity& q) {
  return m::format_quantity(to_quantity(q));
}

// A *Quantity's String(): "<nil>" when absent.
std::string quantity_or_nil(bool present, const m::Quantity& q) {
  return present ? quantity_text(q) : "<nil>";
}

// labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" for none.
std::string format_labels(const pb::Map<std::string, std::string>& labels) {
  std::vector<std::string> pairs;
  for (const std::string& key : sorted_keys(labels))
    pairs.push_back(key + "=" + labels.at(key));
  return or_default(join(pairs, ","), "<none>");
}

// metav1.LabelSelectorAsSelector(s).String(); "<error>" for an invalid selector.
std::string selector_text(const m::LabelSelector& selector) {
  auto parsed = m::label_selector::from_proto(selector);
  return parsed.value ? parsed.value->to_string() : "<error>";
}

// metav1.FormatLabelSelector: as selector_text, "<none>" when it selects everything.
std::string format_label_selector(const m::LabelSelector& selector) {
  return or_default(selector_text(selector), "<none>");
}

// metav1.GetControllerOf as kubectl prints it: "ReplicaSet/myapp-rs", or "".
std::string controller_of(const m::ObjectMeta& meta) {
  for (const m::OwnerReference& owner : meta.owner_references())
    if (owner.has_controller() && owner.controller()) return owner.kind() + "/" + owner.name();
  return "";
}

bool controlled_by(const m::ObjectMeta& meta, const std::string& uid) {
  for (const m::OwnerReference& owner : meta.owner_references())
    if (owner.has_controller() && owner.controller()) return owner.uid() == uid;
  return false;
}

std::string print_bool(bool value) {
  return value ? "True" : "False";
}

// IntOrString.String().
std::string int_or_string(const m::IntOrString& value) {
  return value.has_str_val() ? value.str_val() : std::to_string(value.int_val());
}

// ---------------------------------------------------------------------------
// Sections shared by the kinds
// ---------------------------------------------------------------------------

// printLabelsMultilineWithIndent: the first pair after the title, the others below it.
void labels_multiline(writer& w, std::string_view title,
                      const pb::Map<std::string, std::string>& labels) {
  w.write(0, title, ":\t");
  if (labels.empty()) {
    w.write(0, "<none>\n");
    return;
  }
  bool first = true;
  for (const std::string& key : sorted_keys(labels)) {
    if (!first) w.write(0, "\t");
    first = false;
    w.write(0, key, "=", labels.at(key), "\n");
  }
}

// printAnnotationsMultiline: "key: value"; long or multi-line values go below their key,
// each line cut at 140 bytes. kubectl never shows the last-applied-configuration.
void annotations_multiline(writer& w, std::string_view title,
                           const pb::Map<std::string, std::string>& annotations) {
  constexpr std::size_t max_annotation_len = 140;
  w.write(0, title, ":\t");
  std::vector<std::string> keys;
  for (const std::string& key : sorted_keys(annotations))
    if (key != "kubectl.kubernetes.io/last-applied-configuration") keys.push_back(key);
  if (keys.empty()) {
    w.write(0, "<none>\n");
    return;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) w.write(0, "\t");
    std::string value = annotations.at(keys[i]);
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (value.size() + keys[i].size() + 2 > max_annotation_len ||
        value.find('\n') != std::string::npos) {
      w.write(0, keys[i], ":\n");
      for (std::string line : split_lines(value)) {
        if (line.size() > max_annotation_len - 2)
          line = line.substr(0, max_annotation_len - 2) + "...";
        w.write(0, "\t  ", line, "\n");
      }
    } else {
      w.write(0, keys[i], ": ", value, "\n");
    }
  }
}

// The events table, or "Events: <none>"; nothing at all with --show-events=false.
void describe_events(writer& w, const describe_context& context) {
  if (!context.show_events) return;
  if (context.events.empty()) {
    w.write(0, "Events:\t<none>\n");
    return;
  }
  std::vector<const m::Event*> events = context.events;
  for (const m::Event* e : events)
    if (e == nullptr) broken_invariant("a null event");
  std::stable_sort(events.begin(), events.end(), [](const m::Event* a, const m::Event* b) {
    return unix_ms(a->last_timestamp()) < unix_ms(b->last_timestamp());
  });
  w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(1, "----\t------\t----\t----\t-------\n");
  for (const m::Event* e : events) {
    const std::string first_seen = is_zero(e->event_time()) ? since(e->first_timestamp(), context)
                                                            : since(e->event_time(), context);
    std::string interval = first_seen;
    if (e->has_series()) {
      interval = cat(since(e->series().last_observed_time(), context), " (x", e->series().count(),
                     " over ", first_seen, ")");
    } else if (e->count() > 1) {
      interval =
          cat(since(e->last_timestamp(), context), " (x", e->count(), " over ", first_seen, ")");
    }
    const std::string& source =
        e->source().component().empty() ? e->reporting_component() : e->source().component();
    w.write(1, e->type(), "\t", e->reason(), "\t", interval, "\t", source, "\t",
            trim_space(e->message()), "\n");
  }
}

// printTaintsMultilineWithIndent, sorted by effect then key.
std::string taint_text(const m::Taint& t) {
  if (t.effect().empty()) return t.value().empty() ? t.key() : t.key() + "=" + t.value() + ":";
  if (t.value().empty()) return t.key() + ":" + t.effect();
  return t.key() + "=" + t.value() + ":" + t.effect();
}

void taints_multiline(writer& w, const pb::RepeatedPtrField<m::Taint>& taints) {
  w.write(0, "Taints:\t");
  if (taints.empty()) {
    w.write(0, "<none>\n");
    return;
  }
  std::vector<const m::Taint*> sorted;
  for (const m::Taint& t : taints)
    sorted.push_back(&t);
  std::stable_sort(sorted.begin(), sorted.end(), [](const m::Taint* a, const m::Taint* b) {
    return a->effect() + "," + a->key() < b->effect() + "," + b->key();
  });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) w.write(0, "\t");
    w.write(0, taint_text(*sorted[i]), "\n");
  }
}

// printTolerationsMultilineWithIndent, sorted by key.
void tolerations_multiline(writer& w, std::string_view title,
                           const pb::RepeatedPtrField<m::Toleration>& tolerations) {
  w.write(0, title, ":\t");
  if (tolerations.empty()) {
    w.write(0, "<none>\n");
    return;
  }
  std::vector<const m::Toleration*> sorted;
  for (const m::Toleration& t : tolerations)
    sorted.push_back(&t);
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const m::Toleration* a, const m::Toleration* b) { return a->key() < b->key(); });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const m::Toleration& t = *sorted[i];
    if (i > 0) w.write(0, "\t");
    std::string text = t.key();
    if (!t.value().empty()) text += "=" + t.value();
    if (!t.effect().empty()) text += ":" + t.effect();
    // An Exists toleration without a value tolerates every value of its key.
    if (t.operator_() == "Exists" && t.value().empty())
      text += (t.key().empty() && t.effect().empty()) ? "op=Exists" : " op=Exists";
    if (t.has_toleration_seconds()) text += cat(" for ", t.toleration_seconds(), "s");
    w.write(0, text, "\n");
  }
}

// The "storage" quantity of a resource map, Go's zero quantity ("0") when absent.
std::string storage_of(const pb::Map<std::string, m::Quantity>& resources) {
  auto it = resources.find("storage");
  return it == resources.end() ? "0" : quantity_text(it->second);
}

// The deprecated beta annotation wins over the class field, as in kubectl.
const std::string* beta_storage_class(const m::ObjectMeta& meta) {
  auto it = meta.annotations().find("volume.beta.kubernetes.io/storage-class");
  return it == meta.annotations().end() ? nullptr : &it->second;
}

// "Status:" of a PV or PVC: Terminating with its age once deleted, else the phase.
void storage_status(writer& w, const m::ObjectMeta& meta, const std::string& phase,
                    const describe_context& context) {
  if (meta.has_deletion_timestamp()) {
    w.write(0, "Status:\tTerminating (lasts ", since(meta.deletion_timestamp(), context), ")\n");
  } else {
    w.write(0, "Status:\t", phase, "\n");
  }
}

// ---------------------------------------------------------------------------
// Containers and volumes (pods and pod templates)
// ---------------------------------------------------------------------------

// Go's url.URL.EscapedPath for a probe path: everything but unreserved characters and
// $&+,/:;=@ is percent-encoded.
std::string escape_path(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    const bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("-_.~$&+,/:;=@").find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// net.JoinHostPort: IPv6 hosts in brackets.
std::string join_host_port(const std::string& host, const std::string& port) {
  return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
}

// DescribeProbe: "http-get http://:80/healthz delay=0s timeout=1s period=10s #success=1 ...".
std::string probe_text(const m::Probe& probe) {
  const std::string attributes =
      cat("delay=", probe.initial_delay_seconds(), "s timeout=", probe.timeout_seconds(),
          "s period=", probe.period_seconds(), "s #success=", probe.success_threshold(),
          " #failure=", probe.failure_threshold());
  if (probe.has_exec())
    return "exec " + go_list(to_vector(probe.exec().command())) + " " + attributes;
  if (probe.has_http_get()) {
    const m::HTTPGetAction& get = probe.http_get();
    const std::string port = int_or_string(get.port());
    const std::string host = port.empty() ? get.host() : join_host_port(get.host(), port);
    std::string url;
    if (!get.scheme().empty()) url = lower(get.scheme()) + ":";
    if (!get.scheme().empty() || !host.empty()) url += "//" + host;
    url += escape_path(get.path());
    return "http-get " + url + " " + attributes;
  }
  if (probe.has_tcp_socket())
    return cat("tcp-socket ", probe.tcp_socket().host(), ":",
               int_or_string(probe.tcp_socket().port()), " ", attributes);
  if (probe.has_grpc())
    return cat("grpc <pod>:", probe.grpc().port(), " ", probe.grpc().service(), " ", attributes);
  return "unknown " + attributes;
}

// describeResources: limits, then requests, each sorted by resource name.
void resources_section(writer& w, const m::ResourceRequirements& resources, int level) {
  if (!resources.limits().empty()) w.write(level, "Limits:\n");
  for (const std::string& name : sorted_keys(resources.limits()))
    w.write(level + 1, name, ":\t", quantity_text(resources.limits().at(name)), "\n");
  if (!resources.requests().empty()) w.write(level, "Requests:\n");
  for (const std::string& name : sorted_keys(resources.requests()))
    w.write(level + 1, name, ":\t", quantity_text(resources.requests().at(name)), "\n");
}

// describeStatus: one container state and its details.
void container_state(writer& w, std::string_view title, const m::ContainerState& state,
                     const describe_context& context) {
  if (state.has_running()) {
    w.write(2, title, ":\tRunning\n");
    w.write(3, "Started:\t", absolute_time(state.running().started_at(), context), "\n");
  } else if (state.has_waiting()) {
    w.write(2, title, ":\tWaiting\n");
    if (!state.waiting().reason().empty()) w.write(3, "Reason:\t", state.waiting().reason(), "\n");
  } else if (state.has_terminated()) {
    const m::ContainerStateTerminated& t = state.terminated();
    w.write(2, title, ":\tTerminated\n");
    if (!t.reason().empty()) w.write(3, "Reason:\t", t.reason(), "\n");
    if (!t.message().empty()) w.write(3, "Message:\t", t.message(), "\n");
    w.write(3, "Exit Code:\t", t.exit_code(), "\n");
    if (t.signal() > 0) w.write(3, "Signal:\t", t.signal(), "\n");
    w.write(3, "Started:\t", absolute_time(t.started_at(), context), "\n");
    w.write(3, "Finished:\t", absolute_time(t.finished_at(), context), "\n");
  } else {
    w.write(2, title, ":\tWaiting\n");
  }
}

// The value kubectl 1.32 shows for an env var from a pod field. Its scheme knows only the
// metadata.name and metadata.namespace field labels, so every other field shows as "".
std::string field_ref_value(const m::ObjectFieldSelector& ref, const m::Pod* pod) {
  if (pod == nullptr) return "";
  if (ref.field_path() == "metadata.name") return pod->metadata().name();
  if (ref.field_path() == "metadata.namespace") return pod->metadata().namespace_();
  return "";
}

// resource.ExtractContainerResourceValue: the container's limit or request in units of the
// divisor (default 1), rounded up; "" for a resource it cannot read.
std::string resource_field_value(const m::ResourceFieldSelector& ref, const m::Container& c) {
  const std::string& resource = ref.resource();
  const std::size_t dot = resource.find('.');
  if (dot == std::string::npos) return "";
  const std::string kind = resource.substr(0, dot), name = resource.substr(dot + 1);
  if ((kind != "limits" && kind != "requests") ||
      (name != "cpu" && name != "memory" && name != "ephemeral-storage"))
    return "";
  const auto& list = kind == "limits" ? c.resources().limits() : c.resources().requests();
  auto it = list.find(name);
  const int64_t milli = it == list.end() ? 0 : it->second.milli();
  const int64_t divisor_milli = ref.divisor().milli() != 0 ? ref.divisor().milli() : 1000;
  if (name == "cpu")
    return std::to_string(static_cast<int64_t>(
        std::ceil(static_cast<double>(milli) / static_cast<double>(divisor_milli))));
  const int64_t value = m::quantity_value_ceil({milli, m::quantity_format::decimal_si});
  const int64_t divisor = m::quantity_value_ceil({divisor_milli, m::quantity_format::decimal_si});
  return std::to_string(
      static_cast<int64_t>(std::ceil(static_cast<double>(value) / static_cast<double>(divisor))));
}

void container_env(writer& w, const m::Container& c, const m::Pod* pod) {
  if (!c.env_from().empty()) {
    w.write(2, "Environment Variables from:\n");
    for (const m::EnvFromSource& from : c.env_from()) {
      std::string kind, name;
      bool optional = false;
      if (from.has_config_map_ref()) {
        kind = "ConfigMap";
        name = from.config_map_ref().name();
        optional = from.config_map_ref().is_optional();
      } else if (from.has_secret_ref()) {
        kind = "Secret";
        name = from.secret_ref().name();
        optional = from.secret_ref().is_optional();
      }
      if (from.prefix().empty()) {
        w.write(3, name, "\t", kind, "\tOptional: ", optional, "\n");
      } else {
        w.write(3, name, "\t", kind, " with prefix '", from.prefix(), "'\tOptional: ", optional,
                "\n");
      }
    }
  }
  w.write(2, "Environment:", c.env().empty() ? "\t<none>" : "", "\n");
  for (const m::EnvVar& e : c.env()) {
    if (!e.has_value_from()) {
      const std::vector<std::string> lines = split_lines(e.value());
      for (std::size_t i = 0; i < lines.size(); ++i)
        w.write(3, i == 0 ? e.name() + ":" : std::string(), "\t", lines[i], "\n");
      continue;
    }
    const m::EnvVarSource& from = e.value_from();
    if (from.has_field_ref()) {
      w.write(3, e.name(), ":\t", field_ref_value(from.field_ref(), pod), " (",
              from.field_ref().api_version(), ":", from.field_ref().field_path(), ")\n");
    } else if (from.has_resource_field_ref()) {
      const std::string& resource = from.resource_field_ref().resource();
      std::string value = resource_field_value(from.resource_field_ref(), c);
      if (value == "0" && (resource == "limits.cpu" || resource == "limits.memory"))
        value = "node allocatable";
      w.write(3, e.name(), ":\t", value, " (", resource, ")\n");
    } else if (from.has_secret_key_ref()) {
      const m::SecretKeySelector& ref = from.secret_key_ref();
      w.write(3, e.name(), ":\t<set to the key '", ref.key(), "' in secret '", ref.name(),
              "'>\tOptional: ", ref.is_optional(), "\n");
    } else if (from.has_config_map_key_ref()) {
      const m::ConfigMapKeySelector& ref = from.config_map_key_ref();
      w.write(3, e.name(), ":\t<set to the key '", ref.key(), "' of config map '", ref.name(),
              "'>\tOptional: ", ref.is_optional(), "\n");
    }
  }
}

void container_mounts(writer& w, const m::Container& c) {
  // kubectl decides "<none>" for Devices from the mounts, as here.
  const std::string none = c.volume_mounts().empty() ? "\t<none>" : "";
  w.write(2, "Mounts:", none, "\n");
  std::vector<const m::VolumeMount*> mounts;
  for (const m::VolumeMount& mount : c.volume_mounts())
    mounts.push_back(&mount);
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const m::VolumeMount* a, const m::VolumeMount* b) {
                     return a->mount_path() < b->mount_path();
                   });
  for (const m::VolumeMount* mount : mounts) {
    std::string flags = mount->read_only() ? "ro" : "rw";
    if (!mount->sub_path().empty()) flags += ",path=" + go_quote(mount->sub_path());
    w.write(3, mount->mount_path(), " from ", mount->name(), " (", flags, ")\n");
  }
  if (c.volume_devices().empty()) return;
  w.write(2, "Devices:", none, "\n");
  std::vector<const m::VolumeDevice*> devices;
  for (const m::VolumeDevice& device : c.volume_devices())
    devices.push_back(&device);
  std::stable_sort(devices.begin(), devices.end(),
                   [](const m::VolumeDevice* a, const m::VolumeDevice* b) {
                     return a->device_path() < b->device_path();
                   });
  for (const m::VolumeDevice* device : devices)
    w.write(3, device->device_path(), " from ", device->name(), "\n");
}

std::string ports_text(const m::Container& c, bool host) {
  std::vector<std::string> ports;
  for (const m::ContainerPort& port : c.ports())
    ports.push_back(cat(host ? port.host_port() : port.container_port(), "/", port.protocol()));
  return join(ports, ", ");
}

// A container's command or args, one line per line of each word.
void command_lines(writer& w, std::string_view title,
                   const pb::RepeatedPtrField<std::string>& words) {
  if (words.empty()) return;
  w.write(2, title, ":\n");
  for (const std::string& word : words)
    for (const std::string& line : split_lines(word))
      w.write(3, line, "\n");
}

// describeContainers: the containers of a pod (with their statuses, pod non-null) or of a
// template (space "  ", no statuses).
void describe_containers(writer& w, std::string_view label,
                         const pb::RepeatedPtrField<m::Container>& containers,
                         const pb::RepeatedPtrField<m::ContainerStatus>* statuses,
                         const m::Pod* pod, std::string_view space,
                         const describe_context& context) {
  w.write(0, space, label, ":", containers.empty() ? " <none>" : "", "\n");
  const std::string name_indent = space.empty() ? "" : " ";
  for (const m::Container& c : containers) {
    const m::ContainerStatus* status = nullptr;
    if (statuses != nullptr)
      for (const m::ContainerStatus& s : *statuses)
        if (s.name() == c.name()) status = &s;  // the last of a name wins, as in kubectl's map
    w.write(1, name_indent, c.name(), ":\n");
    if (status != nullptr) w.write(2, "Container ID:\t", status->container_id(), "\n");
    w.write(2, "Image:\t", c.image(), "\n");
    if (status != nullptr) w.write(2, "Image ID:\t", status->image_id(), "\n");
    const std::string ports = ports_text(c, false), host_ports = ports_text(c, true);
    if (ports.find(',') != std::string::npos) {
      w.write(2, "Ports:\t", ports, "\n");
    } else {
      w.write(2, "Port:\t", or_default(ports, "<none>"), "\n");
    }
    if (host_ports.find(',') != std::string::npos) {
      w.write(2, "Host Ports:\t", host_ports, "\n");
    } else {
      w.write(2, "Host Port:\t", or_default(host_ports, "<none>"), "\n");
    }
    if (c.has_security_context() && c.security_context().has_seccomp_profile()) {
      const m::SeccompProfile& profile = c.security_context().seccomp_profile();
      w.write(2, "SeccompProfile:\t", profile.type(), "\n");
      if (profile.type() == "Localhost")
        w.write(3, "LocalhostProfile:\t", profile.localhost_profile(), "\n");
    }
    command_lines(w, "Command", c.command());
    command_lines(w, "Args", c.args());
    if (status != nullptr) {
      container_state(w, "State", status->state(), context);
      if (status->last_state().has_terminated())
        container_state(w, "Last State", status->last_state(), context);
      w.write(2, "Ready:\t", print_bool(status->ready()), "\n");
      w.write(2, "Restart Count:\t", status->restart_count(), "\n");
    }
    resources_section(w, c.resources(), 2);
    if (c.has_liveness_probe()) w.write(2, "Liveness:\t", probe_text(c.liveness_probe()), "\n");
    if (c.has_readiness_probe()) w.write(2, "Readiness:\t", probe_text(c.readiness_probe()), "\n");
    if (c.has_startup_probe()) w.write(2, "Startup:\t", probe_text(c.startup_probe()), "\n");
    container_env(w, c, pod);
    container_mounts(w, c);
  }
}

// A *bool as kubectl 1.32's projected-volume lines show it when unset.
std::string optional_bool(bool present, bool value) {
  return present ? (value ? "true" : "false") : "<nil>";
}

void volume_source(writer& w, const m::Volume& v) {
  if (v.has_host_path()) {
    w.write(2, "Type:\tHostPath (bare host directory volume)\n");
    w.write(2, "Path:\t", v.host_path().path(), "\n");
    w.write(2, "HostPathType:\t", v.host_path().type(), "\n");
  } else if (v.has_empty_dir()) {
    const m::EmptyDirVolumeSource& dir = v.empty_dir();
    w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
    w.write(2, "Medium:\t", dir.medium(), "\n");
    w.write(2, "SizeLimit:\t",
            dir.has_size_limit() && dir.size_limit().milli() > 0 ? quantity_text(dir.size_limit())
                                                                 : "<unset>",
            "\n");
  } else if (v.has_secret()) {
    w.write(2, "Type:\tSecret (a volume populated by a Secret)\n");
    w.write(2, "SecretName:\t", v.secret().secret_name(), "\n");
    w.write(2, "Optional:\t", v.secret().is_optional(), "\n");
  } else if (v.has_config_map()) {
    w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
    w.write(2, "Name:\t", v.config_map().name(), "\n");
    w.write(2, "Optional:\t", v.config_map().is_optional(), "\n");
  } else if (v.has_nfs()) {
    w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n");
    w.write(2, "Server:\t", v.nfs().server(), "\n");
    w.write(2, "Path:\t", v.nfs().path(), "\n");
    w.write(2, "ReadOnly:\t", v.nfs().read_only(), "\n");
  } else if (v.has_persistent_volume_claim()) {
    w.write(2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
            "namespace)\n");
    w.write(2, "ClaimName:\t", v.persistent_volume_claim().claim_name(), "\n");
    w.write(2, "ReadOnly:\t", v.persistent_volume_claim().read_only(), "\n");
  } else if (v.has_downward_api()) {
    w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
    w.write(2, "Items:\n");
    for (const m::DownwardAPIVolumeFile& item : v.downward_api().items()) {
      if (item.has_field_ref())
        w.write(3, item.field_ref().field_path(), " -> ", item.path(), "\n");
      if (item.has_resource_field_ref())
        w.write(3, item.resource_field_ref().resource(), " -> ", item.path(), "\n");
    }
  } else if (v.has_projected()) {
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
    for (const m::VolumeProjection& source : v.projected().sources()) {
      if (source.has_secret()) {
        w.write(2, "SecretName:\t", source.secret().name(), "\n");
        w.write(2, "SecretOptionalName:\t",
                optional_bool(source.secret().has_is_optional(), source.secret().is_optional()),
                "\n");
      } else if (source.has_downward_api()) {
        w.write(2, "DownwardAPI:\ttrue\n");
      } else if (source.has_config_map()) {
        w.write(2, "ConfigMapName:\t", source.config_map().name(), "\n");
        w.write(
            2, "ConfigMapOptional:\t",
            optional_bool(source.config_map().has_is_optional(), source.config_map().is_optional()),
            "\n");
      } else if (source.has_service_account_token()) {
        w.write(2, "TokenExpirationSeconds:\t", source.service_account_token().expiration_seconds(),
                "\n");
      }
    }
  } else {
    w.write(1, "<unknown>\n");
  }
}

void describe_volumes(writer& w, const pb::RepeatedPtrField<m::Volume>& volumes,
                      std::string_view space) {
  if (volumes.empty()) {
    w.write(0, space, "Volumes:\t<none>\n");
    return;
  }
  w.write(0, space, "Volumes:\n");
  for (const m::Volume& v : volumes) {
    w.write(1, space.empty() ? "" : " ", v.name(), ":\n");
    volume_source(w, v);
  }
}

void topology_spread(writer& w, const pb::RepeatedPtrField<m::TopologySpreadConstraint>& all,
                     std::string_view space) {
  if (all.empty()) return;
  std::vector<const m::TopologySpreadConstraint*> sorted;
  for (const m::TopologySpreadConstraint& c : all)
    sorted.push_back(&c);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return a->topology_key() < b->topology_key();
  });
  w.write(0, space, "Topology Spread Constraints:\t");
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const m::TopologySpreadConstraint& c = *sorted[i];
    if (i > 0) w.write(0, space, "\t");
    w.write(0, c.topology_key(), ":", c.when_unsatisfiable(), " when max skew ", c.max_skew(),
            " is exceeded");
    if (c.has_label_selector())
      w.write(0, " for selector ", format_label_selector(c.label_selector()));
    w.write(0, "\n");
  }
}

// DescribePodTemplate.
void pod_template(writer& w, const m::PodTemplateSpec& t, const describe_context& context) {
  w.write(0, "Pod Template:\n");
  labels_multiline(w, "  Labels", t.metadata().labels());
  if (!t.metadata().annotations().empty())
    annotations_multiline(w, "  Annotations", t.metadata().annotations());
  const m::PodSpec& spec = t.spec();
  if (!spec.service_account_name().empty())
    w.write(1, "Service Account:\t", spec.service_account_name(), "\n");
  if (!spec.init_containers().empty())
    describe_containers(w, "Init Containers", spec.init_containers(), nullptr, nullptr, "  ",
                        context);
  describe_containers(w, "Containers", spec.containers(), nullptr, nullptr, "  ", context);
  describe_volumes(w, spec.volumes(), "  ");
  topology_spread(w, spec.topology_spread_constraints(), "  ");
  if (!spec.priority_class_name().empty())
    w.write(1, "Priority Class Name:\t", spec.priority_class_name(), "\n");
  labels_multiline(w, "  Node-Selectors", spec.node_selector());
  tolerations_multiline(w, "  Tolerations", spec.tolerations());
}

// ---------------------------------------------------------------------------
// Pods
// ---------------------------------------------------------------------------

// qos.GetPodQOS: the status's class, else computed from the containers' cpu and memory.
std::string pod_qos(const m::Pod& pod) {
  if (!pod.status().qos_class().empty()) return pod.status().qos_class();
  std::map<std::string, int64_t> requests, limits;
  bool guaranteed = true;
  auto account = [&](const m::Container& c) {
    for (const auto& [name, q] : c.resources().requests())
      if ((name == "cpu" || name == "memory") && q.milli() > 0) requests[name] += q.milli();
    std::set<std::string> limited;
    for (const auto& [name, q] : c.resources().limits())
      if ((name == "cpu" || name == "memory") && q.milli() > 0) {
        limited.insert(name);
        limits[name] += q.milli();
      }
    if (limited.size() != 2) guaranteed = false;
  };
  for (const m::Container& c : pod.spec().containers())
    account(c);
  for (const m::Container& c : pod.spec().init_containers())
    account(c);
  if (requests.empty() && limits.empty()) return "BestEffort";
  for (const auto& [name, value] : requests)
    if (auto it = limits.find(name); it == limits.end() || it->second != value) guaranteed = false;
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

void describe_pod(writer& w, const m::Pod& pod, const describe_context& context) {
  const m::ObjectMeta& meta = pod.metadata();
  const m::PodSpec& spec = pod.spec();
  const m::PodStatus& status = pod.status();
  w.write(0, "Name:\t", meta.name(), "\n");
  w.write(0, "Namespace:\t", meta.namespace_(), "\n");
  if (spec.has_priority()) w.write(0, "Priority:\t", spec.priority(), "\n");
  if (!spec.priority_class_name().empty())
    w.write(0, "Priority Class Name:\t", spec.priority_class_name(), "\n");
  if (!spec.runtime_class_name().empty())
    w.write(0, "Runtime Class Name:\t", spec.runtime_class_name(), "\n");
  if (!spec.service_account_name().empty())
    w.write(0, "Service Account:\t", spec.service_account_name(), "\n");
  if (spec.node_name().empty()) {
    w.write(0, "Node:\t<none>\n");
  } else {
    w.write(0, "Node:\t", spec.node_name(), "/", status.host_ip(), "\n");
  }
  if (status.has_start_time())
    w.write(0, "Start Time:\t", absolute_time(status.start_time(), context), "\n");
  labels_multiline(w, "Labels", meta.labels());
  annotations_multiline(w, "Annotations", meta.annotations());
  if (meta.has_deletion_timestamp() && status.phase() != "Failed" &&
      status.phase() != "Succeeded") {
    w.write(0, "Status:\tTerminating (lasts ", since(meta.deletion_timestamp(), context), ")\n");
    w.write(0, "Termination Grace Period:\t", meta.deletion_grace_period_seconds(), "s\n");
  } else {
    w.write(0, "Status:\t", status.phase(), "\n");
  }
  if (!status.reason().empty()) w.write(0, "Reason:\t", status.reason(), "\n");
  if (!status.message().empty()) w.write(0, "Message:\t", status.message(), "\n");
  if (spec.has_security_context() && spec.security_context().has_seccomp_profile()) {
    const m::SeccompProfile& profile = spec.security_context().seccomp_profile();
    w.write(0, "SeccompProfile:\t", profile.type(), "\n");
    if (profile.type() == "Localhost")
      w.write(0, "LocalhostProfile:\t", profile.localhost_profile(), "\n");
  }
  w.write(0, "IP:\t", status.pod_ip(), "\n");
  if (status.pod_ips().empty()) {
    w.write(0, "IPs:\t<none>\n");
  } else {
    w.write(0, "IPs:\n");
    for (const m::PodIP& ip : status.pod_ips())
      w.write(1, "IP:\t", ip.ip(), "\n");
  }
  if (const std::string owner = controller_of(meta); !owner.empty())
    w.write(0, "Controlled By:\t", owner, "\n");
  if (!status.nominated_node_name().empty())
    w.write(0, "NominatedNodeName:\t", status.nominated_node_name(), "\n");
  if (!spec.init_containers().empty())
    describe_containers(w, "Init Containers", spec.init_containers(),
                        &status.init_container_statuses(), &pod, "", context);
  describe_containers(w, "Containers", spec.containers(), &status.container_statuses(), &pod, "",
                      context);
  if (!spec.readiness_gates().empty()) {
    w.write(0, "Readiness Gates:\n  Type\tStatus\n");
    for (const m::PodReadinessGate& gate : spec.readiness_gates()) {
      std::string gate_status = "<none>";
      for (const m::PodCondition& c : status.conditions())
        if (c.type() == gate.condition_type()) {
          gate_status = c.status();
          break;
        }
      w.write(1, gate.condition_type(), " \t", gate_status, " \n");
    }
  }
  if (!status.conditions().empty()) {
    w.write(0, "Conditions:\n  Type\tStatus\n");
    for (const m::PodCondition& c : status.conditions())
      w.write(1, c.type(), " \t", c.status(), " \n");
  }
  describe_volumes(w, spec.volumes(), "");
  w.write(0, "QoS Class:\t", pod_qos(pod), "\n");
  labels_multiline(w, "Node-Selectors", spec.node_selector());
  tolerations_multiline(w, "Tolerations", spec.tolerations());
  topology_spread(w, spec.topology_spread_constraints(), "");
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------

// Whether a ReplicationController's selector (a label map) selects these labels.
bool selects(const pb::Map<std::string, std::string>& selector,
             const pb::Map<std::string, std::string>& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& wanted) {
    auto it = labels.find(wanted.first);
    return it != labels.end() && it->second == wanted.second;
  });
}

// Whether a ReplicaSet's selector selects these labels; an invalid one selects nothing.
bool selects(const m::LabelSelector& selector, const pb::Map<std::string, std::string>& labels) {
  auto parsed = m::label_selector::from_proto(selector);
  return parsed.value && parsed.value->matches(labels);
}

// "2 Running / 1 Waiting / 0 Succeeded / 1 Failed" over the selected pods the controller
// owns, as kubectl lists them by selector and then drops orphans and other owners' pods.
template <class Controller>
std::string pods_status(const Controller& controller, const describe_context& context) {
  int running = 0, waiting = 0, succeeded = 0, failed = 0;
  for (const m::Pod* pod : context.pods) {
    if (pod == nullptr || !selects(controller.spec().selector(), pod->metadata().labels()) ||
        !controlled_by(pod->metadata(), controller.metadata().uid()))
      continue;
    const std::string& phase = pod->status().phase();
    if (phase == "Running") ++running;
    if (phase == "Pending") ++waiting;
    if (phase == "Succeeded") ++succeeded;
    if (phase == "Failed") ++failed;
  }
  return cat(running, " Running / ", waiting, " Waiting / ", succeeded, " Succeeded / ", failed,
             " Failed");
}

// Conditions of ReplicaSets, ReplicationControllers and Deployments: type, status, reason.
template <class Conditions>
void workload_conditions(writer& w, const Conditions& conditions) {
  if (conditions.empty()) return;
  w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
  w.write(1, "----\t------\t------\n");
  for (const auto& c : conditions)
    w.write(1, c.type(), " \t", c.status(), "\t", c.reason(), "\n");
}

// The API server defaults an unset replica count to 1.
template <class Spec>
int32_t desired_replicas(const Spec& spec) {
  return spec.has_replicas() ? spec.replicas() : 1;
}

void describe_replica_set(writer& w, const m::ReplicaSet& rs, const describe_context& context) {
  w.write(0, "Name:\t", rs.metadata().name(), "\n");
  w.write(0, "Namespace:\t", rs.metadata().namespace_(), "\n");
  w.write(0, "Selector:\t", format_label_selector(rs.spec().selector()), "\n");
  labels_multiline(w, "Labels", rs.metadata().labels());
  annotations_multiline(w, "Annotations", rs.metadata().annotations());
  if (const std::string owner = controller_of(rs.metadata()); !owner.empty())
    w.write(0, "Controlled By:\t", owner, "\n");
  w.write(0, "Replicas:\t", rs.status().replicas(), " current / ", desired_replicas(rs.spec()),
          " desired\n");
  w.write(0, "Pods Status:\t", pods_status(rs, context), "\n");
  pod_template(w, rs.spec().template_(), context);
  workload_conditions(w, rs.status().conditions());
  describe_events(w, context);
}

void describe_replication_controller(writer& w, const m::ReplicationController& rc,
                                     const describe_context& context) {
  w.write(0, "Name:\t", rc.metadata().name(), "\n");
  w.write(0, "Namespace:\t", rc.metadata().namespace_(), "\n");
  w.write(0, "Selector:\t", format_labels(rc.spec().selector()), "\n");
  labels_multiline(w, "Labels", rc.metadata().labels());
  annotations_multiline(w, "Annotations", rc.metadata().annotations());
  w.write(0, "Replicas:\t", rc.status().replicas(), " current / ", desired_replicas(rc.spec()),
          " desired\n");
  w.write(0, "Pods Status:\t", pods_status(rc, context), "\n");
  pod_template(w, rc.spec().template_(), context);
  workload_conditions(w, rc.status().conditions());
  describe_events(w, context);
}

// Deterministic bytes of a template without its pod-template-hash label: two templates are
// the same when these are equal (deploymentutil.EqualIgnoreHash).
std::string template_identity(const m::PodTemplateSpec& t) {
  m::PodTemplateSpec copy = t;
  copy.mutable_metadata()->mutable_labels()->erase("pod-template-hash");
  std::string bytes;
  pb::io::StringOutputStream stream(&bytes);
  pb::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  copy.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// "name (1/1 replicas created), ..." or "<none>".
std::string replica_sets_text(const std::vector<const m::ReplicaSet*>& sets) {
  std::vector<std::string> parts;
  for (const m::ReplicaSet* rs : sets)
    parts.push_back(cat(rs->metadata().name(), " (", rs->status().replicas(), "/",
                        desired_replicas(rs->spec()), " replicas created)"));
  return or_default(join(parts, ", "), "<none>");
}

void describe_deployment(writer& w, const m::Deployment& d, const describe_context& context) {
  const m::DeploymentSpec& spec = d.spec();
  const m::DeploymentStatus& status = d.status();
  w.write(0, "Name:\t", d.metadata().name(), "\n");
  w.write(0, "Namespace:\t", d.metadata().namespace_(), "\n");
  w.write(0, "CreationTimestamp:\t", absolute_time(d.metadata().creation_timestamp(), context),
          "\n");
  labels_multiline(w, "Labels", d.metadata().labels());
  annotations_multiline(w, "Annotations", d.metadata().annotations());
  w.write(0, "Selector:\t", selector_text(spec.selector()), "\n");
  w.write(0, "Replicas:\t", desired_replicas(spec), " desired | ", status.updated_replicas(),
          " updated | ", status.replicas(), " total | ", status.available_replicas(),
          " available | ", status.unavailable_replicas(), " unavailable\n");
  w.write(0, "StrategyType:\t", spec.strategy().type(), "\n");
  w.write(0, "MinReadySeconds:\t", spec.min_ready_seconds(), "\n");
  if (spec.strategy().has_rolling_update()) {
    const m::RollingUpdateDeployment& ru = spec.strategy().rolling_update();
    w.write(0, "RollingUpdateStrategy:\t", int_or_string(ru.max_unavailable()),
            " max unavailable, ", int_or_string(ru.max_surge()), " max surge\n");
  }
  pod_template(w, spec.template_(), context);
  workload_conditions(w, status.conditions());

  // The deployment's own replica sets, oldest first (ties by name), as kubectl sorts them;
  // the new one is the oldest whose template is the deployment's.
  std::vector<const m::ReplicaSet*> owned;
  for (const m::ReplicaSet* rs : context.replica_sets)
    if (rs != nullptr && controlled_by(rs->metadata(), d.metadata().uid())) owned.push_back(rs);
  std::stable_sort(owned.begin(), owned.end(), [](const m::ReplicaSet* a, const m::ReplicaSet* b) {
    const int64_t at = unix_ms(a->metadata().creation_timestamp());
    const int64_t bt = unix_ms(b->metadata().creation_timestamp());
    return at != bt ? at < bt : a->metadata().name() < b->metadata().name();
  });
  const std::string wanted = template_identity(spec.template_());
  std::vector<const m::ReplicaSet*> old_sets, new_set;
  for (const m::ReplicaSet* rs : owned) {
    if (new_set.empty() && template_identity(rs->spec().template_()) == wanted) {
      new_set.push_back(rs);
    } else {
      old_sets.push_back(rs);
    }
  }
  if (!owned.empty()) {
    w.write(0, "OldReplicaSets:\t", replica_sets_text(old_sets), "\n");
    w.write(0, "NewReplicaSet:\t", replica_sets_text(new_set), "\n");
  }
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

// formatEndpointSlices over the Endpoints' subsets (one subset per slice): ready addresses
// joined with the port `port_name`, at most three, then " + N more...".
std::string endpoints_text(const m::Endpoints* endpoints, const std::string& port_name) {
  if (endpoints == nullptr) return "<none>";
  constexpr std::size_t max = 3;
  std::vector<std::string> list;
  bool more = false;
  int count = 0;
  // Not-ready addresses are skipped, but like kubectl's not-ready endpoints they may still
  // turn on "more" once the list is full.
  auto visit = [&](const m::EndpointAddress& address, bool ready, const m::EndpointPort* port) {
    if (list.size() == max) more = true;
    if (!ready) return;
    if (!more)
      list.push_back(port == nullptr ? address.ip()
                                     : join_host_port(address.ip(), std::to_string(port->port())));
    ++count;
  };
  auto visit_all = [&](const m::EndpointSubset& subset, const m::EndpointPort* port) {
    for (const m::EndpointAddress& address : subset.addresses())
      visit(address, true, port);
    for (const m::EndpointAddress& address : subset.not_ready_addresses())
      visit(address, false, port);
  };
  for (const m::EndpointSubset& subset : endpoints->subsets()) {
    if (subset.ports().empty()) {
      visit_all(subset, nullptr);
      continue;
    }
    for (const m::EndpointPort& port : subset.ports())
      if (port.name() == port_name) visit_all(subset, &port);
  }
  std::string text = join(list, ",");
  if (more) text += cat(" + ", count - static_cast<int>(max), " more...");
  return text;
}

void describe_service(writer& w, const m::Service& svc, const describe_context& context) {
  const m::ServiceSpec& spec = svc.spec();
  w.write(0, "Name:\t", svc.metadata().name(), "\n");
  w.write(0, "Namespace:\t", svc.metadata().namespace_(), "\n");
  labels_multiline(w, "Labels", svc.metadata().labels());
  annotations_multiline(w, "Annotations", svc.metadata().annotations());
  w.write(0, "Selector:\t", format_labels(spec.selector()), "\n");
  w.write(0, "Type:\t", spec.type(), "\n");
  if (!spec.ip_family_policy().empty())
    w.write(0, "IP Family Policy:\t", spec.ip_family_policy(), "\n");
  w.write(0, "IP Families:\t", or_default(join(to_vector(spec.ip_families()), ","), "<none>"),
          "\n");
  w.write(0, "IP:\t", spec.cluster_ip(), "\n");
  w.write(0, "IPs:\t", or_default(join(to_vector(spec.cluster_ips()), ","), "<none>"), "\n");
  if (!spec.external_ips().empty())
    w.write(0, "External IPs:\t", join(to_vector(spec.external_ips()), ","), "\n");
  if (!spec.load_balancer_ip().empty())
    w.write(0, "Desired LoadBalancer IP:\t", spec.load_balancer_ip(), "\n");
  if (!spec.external_name().empty()) w.write(0, "External Name:\t", spec.external_name(), "\n");
  if (const auto& ingress = svc.status().load_balancer().ingress(); !ingress.empty()) {
    std::vector<std::string> points;
    for (const m::LoadBalancerIngress& point : ingress) {
      if (point.ip().empty()) {
        points.push_back(point.hostname());
      } else {
        points.push_back(point.ip_mode().empty() ? point.ip()
                                                 : point.ip() + " (" + point.ip_mode() + ")");
      }
    }
    w.write(0, "LoadBalancer Ingress:\t", join(points, ", "), "\n");
  }
  for (const m::ServicePort& port : spec.ports()) {
    const std::string name = or_default(port.name(), "<unset>");
    w.write(0, "Port:\t", name, "\t", port.port(), "/", port.protocol(), "\n");
    w.write(0, "TargetPort:\t", int_or_string(port.target_port()), "/", port.protocol(), "\n");
    if (port.node_port() != 0)
      w.write(0, "NodePort:\t", name, "\t", port.node_port(), "/", port.protocol(), "\n");
    w.write(0, "Endpoints:\t", endpoints_text(context.endpoints, port.name()), "\n");
  }
  w.write(0, "Session Affinity:\t", spec.session_affinity(), "\n");
  if (!spec.external_traffic_policy().empty())
    w.write(0, "External Traffic Policy:\t", spec.external_traffic_policy(), "\n");
  if (!spec.internal_traffic_policy().empty())
    w.write(0, "Internal Traffic Policy:\t", spec.internal_traffic_policy(), "\n");
  if (spec.health_check_node_port() != 0)
    w.write(0, "HealthCheck NodePort:\t", spec.health_check_node_port(), "\n");
  if (!spec.load_balancer_source_ranges().empty())
    w.write(0, "LoadBalancer Source Ranges:\t",
            join(to_vector(spec.load_balancer_source_ranges()), ","), "\n");
  if (!spec.traffic_distribution().empty())
    w.write(0, "Traffic Distribution:\t", spec.traffic_distribution(), "\n");
  describe_events(w, context);
}

void describe_endpoints(writer& w, const m::Endpoints& ep, const describe_context& context) {
  w.write(0, "Name:\t", ep.metadata().name(), "\n");
  w.write(0, "Namespace:\t", ep.metadata().namespace_(), "\n");
  labels_multiline(w, "Labels", ep.metadata().labels());
  annotations_multiline(w, "Annotations", ep.metadata().annotations());
  w.write(0, "Subsets:\n");
  auto ips = [](const pb::RepeatedPtrField<m::EndpointAddress>& addresses) {
    std::vector<std::string> out;
    for (const m::EndpointAddress& a : addresses)
      out.push_back(a.ip());
    return or_default(join(out, ","), "<none>");
  };
  for (const m::EndpointSubset& subset : ep.subsets()) {
    w.write(1, "Addresses:\t", ips(subset.addresses()), "\n");
    w.write(1, "NotReadyAddresses:\t", ips(subset.not_ready_addresses()), "\n");
    if (!subset.ports().empty()) {
      w.write(1, "Ports:\n");
      w.write(2, "Name\tPort\tProtocol\n");
      w.write(2, "----\t----\t--------\n");
      for (const m::EndpointPort& port : subset.ports())
        w.write(2, or_default(port.name(), "<unset>"), "\t", port.port(), "\t", port.protocol(),
                "\n");
    }
    w.write(0, "\n");
  }
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------

// A resource list being summed as Go's resource.Quantity does: the first quantity added
// fixes the format.
using resource_totals = std::map<std::string, m::quantity>;

void add_resources(resource_totals& to, const resource_totals& from) {
  for (const auto& [name, q] : from) {
    auto [it, inserted] = to.emplace(name, q);
    if (!inserted) it->second.milli += q.milli;
  }
}

resource_totals to_totals(const pb::Map<std::string, m::Quantity>& list) {
  resource_totals out;
  for (const auto& [name, q] : list)
    out.emplace(name, to_quantity(q));
  return out;
}

// maxResourceList: each resource takes the larger quantity (and its format).
void max_resources(resource_totals& to, const resource_totals& from) {
  for (const auto& [name, q] : from) {
    auto it = to.find(name);
    if (it == to.end()) {
      to.emplace(name, q);
    } else if (q.milli > it->second.milli) {
      it->second = q;
    }
  }
}

// resourcehelper.PodRequests / PodLimits: the app containers and sidecars together, or the
// largest init container (plus the sidecars started before it) if that is more; plus the
// pod overhead (for limits, only on resources that have a limit).
resource_totals pod_resources(const m::Pod& pod, bool limits) {
  auto of = [limits](const m::Container& c) {
    return to_totals(limits ? c.resources().limits() : c.resources().requests());
  };
  resource_totals total, sidecars, init_max;
  for (const m::Container& c : pod.spec().containers())
    add_resources(total, of(c));
  for (const m::Container& c : pod.spec().init_containers()) {
    resource_totals own = of(c);
    if (c.has_restart_policy() && c.restart_policy() == "Always") {
      add_resources(total, own);
      add_resources(sidecars, own);
      max_resources(init_max, sidecars);
    } else {
      add_resources(own, sidecars);
      max_resources(init_max, own);
    }
  }
  max_resources(total, init_max);
  for (const auto& [name, q] : pod.spec().overhead()) {
    if (limits && total.find(name) == total.end()) continue;
    add_resources(total, {{name, to_quantity(q)}});
  }
  return total;
}

m::quantity total_of(const resource_totals& totals, const std::string& name) {
  auto it = totals.find(name);
  return it == totals.end() ? m::quantity{} : it->second;
}

// Go's int64(float64(part) / float64(whole) * 100), including its amd64 result for NaN and
// infinities when a node reports no allocatable amount.
int64_t percent(int64_t part, int64_t whole) {
  const double fraction = static_cast<double>(part) / static_cast<double>(whole) * 100;
  if (!std::isfinite(fraction) || std::fabs(fraction) >= 9.2e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(fraction);
}

int64_t value_of(const m::quantity& q) {
  return m::quantity_value_ceil(q);
}

std::string with_percent(const m::quantity& q, int64_t percentage) {
  return cat(m::format_quantity(q), " (", percentage, "%)");
}

void node_resources(writer& w, const m::Node& node, const describe_context& context) {
  std::vector<const m::Pod*> pods;
  for (const m::Pod* pod : context.pods)
    if (pod != nullptr) pods.push_back(pod);
  w.write(0, "Non-terminated Pods:\t(", pods.size(), " in total)\n");
  w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  const resource_totals allocatable = to_totals(
      node.status().allocatable().empty() ? node.status().capacity() : node.status().allocatable());
  const m::quantity cpu = total_of(allocatable, "cpu"), memory = total_of(allocatable, "memory");
  resource_totals requests, limits;
  for (const m::Pod* pod : pods) {
    const resource_totals req = pod_resources(*pod, false), lim = pod_resources(*pod, true);
    const m::quantity cpu_req = total_of(req, "cpu"), cpu_lim = total_of(lim, "cpu");
    const m::quantity mem_req = total_of(req, "memory"), mem_lim = total_of(lim, "memory");
    w.write(1, pod->metadata().namespace_(), "\t", pod->metadata().name(), "\t\t",
            with_percent(cpu_req, percent(cpu_req.milli, cpu.milli)), "\t",
            with_percent(cpu_lim, percent(cpu_lim.milli, cpu.milli)), "\t",
            with_percent(mem_req, percent(value_of(mem_req), value_of(memory))), "\t",
            with_percent(mem_lim, percent(value_of(mem_lim), value_of(memory))), "\t",
            since(pod->metadata().creation_timestamp(), context), "\n");
    add_resources(requests, req);
    add_resources(limits, lim);
  }
  w.write(0,
          "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
          "overcommitted.)\n");
  w.write(1, "Resource\tRequests\tLimits\n");
  w.write(1, "--------\t--------\t------\n");
  // A resource with nothing allocatable reads 0%, unlike the per-pod lines above.
  auto usage = [&](const std::string& name, bool milli) {
    const m::quantity whole = total_of(allocatable, name);
    const m::quantity req = total_of(requests, name), lim = total_of(limits, name);
    const int64_t whole_value = milli ? whole.milli : value_of(whole);
    auto part = [&](const m::quantity& q) {
      return whole_value == 0 ? 0 : percent(milli ? q.milli : value_of(q), whole_value);
    };
    w.write(1, name, "\t", with_percent(req, part(req)), "\t", with_percent(lim, part(lim)), "\n");
  };
  usage("cpu", true);
  usage("memory", false);
  usage("ephemeral-storage", false);
  std::vector<std::string> huge_pages, extended;
  for (const auto& [name, q] : allocatable) {
    if (name.starts_with("hugepages-")) {
      huge_pages.push_back(name);
    } else if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pods") {
      extended.push_back(name);
    }
  }
  for (const std::string& name : huge_pages)
    usage(name, false);
  for (const std::string& name : extended)
    w.write(1, name, "\t", m::format_quantity(total_of(requests, name)), "\t",
            m::format_quantity(total_of(limits, name)), "\n");
}

// findNodeRoles: node-role.kubernetes.io/<role> labels and the kubernetes.io/role label.
std::string node_roles(const m::ObjectMeta& meta) {
  constexpr std::string_view prefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  for (const auto& [key, value] : meta.labels()) {
    if (key.starts_with(prefix) && key.size() > prefix.size()) {
      roles.insert(key.substr(prefix.size()));
    } else if (key == "kubernetes.io/role" && !value.empty()) {
      roles.insert(value);
    }
  }
  return or_default(join({roles.begin(), roles.end()}, ","), "<none>");
}

std::string unix_ms_time(int64_t ms, const describe_context& context) {
  if (ms == 0) return "<unset>";
  return rfc1123z(ms >= 0 ? ms / 1000 : (ms - 999) / 1000, context.utc_offset_seconds);
}

void describe_node(writer& w, const m::Node& node, const describe_context& context) {
  const m::NodeStatus& status = node.status();
  w.write(0, "Name:\t", node.metadata().name(), "\n");
  w.write(0, "Roles:\t", node_roles(node.metadata()), "\n");
  labels_multiline(w, "Labels", node.metadata().labels());
  annotations_multiline(w, "Annotations", node.metadata().annotations());
  w.write(0, "CreationTimestamp:\t", absolute_time(node.metadata().creation_timestamp(), context),
          "\n");
  taints_multiline(w, node.spec().taints());
  w.write(0, "Unschedulable:\t", node.spec().unschedulable(), "\n");
  const node_lease lease = context.lease.value_or(node_lease{});
  w.write(0, "Lease:\n");
  w.write(1, "HolderIdentity:\t", or_default(lease.holder_identity, "<unset>"), "\n");
  w.write(1, "AcquireTime:\t", unix_ms_time(lease.acquire_time_ms, context), "\n");
  w.write(1, "RenewTime:\t", unix_ms_time(lease.renew_time_ms, context), "\n");
  if (!status.conditions().empty()) {
    w.write(0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\t"
            "Message\n");
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const m::NodeCondition& c : status.conditions())
      w.write(1, c.type(), " \t", c.status(), " \t",
              absolute_time(c.last_heartbeat_time(), context), " \t",
              absolute_time(c.last_transition_time(), context), " \t", c.reason(), " \t",
              c.message(), "\n");
  }
  w.write(0, "Addresses:\n");
  for (const m::NodeAddress& address : status.addresses())
    w.write(1, address.type(), ":\t", address.address(), "\n");
  auto resource_list = [&w](std::string_view title, const pb::Map<std::string, m::Quantity>& list) {
    if (list.empty()) return;
    w.write(0, title, ":\n");
    for (const std::string& name : sorted_keys(list))
      w.write(0, "  ", name, ":\t", quantity_text(list.at(name)), "\n");
  };
  resource_list("Capacity", status.capacity());
  resource_list("Allocatable", status.allocatable());
  const m::NodeSystemInfo& info = status.node_info();
  w.write(0, "System Info:\n");
  w.write(0, "  Machine ID:\t", info.machine_id(), "\n");
  w.write(0, "  System UUID:\t", info.system_uuid(), "\n");
  w.write(0, "  Boot ID:\t", info.boot_id(), "\n");
  w.write(0, "  Kernel Version:\t", info.kernel_version(), "\n");
  w.write(0, "  OS Image:\t", info.os_image(), "\n");
  w.write(0, "  Operating System:\t", info.operating_system(), "\n");
  w.write(0, "  Architecture:\t", info.architecture(), "\n");
  w.write(0, "  Container Runtime Version:\t", info.container_runtime_version(), "\n");
  w.write(0, "  Kubelet Version:\t", info.kubelet_version(), "\n");
  w.write(0, "  Kube-Proxy Version:\t", info.kube_proxy_version(), "\n");
  if (!node.spec().pod_cidr().empty()) w.write(0, "PodCIDR:\t", node.spec().pod_cidr(), "\n");
  if (!node.spec().pod_cidrs().empty())
    w.write(0, "PodCIDRs:\t", join(to_vector(node.spec().pod_cidrs()), ","), "\n");
  if (!node.spec().provider_id().empty())
    w.write(0, "ProviderID:\t", node.spec().provider_id(), "\n");
  node_resources(w, node, context);
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Namespaces, configuration and storage
// ---------------------------------------------------------------------------

void describe_namespace(writer& w, const m::Namespace& ns, const describe_context& context) {
  w.write(0, "Name:\t", ns.metadata().name(), "\n");
  labels_multiline(w, "Labels", ns.metadata().labels());
  annotations_multiline(w, "Annotations", ns.metadata().annotations());
  w.write(0, "Status:\t", ns.status().phase(), "\n");
  if (ns.status().conditions().empty()) return;
  w.write(0, "Conditions:\n");
  w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
  w.write(1, "----\t------\t------------------\t------\t-------\n");
  for (const m::NamespaceCondition& c : ns.status().conditions())
    w.write(1, c.type(), "\t", c.status(), "\t", absolute_time(c.last_transition_time(), context),
            "\t", c.reason(), "\t", c.message(), "\n");
}

void describe_config_map(writer& w, const m::ConfigMap& cm, const describe_context& context) {
  w.write(0, "Name:\t", cm.metadata().name(), "\n");
  w.write(0, "Namespace:\t", cm.metadata().namespace_(), "\n");
  labels_multiline(w, "Labels", cm.metadata().labels());
  annotations_multiline(w, "Annotations", cm.metadata().annotations());
  w.write(0, "\nData\n====\n");
  for (const std::string& key : sorted_keys(cm.data())) {
    w.write(0, key, ":\n----\n");
    w.write(0, cm.data().at(key), "\n");
    w.write(0, "\n");
  }
  w.write(0, "\nBinaryData\n====\n");
  for (const std::string& key : sorted_keys(cm.binary_data()))
    w.write(0, key, ": ", cm.binary_data().at(key).size(), " bytes\n");
  w.write(0, "\n");
  describe_events(w, context);
}

// Sizes only: a Secret's values never reach the terminal.
void describe_secret(writer& w, const m::Secret& secret) {
  w.write(0, "Name:\t", secret.metadata().name(), "\n");
  w.write(0, "Namespace:\t", secret.metadata().namespace_(), "\n");
  labels_multiline(w, "Labels", secret.metadata().labels());
  annotations_multiline(w, "Annotations", secret.metadata().annotations());
  w.write(0, "\nType:\t", secret.type(), "\n");
  w.write(0, "\nData\n====\n");
  for (const std::string& key : sorted_keys(secret.data()))
    w.write(0, key, ":\t", secret.data().at(key).size(), " bytes\n");
}

// printVolumeNodeAffinity.
void volume_node_affinity(writer& w, const m::PersistentVolumeSpec& spec) {
  w.write(0, "Node Affinity:\t");
  if (!spec.has_node_affinity() || !spec.node_affinity().has_required()) {
    w.write(0, "<none>\n");
    return;
  }
  w.write(0, "\n");
  const auto& terms = spec.node_affinity().required().node_selector_terms();
  w.write(1, "Required Terms:\t");
  if (terms.empty()) {
    w.write(0, "<none>\n");
    return;
  }
  w.write(0, "\n");
  for (int i = 0; i < terms.size(); ++i) {
    w.write(2, "Term ", i, ":\t");
    const auto& requirements = terms[i].match_expressions();
    if (requirements.empty()) w.write(0, "<none>\n");
    for (int j = 0; j < requirements.size(); ++j) {
      const m::NodeSelectorRequirement& r = requirements[j];
      if (j > 0) w.write(2, "\t");
      std::string expression = r.key() + " " + lower(r.operator_());
      if (!r.values().empty()) expression += " [" + join(to_vector(r.values()), ", ") + "]";
      w.write(0, expression, "\n");
    }
  }
}

void describe_persistent_volume(writer& w, const m::PersistentVolume& pv,
                                const describe_context& context) {
  const m::PersistentVolumeSpec& spec = pv.spec();
  w.write(0, "Name:\t", pv.metadata().name(), "\n");
  labels_multiline(w, "Labels", pv.metadata().labels());
  annotations_multiline(w, "Annotations", pv.metadata().annotations());
  w.write(0, "Finalizers:\t", go_list(to_vector(pv.metadata().finalizers())), "\n");
  const std::string* beta_class = beta_storage_class(pv.metadata());
  w.write(0, "StorageClass:\t", beta_class ? *beta_class : spec.storage_class_name(), "\n");
  storage_status(w, pv.metadata(), pv.status().phase(), context);
  w.write(0, "Claim:\t",
          spec.has_claim_ref() ? spec.claim_ref().namespace_() + "/" + spec.claim_ref().name() : "",
          "\n");
  w.write(0, "Reclaim Policy:\t", spec.persistent_volume_reclaim_policy(), "\n");
  w.write(0, "Access Modes:\t", access_modes(spec.access_modes()), "\n");
  if (!spec.volume_mode().empty()) w.write(0, "VolumeMode:\t", spec.volume_mode(), "\n");
  w.write(0, "Capacity:\t", storage_of(spec.capacity()), "\n");
  volume_node_affinity(w, spec);
  w.write(0, "Message:\t", pv.status().message(), "\n");
  w.write(0, "Source:\n");
  if (spec.has_host_path()) {
    m::Volume volume;
    *volume.mutable_host_path() = spec.host_path();
    volume_source(w, volume);
  } else if (spec.has_nfs()) {
    m::Volume volume;
    *volume.mutable_nfs() = spec.nfs();
    volume_source(w, volume);
  } else if (spec.has_local()) {
    w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n");
    w.write(2, "Path:\t", spec.local().path(), "\n");
  } else {
    w.write(1, "<unknown>\n");
  }
  describe_events(w, context);
}

// The pods that use a claim: those mounting it, then owners of it that are pods.
std::vector<std::string> claim_users(const m::PersistentVolumeClaim& pvc,
                                     const describe_context& context) {
  std::vector<const m::Pod*> users;
  for (const m::Pod* pod : context.pods) {
    if (pod == nullptr) continue;
    // A pod mounting the claim twice is listed twice, as kubectl does.
    for (const m::Volume& v : pod->spec().volumes())
      if (v.has_persistent_volume_claim() &&
          v.persistent_volume_claim().claim_name() == pvc.metadata().name())
        users.push_back(pod);
  }
  for (const m::OwnerReference& owner : pvc.metadata().owner_references()) {
    if (owner.kind() != "Pod") continue;
    for (const m::Pod* pod : context.pods) {
      if (pod == nullptr || pod->metadata().uid() != owner.uid()) continue;
      if (std::find(users.begin(), users.end(), pod) == users.end()) users.push_back(pod);
      break;
    }
  }
  std::vector<std::string> names;
  for (const m::Pod* pod : users)
    names.push_back(pod->metadata().name());
  std::stable_sort(names.begin(), names.end());
  return names;
}

void describe_persistent_volume_claim(writer& w, const m::PersistentVolumeClaim& pvc,
                                      const describe_context& context) {
  const m::PersistentVolumeClaimSpec& spec = pvc.spec();
  w.write(0, "Name:\t", pvc.metadata().name(), "\n");
  w.write(0, "Namespace:\t", pvc.metadata().namespace_(), "\n");
  const std::string* beta_class = beta_storage_class(pvc.metadata());
  w.write(0, "StorageClass:\t", beta_class ? *beta_class : spec.storage_class_name(), "\n");
  storage_status(w, pvc.metadata(), pvc.status().phase(), context);
  w.write(0, "Volume:\t", spec.volume_name(), "\n");
  labels_multiline(w, "Labels", pvc.metadata().labels());
  annotations_multiline(w, "Annotations", pvc.metadata().annotations());
  w.write(0, "Finalizers:\t", go_list(to_vector(pvc.metadata().finalizers())), "\n");
  // Capacity and access modes are the bound volume's, so blank until the claim is bound.
  const bool bound = !spec.volume_name().empty();
  w.write(0, "Capacity:\t", bound ? storage_of(pvc.status().capacity()) : "", "\n");
  w.write(0, "Access Modes:\t", bound ? access_modes(pvc.status().access_modes()) : "", "\n");
  if (!spec.volume_mode().empty()) w.write(0, "VolumeMode:\t", spec.volume_mode(), "\n");
  if (spec.has_data_source()) {
    w.write(0, "DataSource:\n");
    if (spec.data_source().has_api_group())
      w.write(1, "APIGroup:\t", spec.data_source().api_group(), "\n");
    w.write(1, "Kind:\t", spec.data_source().kind(), "\n");
    w.write(1, "Name:\t", spec.data_source().name(), "\n");
  }
  const std::vector<std::string> users = claim_users(pvc, context);
  w.write(0, "Used By:\t", users.empty() ? "<none>" : "", users.empty() ? "\n" : "");
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i > 0) w.write(0, "\t");
    w.write(0, users[i], "\n");
  }
  if (!pvc.status().conditions().empty()) {
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const m::PersistentVolumeClaimCondition& c : pvc.status().conditions())
      w.write(1, c.type(), " \t", c.status(), " \t", absolute_time(c.last_probe_time(), context),
              " \t", absolute_time(c.last_transition_time(), context), " \t", c.reason(), " \t",
              c.message(), "\n");
  }
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Horizontal pod autoscalers
// ---------------------------------------------------------------------------

// One metric's "current / target" line of an autoscaling/v2 autoscaler.
void hpa_metric(writer& w, const m::MetricSpec& metric, const m::MetricStatus* current) {
  const std::string unknown = "<unknown>";
  if (metric.type() == "External") {
    const m::ExternalMetricSource& source = metric.external();
    const bool has_current = current != nullptr && current->has_external();
    if (source.target().has_average_value()) {
      const std::string now = has_current && current->external().current().has_average_value()
                                  ? quantity_text(current->external().current().average_value())
                                  : unknown;
      w.write(1, go_quote(source.metric().name()), " (target average value):\t", now, " / ",
              quantity_text(source.target().average_value()), "\n");
    } else {
      const std::string now = has_current
                                  ? quantity_or_nil(current->external().current().has_value(),
                                                    current->external().current().value())
                                  : unknown;
      w.write(1, go_quote(source.metric().name()), " (target value):\t", now, " / ",
              quantity_or_nil(source.target().has_value(), source.target().value()), "\n");
    }
  } else if (metric.type() == "Pods") {
    const m::PodsMetricSource& source = metric.pods();
    const std::string now = current != nullptr && current->has_pods()
                                ? quantity_or_nil(current->pods().current().has_average_value(),
                                                  current->pods().current().average_value())
                                : unknown;
    w.write(1, go_quote(source.metric().name()), " on pods:\t", now, " / ",
            quantity_or_nil(source.target().has_average_value(), source.target().average_value()),
            "\n");
  } else if (metric.type() == "Object") {
    const m::ObjectMetricSource& source = metric.object();
    w.write(1, go_quote(source.metric().name()), " on ", source.described_object().kind(), "/",
            source.described_object().name(), " ");
    const bool has_current = current != nullptr && current->has_object();
    const m::MetricValueStatus& value =
        current != nullptr ? current->object().current() : m::MetricValueStatus::default_instance();
    if (source.target().type() == "AverageValue") {
      w.write(
          0, "(target average value):\t",
          has_current ? quantity_or_nil(value.has_average_value(), value.average_value()) : unknown,
          " / ",
          quantity_or_nil(source.target().has_average_value(), source.target().average_value()),
          "\n");
    } else {
      w.write(0, "(target value):\t",
              has_current ? quantity_or_nil(value.has_value(), value.value()) : unknown, " / ",
              quantity_or_nil(source.target().has_value(), source.target().value()), "\n");
    }
  } else if (metric.type() == "Resource" || metric.type() == "ContainerResource") {
    const bool container = metric.type() == "ContainerResource";
    const m::MetricTarget& target =
        container ? metric.container_resource().target() : metric.resource().target();
    const bool has_current = current != nullptr && (container ? current->has_container_resource()
                                                              : current->has_resource());
    const m::MetricValueStatus& value = !has_current ? m::MetricValueStatus::default_instance()
                                        : container  ? current->container_resource().current()
                                                     : current->resource().current();
    if (container) {
      w.write(1, "resource ", metric.container_resource().name(), " of container \"",
              metric.container_resource().container(), "\" on pods");
    } else {
      w.write(1, "resource ", metric.resource().name(), " on pods");
    }
    if (target.has_average_value()) {
      w.write(
          0, ":\t",
          has_current ? quantity_or_nil(value.has_average_value(), value.average_value()) : unknown,
          " / ", quantity_text(target.average_value()), "\n");
    } else {
      const std::string now =
          has_current && value.has_average_utilization()
              ? cat(value.average_utilization(), "% (",
                    quantity_or_nil(value.has_average_value(), value.average_value()), ")")
              : unknown;
      const std::string wanted =
          target.has_average_utilization() ? cat(target.average_utilization(), "%") : "<auto>";
      w.write(1, "(as a percentage of request):\t", now, " / ", wanted, "\n");
    }
  } else {
    w.write(1, "<unknown metric type ", go_quote(metric.type()), ">\n");
  }
}

void hpa_direction(writer& w, std::string_view direction, bool present,
                   const m::HPAScalingRules& rules) {
  if (!present) return;
  w.write(1, direction, ":\n");
  if (rules.has_stabilization_window_seconds())
    w.write(2, "Stabilization Window: ", rules.stabilization_window_seconds(), " seconds\n");
  if (rules.policies().empty()) return;
  w.write(2, "Select Policy: ", or_default(rules.select_policy(), "Max"), "\n");
  w.write(2, "Policies:\n");
  for (const m::HPAScalingPolicy& p : rules.policies())
    w.write(3, "- Type: ", p.type(), "\tValue: ", p.value(), "\tPeriod: ", p.period_seconds(),
            " seconds\n");
}

// Name to Reference, shared by both autoscaler versions.
template <class Autoscaler>
void hpa_header(writer& w, const Autoscaler& hpa, const describe_context& context) {
  w.write(0, "Name:\t", hpa.metadata().name(), "\n");
  w.write(0, "Namespace:\t", hpa.metadata().namespace_(), "\n");
  labels_multiline(w, "Labels", hpa.metadata().labels());
  annotations_multiline(w, "Annotations", hpa.metadata().annotations());
  w.write(0, "CreationTimestamp:\t", absolute_time(hpa.metadata().creation_timestamp(), context),
          "\n");
  w.write(0, "Reference:\t", hpa.spec().scale_target_ref().kind(), "/",
          hpa.spec().scale_target_ref().name(), "\n");
}

template <class Autoscaler>
void hpa_replicas(writer& w, const Autoscaler& hpa) {
  w.write(0, "Min replicas:\t",
          hpa.spec().has_min_replicas() ? std::to_string(hpa.spec().min_replicas()) : "<unset>",
          "\n");
  w.write(0, "Max replicas:\t", hpa.spec().max_replicas(), "\n");
}

void describe_hpa(writer& w, const m::HorizontalPodAutoscaler& hpa,
                  const describe_context& context) {
  hpa_header(w, hpa, context);
  w.write(0, "Metrics:\t( current / target )\n");
  const auto& current = hpa.status().current_metrics();
  for (int i = 0; i < hpa.spec().metrics_size(); ++i)
    hpa_metric(w, hpa.spec().metrics(i), i < current.size() ? &current[i] : nullptr);
  hpa_replicas(w, hpa);
  if (hpa.spec().has_behavior()) {
    const m::HorizontalPodAutoscalerBehavior& behavior = hpa.spec().behavior();
    w.write(0, "Behavior:\n");
    hpa_direction(w, "Scale Up", behavior.has_scale_up(), behavior.scale_up());
    hpa_direction(w, "Scale Down", behavior.has_scale_down(), behavior.scale_down());
  }
  w.write(0, hpa.spec().scale_target_ref().kind(), " pods:\t", hpa.status().current_replicas(),
          " current / ", hpa.status().desired_replicas(), " desired\n");
  if (!hpa.status().conditions().empty()) {
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tReason\tMessage\n");
    w.write(1, "----\t------\t------\t-------\n");
    for (const m::HorizontalPodAutoscalerCondition& c : hpa.status().conditions())
      w.write(1, c.type(), "\t", c.status(), "\t", c.reason(), "\t", c.message(), "\n");
  }
  describe_events(w, context);
}

void describe_hpa_v1(writer& w, const m::HorizontalPodAutoscalerV1& hpa,
                     const describe_context& context) {
  hpa_header(w, hpa, context);
  if (hpa.spec().has_target_cpu_utilization_percentage()) {
    w.write(0, "Target CPU utilization:\t", hpa.spec().target_cpu_utilization_percentage(), "%\n");
    w.write(0, "Current CPU utilization:\t",
            hpa.status().has_current_cpu_utilization_percentage()
                ? std::to_string(hpa.status().current_cpu_utilization_percentage())
                : "<unknown>",
            "%\n");
  }
  hpa_replicas(w, hpa);
  w.write(0, hpa.spec().scale_target_ref().kind(), " pods:\t", hpa.status().current_replicas(),
          " current / ", hpa.status().desired_replicas(), " desired\n");
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// The generic describer, for kinds kubectl 1.32 has no describer for here
// ---------------------------------------------------------------------------

enum class char_class { lower, upper, digit, other };

char_class class_of(unsigned char c) {
  if (c >= 'a' && c <= 'z') return char_class::lower;
  if (c >= 'A' && c <= 'Z') return char_class::upper;
  if (c >= '0' && c <= '9') return char_class::digit;
  return char_class::other;
}

// github.com/fatih/camelcase.Split: runs of one character class, with an upper-case run's
// last letter moved to a following lower-case run ("PDFLoader" -> "PDF", "Loader").
std::vector<std::string> camelcase_split(std::string_view field) {
  std::vector<std::string> runs;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const bool same = i > 0 && class_of(static_cast<unsigned char>(field[i])) ==
                                   class_of(static_cast<unsigned char>(field[i - 1]));
    if (same) {
      runs.back() += field[i];
    } else {
      runs.emplace_back(1, field[i]);
    }
  }
  for (std::size_t i = 0; i + 1 < runs.size(); ++i) {
    if (class_of(static_cast<unsigned char>(runs[i][0])) == char_class::upper &&
        class_of(static_cast<unsigned char>(runs[i + 1][0])) == char_class::lower) {
      runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
      runs[i].pop_back();
    }
  }
  std::erase_if(runs, [](const std::string& run) { return run.empty(); });
  return runs;
}

// smartLabelFor: "apiVersion" -> "API Version"; names with characters other than letters
// and '-' are kept as they are.
std::string smart_label(const std::string& field) {
  for (char c : field)
    if (c != '-' && class_of(static_cast<unsigned char>(c)) != char_class::lower &&
        class_of(static_cast<unsigned char>(c)) != char_class::upper)
      return field;
  std::vector<std::string> words;
  for (std::string part : camelcase_split(field)) {
    if (part == "_") continue;
    std::string upper = part;
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (upper == "API" || upper == "URL" || upper == "UID" || upper == "OSB" || upper == "GUID") {
      part = upper;
    } else if (part[0] >= 'a' && part[0] <= 'z') {
      part[0] = static_cast<char>(part[0] - 'a' + 'A');
    }
    words.push_back(part);
  }
  return join(words, " ");
}

using doc = m::codec::doc_node;

// Go's %v of a decoded JSON value.
std::string go_value(const doc& node) {
  if (node.is_null()) return "<nil>";
  if (node.is_scalar()) return node.text;
  std::vector<std::string> parts;
  if (node.is_sequence()) {
    for (const auto& item : node.items)
      parts.push_back(go_value(*item));
    return "[" + join(parts, " ") + "]";
  }
  std::vector<std::pair<std::string, const doc*>> entries;
  for (const auto& [key, value] : node.entries)
    entries.emplace_back(key->text, value.get());
  std::sort(entries.begin(), entries.end());
  for (const auto& [key, value] : entries)
    parts.push_back(key + ":" + go_value(*value));
  return "map[" + join(parts, " ") + "]";
}

// printUnstructuredContent: fields sorted by name, maps and lists below their title.
void unstructured_content(writer& w, int level, const doc& mapping, const std::string& prefix) {
  static const std::set<std::string> skipped = {".metadata.managedFields", ".metadata.name",
                                                ".metadata.namespace", ".metadata.labels",
                                                ".metadata.annotations"};
  std::vector<std::pair<std::string, const doc*>> fields;
  for (const auto& [key, value] : mapping.entries)
    fields.emplace_back(key->text, value.get());
  std::sort(fields.begin(), fields.end());
  for (const auto& [field, value] : fields) {
    const std::string path = prefix + "." + field;
    if (skipped.contains(path)) continue;
    if (value->is_mapping()) {
      w.write(level, smart_label(field), ":\n");
      unstructured_content(w, level + 1, *value, path);
    } else if (value->is_sequence()) {
      w.write(level, smart_label(field), ":\n");
      for (const auto& child : value->items) {
        if (child->is_mapping()) {
          unstructured_content(w, level + 1, *child, path);
        } else {
          w.write(level + 1, go_value(*child), "\n");
        }
      }
    } else {
      w.write(level, smart_label(field), ":\t", go_value(*value), "\n");
    }
  }
}

void describe_generic(writer& w, const pb::Message& object, const m::kind_info& kind,
                      const describe_context& context) {
  const m::ObjectMeta& meta = *m::metadata_of(object);
  w.write(0, "Name:\t", meta.name(), "\n");
  w.write(0, "Namespace:\t", meta.namespace_(), "\n");
  labels_multiline(w, "Labels", meta.labels());
  annotations_multiline(w, "Annotations", meta.annotations());
  unstructured_content(w, 0, *m::codec::encode_object(object, kind), "");
  describe_events(w, context);
}

// ---------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------

template <class T>
const T* as(const pb::Message& object) {
  return object.GetDescriptor() == T::descriptor() ? dynamic_cast<const T*>(&object) : nullptr;
}

// ---------------------------------------------------------------------------
// Go's text/tabwriter
// ---------------------------------------------------------------------------

// Characters, not bytes: Go's tabwriter counts UTF-8 code points.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

class tab_aligner {
 public:
  explicit tab_aligner(std::string_view text) {
    lines_.emplace_back();
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\t' || c == '\v' || c == '\n' || c == '\f') {
        lines_.back().push_back(text.substr(start, i - start));
        if (c == '\n' || c == '\f') lines_.emplace_back();
        start = i + 1;
      }
    }
    if (start < text.size()) lines_.back().push_back(text.substr(start));
  }

  std::string run() {
    format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Go's Writer.format: a column block is a run of consecutive lines with a cell in the
  // column (a line's last cell is not in any column); its width is its widest cell + 2.
  void format(std::size_t line0, std::size_t line1) {
    const std::size_t column = widths_.size();
    for (std::size_t at = line0; at < line1; ++at) {
      if (column + 1 >= lines_[at].size()) continue;
      write_lines(line0, at);
      line0 = at;
      std::size_t width = 0;
      for (; at < line1 && column + 1 < lines_[at].size(); ++at)
        width = std::max(width, display_width(lines_[at][column]) + padding);
      widths_.push_back(width);
      format(line0, at);
      widths_.pop_back();
      line0 = at;
      if (at == line1) break;
    }
    write_lines(line0, line1);
  }

  void write_lines(std::size_t line0, std::size_t line1) {
    for (std::size_t i = line0; i < line1; ++i) {
      const std::vector<std::string_view>& cells = lines_[i];
      for (std::size_t j = 0; j < cells.size(); ++j) {
        out_ += cells[j];
        if (j < widths_.size()) out_.append(widths_[j] - display_width(cells[j]), ' ');
      }
      if (i + 1 < lines_.size()) out_ += '\n';
    }
  }

  static constexpr std::size_t padding = 2;
  std::vector<std::vector<std::string_view>> lines_;
  std::vector<std::size_t> widths_;
  std::string out_;
};

}  // namespace

std::string align_tabs(std::string_view text) {
  return tab_aligner(text).run();
}

std::string describe_pod_template(const messages::PodTemplateSpec& tmpl) {
  writer w;
  pod_template(w, tmpl, describe_context{});
  return w.finish();
}

std::string describe(const google::protobuf::Message& object, const describe_context& context) {
  const m::kind_info* kind = m::find_kind(object.GetDescriptor());
  if (kind == nullptr || m::metadata_of(object) == nullptr)
    broken_invariant("describe() was given a message that is not an API kind");
  writer w;
  if (const auto* pod = as<m::Pod>(object)) {
    describe_pod(w, *pod, context);
  } else if (const auto* rs = as<m::ReplicaSet>(object)) {
    describe_replica_set(w, *rs, context);
  } else if (const auto* rc = as<m::ReplicationController>(object)) {
    describe_replication_controller(w, *rc, context);
  } else if (const auto* deployment = as<m::Deployment>(object)) {
    describe_deployment(w, *deployment, context);
  } else if (const auto* service = as<m::Service>(object)) {
    describe_service(w, *service, context);
  } else if (const auto* endpoints = as<m::Endpoints>(object)) {
    describe_endpoints(w, *endpoints, context);
  } else if (const auto* node = as<m::Node>(object)) {
    describe_node(w, *node, context);
  } else if (const auto* ns = as<m::Namespace>(object)) {
    describe_namespace(w, *ns, context);
  } else if (const auto* cm = as<m::ConfigMap>(object)) {
    describe_config_map(w, *cm, context);
  } else if (const auto* secret = as<m::Secret>(object)) {
    describe_secret(w, *secret);
  } else if (const auto* pv = as<m::PersistentVolume>(object)) {
    describe_persistent_volume(w, *pv, context);
  } else if (const auto* pvc = as<m::PersistentVolumeClaim>(object)) {
    describe_persistent_volume_claim(w, *pvc, context);
  } else if (const auto* hpa = as<m::HorizontalPodAutoscaler>(object)) {
    describe_hpa(w, *hpa, context);
  } else if (const auto* hpa_v1 = as<m::HorizontalPodAutoscalerV1>(object)) {
    describe_hpa_v1(w, *hpa_v1, context);
  } else {
    describe_generic(w, object, *kind, context);
  }
  return w.finish();
}

}  // namespace troupe::cli
