// The codec's front door: reads manifests (multi-document YAML, JSON, files and
// directories), decodes each document strictly, then defaults and validates it as the
// API server would. Every error names its source, line, column and field path.
// Stateless; safe from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messages/codec/decoder.hpp"

namespace troupe::messages::codec {

struct manifest_error {
  std::string source;  // file name, or "-" for standard input
  position pos;        // line 0: the error is about the whole source
  std::string message;

  // "deployment.yml:14:7: unknown field \"spec.template.spec.containers[0].imagee\""
  std::string to_string() const;
};

struct manifest_object {
  const kind_info* kind = nullptr;
  std::unique_ptr<google::protobuf::Message> object;
  std::string source;
  position pos;          // where the document starts
  source_map positions;  // field path -> where it was written
};

struct manifest_set {
  std::vector<manifest_object> objects;
  std::vector<manifest_error> errors;
  bool ok() const { return errors.empty(); }
};

// Decodes every document of one YAML/JSON stream. Empty documents are skipped.
manifest_set read_manifest_text(std::string_view text, std::string_view source);

// A file, or a directory's *.yaml, *.yml and *.json files in name order (as kubectl -f).
manifest_set read_manifest_path(const std::filesystem::path& path);

// Applies Kubernetes' defaults, then validates. Errors are Kubernetes-style
// ("The Deployment \"x\" is invalid: spec.replicas: Invalid value: -1: must be ...")
// and point at the line of the offending field, or its nearest written parent.
std::vector<manifest_error> default_and_validate(manifest_object& object);

}  // namespace troupe::messages::codec
