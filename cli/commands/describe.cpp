// troupectl describe (TYPE [NAME_PREFIX | -l label] | TYPE/NAME | -f FILE): kubectl 1.32's
// describe. This file fetches what kubectl's describers fetch besides the object (its events,
// a Deployment's ReplicaSets, a controller's or node's pods, a Service's Endpoints, a node's
// Lease); cli/describe_printer.hpp turns them into text.
#include <google/protobuf/message.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/describe_printer.hpp"
#include "cli/targets.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/coordination.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace pb = google::protobuf;
using messages::kind_info;
using object_ptr = std::unique_ptr<pb::Message>;

constexpr flag_spec describe_options[] = {
    {"filename",
     'f',
     true,
     {},
     "Filename, directory, or URL to files containing the resource to describe"},
    {"selector", 'l', true, {}, "Selector (label query) to filter on, e.g. -l key1=value1"},
    {"all-namespaces",
     'A',
     false,
     {},
     "If present, list the requested object(s) across all namespaces."},
    {"show-events", 0, false, {}, "If true, display events related to the described object."},
    namespace_flag,
    server_flag,
};

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The local zone's offset from UTC now, as describe_context wants it.
int32_t local_utc_offset_seconds() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return static_cast<int32_t>(local.tm_gmtoff);
}

int64_t unix_ms(const messages::Time& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

// Lists `kind` in `ns` ("" for every namespace) with the selectors given; the objects in key
// order, or nullopt after printing the server's error to `err` (when not null).
std::optional<std::vector<object_ptr>> list_objects(const kind_info& kind, const std::string& ns,
                                                    const std::string& labels,
                                                    const std::string& fields, cluster& c,
                                                    std::ostream* err) {
  auto request = request_for(kind, messages::ApiRequest::LIST, ns);
  request.set_label_selector(labels);
  request.set_field_selector(fields);
  auto listed = c.client->call(request);
  if (auto* failed = std::get_if<api_client::failure>(&listed)) {
    if (err) *err << failed->to_string() << '\n';
    return std::nullopt;
  }
  std::vector<object_ptr> out;
  for (const auto& item : std::get<messages::ApiResponse>(listed).items()) {
    auto object = kind.new_object();
    if (object->ParseFromString(item)) out.push_back(std::move(object));
  }
  return out;
}

// A typed list that ignores failures: kubectl's describers describe what they could fetch.
template <class T>
std::vector<std::unique_ptr<T>> fetch_all(std::string_view resource, const std::string& ns,
                                          const std::string& labels, const std::string& fields,
                                          cluster& c) {
  std::vector<std::unique_ptr<T>> out;
  auto listed = list_objects(*messages::find_resource(resource), ns, labels, fields, c, nullptr);
  if (!listed) return out;
  for (auto& o : *listed)
    out.emplace_back(static_cast<T*>(o.release()));
  return out;
}

template <class T>
std::unique_ptr<T> fetch_one(std::string_view resource, const std::string& ns,
                             const std::string& name, cluster& c) {
  const auto* kind = messages::find_resource(resource);
  auto get = request_for(*kind, messages::ApiRequest::GET, ns);
  get.set_name(name);
  auto read = c.client->call(get);
  if (std::holds_alternative<api_client::failure>(read)) return nullptr;
  auto object = std::make_unique<T>();
  if (!object->ParseFromString(std::get<messages::ApiResponse>(read).object())) return nullptr;
  return object;
}

// The object as a `T`, or null: a kind check by descriptor, not RTTI.
template <class T>
const T* as(const pb::Message& object) {
  return object.GetDescriptor() == T::descriptor() ? static_cast<const T*>(&object) : nullptr;
}

template <class T>
std::vector<const T*> view(const std::vector<std::unique_ptr<T>>& owned) {
  std::vector<const T*> out;
  for (const auto& o : owned)
    out.push_back(o.get());
  return out;
}

// kubectl's searchEvents: the events whose involvedObject is the object. A node's events may
// name it by uid (controllers) or by name (the agent), as kubelet and controllers do.
bool involves(const messages::Event& e, const pb::Message& object, const kind_info& kind) {
  const auto& ref = e.involved_object();
  const auto& meta = *messages::metadata_of(object);
  if (ref.name() != meta.name() || ref.kind() != kind.kind) return false;
  if (kind.namespaced && ref.namespace_() != meta.namespace_()) return false;
  if (ref.uid().empty() || meta.uid().empty()) return true;
  return ref.uid() == meta.uid() || (kind.kind == "Node" && ref.uid() == meta.name());
}

std::string selector_text(const messages::LabelSelector& selector) {
  auto parsed = messages::label_selector::from_proto(selector);
  return parsed.value ? parsed.value->to_string() : std::string();
}

std::string selector_text(const pb::Map<std::string, std::string>& selector) {
  std::string out;
  for (const auto& [key, value] :
       std::map<std::string, std::string>(selector.begin(), selector.end()))
    out += (out.empty() ? "" : ",") + key + "=" + value;
  return out;
}

// What one object's describer fetches, owned for the call to describe().
struct related {
  std::vector<std::unique_ptr<messages::Event>> events;
  std::vector<std::unique_ptr<messages::ReplicaSet>> replica_sets;
  std::vector<std::unique_ptr<messages::Pod>> pods;
  std::unique_ptr<messages::Endpoints> endpoints;
};

class describer {
 public:
  describer(cluster& c, bool show_events) : cluster_(c), show_events_(show_events) {}

  std::string describe_one(const pb::Message& object, const kind_info& kind) {
    const auto& meta = *messages::metadata_of(object);
    const std::string& ns = meta.namespace_();
    related r;
    describe_context context;
    context.show_events = show_events_;
    context.now_ms = unix_now_ms();
    context.utc_offset_seconds = local_utc_offset_seconds();
    if (show_events_) {
      for (const auto* e : events_in(kind.namespaced ? ns : std::string()))
        if (involves(*e, object, kind)) context.events.push_back(e);
    }
    if (const auto* d = as<messages::Deployment>(object)) {
      r.replica_sets = fetch_all<messages::ReplicaSet>(
          "replicasets", ns, selector_text(d->spec().selector()), "", cluster_);
      context.replica_sets = view(r.replica_sets);
    } else if (const auto* rs = as<messages::ReplicaSet>(object)) {
      r.pods =
          fetch_all<messages::Pod>("pods", ns, selector_text(rs->spec().selector()), "", cluster_);
    } else if (const auto* rc = as<messages::ReplicationController>(object)) {
      r.pods =
          fetch_all<messages::Pod>("pods", ns, selector_text(rc->spec().selector()), "", cluster_);
    } else if (as<messages::PersistentVolumeClaim>(object)) {
      r.pods = fetch_all<messages::Pod>("pods", ns, "", "", cluster_);
    } else if (as<messages::Service>(object)) {
      r.endpoints = fetch_one<messages::Endpoints>("endpoints", ns, meta.name(), cluster_);
      context.endpoints = r.endpoints.get();
    } else if (as<messages::Node>(object)) {
      r.pods = fetch_all<messages::Pod>(
          "pods", "", "",
          "spec.nodeName=" + meta.name() + ",status.phase!=Succeeded,status.phase!=Failed",
          cluster_);
      if (auto lease =
              fetch_one<messages::Lease>("leases", "kube-node-lease", meta.name(), cluster_)) {
        context.lease =
            node_lease{lease->spec().holder_identity(), unix_ms(lease->spec().acquire_time()),
                       unix_ms(lease->spec().renew_time())};
      }
    }
    context.pods = view(r.pods);
    return describe(object, context);
  }

 private:
  // The events of a namespace ("" for all), fetched once per run.
  const std::vector<const messages::Event*>& events_in(const std::string& ns) {
    auto it = events_.find(ns);
    if (it != events_.end()) return it->second;
    auto& owned = owned_events_[ns];
    owned = fetch_all<messages::Event>("events", ns, "", "", cluster_);
    return events_[ns] = view(owned);
  }

  cluster& cluster_;
  bool show_events_;
  std::map<std::string, std::vector<std::unique_ptr<messages::Event>>> owned_events_;
  std::map<std::string, std::vector<const messages::Event*>> events_;
};

// Reads one named object; on failure keeps the server's error for the end, as kubectl does.
struct read_outcome {
  object_ptr object;
  std::optional<api_client::failure> failure;
};

read_outcome read_object(const target_object& t, cluster& c) {
  auto get = request_for(*t.kind, messages::ApiRequest::GET, t.ns);
  get.set_name(t.name);
  auto read = c.client->call(get);
  if (auto* failed = std::get_if<api_client::failure>(&read)) return {nullptr, *failed};
  auto object = t.kind->new_object();
  if (!object->ParseFromString(std::get<messages::ApiResponse>(read).object()))
    return {nullptr,
            api_client::failure{"InternalError", "the server sent a " + std::string(t.kind->kind) +
                                                     " that does not decode"}};
  return {std::move(object), std::nullopt};
}

int run_describe(const parsed_flags& flags, cli_io& io) {
  if (flags.positional.empty() && !flags.has("filename"))
    return fail(io,
                "You must specify the type of resource to describe. Use \"troupectl "
                "api-resources\" for a complete list of supported resources.\n");
  const bool all_namespaces = flags.enabled("all-namespaces");
  const bool show_events = !flags.has("show-events") || flags.enabled("show-events");
  if (auto selector = messages::label_selector::parse(flags.get("selector")); !selector.value)
    return fail(io, selector.error);
  auto c = open_cluster(flags, io);
  if (!c) return 1;
  auto named = resolve_targets(flags.positional, flags.all("filename"), c->ns, io);
  if (!named) return 1;

  std::vector<std::pair<object_ptr, const kind_info*>> objects;
  std::vector<std::string> errors;
  if (named->type_only) {
    auto listed = list_objects(*named->type_only, all_namespaces ? std::string() : c->ns,
                               flags.get("selector"), "", *c, &io.err);
    if (!listed) return 1;
    for (auto& o : *listed)
      objects.emplace_back(std::move(o), named->type_only);
  }
  describer d(*c, show_events);
  for (const auto& t : named->objects) {
    auto read = read_object(t, *c);
    if (read.object) {
      objects.emplace_back(std::move(read.object), t.kind);
      continue;
    }
    // kubectl's DescribeMatchingResources: `describe TYPE PREFIX` describes every object of
    // the type whose name starts with PREFIX, each followed by a blank line.
    const bool prefix_form = flags.positional.size() == 2 && !flags.has("filename") &&
                             flags.positional[0].find('/') == std::string::npos;
    if (read.failure->reason == "NotFound" && prefix_form) {
      auto listed = list_objects(*t.kind, c->ns, "", "", *c, &io.err);
      if (!listed) return 1;
      bool found = false;
      for (const auto& o : *listed) {
        if (!messages::metadata_of(*o)->name().starts_with(t.name)) continue;
        found = true;
        io.out << d.describe_one(*o, *t.kind) << '\n';
      }
      if (found) return 0;
    }
    const std::string line = read.failure->to_string();
    if (std::find(errors.begin(), errors.end(), line) == errors.end()) errors.push_back(line);
  }

  bool first = true;
  for (const auto& [object, kind] : objects) {
    if (!first) io.out << "\n\n";
    first = false;
    io.out << d.describe_one(*object, *kind);
  }
  if (objects.empty() && errors.empty()) {
    if (all_namespaces)
      io.err << "No resources found\n";
    else
      io.err << "No resources found in " << c->ns << " namespace.\n";
  }
  // kubectl's CheckErr prints an aggregate's errors one per line, after the output.
  for (const auto& e : errors)
    io.err << e << '\n';
  return errors.empty() ? 0 : 1;
}

}  // namespace

const command describe_command{
    "describe", "Show details of a specific resource or group of resources",
    "troupectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
    describe_options, run_describe};

}  // namespace troupe::cli
