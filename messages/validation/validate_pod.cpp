// Pod and pod-template validation: containers (ports, env, mounts, probes, resources,
// security contexts) and the pod-level scheduling and DNS fields, as ValidatePodSpec does.
#include <map>
#include <set>

#include "messages/validation/validators.hpp"

namespace troupe::messages::validation {
namespace {

using containers = google::protobuf::RepeatedPtrField<Container>;

constexpr int64_t max_int32 = 2147483647;

void validate_container_ports(const Container& c, const std::string& path, field_errors& out) {
  std::set<std::string> names;
  for (int i = 0; i < c.ports_size(); ++i) {
    const auto& port = c.ports(i);
    std::string ppath = at(path, i);
    if (!port.name().empty()) {
      reasons why = is_valid_port_name(port.name());
      if (!why.empty()) {
        add_invalid(child(ppath, "name"), quoted(port.name()), why, out);
      } else if (!names.insert(port.name()).second) {
        out.push_back(duplicate(child(ppath, "name"), quoted(port.name())));
      }
    }
    if (port.container_port() == 0) {
      out.push_back(required(child(ppath, "containerPort")));
    } else {
      add_invalid(child(ppath, "containerPort"), go_int(port.container_port()),
                  is_valid_port_num(port.container_port()), out);
    }
    if (port.host_port() != 0) {
      add_invalid(child(ppath, "hostPort"), go_int(port.host_port()),
                  is_valid_port_num(port.host_port()), out);
    }
    validate_protocol(port.protocol(), child(ppath, "protocol"), out);
  }
}

template <class KeySelector>
void validate_key_selector(const KeySelector& selector, const std::string& path,
                           field_errors& out) {
  validate_name_value(selector.name(), name_is_dns_subdomain, child(path, "name"), out);
  if (selector.key().empty()) {
    out.push_back(required(child(path, "key")));
  } else {
    add_invalid(child(path, "key"), quoted(selector.key()), is_config_map_key(selector.key()), out);
  }
}

void validate_env(const Container& c, const std::string& container_path, field_errors& out) {
  std::string path = child(container_path, "env");
  static const std::vector<std::string_view> env_fields = {"metadata.name",
                                                           "metadata.namespace",
                                                           "metadata.uid",
                                                           "spec.nodeName",
                                                           "spec.serviceAccountName",
                                                           "status.hostIP",
                                                           "status.hostIPs",
                                                           "status.podIP",
                                                           "status.podIPs"};
  for (int i = 0; i < c.env_size(); ++i) {
    const auto& env = c.env(i);
    std::string epath = at(path, i);
    if (env.name().empty()) {
      out.push_back(required(child(epath, "name")));
    } else {
      add_invalid(child(epath, "name"), quoted(env.name()), is_env_var_name(env.name()), out);
    }
    if (!env.has_value_from()) continue;
    const auto& from = env.value_from();
    std::string fpath = child(epath, "valueFrom");
    int count = 0;
    if (from.has_field_ref()) {
      ++count;
      validate_field_ref(from.field_ref(), env_fields, child(fpath, "fieldRef"), out);
    }
    if (from.has_resource_field_ref()) {
      ++count;
      validate_resource_field_ref(from.resource_field_ref(), false,
                                  child(fpath, "resourceFieldRef"), out);
    }
    if (from.has_config_map_key_ref()) {
      ++count;
      validate_key_selector(from.config_map_key_ref(), child(fpath, "configMapKeyRef"), out);
    }
    if (from.has_secret_key_ref()) {
      ++count;
      validate_key_selector(from.secret_key_ref(), child(fpath, "secretKeyRef"), out);
    }
    if (count == 0) {
      out.push_back(invalid(fpath, "\"\"",
                            "must specify one of: `fieldRef`, `resourceFieldRef`, "
                            "`configMapKeyRef` or `secretKeyRef`"));
    } else if (!env.value().empty()) {
      out.push_back(invalid(fpath, "\"\"", "may not be specified when `value` is not empty"));
    } else if (count > 1) {
      out.push_back(invalid(fpath, "\"\"", "may not have more than one field specified at a time"));
    }
  }
  std::string from_path = child(container_path, "envFrom");
  for (int i = 0; i < c.env_from_size(); ++i) {
    const auto& from = c.env_from(i);
    std::string ipath = at(from_path, i);
    if (!from.prefix().empty()) {
      add_invalid(child(ipath, "prefix"), quoted(from.prefix()), is_env_var_name(from.prefix()),
                  out);
    }
    int count = 0;
    auto check_ref = [&](const std::string& name, std::string_view field) {
      ++count;
      std::string rpath = child(child(ipath, field), "name");
      if (name.empty()) {
        out.push_back(required(rpath));
      } else {
        add_invalid(rpath, quoted(name), name_is_dns_subdomain(name, true), out);
      }
    };
    if (from.has_config_map_ref()) check_ref(from.config_map_ref().name(), "configMapRef");
    if (from.has_secret_ref()) check_ref(from.secret_ref().name(), "secretRef");
    if (count == 0) {
      out.push_back(
          invalid(from_path, "\"\"", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (count > 1) {
      out.push_back(
          invalid(from_path, "\"\"", "may not have more than one field specified at a time"));
    }
  }
}

void validate_mounts(const Container& c, const volume_map& volumes, const std::string& path,
                     field_errors& out) {
  std::set<std::string> mount_paths;
  std::map<std::string, std::string> devices;
  for (const auto& device : c.volume_devices()) {
    devices[device.name()] = device.device_path();
  }
  bool privileged = c.security_context().has_privileged() && c.security_context().privileged();
  for (int i = 0; i < c.volume_mounts_size(); ++i) {
    const auto& mount = c.volume_mounts(i);
    std::string mpath = at(path, i);
    if (mount.name().empty()) out.push_back(required(child(mpath, "name")));
    if (volumes.count(mount.name()) == 0) {
      out.push_back(not_found(child(mpath, "name"), quoted(mount.name())));
    }
    if (mount.mount_path().empty()) out.push_back(required(child(mpath, "mountPath")));
    if (!mount_paths.insert(mount.mount_path()).second) {
      out.push_back(
          invalid(child(mpath, "mountPath"), quoted(mount.mount_path()), "must be unique"));
    }
    if (devices.count(mount.name()) > 0) {
      out.push_back(invalid(child(mpath, "name"), quoted(mount.name()),
                            "must not already exist in volumeDevices"));
    }
    // Kubernetes reports these three under the list's path, not the entry's.
    if (!mount.sub_path().empty()) {
      if (mount.sub_path().front() == '/') {
        out.push_back(
            invalid(child(path, "subPath"), quoted(mount.sub_path()), "must be a relative path"));
      }
      validate_path_no_backsteps(mount.sub_path(), child(path, "subPath"), out);
    }
    if (!mount.sub_path_expr().empty() && !mount.sub_path().empty()) {
      out.push_back(invalid(child(mpath, "subPathExpr"), quoted(mount.sub_path_expr()),
                            "subPathExpr and subPath are mutually exclusive"));
    }
    const std::string& propagation = mount.mount_propagation();
    validate_enum(propagation, if_empty::unset, {"Bidirectional", "HostToContainer", "None"},
                  child(path, "mountPropagation"), out);
    if (propagation == "Bidirectional" && !privileged) {
      out.push_back(
          forbidden(child(path, "mountPropagation"),
                    "Bidirectional mount propagation is available only to privileged containers"));
    }
    const std::string& rro = mount.recursive_read_only();
    validate_enum(rro, if_empty::unset, {"Disabled", "Enabled", "IfPossible"},
                  child(path, "recursiveReadOnly"), out);
    if ((rro == "Enabled" || rro == "IfPossible") && !mount.read_only()) {
      out.push_back(forbidden(child(path, "recursiveReadOnly"),
                              "may only be specified when readOnly is true"));
    }
  }
}

void validate_devices(const Container& c, const volume_map& volumes, const std::string& path,
                      field_errors& out) {
  std::set<std::string> names, device_paths;
  std::set<std::string> mount_names, mount_paths;
  for (const auto& m : c.volume_mounts()) {
    mount_names.insert(m.name());
    mount_paths.insert(m.mount_path());
  }
  for (int i = 0; i < c.volume_devices_size(); ++i) {
    const auto& device = c.volume_devices(i);
    std::string dpath = at(path, i);
    auto volume = volumes.find(device.name());
    if (device.name().empty()) out.push_back(required(child(dpath, "name")));
    if (names.count(device.name()) > 0) {
      out.push_back(invalid(child(dpath, "name"), quoted(device.name()), "must be unique"));
    }
    if (volume != volumes.end() && !volume->second->has_persistent_volume_claim()) {
      out.push_back(invalid(
          child(dpath, "name"), quoted(device.name()),
          "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
    }
    if (volume == volumes.end()) {
      out.push_back(not_found(child(dpath, "name"), quoted(device.name())));
    }
    if (device.device_path().empty()) out.push_back(required(child(dpath, "devicePath")));
    if (!device_paths.insert(device.device_path()).second) {
      out.push_back(
          invalid(child(dpath, "devicePath"), quoted(device.device_path()), "must be unique"));
    }
    if (mount_names.count(device.name()) > 0) {
      out.push_back(invalid(child(dpath, "name"), quoted(device.name()),
                            "must not already exist in volumeMounts"));
    }
    if (mount_paths.count(device.device_path()) > 0) {
      out.push_back(invalid(child(dpath, "devicePath"), quoted(device.device_path()),
                            "must not already exist as a path in volumeMounts"));
    }
    if (!device.name().empty()) names.insert(device.name());
  }
}

// Seccomp and AppArmor profiles: a type, and a profile file only for Localhost. `field` is
// "seccompProfile" or "appArmorProfile"; `name` is how Kubernetes names the mechanism.
template <class Profile>
void validate_profile(const Profile& profile, std::string_view field, std::string_view name,
                      const std::string& parent, field_errors& out) {
  std::string path = child(parent, field);
  const std::string& type = profile.type();
  if (type.empty()) {
    out.push_back(required_with(child(path, "type"),
                                "type is required when " + std::string(field) + " is set"));
  } else {
    validate_enum(type, if_empty::unset, {"Localhost", "RuntimeDefault", "Unconfined"},
                  child(path, "type"), out);
  }
  if (type == "Localhost" && profile.localhost_profile().empty()) {
    out.push_back(required_with(child(path, "localhostProfile"),
                                "must be set when " + std::string(name) + " type is Localhost"));
  }
}

template <class Context>
void validate_profiles(const Context& sc, const std::string& path, field_errors& out) {
  if (sc.has_seccomp_profile()) {
    validate_profile(sc.seccomp_profile(), "seccompProfile", "seccomp", path, out);
  }
  if (sc.has_app_armor_profile()) {
    validate_profile(sc.app_armor_profile(), "appArmorProfile", "AppArmor", path, out);
  }
}

void validate_id(bool has, int64_t id, const std::string& path, field_errors& out) {
  if (has && (id < 0 || id > max_int32)) {
    out.push_back(invalid(path, go_int(id), inclusive_range_error(0, max_int32)));
  }
}

void validate_container_security_context(const SecurityContext& sc, const std::string& path,
                                         field_errors& out) {
  validate_id(sc.has_run_as_user(), sc.run_as_user(), child(path, "runAsUser"), out);
  validate_id(sc.has_run_as_group(), sc.run_as_group(), child(path, "runAsGroup"), out);
  validate_enum(sc.proc_mount(), if_empty::unset, {"Default", "Unmasked"}, child(path, "procMount"),
                out);
  validate_profiles(sc, path, out);
}

void validate_pod_security_context(const PodSpec& spec, const std::string& path,
                                   field_errors& out) {
  const auto& sc = spec.security_context();
  validate_id(sc.has_fs_group(), sc.fs_group(), child(path, "fsGroup"), out);
  validate_id(sc.has_run_as_user(), sc.run_as_user(), child(path, "runAsUser"), out);
  validate_id(sc.has_run_as_group(), sc.run_as_group(), child(path, "runAsGroup"), out);
  for (int i = 0; i < sc.supplemental_groups_size(); ++i) {
    validate_id(true, sc.supplemental_groups(i), at(child(path, "supplementalGroups"), i), out);
  }
  if (spec.host_pid() && spec.has_share_process_namespace() && spec.share_process_namespace()) {
    out.push_back(invalid(child(path, "shareProcessNamespace"), "true",
                          "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  std::set<std::string> sysctls;
  for (int i = 0; i < sc.sysctls_size(); ++i) {
    const std::string& name = sc.sysctls(i).name();
    std::string npath = child(at(child(path, "sysctls"), i), "name");
    if (name.empty()) {
      out.push_back(required(npath));
    } else if (!is_sysctl_name(name)) {
      out.push_back(
          invalid(npath, quoted(name),
                  "must have at most 253 characters and match regex "
                  "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    } else if (!sysctls.insert(name).second) {
      out.push_back(duplicate(npath, quoted(name)));
    }
  }
  validate_enum(sc.fs_group_change_policy(), if_empty::unset, {"Always", "OnRootMismatch"},
                child(path, "fsGroupChangePolicy"), out);
  validate_enum(sc.supplemental_groups_policy(), if_empty::unset, {"Merge", "Strict"},
                child(path, "supplementalGroupsPolicy"), out);
  validate_enum(sc.se_linux_change_policy(), if_empty::unset, {"MountOption", "Recursive"},
                child(path, "seLinuxChangePolicy"), out);
  validate_profiles(sc, path, out);
}

// A probe or lifecycle handler: exactly one action. Kubernetes blames every extra action.
template <class Handler>
void validate_handler(const Handler& h, bool has_grpc, bool has_sleep, const PodSpec& spec,
                      const std::string& path, field_errors& out) {
  int count = 0;
  auto one_more = [&](std::string_view name) {
    if (count++ == 0) return true;
    out.push_back(forbidden(child(path, name), "may not specify more than 1 handler type"));
    return false;
  };
  if (h.has_exec() && one_more("exec") && h.exec().command().empty()) {
    out.push_back(required(child(child(path, "exec"), "command")));
  }
  if (h.has_http_get() && one_more("httpGet")) {
    const auto& get = h.http_get();
    std::string gpath = child(path, "httpGet");
    if (get.path().empty()) out.push_back(required(child(gpath, "path")));
    validate_port_num_or_name(get.port(), child(gpath, "port"), out);
    validate_enum(get.scheme(), if_empty::checked, {"HTTP", "HTTPS"}, child(gpath, "scheme"), out);
    for (const auto& header : get.http_headers()) {
      bool ok = !header.name().empty() &&
                std::all_of(header.name().begin(), header.name().end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                });
      if (!ok) {
        out.push_back(
            invalid(child(gpath, "httpHeaders"), quoted(header.name()),
                    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
                    "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
      }
    }
  }
  if (h.has_tcp_socket() && one_more("tcpSocket")) {
    validate_port_num_or_name(h.tcp_socket().port(), child(child(path, "tcpSocket"), "port"), out);
  }
  if (has_grpc && one_more("grpc")) {
    IntOrString port;
    if constexpr (std::is_same_v<Handler, Probe>) port.set_int_val(h.grpc().port());
    validate_port_num_or_name(port, child(child(path, "grpc"), "port"), out);
  }
  if (has_sleep && one_more("sleep")) {
    int64_t seconds = 0;
    if constexpr (std::is_same_v<Handler, LifecycleHandler>) seconds = h.sleep().seconds();
    int64_t grace = spec.termination_grace_period_seconds();
    if (spec.has_termination_grace_period_seconds() && (seconds <= 0 || seconds > grace)) {
      out.push_back(invalid(
          child(path, "sleep"), go_int(seconds),
          "must be greater than 0 and less than terminationGracePeriodSeconds (" +
              std::to_string(grace) +
              "). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."));
    }
  }
  if (count == 0) out.push_back(required_with(path, "must specify a handler type"));
}

void validate_probe(const Probe& probe, std::string_view kind, const PodSpec& spec,
                    const std::string& path, field_errors& out) {
  validate_handler(probe, probe.has_grpc(), false, spec, path, out);
  validate_nonnegative(probe.initial_delay_seconds(), child(path, "initialDelaySeconds"), out);
  validate_nonnegative(probe.timeout_seconds(), child(path, "timeoutSeconds"), out);
  validate_nonnegative(probe.period_seconds(), child(path, "periodSeconds"), out);
  validate_nonnegative(probe.success_threshold(), child(path, "successThreshold"), out);
  validate_nonnegative(probe.failure_threshold(), child(path, "failureThreshold"), out);
  if (probe.has_termination_grace_period_seconds() &&
      probe.termination_grace_period_seconds() <= 0) {
    out.push_back(invalid(child(path, "terminationGracePeriodSeconds"),
                          go_int(probe.termination_grace_period_seconds()),
                          "must be greater than 0"));
  }
  if (kind != "readinessProbe" && probe.success_threshold() != 1) {
    out.push_back(
        invalid(child(path, "successThreshold"), go_int(probe.success_threshold()), "must be 1"));
  }
  if (kind == "readinessProbe" && probe.has_termination_grace_period_seconds()) {
    out.push_back(invalid(child(path, "terminationGracePeriodSeconds"),
                          go_int(probe.termination_grace_period_seconds()),
                          "must not be set for readinessProbes"));
  }
}

// Lifecycle hooks and probes, for regular containers and for sidecars (restartable init ones).
void validate_probes_and_hooks(const Container& c, const PodSpec& spec, const std::string& path,
                               field_errors& out) {
  if (c.has_lifecycle()) {
    const auto& lifecycle = c.lifecycle();
    std::string lpath = child(path, "lifecycle");
    if (lifecycle.has_post_start()) {
      const auto& h = lifecycle.post_start();
      validate_handler(h, false, h.has_sleep(), spec, child(lpath, "postStart"), out);
    }
    if (lifecycle.has_pre_stop()) {
      const auto& h = lifecycle.pre_stop();
      validate_handler(h, false, h.has_sleep(), spec, child(lpath, "preStop"), out);
    }
  }
  if (c.has_liveness_probe()) {
    validate_probe(c.liveness_probe(), "livenessProbe", spec, child(path, "livenessProbe"), out);
  }
  if (c.has_readiness_probe()) {
    validate_probe(c.readiness_probe(), "readinessProbe", spec, child(path, "readinessProbe"), out);
  }
  if (c.has_startup_probe()) {
    validate_probe(c.startup_probe(), "startupProbe", spec, child(path, "startupProbe"), out);
  }
}

void validate_container_common(const Container& c, const volume_map& volumes,
                               const std::string& path, field_errors& out) {
  if (c.name().empty()) {
    out.push_back(required(child(path, "name")));
  } else {
    validate_name_value(c.name(), name_is_dns_label, child(path, "name"), out);
  }
  if (c.image().empty()) out.push_back(required(child(path, "image")));
  validate_enum(c.termination_message_policy(), if_empty::required,
                {"File", "FallbackToLogsOnError"}, child(path, "terminationMessagePolicy"), out);
  validate_container_ports(c, child(path, "ports"), out);
  validate_env(c, path, out);
  validate_mounts(c, volumes, child(path, "volumeMounts"), out);
  validate_devices(c, volumes, child(path, "volumeDevices"), out);
  validate_enum(c.image_pull_policy(), if_empty::required, {"Always", "IfNotPresent", "Never"},
                child(path, "imagePullPolicy"), out);
  validate_resource_requirements(c.resources(), child(path, "resources"), out);
  validate_container_security_context(c.security_context(), child(path, "securityContext"), out);
}

// Host ports collide per protocol and host IP; init containers run one by one, so each is
// checked on its own.
void check_host_ports(const containers& list, int first, int last, const std::string& path,
                      field_errors& out) {
  std::set<std::string> seen;
  for (int i = first; i < last; ++i) {
    for (int p = 0; p < list[i].ports_size(); ++p) {
      const auto& port = list[i].ports(p);
      if (port.host_port() == 0) continue;
      std::string id =
          port.protocol() + "/" + port.host_ip() + "/" + std::to_string(port.host_port());
      if (!seen.insert(id).second) {
        out.push_back(duplicate(child(at(child(at(path, i), "ports"), p), "hostPort"), quoted(id)));
      }
    }
  }
}

void validate_containers(const PodSpec& spec, const volume_map& volumes, const std::string& path,
                         field_errors& out) {
  std::string cpath = child(path, "containers");
  if (spec.containers().empty()) {
    out.push_back(required(cpath));
  } else {
    std::set<std::string> names;
    for (int i = 0; i < spec.containers_size(); ++i) {
      const auto& c = spec.containers(i);
      validate_container_common(c, volumes, at(cpath, i), out);
      if (!names.insert(c.name()).second) {
        out.push_back(duplicate(child(at(cpath, i), "name"), quoted(c.name())));
      }
      validate_probes_and_hooks(c, spec, at(cpath, i), out);
      if (c.has_restart_policy()) {
        out.push_back(forbidden(child(at(cpath, i), "restartPolicy"),
                                "may not be set for non-init containers"));
      }
    }
    check_host_ports(spec.containers(), 0, spec.containers_size(), cpath, out);
  }
  std::string ipath = child(path, "initContainers");
  std::set<std::string> names;
  for (const auto& c : spec.containers()) {
    names.insert(c.name());
  }
  for (int i = 0; i < spec.init_containers_size(); ++i) {
    const auto& c = spec.init_containers(i);
    std::string cp = at(ipath, i);
    validate_container_common(c, volumes, cp, out);
    bool sidecar = c.has_restart_policy() && c.restart_policy() == "Always";
    if (c.has_restart_policy()) {
      validate_enum(c.restart_policy(), if_empty::checked, {"Always"}, child(cp, "restartPolicy"),
                    out);
    }
    if (names.count(c.name()) > 0) {
      out.push_back(duplicate(child(cp, "name"), quoted(c.name())));
    } else if (!c.name().empty()) {
      names.insert(c.name());
    }
    check_host_ports(spec.init_containers(), i, i + 1, ipath, out);
    if (sidecar) {
      validate_probes_and_hooks(c, spec, cp, out);
      continue;
    }
    constexpr std::string_view why =
        "may not be set for init containers without restartPolicy=Always";
    if (c.has_lifecycle()) out.push_back(forbidden(child(cp, "lifecycle"), why));
    if (c.has_liveness_probe()) out.push_back(forbidden(child(cp, "livenessProbe"), why));
    if (c.has_readiness_probe()) out.push_back(forbidden(child(cp, "readinessProbe"), why));
    if (c.has_startup_probe()) out.push_back(forbidden(child(cp, "startupProbe"), why));
  }
}

void validate_dns(const PodSpec& spec, const std::string& path, field_errors& out) {
  const std::string& policy = spec.dns_policy();
  validate_enum(policy, if_empty::required,
                {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"},
                child(path, "dnsPolicy"), out);
  std::string cpath = child(path, "dnsConfig");
  if (policy == "None" && !spec.has_dns_config()) {
    out.push_back(required_with(cpath, "must provide `dnsConfig` when `dnsPolicy` is None"));
    return;
  }
  if (policy == "None" && spec.dns_config().nameservers().empty()) {
    out.push_back(
        required_with(child(cpath, "nameservers"),
                      "must provide at least one DNS nameserver when `dnsPolicy` is None"));
    return;
  }
  const auto& config = spec.dns_config();
  if (config.nameservers_size() > 3) {
    out.push_back(invalid(child(cpath, "nameservers"), go_strings(config.nameservers()),
                          "must not have more than 3 nameservers"));
  }
  for (int i = 0; i < config.nameservers_size(); ++i) {
    validate_ip(config.nameservers(i), at(child(cpath, "nameservers"), i), out);
  }
  for (int i = 0; i < config.searches_size(); ++i) {
    std::string search = config.searches(i);
    if (!search.empty() && search.back() == '.') search.pop_back();
    validate_name_value(search, name_is_dns_subdomain, at(child(cpath, "searches"), i), out);
  }
  for (int i = 0; i < config.options_size(); ++i) {
    if (config.options(i).name().empty()) {
      out.push_back(required_with(at(child(cpath, "options"), i), "must not be empty"));
    }
  }
}

}  // namespace

void validate_pod_spec(const PodSpec& spec, const std::string& path, bool is_pod,
                       field_errors& out) {
  if (!spec.has_termination_grace_period_seconds()) {
    out.push_back(required(child(path, "terminationGracePeriodSeconds")));
  } else {
    validate_nonnegative(spec.termination_grace_period_seconds(),
                         child(path, "terminationGracePeriodSeconds"), out);
  }
  volume_map volumes = validate_volumes(spec.volumes(), child(path, "volumes"), out);
  validate_containers(spec, volumes, path, out);
  if (spec.host_network()) {
    // A template may leave hostPort unset; the pod made from it has it defaulted.
    for (int i = 0; i < spec.containers_size(); ++i) {
      for (int p = 0; p < spec.containers(i).ports_size(); ++p) {
        const auto& port = spec.containers(i).ports(p);
        if ((is_pod || port.host_port() != 0) && port.host_port() != port.container_port()) {
          out.push_back(invalid(
              child(at(child(at(child(path, "containers"), i), "ports"), p), "hostPort"),
              go_int(port.host_port()), "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  }
  validate_enum(spec.restart_policy(), if_empty::required, {"Always", "OnFailure", "Never"},
                child(path, "restartPolicy"), out);
  validate_dns(spec, path, out);
  validate_labels(spec.node_selector(), child(path, "nodeSelector"), out);
  validate_pod_security_context(spec, child(path, "securityContext"), out);
  if (spec.has_affinity()) validate_affinity(spec.affinity(), child(path, "affinity"), out);
  for (int i = 0; i < spec.readiness_gates_size(); ++i) {
    const std::string& type = spec.readiness_gates(i).condition_type();
    add_invalid(child(at(child(path, "readinessGates"), i), "conditionType"), quoted(type),
                is_qualified_name(type), out);
  }
  for (int i = 0; i < spec.topology_spread_constraints_size(); ++i) {
    const auto& c = spec.topology_spread_constraints(i);
    std::string cpath = at(child(path, "topologySpreadConstraints"), i);
    if (c.max_skew() <= 0) {
      out.push_back(
          invalid(child(cpath, "maxSkew"), go_int(c.max_skew()), "must be greater than zero"));
    }
    if (c.topology_key().empty()) {
      out.push_back(required_with(child(cpath, "topologyKey"), "can not be empty"));
    }
    validate_enum(c.when_unsatisfiable(), if_empty::checked, {"DoNotSchedule", "ScheduleAnyway"},
                  child(cpath, "whenUnsatisfiable"), out);
  }
  auto subdomain_if_set = [&](const std::string& value, std::string_view field) {
    if (!value.empty()) validate_name_value(value, name_is_dns_subdomain, child(path, field), out);
  };
  subdomain_if_set(spec.service_account_name(), "serviceAccountName");
  subdomain_if_set(spec.node_name(), "nodeName");
  if (spec.has_active_deadline_seconds()) {
    int64_t value = spec.active_deadline_seconds();
    if (value < 1 || value > max_int32) {
      out.push_back(invalid(child(path, "activeDeadlineSeconds"), go_int(value),
                            inclusive_range_error(1, max_int32)));
    }
  }
  for (auto [value, field] :
       {std::pair{&spec.hostname(), "hostname"}, std::pair{&spec.subdomain(), "subdomain"}}) {
    if (!value->empty()) validate_name_value(*value, name_is_dns_label, child(path, field), out);
  }
  validate_tolerations(spec.tolerations(), child(path, "tolerations"), out);
  for (int i = 0; i < spec.host_aliases_size(); ++i) {
    const auto& alias = spec.host_aliases(i);
    std::string apath = at(child(path, "hostAliases"), i);
    validate_ip(alias.ip(), child(apath, "ip"), out);
    for (int h = 0; h < alias.hostnames_size(); ++h) {
      validate_name_value(alias.hostnames(h), name_is_dns_subdomain,
                          at(child(apath, "hostnames"), h), out);
    }
  }
  subdomain_if_set(spec.priority_class_name(), "priorityClassName");
  subdomain_if_set(spec.runtime_class_name(), "runtimeClassName");
  validate_enum(spec.preemption_policy(), if_empty::unset, {"PreemptLowerPriority", "Never"},
                child(path, "preemptionPolicy"), out);
  if (!spec.overhead().empty()) {
    ResourceRequirements overhead;
    *overhead.mutable_limits() = spec.overhead();
    validate_resource_requirements(overhead, child(path, "overhead"), out);
  }
  if (spec.has_os()) {
    if (spec.os().name().empty()) {
      out.push_back(required_with(child(child(path, "os"), "name"), "cannot be empty"));
    } else {
      validate_enum(spec.os().name(), if_empty::checked, {"linux", "windows"}, child(path, "os"),
                    out);
    }
  }
}

void validate_pod_template_spec(const PodTemplateSpec& tmpl, const std::string& path,
                                field_errors& out) {
  // Kubernetes' paths here skip "metadata": spec.template.labels, spec.template.annotations.
  validate_labels(tmpl.metadata().labels(), child(path, "labels"), out);
  validate_annotations(tmpl.metadata().annotations(), child(path, "annotations"), out);
  validate_pod_spec(tmpl.spec(), child(path, "spec"), false, out);
}

void validate_pod(const Pod& pod, bool namespaced, field_errors& out) {
  validate_object_meta(pod.metadata(), namespaced, name_is_dns_subdomain, out);
  validate_pod_spec(pod.spec(), "spec", true, out);
  for (std::string_view list : {"containers", "initContainers"}) {
    const auto& items =
        list == "containers" ? pod.spec().containers() : pod.spec().init_containers();
    for (int i = 0; i < items.size(); ++i) {
      const std::string& image = items[i].image();
      bool padded = !image.empty() && (std::isspace(static_cast<unsigned char>(image.front())) ||
                                       std::isspace(static_cast<unsigned char>(image.back())));
      if (padded) {
        out.push_back(invalid(child(at(child("spec", list), i), "image"), quoted(image),
                              "must not have leading or trailing whitespace"));
      }
    }
  }
}

}  // namespace troupe::messages::validation
