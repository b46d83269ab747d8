#include "actors/gateway/gateway_actor.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/gateway/api_errors.hpp"
#include "actors/gateway/object_fields.hpp"
#include "actors/gateway/object_rules.hpp"
#include "actors/gateway/service_allocation.hpp"
#include "actors/gateway/subresources.hpp"
#include "actors/gateway/watch_relay.hpp"
#include "messages/defaults.hpp"
#include "messages/errc.hpp"
#include "messages/kinds.hpp"
#include "messages/label_selector.hpp"
#include "messages/proto/api.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/store.pb.h"
#include "messages/validation/validate.hpp"
#include "store/keys.hpp"

namespace troupe::actors {
namespace {

using google::protobuf::Message;
using messages::ApiRequest;
using messages::ApiResponse;
using messages::errc;
using messages::kind_info;
using messages::StoredObject;
using messages::StoreResult;

// What the gateway sends itself: another try at creating the default namespaces.
using gateway_impl = gateway_actor::extend<caf::reacts_to<atoms::retry_atom>>;
using watch_promise = caf::typed_response_promise<uint64_t>;

// Where a verb's answer goes. A write that names no resourceVersion to hold to can still get
// Conflict from the store, when another write lands between the gateway's read and its own;
// the API server retries those itself (GuaranteedUpdate), so kubectl never shows them, and so
// does `retry`: it sees each error first and answers true when it has started another attempt,
// which then answers instead.
struct promise {
  caf::typed_response_promise<ApiResponse> caller;
  std::function<bool(const caf::error&)> retry;
  int attempt = 1;

  void deliver(ApiResponse response) { caller.deliver(std::move(response)); }
  void deliver(caf::error error) {
    if (retry && retry(error)) return;
    caller.deliver(std::move(error));
  }
};

// Attempts at an unconditional write before its Conflict reaches the client. Every round of
// racing writers has a winner, so n concurrent writers need at most n attempts; the bound only
// stops a write that could never succeed from looping.
constexpr int max_unconditional_attempts = 64;

// Those a Kubernetes cluster starts with; kube-node-lease holds the agents' heartbeats.
constexpr const char* default_namespaces[] = {"default", "kube-node-lease", "kube-public",
                                              "kube-system"};

const kind_info* find_served(std::string_view group, std::string_view resource) {
  for (const auto& k : messages::all_kinds())
    if (k.group == group && k.resource == resource) return &k;  // the preferred version
  return nullptr;
}

const kind_info& namespace_kind() {
  static const kind_info* kind = find_served("", "namespaces");
  return *kind;
}

std::string store_group(const kind_info& kind) {
  return kind.group.empty() ? "core" : std::string(kind.group);
}

// The object as clients see it: decoded, with resourceVersion from the store.
std::unique_ptr<Message> decode(const kind_info& kind, const std::string& value,
                                uint64_t revision) {
  auto object = kind.new_object();
  if (!object->ParseFromString(value)) return nullptr;
  if (auto* meta = gateway::metadata_of(*object))
    meta->set_resource_version(std::to_string(revision));
  return object;
}

// What the store keeps: the object without its resourceVersion, which is the key's revision.
std::string encode_for_store(Message& object) {
  auto* meta = gateway::metadata_of(object);
  std::string rv = meta ? meta->resource_version() : "";
  if (meta) meta->clear_resource_version();
  std::string out = object.SerializeAsString();
  if (meta) meta->set_resource_version(rv);
  return out;
}

std::optional<uint64_t> parse_revision(const std::string& text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// What a LIST or WATCH covers: its selectors and the store's key prefix.
struct list_scope {
  messages::label_selector labels;
  messages::field_selector fields;
  std::string prefix;
};

// The scope of a LIST or WATCH request, or the error kubectl would show for it.
std::variant<list_scope, caf::error> scope_of(const kind_info& kind, const ApiRequest& request) {
  auto labels = messages::label_selector::parse(request.label_selector());
  if (!labels.value) return api_errors::invalid(labels.error);
  auto fields = messages::field_selector::parse(request.field_selector());
  if (!fields.value) return api_errors::invalid(fields.error);
  for (const auto& f : fields.value->fields())
    if (!supports_field(kind.resource, f))
      return api_errors::invalid("field label not supported: " + f);
  auto prefix =
      request.namespace_().empty() && kind.namespaced
          ? store::resource_prefix(store_group(kind), kind.resource)
          : store::namespace_prefix(store_group(kind), kind.resource, request.namespace_());
  if (!prefix.ok()) return api_errors::invalid(prefix.error().message());
  return list_scope{std::move(*labels.value), std::move(*fields.value), std::move(*prefix)};
}

struct gateway_state {
  static inline const char* name = "gateway";

  gateway_impl::stateful_pointer<gateway_state> self = nullptr;
  gateway_options options;
  std::mt19937_64 rng;

  // -- verbs ---------------------------------------------------------------------------
  caf::typed_response_promise<ApiResponse> handle(ApiRequest& request) {
    promise rp{self->make_response_promise<ApiResponse>(), nullptr, 1};
    const kind_info* kind = find_served(request.group(), request.resource());
    if (kind == nullptr) {
      rp.deliver(api_errors::unknown_resource(request.group(), request.resource()));
      return rp.caller;
    }
    if (!request.version().empty() && request.version() != kind->version) {
      rp.deliver(api_errors::invalid(std::string(kind->group) + "/" + request.version() + " " +
                                     std::string(kind->kind) + " is not served; use " +
                                     kind->api_version()));
      return rp.caller;
    }
    if (!kind->namespaced) {
      request.clear_namespace_();
    } else if (request.namespace_().empty() && request.verb() != ApiRequest::LIST) {
      request.set_namespace_("default");
    }
    serve(*kind, request, rp);
    return rp.caller;
  }

  // For a write that names no resourceVersion: a Conflict (a race between the gateway's read
  // and its write) starts another attempt, up to the limit, instead of reaching the client.
  // (A write that names one gets Conflict when it is stale, as the client asked.)
  void retry_conflicts(promise& rp, const kind_info& kind, const ApiRequest& request) {
    rp.retry = [this, &kind, request, caller = rp.caller,
                attempt = rp.attempt](const caf::error& e) {
      if (!messages::is_error(e, errc::conflict) || attempt >= max_unconditional_attempts)
        return false;
      serve(kind, request, promise{caller, nullptr, attempt + 1});
      return true;
    };
  }

  void serve(const kind_info& kind, const ApiRequest& request, promise rp) {
    switch (request.verb()) {
      case ApiRequest::GET:
        get(kind, request, rp);
        break;
      case ApiRequest::LIST:
        list(kind, request, rp);
        break;
      case ApiRequest::CREATE:
        if (request.objects_size() > 0)
          create_many(kind, request, rp);
        else
          create(kind, request, rp);
        break;
      case ApiRequest::UPDATE:
      case ApiRequest::UPDATE_STATUS:
        update(kind, request, rp);
        break;
      case ApiRequest::DELETE:
        remove(kind, request, rp);
        break;
      case ApiRequest::BIND:
        bind(kind, request, rp);
        break;
      case ApiRequest::GET_SCALE:
      case ApiRequest::UPDATE_SCALE:
        scale(kind, request, rp);
        break;
      default:
        rp.deliver(api_errors::invalid("the request names no verb"));
    }
  }

  void get(const kind_info& kind, const ApiRequest& request, promise rp) {
    fetch(kind, request.namespace_(), request.name(), rp,
          [rp](std::unique_ptr<Message> object, uint64_t) mutable {
            ApiResponse out;
            out.set_object(object->SerializeAsString());
            rp.deliver(std::move(out));
          });
  }

  void list(const kind_info& kind, const ApiRequest& request, promise rp) {
    auto scope = scope_of(kind, request);
    if (auto* error = std::get_if<caf::error>(&scope)) {
      rp.deliver(std::move(*error));
      return;
    }
    auto& [labels, fields, prefix] = std::get<list_scope>(scope);
    self->request(options.store, options.store_timeout, atoms::store_list_atom_v, prefix,
                  request.limit(), request.continue_(), false)
        .then(
            [rp, &kind, labels = labels, fields = fields](
                std::vector<std::string>&, std::vector<StoredObject>& objects, uint64_t revision,
                std::string& next) mutable {
              ApiResponse out;
              for (const auto& stored : objects) {
                auto object = decode(kind, stored.value(), stored.mod_revision());
                if (!object) continue;
                const auto* meta = gateway::metadata_of(*object);
                if (meta && !labels.matches(meta->labels())) continue;
                const Message& o = *object;
                if (!fields.matches([&o](std::string_view f) { return field_value(o, f); }))
                  continue;
                out.add_items(object->SerializeAsString());
              }
              out.set_resource_version(std::to_string(revision));
              out.set_continue_(std::move(next));
              rp.deliver(std::move(out));
            },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  }

  void create(const kind_info& kind, const ApiRequest& request, promise rp) {
    std::shared_ptr<Message> object = kind.new_object();
    if (!object->ParseFromString(request.object())) {
      rp.deliver(api_errors::invalid("the request's object is not a " + std::string(kind.kind)));
      return;
    }
    if (auto error = admit_new(*object, kind, request.namespace_())) {
      rp.deliver(std::move(error));
      return;
    }
    const auto& meta = *gateway::metadata_of(*object);
    auto write = [this, rp, &kind, object]() mutable {
      if (is_service(kind)) return create_service(kind, object, rp, 1);
      const auto& meta = *gateway::metadata_of(*object);
      auto key = store::make_key(store_group(kind), kind.resource, meta.namespace_(), meta.name());
      if (!key.ok()) {
        rp.deliver(api_errors::invalid(key.error().message()));
        return;
      }
      messages::StoreCommand command;
      command.mutable_create()->set_key(*key);
      command.mutable_create()->set_value(encode_for_store(*object));
      propose(
          std::move(command), rp, kind, meta.name(),
          [rp, object](const StoreResult& result) mutable {
            gateway::metadata_of(*object)->set_resource_version(std::to_string(result.revision()));
            ApiResponse out;
            out.set_object(object->SerializeAsString());
            rp.deliver(std::move(out));
          });
    };
    if (!kind.namespaced || &kind == &namespace_kind()) return write();
    // The namespace must exist, as Kubernetes' NamespaceLifecycle admission requires.
    fetch(namespace_kind(), "", meta.namespace_(), rp,
          [write](std::unique_ptr<Message>, uint64_t) mutable { write(); });
  }

  // A new object's admission: the server-owned metadata, the default tolerations of a pod, then
  // defaults and validation. The error in kubectl's words, or none.
  caf::error admit_new(Message& object, const kind_info& kind, const std::string& ns) {
    if (auto s = gateway::prepare_create(object, kind, ns, now_ms(), rng); !s.ok())
      return caf::make_error(s.code(), s.message());
    if (auto* pod = dynamic_cast<messages::Pod*>(&object))
      gateway::add_default_tolerations(*pod, options.default_toleration_seconds);
    return default_and_validate(object, kind);
  }

  // CREATE of many objects of one kind in the request's namespace (events, in batches): each is
  // admitted as create() admits one, and those admitted are proposed in one non-atomic batch.
  // Services are refused: their addresses are allocated one at a time.
  void create_many(const kind_info& kind, const ApiRequest& request, promise rp) {
    if (is_service(kind)) {
      rp.deliver(api_errors::invalid("services are created one at a time"));
      return;
    }
    ApiResponse out;
    messages::StoreCommand batch;
    batch.mutable_batch();
    std::vector<int> slot;  // the request object of each batch command
    for (int i = 0; i < request.objects_size(); ++i) {
      out.add_failures();
      std::unique_ptr<Message> object = kind.new_object();
      if (!object->ParseFromString(request.objects(i))) {
        out.set_failures(i, "the request's object is not a " + std::string(kind.kind));
        continue;
      }
      if (auto error = admit_new(*object, kind, request.namespace_())) {
        out.set_failures(i, messages::message_of(error));
        continue;
      }
      const auto& meta = *gateway::metadata_of(*object);
      if (meta.namespace_() != request.namespace_()) {
        out.set_failures(i, "the object's namespace is not the request's");
        continue;
      }
      auto key = store::make_key(store_group(kind), kind.resource, meta.namespace_(), meta.name());
      if (!key.ok()) {
        out.set_failures(i, key.error().message());
        continue;
      }
      auto* create = batch.mutable_batch()->add_commands()->mutable_create();
      create->set_key(*key);
      create->set_value(encode_for_store(*object));
      slot.push_back(i);
    }
    auto write = [this, rp, out, slot, &kind, request, batch = std::move(batch)]() mutable {
      propose_each(std::move(batch), slot, kind, request, std::move(out), rp,
                   [&kind](errc code, const std::string& name) {
                     return code == errc::already_exists
                                ? messages::message_of(api_errors::already_exists(kind, name))
                                : "the store refused the create (code " +
                                      std::to_string(static_cast<int>(code)) + ")";
                   });
    };
    if (!kind.namespaced) {
      write();
      return;
    }
    fetch(namespace_kind(), "", request.namespace_(), rp,
          [write](std::unique_ptr<Message>, uint64_t) mutable { write(); });
  }

  void update(const kind_info& kind, const ApiRequest& request, promise rp) {
    const bool status_only = request.verb() == ApiRequest::UPDATE_STATUS;
    std::shared_ptr<Message> incoming = kind.new_object();
    if (!incoming->ParseFromString(request.object())) {
      rp.deliver(api_errors::invalid("the request's object is not a " + std::string(kind.kind)));
      return;
    }
    auto* meta = gateway::metadata_of(*incoming);
    if (meta && meta->namespace_().empty() && kind.namespaced)
      meta->set_namespace_(request.namespace_());
    if (meta && meta->resource_version().empty()) retry_conflicts(rp, kind, request);
    if (status_only && !gateway::has_status(kind)) {
      rp.deliver(api_errors::unknown_resource(kind.group, std::string(kind.resource) + "/status"));
      return;
    }
    const std::string name = request.name().empty() && meta ? meta->name() : request.name();
    fetch(kind, request.namespace_(), name, rp,
          [this, rp, &kind, incoming, status_only, name](std::unique_ptr<Message> current,
                                                         uint64_t revision) mutable {
            auto precondition = parse_revision(gateway::metadata_of(*incoming)->resource_version());
            if (precondition && *precondition != revision) {
              rp.deliver(api_errors::conflict(kind, name));
              return;
            }
            auto s = status_only ? gateway::prepare_status_update(*incoming, *current, kind)
                                 : gateway::prepare_update(*incoming, *current, kind);
            if (!s.ok()) {
              rp.deliver(caf::make_error(s.code(), s.message()));
              return;
            }
            if (!status_only) {
              if (auto error = default_and_validate(*incoming, kind)) {
                rp.deliver(std::move(error));
                return;
              }
              if (is_service(kind))
                return update_service(kind, incoming, std::move(current), revision, rp, 1);
            }
            write_update(kind, incoming, revision, rp, [rp, incoming]() mutable {
              ApiResponse out;
              out.set_object(incoming->SerializeAsString());
              rp.deliver(std::move(out));
            });
          });
  }

  // Stores `object` over the revision it was read at, and sets its new resourceVersion before
  // `then()`. An object that is being deleted and that no finalizer holds any more is deleted
  // instead: the update that removed its last finalizer ends it.
  template <class Then>
  void write_update(const kind_info& kind, std::shared_ptr<Message> object, uint64_t revision,
                    promise rp, Then then) {
    const auto& meta = *gateway::metadata_of(*object);
    auto key = store::make_key(store_group(kind), kind.resource, meta.namespace_(), meta.name());
    if (!key.ok()) {
      rp.deliver(api_errors::invalid(key.error().message()));
      return;
    }
    messages::StoreCommand command;
    if (gateway::should_remove_after_update(*object)) {
      command.mutable_delete_()->set_key(*key);
      command.mutable_delete_()->set_expected_revision(revision);
    } else {
      command.mutable_update()->set_key(*key);
      command.mutable_update()->set_value(encode_for_store(*object));
      command.mutable_update()->set_expected_revision(revision);
    }
    propose(
        std::move(command), rp, kind, meta.name(),
        [object, then](const StoreResult& result) mutable {
          gateway::metadata_of(*object)->set_resource_version(std::to_string(result.revision()));
          then();
        });
  }

  // GET_SCALE and UPDATE_SCALE: the scale subresource.
  void scale(const kind_info& kind, const ApiRequest& request, promise rp) {
    if (!gateway::has_scale(kind)) {
      rp.deliver(api_errors::unknown_resource(kind.group, std::string(kind.resource) + "/scale"));
      return;
    }
    auto reply = [rp](const Message& object) mutable {
      ApiResponse out;
      out.set_object(gateway::scale_of(object).SerializeAsString());
      rp.deliver(std::move(out));
    };
    if (request.verb() == ApiRequest::GET_SCALE) {
      fetch(kind, request.namespace_(), request.name(), rp,
            [reply](std::unique_ptr<Message> object, uint64_t) mutable { reply(*object); });
      return;
    }
    messages::Scale wanted;
    if (!wanted.ParseFromString(request.object())) {
      rp.deliver(api_errors::invalid("the request's object is not a Scale"));
      return;
    }
    if (wanted.metadata().resource_version().empty()) retry_conflicts(rp, kind, request);
    const std::string name = request.name();
    fetch(kind, request.namespace_(), name, rp,
          [this, rp, &kind, wanted, name, reply](std::unique_ptr<Message> current,
                                                 uint64_t revision) mutable {
            auto precondition = parse_revision(wanted.metadata().resource_version());
            if (precondition && *precondition != revision) {
              rp.deliver(api_errors::conflict(kind, name));
              return;
            }
            std::shared_ptr<Message> incoming(current->New());
            incoming->CopyFrom(*current);
            gateway::set_replicas(*incoming, wanted.spec().replicas());
            auto s = gateway::prepare_update(*incoming, *current, kind);
            if (!s.ok()) {
              rp.deliver(caf::make_error(s.code(), s.message()));
              return;
            }
            if (auto error = default_and_validate(*incoming, kind)) {
              rp.deliver(std::move(error));
              return;
            }
            write_update(kind, incoming, revision, rp,
                         [incoming, reply]() mutable { reply(*incoming); });
          });
  }

  // BIND: the scheduler's bindings, one Raft entry for all of them.
  void bind(const kind_info& kind, const ApiRequest& request, promise rp) {
    if (kind.descriptor() != messages::Pod::descriptor()) {
      rp.deliver(api_errors::unknown_resource(kind.group, std::string(kind.resource) + "/binding"));
      return;
    }
    ApiResponse out;
    messages::StoreCommand batch;
    std::vector<int> slot;  // the request object each batch command binds
    const int64_t now = now_ms();
    for (int i = 0; i < request.objects_size(); ++i) {
      out.add_failures();
      messages::Pod pod;
      if (!pod.ParseFromString(request.objects(i))) {
        out.set_failures(i, "the request's object is not a Pod");
        continue;
      }
      auto s = gateway::prepare_binding(pod, now);
      auto key =
          store::make_key("core", "pods", pod.metadata().namespace_(), pod.metadata().name());
      const auto revision = parse_revision(pod.metadata().resource_version());
      if (!s.ok() || !key.ok() || !revision) {
        out.set_failures(i, !s.ok()     ? s.message()
                            : !key.ok() ? key.error().message()
                                        : "invalid resourceVersion \"" +
                                              pod.metadata().resource_version() + "\"");
        continue;
      }
      auto* update = batch.mutable_batch()->add_commands()->mutable_update();
      update->set_key(*key);
      update->set_expected_revision(*revision);
      update->set_value(encode_for_store(pod));
      slot.push_back(i);
    }
    propose_each(std::move(batch), std::move(slot), kind, request, std::move(out), std::move(rp),
                 [&kind](errc code, const std::string& name) {
                   return code == errc::conflict ? api_errors::conflict_message(kind, name)
                                                 : api_errors::not_found_message(kind, name);
                 });
  }

  // Proposes `batch`, whose j-th command comes from request object slot[j], and answers with
  // `out`, each failed command's message, why(code, object name), in its object's place.
  template <class Why>
  void propose_each(messages::StoreCommand batch, std::vector<int> slot, const kind_info& kind,
                    const ApiRequest& request, ApiResponse out, promise rp, Why why) {
    if (slot.empty()) {
      rp.deliver(std::move(out));
      return;
    }
    self->request(options.store, options.store_timeout, atoms::propose_atom_v, std::move(batch))
        .then(
            [rp, out, slot, &kind, request, why](StoreResult& result) mutable {
              for (std::size_t j = 0; j < slot.size(); ++j) {
                const auto code = j < static_cast<std::size_t>(result.batch_size())
                                      ? result.batch(static_cast<int>(j)).code()
                                      : result.code();
                if (code == 0) continue;
                std::unique_ptr<Message> object = kind.new_object();
                (void)object->ParseFromString(request.objects(slot[j]));
                out.set_failures(
                    slot[j], why(static_cast<errc>(code), gateway::metadata_of(*object)->name()));
              }
              rp.deliver(std::move(out));
            },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  }

  void remove(const kind_info& kind, const ApiRequest& request, promise rp) {
    const std::string name = request.name();
    if (&kind == &namespace_kind()) {
      for (const char* protected_ns : default_namespaces)
        if (name == protected_ns) {
          rp.deliver(api_errors::forbidden("namespaces \"" + name +
                                           "\" is forbidden: this namespace may not be "
                                           "deleted"));
          return;
        }
    }
    auto precondition = parse_revision(request.resource_version());
    if (request.resource_version().empty()) retry_conflicts(rp, kind, request);
    gateway::deletion_request how{request.propagation_policy(), std::nullopt};
    if (request.has_grace_period_seconds())
      how.grace_period_seconds = request.grace_period_seconds();
    fetch(kind, request.namespace_(), name, rp,
          [this, rp, &kind, name, precondition, how](std::unique_ptr<Message> current,
                                                     uint64_t revision) mutable {
            if (precondition && *precondition != revision) {
              rp.deliver(api_errors::conflict(kind, name));
              return;
            }
            std::shared_ptr<Message> deleted = std::move(current);
            auto reply = [rp, deleted]() mutable {
              ApiResponse out;
              out.set_object(deleted->SerializeAsString());
              rp.deliver(std::move(out));
            };
            if (&kind != &namespace_kind()) {
              switch (gateway::plan_deletion(*deleted, kind, how, now_ms())) {
                case gateway::deletion_step::unchanged:
                  return reply();
                case gateway::deletion_step::mark:
                  return write_update(kind, deleted, revision, rp, reply);
                case gateway::deletion_step::remove_now:
                  break;
              }
            }
            auto finish = [this, rp, &kind, name, deleted, revision, reply]() mutable {
              const auto& meta = *gateway::metadata_of(*deleted);
              auto key =
                  store::make_key(store_group(kind), kind.resource, meta.namespace_(), meta.name());
              messages::StoreCommand command;
              command.mutable_delete_()->set_key(*key);
              command.mutable_delete_()->set_expected_revision(revision);
              propose(std::move(command), rp, kind, name,
                      [this, reply, deleted, &kind](const StoreResult&) mutable {
                        if (is_service(kind))
                          release(gateway::allocation_keys(
                              static_cast<const messages::Service&>(*deleted)));
                        reply();
                      });
            };
            if (&kind == &namespace_kind()) return delete_contents(name, 0, rp, finish);
            finish();
          });
  }

  // Deletes every namespaced object in `ns`, one resource at a time from all_kinds()[index],
  // then calls `done`.
  void delete_contents(const std::string& ns, std::size_t index, promise rp,
                       std::function<void()> done) {
    const auto kinds = messages::all_kinds();
    while (index < kinds.size() &&
           (!kinds[index].namespaced ||
            find_served(kinds[index].group, kinds[index].resource) != &kinds[index]))
      ++index;
    if (index == kinds.size()) return done();
    const auto& kind = kinds[index];
    auto prefix = store::namespace_prefix(store_group(kind), kind.resource, ns);
    self->request(options.store, options.store_timeout, atoms::store_list_atom_v, *prefix,
                  uint64_t{0}, std::string(), false)
        .then(
            [this, ns, index, rp, done](std::vector<std::string>& keys, std::vector<StoredObject>&,
                                        uint64_t, std::string&) mutable {
              if (keys.empty()) return delete_contents(ns, index + 1, rp, done);
              messages::StoreCommand batch;
              for (auto& key : keys)
                batch.mutable_batch()->add_commands()->mutable_delete_()->set_key(std::move(key));
              self->request(options.store, options.store_timeout, atoms::propose_atom_v, batch)
                  .then([this, ns, index, rp,
                         done](StoreResult&) mutable { delete_contents(ns, index + 1, rp, done); },
                        [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
            },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  }

  // A WATCH: a relay actor between the store's watch and the subscriber (watch_relay.hpp).
  watch_promise watch(ApiRequest& request, caf::actor subscriber, uint64_t tag) {
    auto rp = self->make_response_promise<uint64_t>();
    const kind_info* kind = find_served(request.group(), request.resource());
    if (kind == nullptr) {
      rp.deliver(api_errors::unknown_resource(request.group(), request.resource()));
      return rp;
    }
    if (!kind->namespaced) request.clear_namespace_();
    auto after = parse_revision(request.resource_version());
    if (!after) {
      rp.deliver(
          api_errors::invalid("a watch needs the resourceVersion to start after: list "
                              "first and watch from the list's resourceVersion"));
      return rp;
    }
    auto scope = scope_of(*kind, request);
    if (auto* error = std::get_if<caf::error>(&scope)) {
      rp.deliver(std::move(*error));
      return rp;
    }
    auto& s = std::get<list_scope>(scope);
    auto relay = spawn_watch_relay(
        self->home_system(),
        {kind, std::move(s.labels), std::move(s.fields), std::move(subscriber), tag});
    const uint64_t id = next_watch++;
    relays[id] = relay;
    self->monitor(relay);
    self->request(options.store, options.store_timeout, atoms::watch_atom_v, s.prefix, *after,
                  relay, uint64_t{0})
        .then([rp, id](uint64_t) mutable { rp.deliver(id); },
              [this, rp, id](caf::error& e) mutable {
                stop_watch(id);
                rp.deliver(std::move(e));
              });
    return rp;
  }

  void stop_watch(uint64_t id) {
    auto it = relays.find(id);
    if (it == relays.end()) return;
    caf::anon_send_exit(it->second, caf::exit_reason::user_shutdown);
    relays.erase(it);
  }

  std::map<uint64_t, caf::actor> relays;  // the watches this gateway serves, by id
  uint64_t next_watch = 1;

  // -- services: ClusterIP and NodePort allocation (service_allocation.hpp) ---------------

  static bool is_service(const kind_info& kind) {
    return kind.descriptor() == messages::Service::descriptor();
  }

  // Attempts at a Service write whose freshly chosen values other creates keep taking.
  static constexpr int max_allocation_attempts = 5;

  // Reads which ClusterIPs and NodePorts are taken; `then(used)` on success.
  template <class Then>
  void read_allocations(promise rp, Then then) {
    auto fail = [rp](caf::error& e) mutable { rp.deliver(std::move(e)); };
    self->request(options.store, options.store_timeout, atoms::store_list_atom_v,
                  gateway::cluster_ip_prefix(), uint64_t{0}, std::string(), false)
        .then(
            [this, rp, then, fail](std::vector<std::string>& ip_keys, std::vector<StoredObject>&,
                                   uint64_t, std::string&) mutable {
              gateway::used_values used;
              for (const auto& key : ip_keys)
                gateway::note_used_key(key, used);
              self->request(options.store, options.store_timeout, atoms::store_list_atom_v,
                            gateway::node_port_prefix(), uint64_t{0}, std::string(), false)
                  .then(
                      [then, used](std::vector<std::string>& port_keys, std::vector<StoredObject>&,
                                   uint64_t, std::string&) mutable {
                        for (const auto& key : port_keys)
                          gateway::note_used_key(key, used);
                        then(std::move(used));
                      },
                      fail);
            },
            fail);
  }

  // The error for a plan that failed, in the API server's words.
  static caf::error allocation_error(const messages::Service& service,
                                     const gateway::allocation_plan& plan) {
    if (plan.internal)
      return caf::make_error(errc::unavailable, "Internal error occurred: " + plan.error);
    return api_errors::invalid("The Service \"" + service.metadata().name() +
                               "\" is invalid: " + plan.error);
  }

  // An atomic batch that creates the allocation keys of `plan` for `service`; the Service's
  // own write is added after them.
  static messages::StoreCommand allocation_batch(const gateway::allocation_plan& plan,
                                                 const messages::Service& service) {
    messages::StoreCommand batch;
    batch.mutable_batch()->set_atomic(true);
    for (uint32_t ip : plan.new_ips) {
      auto* create = batch.mutable_batch()->add_commands()->mutable_create();
      create->set_key(gateway::cluster_ip_key(ip));
      create->set_value(gateway::allocation_value(gateway::format_ipv4(ip), service));
    }
    for (int32_t port : plan.new_node_ports) {
      auto* create = batch.mutable_batch()->add_commands()->mutable_create();
      create->set_key(gateway::node_port_key(port));
      create->set_value(gateway::allocation_value(std::to_string(port), service));
    }
    return batch;
  }

  // Whether an atomic batch failed on one of its first `allocations` operations, i.e. a value
  // was taken since it was read.
  static bool lost_allocation(const StoreResult& result, std::size_t allocations) {
    for (std::size_t i = 0; i < allocations && i < static_cast<std::size_t>(result.batch_size());
         ++i)
      if (result.batch(static_cast<int>(i)).code() != 0) return true;
    return false;
  }

  // Creates a Service with the ClusterIP and NodePorts it needs, all in one atomic batch. When
  // another create took a chosen value meanwhile, plans again: a value the user requested is
  // then reported as already allocated.
  void create_service(const kind_info& kind, std::shared_ptr<Message> requested, promise rp,
                      int attempt) {
    read_allocations(rp, [this, &kind, requested, rp, attempt](gateway::used_values used) mutable {
      auto service =
          std::make_shared<messages::Service>(static_cast<const messages::Service&>(*requested));
      auto plan = gateway::allocate_for_create(*service, used, rng);
      if (!plan.error.empty()) {
        rp.deliver(allocation_error(*service, plan));
        return;
      }
      const auto& meta = service->metadata();
      auto key = store::make_key("core", kind.resource, meta.namespace_(), meta.name());
      if (!key.ok()) {
        rp.deliver(api_errors::invalid(key.error().message()));
        return;
      }
      auto batch = allocation_batch(plan, *service);
      const std::size_t allocations = static_cast<std::size_t>(batch.batch().commands_size());
      auto* create = batch.mutable_batch()->add_commands()->mutable_create();
      create->set_key(*key);
      create->set_value(encode_for_store(*service));
      self->request(options.store, options.store_timeout, atoms::propose_atom_v, std::move(batch))
          .then(
              [this, &kind, requested, rp, attempt, service,
               allocations](StoreResult& result) mutable {
                if (result.code() == 0) {
                  service->mutable_metadata()->set_resource_version(
                      std::to_string(result.revision()));
                  ApiResponse out;
                  out.set_object(service->SerializeAsString());
                  {
                    rp.deliver(std::move(out));
                    return;
                  }
                }
                if (lost_allocation(result, allocations) && attempt < max_allocation_attempts)
                  return create_service(kind, requested, rp, attempt + 1);
                const auto code = static_cast<errc>(result.code());
                if (code == errc::already_exists && !lost_allocation(result, allocations)) {
                  rp.deliver(api_errors::already_exists(kind, service->metadata().name()));
                  return;
                }
                rp.deliver(caf::make_error(code, result.message()));
              },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
    });
  }

  // Updates a Service over `revision`: it keeps the values it holds unless its type no longer
  // needs them, and takes new ones in the same atomic batch as the update. Values it gives up
  // are released once the update is committed.
  void update_service(const kind_info& kind, std::shared_ptr<Message> incoming,
                      std::shared_ptr<const Message> current, uint64_t revision, promise rp,
                      int attempt) {
    read_allocations(rp, [this, &kind, incoming, current, revision, rp,
                          attempt](gateway::used_values used) mutable {
      const auto& was = static_cast<const messages::Service&>(*current);
      auto service =
          std::make_shared<messages::Service>(static_cast<const messages::Service&>(*incoming));
      auto plan = gateway::allocate_for_update(*service, was, used, rng);
      if (!plan.error.empty()) {
        rp.deliver(allocation_error(*service, plan));
        return;
      }
      std::vector<std::string> released;
      for (uint32_t ip : plan.released_ips)
        released.push_back(gateway::cluster_ip_key(ip));
      for (int32_t port : plan.released_node_ports)
        released.push_back(gateway::node_port_key(port));
      auto reply = [rp, service]() mutable {
        ApiResponse out;
        out.set_object(service->SerializeAsString());
        rp.deliver(std::move(out));
      };
      if (plan.new_ips.empty() && plan.new_node_ports.empty()) {
        // Nothing to take: a plain update, which may also end a service its last finalizer
        // held (then everything it holds goes).
        if (gateway::should_remove_after_update(*service)) released = gateway::allocation_keys(was);
        return write_update(kind, service, revision, rp, [this, reply, released]() mutable {
          release(released);
          reply();
        });
      }
      const auto& meta = service->metadata();
      auto key = store::make_key("core", kind.resource, meta.namespace_(), meta.name());
      if (!key.ok()) {
        rp.deliver(api_errors::invalid(key.error().message()));
        return;
      }
      auto batch = allocation_batch(plan, *service);
      const std::size_t allocations = static_cast<std::size_t>(batch.batch().commands_size());
      auto* update = batch.mutable_batch()->add_commands()->mutable_update();
      update->set_key(*key);
      update->set_value(encode_for_store(*service));
      update->set_expected_revision(revision);
      self->request(options.store, options.store_timeout, atoms::propose_atom_v, std::move(batch))
          .then(
              [this, &kind, incoming, current, revision, rp, attempt, service, allocations,
               released, reply](StoreResult& result) mutable {
                if (result.code() == 0) {
                  service->mutable_metadata()->set_resource_version(
                      std::to_string(result.revision()));
                  release(released);
                  return reply();
                }
                const bool lost = lost_allocation(result, allocations);
                if (lost && attempt < max_allocation_attempts)
                  return update_service(kind, incoming, current, revision, rp, attempt + 1);
                const auto code = static_cast<errc>(result.code());
                const auto& name = service->metadata().name();
                if (!lost && code == errc::conflict) {
                  rp.deliver(api_errors::conflict(kind, name));
                  return;
                }
                if (!lost && code == errc::not_found) {
                  rp.deliver(api_errors::not_found(kind, name));
                  return;
                }
                rp.deliver(caf::make_error(code, result.message()));
              },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
    });
  }

  // Frees allocation keys a committed write gave up. Independent deletes: a key that is
  // already gone (a Service from before allocation) is no matter.
  void release(const std::vector<std::string>& keys) {
    if (keys.empty()) return;
    messages::StoreCommand batch;
    for (const auto& key : keys)
      batch.mutable_batch()->add_commands()->mutable_delete_()->set_key(key);
    self->request(options.store, options.store_timeout, atoms::propose_atom_v, std::move(batch))
        .then([](StoreResult&) {}, [](caf::error&) {});
  }

  // -- helpers ---------------------------------------------------------------------------

  // Reads one object; not_found in kubectl's words. `then(object, revision)` on success.
  template <class Then>
  void fetch(const kind_info& kind, const std::string& ns, const std::string& name, promise rp,
             Then then) {
    auto key = store::make_key(store_group(kind), kind.resource, kind.namespaced ? ns : "", name);
    if (!key.ok()) {
      rp.deliver(api_errors::not_found(kind, name));
      return;
    }
    self->request(options.store, options.store_timeout, atoms::store_get_atom_v, *key, false)
        .then(
            [rp, &kind, then, name](StoredObject& stored) mutable {
              auto object = decode(kind, stored.value(), stored.mod_revision());
              if (!object) {
                rp.deliver(caf::make_error(
                    errc::unavailable,
                    "the stored " + std::string(kind.kind) + " \"" + name + "\" does not decode"));
                return;
              }
              then(std::move(object), stored.mod_revision());
            },
            [rp, &kind, name](caf::error& e) mutable {
              rp.deliver(messages::is_error(e, errc::not_found) ? api_errors::not_found(kind, name)
                                                                : std::move(e));
            });
  }

  // Proposes a store command; its failures in kubectl's words, `then(result)` on success.
  template <class Then>
  void propose(messages::StoreCommand command, promise rp, const kind_info& kind, std::string name,
               Then then) {
    self->request(options.store, options.store_timeout, atoms::propose_atom_v, std::move(command))
        .then(
            [rp, &kind, name, then](StoreResult& result) mutable {
              if (result.code() == 0) return then(result);
              switch (static_cast<errc>(result.code())) {
                case errc::already_exists: {
                  rp.deliver(api_errors::already_exists(kind, name));
                  return;
                }
                case errc::not_found: {
                  rp.deliver(api_errors::not_found(kind, name));
                  return;
                }
                case errc::conflict: {
                  rp.deliver(api_errors::conflict(kind, name));
                  return;
                }
                default: {
                  rp.deliver(caf::make_error(static_cast<errc>(result.code()), result.message()));
                  return;
                }
              }
            },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  }

  // Kubernetes' defaulting and validation; the error kubectl prints as
  // `The Deployment "x" is invalid: spec.replicas: ...`, or none.
  static caf::error default_and_validate(Message& object, const kind_info& kind) {
    messages::apply_defaults(object, kind);
    auto errors = messages::validate(object, kind);
    if (errors.empty()) return {};
    const auto* meta = gateway::metadata_of(object);
    std::string text =
        "The " + std::string(kind.kind) + " \"" + (meta ? meta->name() : "") + "\" is invalid: ";
    for (std::size_t i = 0; i < errors.size(); ++i)
      text += (i == 0 ? "" : ", ") + errors[i].to_string();
    return api_errors::invalid(std::move(text));
  }

  int64_t now_ms() const {
    if (options.unix_ms) return options.unix_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Creates the namespaces that always exist; tries again until the store takes them.
  void ensure_default_namespaces() {
    for (const char* ns : default_namespaces) {
      messages::Namespace object;
      object.mutable_metadata()->set_name(ns);
      if (!gateway::prepare_create(object, namespace_kind(), "", now_ms(), rng).ok()) continue;
      messages::apply_defaults(object, namespace_kind());
      messages::StoreCommand command;
      command.mutable_create()->set_key(*store::make_key("core", "namespaces", "", ns));
      command.mutable_create()->set_value(object.SerializeAsString());
      self->request(options.store, options.store_timeout, atoms::propose_atom_v, command)
          .then(
              [this](StoreResult& result) {
                auto code = static_cast<errc>(result.code());
                if (code != errc{0} && code != errc::already_exists) retry_later();
              },
              [this](caf::error&) { retry_later(); });
    }
  }

  void retry_later() {
    if (retry_scheduled) return;
    retry_scheduled = true;
    self->delayed_send(self, std::chrono::seconds(1), atoms::retry_atom_v);
  }
  bool retry_scheduled = false;
};

gateway_impl::behavior_type gateway_behavior(gateway_impl::stateful_pointer<gateway_state> self,
                                             gateway_options options) {
  auto& st = self->state;
  st.self = self;
  st.options = std::move(options);
  st.rng.seed(st.options.seed != 0 ? st.options.seed : std::random_device{}());
  st.ensure_default_namespaces();
  // A relay that ended on its own (its subscriber or the store's watch went) is forgotten.
  self->set_down_handler([self](caf::down_msg& down) {
    auto& relays = self->state.relays;
    for (auto it = relays.begin(); it != relays.end(); ++it) {
      if (it->second.address() == down.source) {
        relays.erase(it);
        break;
      }
    }
  });
  return {
      [self](atoms::api_atom, ApiRequest& request) { return self->state.handle(request); },
      [self](atoms::watch_atom, ApiRequest& request, caf::actor& subscriber, uint64_t tag) {
        return self->state.watch(request, std::move(subscriber), tag);
      },
      [self](atoms::unwatch_atom, uint64_t id) { self->state.stop_watch(id); },
      [self](atoms::retry_atom) {
        self->state.retry_scheduled = false;
        self->state.ensure_default_namespaces();
      },
  };
}

}  // namespace

gateway_actor spawn_gateway(caf::actor_system& system, gateway_options options) {
  return caf::actor_cast<gateway_actor>(system.spawn(gateway_behavior, std::move(options)));
}

}  // namespace troupe::actors
