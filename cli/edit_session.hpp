// The text side of `troupectl edit`, as kubectl's editor loop shapes it: the header comment
// above the object, the failures written back as comments when the file is reopened, comment
// stripping, and the editor command line. Pure functions; the edit verb does the I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace troupe::cli {

// One reason the last save failed, as kubectl lists it in the header: a head line and,
// optionally, the items under it.
struct edit_reason {
  std::string head;
  std::vector<std::string> items;
};

// kubectl's header: "# Please edit the object below. Lines beginning with a '#' will be
// ignored, ..." then one block per reason ("# <head>:" and "# * <item>" lines), each closed
// by a "#" line. Line breaks inside a reason are continued as comments.
std::string edit_header(const std::vector<edit_reason>& reasons);

// The text without its comment lines: those whose first non-blank character is '#' (a "#!"
// line is kept, as kubectl keeps it).
std::string strip_comments(std::string_view text);

// Whether anything but blanks and comments is left: an empty save cancels the edit.
bool has_content(std::string_view text);

// The editor to run: $KUBE_EDITOR, else $EDITOR, else "vi" (arguments as given, empty ones
// skipped).
std::string editor_command(const char* kube_editor, const char* editor);

// The shell command that opens `path` in `editor`: the editor string is left to the shell,
// so "code --wait" and scripts with arguments work; the path is single-quoted.
std::string editor_shell_command(std::string_view editor, std::string_view path);

}  // namespace troupe::cli
