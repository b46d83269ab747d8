// The server-owned fields and update rules of object_rules.hpp. Kubernetes sources followed:
// apiserver registry/rest (create.go, update.go, meta.go), storage/names (generate.go),
// util/rand (the name alphabet), pkg/registry/*/strategy.go (status and generation per kind),
// core/validation ValidatePodUpdate and apps strategies (immutable fields), helper/qos.
#include "actors/gateway/object_rules.hpp"

#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/proto/apps.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/meta.pb.h"
#include "messages/validation/field_errors.hpp"

namespace troupe::actors::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using messages::errc;
using messages::field_errors;
using messages::kind_info;
using messages::ObjectMeta;
using store::status;

// storage/names.SimpleNameGenerator: five characters from util/rand's alphabet, which has no
// vowels (no accidental words) and none of 0 1 3 (look-alikes), after at most 58 characters of
// the prefix, so that the name still fits a 63-character DNS label.
constexpr std::string_view name_alphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr std::size_t random_suffix_length = 5;
constexpr std::size_t max_generated_prefix = 63 - random_suffix_length;

// ValidatePodUpdate's list of what a pod update may change, joined with "," as Kubernetes does.
constexpr std::string_view pod_update_forbidden =
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)";

const FieldDescriptor* message_field(const google::protobuf::Descriptor* type,
                                     std::string_view name) {
  const auto* field = type->FindFieldByName(std::string(name));
  return field && field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated() ? field
                                                                                          : nullptr;
}

// "a, b, c"
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ", ";
    out += part;
  }
  return out;
}

// "Deployment.apps", "Pod": schema.GroupKind as errors.NewInvalid prints it.
std::string group_kind(const kind_info& kind) {
  std::string out(kind.kind);
  if (!kind.group.empty()) out.append(".").append(kind.group);
  return out;
}

// "deployments.apps", "pods": schema.GroupResource as errors.NewConflict prints it.
std::string group_resource(const kind_info& kind) {
  std::string out(kind.resource);
  if (!kind.group.empty()) out.append(".").append(kind.group);
  return out;
}

// errors.NewInvalid: `Kind.group "name" is invalid: ` and the errors as utilerrors.Aggregate
// prints them: one alone, several as "[a, b]" with duplicates dropped.
status invalid_object(const kind_info& kind, std::string_view name, const field_errors& errors) {
  std::vector<std::string> texts;
  for (const auto& e : errors) {
    auto text = e.to_string();
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(text);
  }
  std::string message = group_kind(kind);
  message.append(" ").append(messages::quoted(name)).append(" is invalid: ");
  if (texts.size() > 1) message += '[';
  message += join(texts);
  if (texts.size() > 1) message += ']';
  return status::error(errc::invalid, std::move(message));
}

std::string generate_name(std::string_view prefix, std::mt19937_64& rng) {
  std::string name(prefix.substr(0, max_generated_prefix));
  // A modulo of 64 random bits: the bias toward the first characters is 27 in 2^64.
  for (std::size_t i = 0; i < random_suffix_length; ++i)
    name += name_alphabet[rng() % name_alphabet.size()];
  return name;
}

// RFC 4122 version 4: 122 random bits, the version nibble 4 and the variant bits 10.
std::string new_uid(std::mt19937_64& rng) {
  uint8_t bytes[16];
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = rng();
    for (int i = 0; i < 8; ++i)
      bytes[half * 8 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0xf];
  }
  return out;
}

// metav1.Now() as the API serializes it: RFC 3339 in whole seconds.
messages::Time whole_seconds(int64_t unix_ms) {
  messages::Time t;
  t.set_seconds(unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0));
  return t;
}

// helper/qos.ComputePodQOS: Guaranteed when every container limits both cpu and memory and the
// summed requests equal the summed limits; BestEffort when nothing is requested or limited.
std::string pod_qos_class(const messages::PodSpec& spec) {
  std::map<std::string, int64_t> requests, limits;
  bool guaranteed = true;
  // Adds cpu and memory to `sums`; returns how many of the two were there.
  auto add = [](const auto& resources, std::map<std::string, int64_t>& sums) {
    int found = 0;
    for (const auto& [name, q] : resources) {
      if ((name != "cpu" && name != "memory") || q.milli() <= 0) continue;
      sums[name] += q.milli();
      ++found;
    }
    return found;
  };
  auto visit = [&](const messages::Container& c) {
    add(c.resources().requests(), requests);
    if (add(c.resources().limits(), limits) < 2) guaranteed = false;
  };
  std::for_each(spec.containers().begin(), spec.containers().end(), visit);
  std::for_each(spec.init_containers().begin(), spec.init_containers().end(), visit);
  if (requests.empty() && limits.empty()) return "BestEffort";
  for (const auto& [name, request] : requests) {
    auto limit = limits.find(name);
    if (limit == limits.end() || limit->second != request) guaranteed = false;
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

// What each kind's PrepareForCreate does to status.
void reset_status(Message& object, int64_t now_ms) {
  if (dynamic_cast<messages::Node*>(&object)) return;  // created by its agent, status and all
  if (const auto* field = message_field(object.GetDescriptor(), "status"))
    object.GetReflection()->ClearField(&object, field);
  if (auto* pod = dynamic_cast<messages::Pod*>(&object)) {
    pod->mutable_status()->set_phase("Pending");
    pod->mutable_status()->set_qos_class(pod_qos_class(pod->spec()));
  } else if (auto* ns = dynamic_cast<messages::Namespace*>(&object)) {
    ns->mutable_status()->set_phase("Active");
  } else if (auto* pv = dynamic_cast<messages::PersistentVolume*>(&object)) {
    pv->mutable_status()->set_phase("Pending");
    *pv->mutable_status()->mutable_last_phase_transition_time() = whole_seconds(now_ms);
  }
}

void copy_field(Message& to, const Message& from, const FieldDescriptor* field) {
  const auto* reflection = from.GetReflection();
  if (reflection->HasField(from, field)) {
    to.GetReflection()->MutableMessage(&to, field)->CopyFrom(reflection->GetMessage(from, field));
  } else {
    to.GetReflection()->ClearField(&to, field);
  }
}

// The request names the object that `current` is; `incoming` must name it too. Kubernetes'
// checkName in the update handler and the storage layer's UID precondition.
status check_identity(ObjectMeta& incoming, const ObjectMeta& current, const kind_info& kind) {
  if (incoming.name() != current.name()) {
    return status::error(errc::invalid, "the name of the object (" + incoming.name() +
                                            ") does not match the name on the URL (" +
                                            current.name() + ")");
  }
  if (!kind.namespaced) {
    incoming.clear_namespace_();
  } else if (incoming.namespace_().empty()) {
    incoming.set_namespace_(current.namespace_());
  } else if (incoming.namespace_() != current.namespace_()) {
    return status::error(errc::invalid, "the namespace of the object (" + incoming.namespace_() +
                                            ") does not match the namespace on the request (" +
                                            current.namespace_() + ")");
  }
  if (!incoming.uid().empty() && incoming.uid() != current.uid()) {
    return status::error(errc::conflict,
                         "Operation cannot be fulfilled on " + group_resource(kind) + " " +
                             messages::quoted(current.name()) +
                             ": Precondition failed: UID in precondition: " + incoming.uid() +
                             ", UID in object meta: " + current.uid());
  }
  return {};
}

// Records where two messages differ, as API field paths under `root`: "spec.containers[0].ports".
// Paths stop at a map ("spec.nodeSelector") and at the element of a repeated field.
class changed_paths : public MessageDifferencer::Reporter {
 public:
  explicit changed_paths(std::string root) : root_(std::move(root)) {}

  void ReportAdded(const Message&, const Message&,
                   const std::vector<MessageDifferencer::SpecificField>& path) override {
    add(path);
  }
  void ReportDeleted(const Message&, const Message&,
                     const std::vector<MessageDifferencer::SpecificField>& path) override {
    add(path);
  }
  void ReportModified(const Message&, const Message&,
                      const std::vector<MessageDifferencer::SpecificField>& path) override {
    add(path);
  }

  // "spec.restartPolicy, spec.containers[0].ports[0]": the most specific paths, since the
  // differencer reports a changed element and the field inside it that changed.
  std::string joined() const {
    std::vector<std::string> leaves;
    for (const auto& p : paths_) {
      bool has_child = std::any_of(paths_.begin(), paths_.end(), [&p](const std::string& q) {
        return q.size() > p.size() && q.compare(0, p.size(), p) == 0 &&
               (q[p.size()] == '.' || q[p.size()] == '[');
      });
      if (!has_child) leaves.push_back(p);
    }
    return join(leaves);
  }

 private:
  void add(const std::vector<MessageDifferencer::SpecificField>& path) {
    std::string out = root_;
    for (const auto& step : path) {
      if (step.field == nullptr) break;
      out.append(".").append(step.field->json_name());
      if (step.field->is_map()) break;
      int index = step.index >= 0 ? step.index : step.new_index;
      if (step.field->is_repeated() && index >= 0)
        out.append("[").append(std::to_string(index)).append("]");
    }
    if (std::find(paths_.begin(), paths_.end(), out) == paths_.end()) paths_.push_back(out);
  }

  std::string root_;
  std::vector<std::string> paths_;
};

bool equal(const Message& a, const Message& b) {
  return MessageDifferencer::Equals(a, b);
}

bool equal_annotations(const ObjectMeta& a, const ObjectMeta& b) {
  if (a.annotations().size() != b.annotations().size()) return false;
  return std::all_of(a.annotations().begin(), a.annotations().end(), [&b](const auto& entry) {
    auto it = b.annotations().find(entry.first);
    return it != b.annotations().end() && it->second == entry.second;
  });
}

// `current` as the message type of `incoming`; the caller passes two objects of one kind.
template <class T>
const T& same_kind(const Message& current) {
  const auto* typed = dynamic_cast<const T*>(&current);
  if (typed == nullptr) store::invariant_failed("object_rules: an update across kinds");
  return *typed;
}

// Go's %#v of a metav1.LabelSelector, which ValidateImmutableField prints; "null" when unset.
std::string go_selector(const messages::LabelSelector* selector) {
  if (selector == nullptr) return "null";
  auto go_strings = [](const auto& values) {
    if (values.empty()) return std::string("[]string(nil)");
    std::vector<std::string> quoted;
    for (const auto& v : values)
      quoted.push_back(messages::quoted(v));
    return std::string("[]string{").append(join(quoted)).append("}");
  };
  std::string out = "v1.LabelSelector{MatchLabels:";
  if (selector->match_labels().empty()) {
    out += "map[string]string(nil)";
  } else {
    std::map<std::string, std::string> sorted(selector->match_labels().begin(),
                                              selector->match_labels().end());
    std::vector<std::string> entries;
    for (const auto& [k, v] : sorted)
      entries.push_back(messages::quoted(k).append(":").append(messages::quoted(v)));
    out.append("map[string]string{").append(join(entries)).append("}");
  }
  out += ", MatchExpressions:";
  if (selector->match_expressions().empty()) {
    out += "[]v1.LabelSelectorRequirement(nil)";
  } else {
    std::vector<std::string> requirements;
    for (const auto& r : selector->match_expressions()) {
      std::string text = "v1.LabelSelectorRequirement{Key:";
      text.append(messages::quoted(r.key())).append(", Operator:");
      text.append(messages::quoted(r.operator_())).append(", Values:");
      text.append(go_strings(r.values())).append("}");
      requirements.push_back(std::move(text));
    }
    out.append("[]v1.LabelSelectorRequirement{").append(join(requirements)).append("}");
  }
  return out + "}";
}

// apps/v1 forbids changing the selector (apivalidation.ValidateImmutableField).
void check_selector(bool has_now, const messages::LabelSelector& now, bool has_before,
                    const messages::LabelSelector& before, field_errors& out) {
  if (has_now == has_before && (!has_now || equal(now, before))) return;
  out.push_back(messages::invalid("spec.selector", go_selector(has_now ? &now : nullptr),
                                  "field is immutable"));
}

// An existing toleration may change only its tolerationSeconds (validateOnlyAddedTolerations).
bool only_added_tolerations(const messages::PodSpec& now, const messages::PodSpec& before) {
  for (const auto& old : before.tolerations()) {
    bool found = std::any_of(now.tolerations().begin(), now.tolerations().end(),
                             [&old](const messages::Toleration& t) {
                               messages::Toleration clone = old;
                               if (t.has_toleration_seconds()) {
                                 clone.set_toleration_seconds(t.toleration_seconds());
                               } else {
                                 clone.clear_toleration_seconds();
                               }
                               return equal(clone, t);
                             });
    if (!found) return false;
  }
  return true;
}

// ValidatePodUpdate, less what validate() checks on every write (images present, valid
// tolerations) and less scheduling gates, which Troupe does not implement.
void check_pod_update(const messages::Pod& pod, const messages::Pod& old, field_errors& out) {
  const auto& now = pod.spec();
  const auto& before = old.spec();
  if (now.containers_size() != before.containers_size()) {
    out.push_back(
        messages::forbidden("spec.containers", "pod updates may not add or remove containers"));
    return;
  }
  if (now.init_containers_size() != before.init_containers_size()) {
    out.push_back(
        messages::forbidden("spec.initContainers", "pod updates may not add or remove containers"));
    return;
  }
  // activeDeadlineSeconds may be set, or lowered, never raised or unset.
  const std::string deadline = "spec.activeDeadlineSeconds";
  if (now.has_active_deadline_seconds()) {
    int64_t value = now.active_deadline_seconds();
    if (value < 0 || value > INT32_MAX) {
      out.push_back(messages::invalid(deadline, std::to_string(value),
                                      "must be between 0 and 2147483647, inclusive"));
      return;
    }
    if (before.has_active_deadline_seconds() && before.active_deadline_seconds() < value) {
      out.push_back(messages::invalid(deadline, std::to_string(value),
                                      "must be less than or equal to previous value"));
      return;
    }
  } else if (before.has_active_deadline_seconds()) {
    out.push_back(messages::invalid(deadline, "null",
                                    "must not update from a positive integer to nil value"));
  }
  if (!only_added_tolerations(now, before)) {
    out.push_back(messages::forbidden(
        "spec.tolerations",
        "existing toleration can not be modified except its tolerationSeconds"));
  }
  if (equal(now, before)) return;

  // Put back what may change, then any remaining difference is forbidden.
  messages::PodSpec munged = now;
  for (int i = 0; i < munged.containers_size(); ++i)
    munged.mutable_containers(i)->set_image(before.containers(i).image());
  for (int i = 0; i < munged.init_containers_size(); ++i)
    munged.mutable_init_containers(i)->set_image(before.init_containers(i).image());
  if (before.has_active_deadline_seconds()) {
    munged.set_active_deadline_seconds(before.active_deadline_seconds());
  } else {
    munged.clear_active_deadline_seconds();
  }
  *munged.mutable_tolerations() = before.tolerations();
  if (before.has_termination_grace_period_seconds() &&
      before.termination_grace_period_seconds() < 0 &&
      munged.has_termination_grace_period_seconds() &&
      munged.termination_grace_period_seconds() == 1) {
    munged.set_termination_grace_period_seconds(before.termination_grace_period_seconds());
  }
  changed_paths changes("spec");
  MessageDifferencer differencer;
  differencer.ReportDifferencesTo(&changes);
  if (differencer.Compare(before, munged)) return;
  // Kubernetes appends a Go diff of the two specs after the newline; we name the fields.
  out.push_back(messages::forbidden(
      "spec", std::string(pod_update_forbidden) + "\nchanged: " + changes.joined()));
}

// Whether anything outside metadata and status differs: the spec, or a kind's top-level data.
bool spec_changed(const Message& a, const Message& b) {
  MessageDifferencer differencer;
  const auto* type = a.GetDescriptor();
  for (std::string_view name : {"metadata", "status"})
    if (const auto* field = type->FindFieldByName(std::string(name)))
      differencer.IgnoreField(field);
  return !differencer.Compare(a, b);
}

}  // namespace

bool has_status(const kind_info& kind) {
  return message_field(kind.descriptor(), "status") != nullptr;
}

status prepare_create(Message& object, const kind_info& kind, std::string_view request_namespace,
                      int64_t now_ms, std::mt19937_64& rng) {
  ObjectMeta* meta = metadata_of(object);
  if (meta == nullptr)
    store::invariant_failed("prepare_create: " + std::string(kind.kind) + " has no metadata");

  // rest.EnsureObjectNamespaceMatchesRequestNamespace.
  if (!kind.namespaced) {
    meta->clear_namespace_();
  } else if (meta->namespace_().empty()) {
    meta->set_namespace_(std::string(request_namespace));
  } else if (meta->namespace_() != request_namespace) {
    return status::error(errc::invalid,
                         "the namespace of the provided object does not match the namespace sent "
                         "on the request");
  }
  if (meta->name().empty()) {
    if (meta->generate_name().empty()) {
      return invalid_object(
          kind, "", {{"metadata.name", "Required value: name or generateName is required"}});
    }
    meta->set_name(generate_name(meta->generate_name(), rng));
  }
  if (kind.namespaced && meta->namespace_().empty())
    return invalid_object(kind, meta->name(), {messages::required("metadata.namespace")});

  meta->clear_deletion_timestamp();
  meta->clear_deletion_grace_period_seconds();
  meta->clear_resource_version();
  meta->set_uid(new_uid(rng));
  *meta->mutable_creation_timestamp() = whole_seconds(now_ms);
  meta->set_generation(1);
  reset_status(object, now_ms);
  return {};
}

status prepare_update(Message& incoming, const Message& current, const kind_info& kind) {
  ObjectMeta* meta = metadata_of(incoming);
  const ObjectMeta* old = metadata_of(current);
  if (meta == nullptr || old == nullptr || incoming.GetDescriptor() != current.GetDescriptor())
    store::invariant_failed("prepare_update needs two " + std::string(kind.kind) +
                            " objects with metadata");
  if (auto s = check_identity(*meta, *old, kind); !s.ok()) return s;

  meta->set_uid(old->uid());
  *meta->mutable_creation_timestamp() = old->creation_timestamp();
  if (old->has_deletion_timestamp()) {
    *meta->mutable_deletion_timestamp() = old->deletion_timestamp();
  } else {
    meta->clear_deletion_timestamp();
  }
  if (old->has_deletion_grace_period_seconds()) {
    meta->set_deletion_grace_period_seconds(old->deletion_grace_period_seconds());
  } else {
    meta->clear_deletion_grace_period_seconds();
  }
  if (const auto* field = message_field(incoming.GetDescriptor(), "status"))
    copy_field(incoming, current, field);

  bool bump = spec_changed(incoming, current);
  field_errors errors;
  if (auto* deployment = dynamic_cast<messages::Deployment*>(&incoming)) {
    const auto& before = same_kind<messages::Deployment>(current);
    // Annotations too: the deployment controller copies them to the ReplicaSet it rolls out.
    bump = bump || !equal_annotations(*meta, *old);
    check_selector(deployment->spec().has_selector(), deployment->spec().selector(),
                   before.spec().has_selector(), before.spec().selector(), errors);
  } else if (auto* rs = dynamic_cast<messages::ReplicaSet*>(&incoming)) {
    const auto& before = same_kind<messages::ReplicaSet>(current);
    check_selector(rs->spec().has_selector(), rs->spec().selector(), before.spec().has_selector(),
                   before.spec().selector(), errors);
  } else if (auto* pod = dynamic_cast<messages::Pod*>(&incoming)) {
    check_pod_update(*pod, same_kind<messages::Pod>(current), errors);
  }
  meta->set_generation(old->generation() + (bump ? 1 : 0));
  if (!errors.empty()) return invalid_object(kind, meta->name(), errors);
  return {};
}

status prepare_status_update(Message& incoming, const Message& current, const kind_info& kind) {
  const auto* status_field = message_field(kind.descriptor(), "status");
  if (status_field == nullptr)
    return status::error(errc::not_found, "the server could not find the requested resource");
  ObjectMeta* meta = metadata_of(incoming);
  const ObjectMeta* old = metadata_of(current);
  if (meta == nullptr || old == nullptr || incoming.GetDescriptor() != current.GetDescriptor())
    store::invariant_failed("prepare_status_update needs two " + std::string(kind.kind) +
                            " objects with metadata");
  if (auto s = check_identity(*meta, *old, kind); !s.ok()) return s;

  std::unique_ptr<Message> result(current.New());
  result->CopyFrom(current);
  copy_field(*result, incoming, status_field);
  metadata_of(*result)->set_resource_version(meta->resource_version());
  // The QoS class is fixed at creation; a writer that drops it does not clear it.
  if (auto* pod = dynamic_cast<messages::Pod*>(result.get());
      pod && pod->status().qos_class().empty()) {
    pod->mutable_status()->set_qos_class(same_kind<messages::Pod>(current).status().qos_class());
  }
  incoming.CopyFrom(*result);
  return {};
}

void add_default_tolerations(messages::Pod& pod, int64_t seconds) {
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool has = false;
    for (const auto& t : pod.spec().tolerations()) {
      const bool matches_key = t.key() == key || (t.key().empty() && t.operator_() == "Exists");
      if (matches_key && (t.effect().empty() || t.effect() == "NoExecute")) has = true;
    }
    if (has) continue;
    auto* t = pod.mutable_spec()->add_tolerations();
    t->set_key(key);
    t->set_operator_("Exists");
    t->set_effect("NoExecute");
    t->set_toleration_seconds(seconds);
  }
}

}  // namespace troupe::actors::gateway
