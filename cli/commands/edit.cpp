// troupectl edit TYPE NAME | TYPE/NAME : kubectl's editor loop. The object is read, written as
// YAML (or JSON with -o json) under kubectl's header comment to a temporary file, and the
// editor ($KUBE_EDITOR, $EDITOR, else vi) is run on it through the shell. The saved text,
// comments stripped, is decoded and sent as an UPDATE with the resourceVersion it carries, so
// a write in between is refused rather than overwritten. A file that does not decode, or that
// the server finds invalid, is reopened with the failures as comments; saving it unchanged
// gives up and keeps the file ("A copy of your changes has been stored to ...").
#include <google/protobuf/message.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/cluster.hpp"
#include "cli/commands/commands.hpp"
#include "cli/edit_session.hpp"
#include "cli/manifest_input.hpp"
#include "cli/printers.hpp"
#include "cli/targets.hpp"
#include "messages/codec/encoder.hpp"
#include "messages/codec/manifest_reader.hpp"
#include "messages/proto/meta.pb.h"

namespace troupe::cli {
namespace {

namespace codec = messages::codec;
namespace fs = std::filesystem;

constexpr flag_spec edit_flags[] = {
    {"output", 'o', true, {}, "Output format. One of: (json, yaml)."},
    namespace_flag,
    server_flag,
};

// A temporary file named like kubectl's ("troupectl-edit-*.yaml"); "" if none can be made.
std::string make_temp_file(std::string_view extension) {
  const char* dir = std::getenv("TMPDIR");
  std::string name =
      std::string(dir && *dir ? dir : "/tmp") + "/troupectl-edit-XXXXXX" + std::string(extension);
  int fd = ::mkstemps(name.data(), static_cast<int>(extension.size()));
  if (fd < 0) return {};
  ::close(fd);
  return name;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The decoded object of the edited text, or the reasons it is not one.
struct decoded {
  std::unique_ptr<google::protobuf::Message> object;
  std::vector<edit_reason> reasons;
};

decoded decode_edit(const std::string& text, const std::string& path,
                    const google::protobuf::Message& live, const messages::kind_info& kind) {
  auto set = codec::read_manifest_text(strip_comments(text), path);
  decoded out;
  if (!set.ok()) {
    edit_reason r{"The edited file had a syntax error", {}};
    for (const auto& e : set.errors)
      r.items.push_back(e.to_string());
    out.reasons.push_back(std::move(r));
    return out;
  }
  const auto* was = messages::metadata_of(live);
  if (set.objects.size() != 1 || set.objects[0].kind != &kind ||
      messages::metadata_of(*set.objects[0].object)->name() != was->name()) {
    out.reasons.push_back({"At least one of apiVersion, kind and name was changed", {}});
    return out;
  }
  auto* meta = messages::metadata_of(*set.objects[0].object);
  if (kind.namespaced && meta->namespace_().empty()) meta->set_namespace_(was->namespace_());
  out.object = std::move(set.objects[0].object);
  return out;
}

// Gives up on an edit, keeping the file: kubectl's preservedFile.
bool preserve(const std::string& path, std::string_view error, cli_io& io) {
  io.err << "A copy of your changes has been stored to \"" << path << "\"\n";
  fail(io, error);
  return false;
}

// Edits one object; false after printing why not.
bool edit_one(const target_object& t, output_format format, cluster& c, cli_io& io) {
  auto live = read_target(t, c, io);
  if (!live) return false;
  auto tree = codec::encode_object(*live, *t.kind);
  const std::string original =
      format == output_format::json ? codec::to_json(*tree) : codec::to_yaml(*tree);
  const std::string path = make_temp_file(format == output_format::json ? ".json" : ".yaml");
  if (path.empty()) return fail(io, "cannot create a temporary file for editing") == 0;
  const std::string editor = editor_command(std::getenv("KUBE_EDITOR"), std::getenv("EDITOR"));

  std::vector<edit_reason> reasons;  // why the last save failed; none on the first round
  std::string body = original;       // what the file shows below the header
  for (;;) {
    if (!write_file(path, edit_header(reasons) + body))
      return fail(io, "cannot write the temporary file " + path) == 0;
    const int status = std::system(editor_shell_command(editor, path).c_str());
    if (status != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return preserve(path, "there was a problem with the editor \"" + editor + "\"", io);
    const std::string edited = read_file(path);
    if (strip_comments(edited) == strip_comments(original)) {
      fs::remove(path);
      io.err << "Edit cancelled, no changes made.\n";
      return true;
    }
    if (!has_content(edited)) {
      fs::remove(path);
      io.err << "Edit cancelled, saved file was empty.\n";
      return true;
    }
    if (!reasons.empty() && strip_comments(edited) == strip_comments(body))
      return preserve(path, "Edit cancelled, no valid changes were saved.", io);
    body = strip_comments(edited);

    auto next = decode_edit(edited, path, *live, *t.kind);
    if (!next.object) {
      reasons = std::move(next.reasons);
      continue;
    }
    const std::string done = object_name(*live, *t.kind);
    if (next.object->SerializeAsString() == live->SerializeAsString()) {
      fs::remove(path);
      io.out << done << " skipped\n";
      return true;
    }
    auto written = send_request(c, *next.object, *t.kind, messages::ApiRequest::UPDATE);
    if (auto* refused = std::get_if<api_client::failure>(&written)) {
      if (refused->reason == "Invalid") {
        reasons = {{refused->message, {}}};
        continue;
      }
      io.err << refused->to_string() << '\n';
      return preserve(path, "Edit cancelled, no valid changes were saved.", io);
    }
    fs::remove(path);
    io.out << done << " edited\n";
    return true;
  }
}

int run_edit(const parsed_flags& flags, cli_io& io) {
  auto format = output_format::yaml;
  if (auto o = flags.get("output"); !o.empty()) {
    auto parsed = parse_output_format(o);
    if (!parsed || *parsed == output_format::name)
      return fail(io, "the flag 'output' must be one of yaml|json");
    format = *parsed;
  }
  if (flags.positional.empty())
    return fail(io,
                "You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n"
                "   '-f rsrc.yaml'\n"
                "   '--filename=rsrc.json'\n"
                "   '<resource> <name>'\n"
                "   '<resource>'");
  auto target = open_cluster(flags, io);
  if (!target) return 1;
  auto named = resolve_targets(flags.positional, {}, target->ns, io);
  if (!named) return 1;
  if (named->type_only) return fail(io, "resource(s) were provided, but no name was specified");
  int status = 0;
  for (const auto& t : named->objects)
    if (!edit_one(t, format, *target, io)) status = 1;
  return status;
}

}  // namespace

const command edit_command{"edit", "Edit a resource on the server",
                           "troupectl edit (RESOURCE/NAME | -f FILENAME) [options]", edit_flags,
                           run_edit};

}  // namespace troupe::cli
