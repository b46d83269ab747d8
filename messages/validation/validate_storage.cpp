// Storage: pod volume sources, PersistentVolume and PersistentVolumeClaim.
#include <cctype>
#include <map>
#include <set>

#include "messages/validation/validators.hpp"

namespace troupe::messages::validation {
namespace {

constexpr std::string_view file_mode_error =
    "must be a number between 0 and 0777 (octal), both inclusive";

void validate_access_modes(const strings& modes, const std::string& path, field_errors& out) {
  bool once_pod = false, others = false;
  for (const auto& mode : modes) {
    bool other = mode == "ReadWriteOnce" || mode == "ReadOnlyMany" || mode == "ReadWriteMany";
    validate_enum(mode, if_empty::checked,
                  {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}, path,
                  out);
    once_pod |= mode == "ReadWriteOncePod";
    others |= other;
  }
  if (once_pod && others) {
    out.push_back(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
}

template <class Reference>
void validate_data_source(const Reference& ref, const std::string& path, field_errors& out) {
  if (ref.name().empty()) out.push_back(required(child(path, "name")));
  if (ref.kind().empty()) out.push_back(required(child(path, "kind")));
  const std::string& group = ref.api_group();
  if (group.empty() && ref.kind() != "PersistentVolumeClaim") {
    out.push_back(invalid(path, quoted(ref.kind()),
                          "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  add_invalid(child(path, "apiGroup"), quoted(group),
              group.empty() ? reasons{} : is_dns1123_subdomain(group), out);
}

void validate_mode(bool has, int32_t mode, const std::string& path, field_errors& out) {
  if (has && (mode > 0777 || mode < 0)) out.push_back(invalid(path, go_int(mode), file_mode_error));
}

// Kubernetes' ValidateLocalNonReservedPath: relative, no "..", not starting with "..".
void validate_local_path(std::string_view value, const std::string& path, field_errors& out) {
  if (!value.empty() && value.front() == '/') {
    out.push_back(invalid(path, quoted(value), "must be a relative path"));
  }
  validate_path_no_backsteps(value, path, out);
  if (value.substr(0, 2) == ".." && value.substr(0, 3) != "../") {
    out.push_back(invalid(path, quoted(value), "must not start with '..'"));
  }
}

void validate_items(const google::protobuf::RepeatedPtrField<KeyToPath>& items,
                    const std::string& path, field_errors& out) {
  for (int i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    std::string ipath = at(path, i);
    if (item.key().empty()) out.push_back(required(child(ipath, "key")));
    if (item.path().empty()) out.push_back(required(child(ipath, "path")));
    validate_local_path(item.path(), child(ipath, "path"), out);
    validate_mode(item.has_mode(), item.mode(), child(ipath, "mode"), out);
  }
}

void validate_downward_api_file(const DownwardAPIVolumeFile& file, const std::string& path,
                                field_errors& out) {
  static const std::vector<std::string_view> fields = {"metadata.annotations", "metadata.labels",
                                                       "metadata.name", "metadata.namespace",
                                                       "metadata.uid"};
  if (file.path().empty()) out.push_back(required(child(path, "path")));
  validate_local_path(file.path(), child(path, "path"), out);
  if (file.has_field_ref()) {
    validate_field_ref(file.field_ref(), fields, child(path, "fieldRef"), out);
    if (file.has_resource_field_ref()) {
      out.push_back(invalid(path, "\"resource\"",
                            "fieldRef and resourceFieldRef can not be specified simultaneously"));
    }
  } else if (file.has_resource_field_ref()) {
    validate_resource_field_ref(file.resource_field_ref(), true, child(path, "resourceFieldRef"),
                                out);
  } else {
    out.push_back(required_with(path, "one of fieldRef and resourceFieldRef is required"));
  }
  validate_mode(file.has_mode(), file.mode(), child(path, "mode"), out);
}

void validate_projected(const ProjectedVolumeSource& projected, const std::string& path,
                        field_errors& out) {
  validate_mode(projected.has_default_mode(), projected.default_mode(), child(path, "defaultMode"),
                out);
  std::set<std::string> paths;
  auto claim_path = [&](const std::string& file, std::string_view owner) {
    if (file.empty()) return;
    if (!paths.insert(file).second) {
      out.push_back(invalid(path, quoted(owner), "conflicting duplicate paths"));
    }
  };
  for (int i = 0; i < projected.sources_size(); ++i) {
    const auto& source = projected.sources(i);
    std::string spath = at(child(path, "sources"), i);
    int count = 0;
    if (source.has_secret()) {
      ++count;
      const auto& secret = source.secret();
      if (secret.name().empty()) out.push_back(required(child(child(spath, "secret"), "name")));
      validate_items(secret.items(), child(child(spath, "secret"), "items"), out);
      for (const auto& item : secret.items()) {
        claim_path(item.path(), secret.name());
      }
    }
    if (source.has_config_map()) {
      ++count;
      const auto& config_map = source.config_map();
      if (config_map.name().empty()) {
        out.push_back(required(child(child(spath, "configMap"), "name")));
      }
      validate_items(config_map.items(), child(child(spath, "configMap"), "items"), out);
      for (const auto& item : config_map.items()) {
        claim_path(item.path(), config_map.name());
      }
    }
    if (source.has_downward_api()) {
      ++count;
      for (const auto& file : source.downward_api().items()) {
        validate_downward_api_file(file, child(spath, "downwardAPI"), out);
        claim_path(file.path(), file.path());
      }
    }
    if (source.has_service_account_token()) {
      ++count;
      const auto& token = source.service_account_token();
      int64_t seconds = token.expiration_seconds();
      std::string seconds_path = child(child(spath, "serviceAccountToken"), "expirationSeconds");
      if (seconds < 600) {
        out.push_back(invalid(seconds_path, go_int(seconds),
                              "may not specify a duration less than 10 minutes"));
      }
      if (seconds > (int64_t{1} << 32)) {
        out.push_back(invalid(seconds_path, go_int(seconds),
                              "may not specify a duration larger than 2^32 seconds"));
      }
      if (token.path().empty()) {
        out.push_back(required(child(path, "path")));
      } else {
        validate_local_path(token.path(), child(path, "path"), out);
      }
    }
    if (count > 1) {
      out.push_back(forbidden(spath, "may not specify more than 1 volume type per source"));
    }
  }
}

// Kubernetes checks sources in this order and blames the second one it finds.
void validate_volume_source(const Volume& volume, const std::string& path, field_errors& out) {
  int count = 0;
  auto one_more = [&](std::string_view name) {
    if (count++ == 0) return true;
    out.push_back(forbidden(child(path, name), "may not specify more than 1 volume type"));
    return false;
  };
  if (volume.has_empty_dir()) {
    ++count;
    const auto& empty_dir = volume.empty_dir();
    if (empty_dir.has_size_limit() && empty_dir.size_limit().milli() < 0) {
      out.push_back(forbidden(child(child(path, "emptyDir"), "sizeLimit"),
                              "SizeLimit field must be a valid resource quantity"));
    }
  }
  if (volume.has_host_path() && one_more("hostPath")) {
    validate_host_path_source(volume.host_path(), child(path, "hostPath"), out);
  }
  if (volume.has_secret() && one_more("secret")) {
    const auto& secret = volume.secret();
    std::string spath = child(path, "secret");
    if (secret.secret_name().empty()) out.push_back(required(child(spath, "secretName")));
    validate_mode(secret.has_default_mode(), secret.default_mode(), child(spath, "defaultMode"),
                  out);
    validate_items(secret.items(), child(spath, "items"), out);
  }
  if (volume.has_nfs() && one_more("nfs")) {
    validate_nfs_source(volume.nfs(), child(path, "nfs"), out);
  }
  if (volume.has_persistent_volume_claim() && one_more("persistentVolumeClaim")) {
    if (volume.persistent_volume_claim().claim_name().empty()) {
      out.push_back(required(child(child(path, "persistentVolumeClaim"), "claimName")));
    }
  }
  // Kubernetes misspells this path ("downwarAPI") only when blaming a second source.
  if (volume.has_downward_api() && one_more("downwarAPI")) {
    const auto& downward = volume.downward_api();
    std::string dpath = child(path, "downwardAPI");
    validate_mode(downward.has_default_mode(), downward.default_mode(), child(dpath, "defaultMode"),
                  out);
    for (const auto& file : downward.items()) {
      validate_downward_api_file(file, dpath, out);
    }
  }
  if (volume.has_config_map() && one_more("configMap")) {
    const auto& config_map = volume.config_map();
    std::string cpath = child(path, "configMap");
    if (config_map.name().empty()) out.push_back(required(child(cpath, "name")));
    validate_mode(config_map.has_default_mode(), config_map.default_mode(),
                  child(cpath, "defaultMode"), out);
    validate_items(config_map.items(), child(cpath, "items"), out);
  }
  if (volume.has_projected() && one_more("projected")) {
    validate_projected(volume.projected(), child(path, "projected"), out);
  }
  if (count == 0) out.push_back(required_with(path, "must specify a volume type"));
}

}  // namespace

// fieldRef, shared by env vars and downward-API files; `allowed` is sorted.
void validate_field_ref(const ObjectFieldSelector& ref,
                        const std::vector<std::string_view>& allowed, const std::string& path,
                        field_errors& out) {
  if (ref.api_version().empty()) {
    out.push_back(required(child(path, "apiVersion")));
    return;
  }
  if (ref.field_path().empty()) {
    out.push_back(required(child(path, "fieldPath")));
    return;
  }
  const std::string& field = ref.field_path();
  std::string error;
  std::size_t open = field.find("['");
  bool subscripted = open != std::string::npos && field.size() > open + 4 &&
                     field.compare(field.size() - 2, 2, "']") == 0;
  std::string base = subscripted ? field.substr(0, open) : field;
  static const std::set<std::string_view> convertible = {
      "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
      "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
      "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
      "status.podIP",         "status.podIPs",   "spec.host"};
  if (ref.api_version() != "v1") {
    error = "unsupported pod version: " + ref.api_version();
  } else if (subscripted && base != "metadata.annotations" && base != "metadata.labels") {
    error = "field label does not support subscript: " + field;
  } else if (!subscripted && convertible.count(field) == 0) {
    error = "field label not supported: " + field;
  }
  if (!error.empty()) {
    out.push_back(
        invalid(child(path, "fieldPath"), quoted(field), "error converting fieldPath: " + error));
    return;
  }
  if (subscripted) {
    std::string subscript = field.substr(open + 2, field.size() - open - 4);
    if (base == "metadata.annotations") {
      for (auto& c : subscript) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    add_invalid(path, quoted(subscript), is_qualified_name(subscript), out);
    return;
  }
  std::string converted = field == "spec.host" ? "spec.nodeName" : field;
  if (std::find(allowed.begin(), allowed.end(), converted) == allowed.end()) {
    out.push_back(not_supported(child(path, "fieldPath"), quoted(converted), allowed));
  }
}

void validate_resource_field_ref(const ResourceFieldSelector& ref, bool volume,
                                 const std::string& path, field_errors& out) {
  static const std::vector<std::string_view> resources = {
      "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  const std::string& resource = ref.resource();
  if (volume && ref.container_name().empty()) {
    out.push_back(required(child(path, "containerName")));
  } else if (resource.empty()) {
    out.push_back(required(child(path, "resource")));
  } else if (std::find(resources.begin(), resources.end(), resource) == resources.end() &&
             resource.rfind("requests.hugepages-", 0) != 0 &&
             resource.rfind("limits.hugepages-", 0) != 0) {
    out.push_back(not_supported(child(path, "resource"), quoted(resource), resources));
  }
  if (!ref.has_divisor() || ref.divisor().milli() == 0) return;
  std::string divisor = quantity_text(ref.divisor());
  bool cpu = resource == "limits.cpu" || resource == "requests.cpu";
  if (cpu && divisor != "1m" && divisor != "1") {
    out.push_back(invalid(child(path, "divisor"), quoted(resource),
                          "only divisor's values 1m and 1 are supported with the cpu resource"));
  }
  static const std::set<std::string_view> byte_divisors = {
      "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"};
  bool memory = resource == "limits.memory" || resource == "requests.memory";
  if (memory && byte_divisors.count(divisor) == 0) {
    out.push_back(invalid(child(path, "divisor"), quoted(resource),
                          "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, "
                          "1Pi, 1Ei are supported with the memory resource"));
  }
}

// Only volumes without errors count as declared: a mount of a broken volume is "Not found".
volume_map validate_volumes(const google::protobuf::RepeatedPtrField<Volume>& volumes,
                            const std::string& path, field_errors& out) {
  volume_map declared;
  for (int i = 0; i < volumes.size(); ++i) {
    const auto& volume = volumes[i];
    std::string vpath = at(path, i);
    field_errors errors;
    validate_volume_source(volume, vpath, errors);
    if (volume.name().empty()) {
      errors.push_back(required(child(vpath, "name")));
    } else {
      validate_name_value(volume.name(), name_is_dns_label, child(vpath, "name"), errors);
    }
    if (declared.count(volume.name()) > 0) {
      errors.push_back(duplicate(child(vpath, "name"), quoted(volume.name())));
    }
    if (errors.empty()) {
      declared[volume.name()] = &volume;
    } else {
      out.insert(out.end(), errors.begin(), errors.end());
    }
  }
  return declared;
}

void validate_persistent_volume(const PersistentVolume& pv, bool namespaced, field_errors& out) {
  validate_object_meta(pv.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = pv.spec();
  if (spec.access_modes().empty()) out.push_back(required("spec.accessModes"));
  validate_access_modes(spec.access_modes(), "spec.accessModes", out);
  if (spec.capacity().empty()) out.push_back(required("spec.capacity"));
  if (spec.capacity().count("storage") == 0 || spec.capacity().size() > 1) {
    // Kubernetes prints the Go map here; quantities are shown in their canonical form.
    std::string value = "core.ResourceList(nil)";
    if (!spec.capacity().empty()) {
      value = "core.ResourceList{";
      for (const auto& name : sorted_keys(spec.capacity())) {
        value += (value.back() == '{' ? "" : ", ") + quoted(name) + ":" +
                 quoted(quantity_text(spec.capacity().at(name)));
      }
      value += "}";
    }
    out.push_back(not_supported("spec.capacity", value, {"storage"}));
  }
  for (const auto& name : sorted_keys(spec.capacity())) {
    const Quantity& q = spec.capacity().at(name);
    std::string cpath = key("spec.capacity", name);
    if (q.milli() < 0) {
      out.push_back(invalid(cpath, go_int(q.milli() / 1000), "must be a valid resource quantity"));
    }
    if (q.milli() <= 0) {
      out.push_back(invalid(cpath, quoted(quantity_text(q)), "must be greater than zero"));
    }
  }
  const std::string& reclaim = spec.persistent_volume_reclaim_policy();
  validate_enum(reclaim, if_empty::unset, {"Delete", "Recycle", "Retain"},
                "spec.persistentVolumeReclaimPolicy", out);
  bool node_affinity = false;
  if (spec.has_node_affinity()) {
    if (!spec.node_affinity().has_required()) {
      out.push_back(
          required_with("spec.nodeAffinity.required", "must specify required node constraints"));
    } else {
      node_affinity = true;
      validate_node_selector(spec.node_affinity().required(), "spec.nodeAffinity.required", out);
    }
  }
  int sources = 0;
  auto one_more = [&](std::string_view name) {
    if (sources++ == 0) return true;
    out.push_back(forbidden(child("spec", name), "may not specify more than 1 volume type"));
    return false;
  };
  if (spec.has_host_path() && one_more("hostPath")) {
    validate_host_path_source(spec.host_path(), "spec.hostPath", out);
  }
  if (spec.has_nfs() && one_more("nfs")) validate_nfs_source(spec.nfs(), "spec.nfs", out);
  if (spec.has_local() && one_more("local")) {
    if (spec.local().path().empty()) {
      out.push_back(required("spec.local.path"));
    } else {
      validate_path_no_backsteps(spec.local().path(), "spec.local.path", out);
    }
    if (!node_affinity) {
      out.push_back(required_with("spec.nodeAffinity", "Local volume requires node affinity"));
    }
  }
  if (sources == 0) out.push_back(required_with("spec", "must specify a volume type"));
  if (spec.has_host_path() && reclaim == "Recycle") {
    std::string_view p = spec.host_path().path();
    if (!p.empty() && p.find_first_not_of('/') == std::string_view::npos) {
      out.push_back(forbidden("spec.persistentVolumeReclaimPolicy",
                              "may not be 'recycle' for a hostPath mount of '/'"));
    }
  }
  if (!spec.storage_class_name().empty()) {
    validate_name_value(spec.storage_class_name(), name_is_dns_subdomain, "spec.storageClassName",
                        out);
  }
  validate_enum(spec.volume_mode(), if_empty::unset, {"Block", "Filesystem"}, "spec.volumeMode",
                out);
}

void validate_persistent_volume_claim(const PersistentVolumeClaim& pvc, bool namespaced,
                                      field_errors& out) {
  validate_object_meta(pvc.metadata(), namespaced, name_is_dns_subdomain, out);
  const auto& spec = pvc.spec();
  if (spec.access_modes().empty()) {
    out.push_back(required_with("spec.accessModes", "at least 1 access mode is required"));
  }
  if (spec.has_selector()) validate_label_selector(spec.selector(), "spec.selector", out);
  validate_access_modes(spec.access_modes(), "spec.accessModes", out);
  auto storage = spec.resources().requests().find("storage");
  if (storage == spec.resources().requests().end()) {
    out.push_back(required("spec.resources[storage]"));
  } else if (storage->second.milli() <= 0) {
    out.push_back(invalid("spec.resources[storage]", quoted(quantity_text(storage->second)),
                          "must be greater than zero"));
  }
  if (spec.has_storage_class_name() && !spec.storage_class_name().empty()) {
    validate_name_value(spec.storage_class_name(), name_is_dns_subdomain, "spec.storageClassName",
                        out);
  }
  validate_enum(spec.volume_mode(), if_empty::unset, {"Block", "Filesystem"}, "spec.volumeMode",
                out);
  if (spec.has_data_source()) validate_data_source(spec.data_source(), "spec.dataSource", out);
  if (spec.has_data_source_ref()) {
    const auto& ref = spec.data_source_ref();
    validate_data_source(ref, "spec.dataSourceRef", out);
    if (ref.has_namespace_() && !ref.namespace_().empty()) {
      validate_name_value(ref.namespace_(), name_is_dns_label, "spec.dataSourceRef.namespace", out);
      if (spec.has_data_source()) {
        out.push_back(invalid("spec", "spec.dataSource",
                              "may not be specified when dataSourceRef.namespace is specified"));
      }
    } else if (spec.has_data_source()) {
      const auto& source = spec.data_source();
      bool same = source.has_api_group() == ref.has_api_group() &&
                  source.api_group() == ref.api_group() && source.kind() == ref.kind() &&
                  source.name() == ref.name();
      if (!same) out.push_back(invalid("spec", "spec.dataSource", "must match dataSourceRef"));
    }
  }
}

}  // namespace troupe::messages::validation
