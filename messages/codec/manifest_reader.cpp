#include "messages/codec/manifest_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <google/protobuf/message.h>

#include "messages/defaults.hpp"
#include "messages/proto/meta.pb.h"
#include "messages/validation/validate.hpp"

namespace troupe::messages::codec {
namespace {

namespace fs = std::filesystem;

bool is_manifest_file(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

void append(manifest_set& into, manifest_set&& from) {
  for (auto& o : from.objects)
    into.objects.push_back(std::move(o));
  for (auto& e : from.errors)
    into.errors.push_back(std::move(e));
}

// The position of `path`, or of its nearest ancestor that was written in the source:
// a missing required field points at its parent.
position locate(const source_map& positions, std::string path, position fallback) {
  while (!path.empty()) {
    if (auto it = positions.find(path); it != positions.end()) return it->second;
    auto cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return fallback;
}

}  // namespace

std::string manifest_error::to_string() const {
  std::string out = source;
  if (pos.line > 0) out += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  return out + ": " + message;
}

manifest_set read_manifest_text(std::string_view text, std::string_view source) {
  manifest_set out;
  auto stream = parse_yaml_stream(text);
  if (stream.error) {
    out.errors.push_back({std::string(source), stream.error->pos, stream.error->message});
    return out;
  }
  for (const auto& doc : stream.documents) {
    if (doc->is_null()) continue;  // "---" with nothing after it, as kubectl allows
    auto decoded = decode_object(*doc);
    for (auto& e : decoded.errors)
      out.errors.push_back({std::string(source), e.pos, std::move(e.message)});
    if (decoded.errors.empty()) {
      out.objects.push_back({decoded.value.kind, std::move(decoded.value.object),
                             std::string(source), doc->pos, std::move(decoded.value.positions)});
    }
  }
  return out;
}

manifest_set read_manifest_path(const fs::path& path) {
  manifest_set out;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_regular_file() && is_manifest_file(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty() && !ec)
      out.errors.push_back({path.string(), {}, "no .yaml, .yml or .json files in the directory"});
    for (const auto& f : files)
      append(out, read_manifest_path(f));
    if (ec) out.errors.push_back({path.string(), {}, ec.message()});
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.errors.push_back({path.string(), {}, "the path \"" + path.string() + "\" does not exist"});
    return out;
  }
  // Read one byte past the limit at most: a huge file is refused without loading it.
  auto size = fs::file_size(path, ec);
  std::string text(ec ? parse_limits{}.max_bytes + 1
                      : std::min<std::uintmax_t>(size + 1, parse_limits{}.max_bytes + 1),
                   '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > parse_limits{}.max_bytes) {
    out.errors.push_back({path.string(),
                          {},
                          "the file is over the limit of " +
                              std::to_string(parse_limits{}.max_bytes) + " bytes for a manifest"});
    return out;
  }
  return read_manifest_text(text, path.string());
}

std::vector<manifest_error> default_and_validate(manifest_object& object) {
  apply_defaults(*object.object, *object.kind);
  std::vector<manifest_error> out;
  auto errors = validate(*object.object, *object.kind);
  if (errors.empty()) return out;
  const auto* meta = metadata_of(*object.object);
  std::string name = meta ? (meta->name().empty() ? meta->generate_name() : meta->name()) : "";
  std::string prefix = "The " + std::string(object.kind->kind) + " \"" + name + "\" is invalid: ";
  for (const auto& e : errors)
    out.push_back(
        {object.source, locate(object.positions, e.path, object.pos), prefix + e.to_string()});
  return out;
}

}  // namespace troupe::messages::codec
