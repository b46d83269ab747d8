#include "cli/edit_session.hpp"

namespace troupe::cli {
namespace {

// A reason's line breaks continue the comment, as kubectl's hashOnLineBreak does.
std::string hash_on_line_break(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "# ";
  }
  return out;
}

bool is_comment(std::string_view line) {
  auto first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos || line[first] != '#') return false;
  return line.substr(first, 2) != "#!";
}

}  // namespace

std::string edit_header(const std::vector<edit_reason>& reasons) {
  std::string out =
      "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
      "# and an empty file will abort the edit. If an error occurs while saving this file will "
      "be\n"
      "# reopened with the relevant failures.\n"
      "#\n";
  for (const auto& r : reasons) {
    out += "# " + hash_on_line_break(r.head) + (r.items.empty() ? "\n" : ":\n");
    for (const auto& item : r.items)
      out += "# * " + hash_on_line_break(item) + "\n";
    out += "#\n";
  }
  return out;
}

std::string strip_comments(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
    text.remove_prefix(line.size());
    if (!is_comment(line)) out += line;
  }
  return out;
}

bool has_content(std::string_view text) {
  return strip_comments(text).find_first_not_of(" \t\r\n") != std::string::npos;
}

std::string editor_command(const char* kube_editor, const char* editor) {
  if (kube_editor && *kube_editor) return kube_editor;
  if (editor && *editor) return editor;
  return "vi";
}

std::string editor_shell_command(std::string_view editor, std::string_view path) {
  std::string quoted = "'";
  for (char c : path)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return std::string(editor) + " " + quoted + "'";
}

}  // namespace troupe::cli
