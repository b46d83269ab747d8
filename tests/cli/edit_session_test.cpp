// The text side of `troupectl edit`: kubectl's header, failures as comments, comment stripping
// and the editor command.
#include "cli/edit_session.hpp"

#include <boost/test/unit_test.hpp>

namespace {
using namespace troupe::cli;
}  // namespace

BOOST_AUTO_TEST_SUITE(cli_edit_session)

BOOST_AUTO_TEST_CASE(edit_header_is_kubectls_with_failures_as_comments) {
  BOOST_TEST(edit_header({}) ==
             "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
             "# and an empty file will abort the edit. If an error occurs while saving this file "
             "will be\n"
             "# reopened with the relevant failures.\n"
             "#\n");
  auto with = edit_header({{"The edited file had a syntax error", {"a:1:2: bad\nsecond"}}});
  BOOST_TEST(with.ends_with("#\n# The edited file had a syntax error:\n# * a:1:2: bad\n# second\n"
                            "#\n"),
             with);
}

BOOST_AUTO_TEST_CASE(strip_comments_drops_comment_lines_only) {
  BOOST_TEST(strip_comments("# x\napiVersion: v1\n  # indented\n#!keep\ndata: a#b\n") ==
             "apiVersion: v1\n#!keep\ndata: a#b\n");
  BOOST_TEST(!has_content("# only\n\n  \n"));
  BOOST_TEST(has_content("# c\nkind: Pod"));
}

BOOST_AUTO_TEST_CASE(editor_command_prefers_kube_editor_then_editor_then_vi) {
  BOOST_TEST(editor_command("nano", "emacs") == "nano");
  BOOST_TEST(editor_command("", "emacs") == "emacs");
  BOOST_TEST(editor_command(nullptr, nullptr) == "vi");
  BOOST_TEST(editor_shell_command("code --wait", "/tmp/a'b.yaml") ==
             "code --wait '/tmp/a'\\''b.yaml'");
}

BOOST_AUTO_TEST_SUITE_END()
