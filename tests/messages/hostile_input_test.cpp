// Hostile manifests are refused with a clear error in bounded time and memory. Each
// input is decoded in a child process under a memory limit and an alarm, so a crash,
// hang or blow-up fails the test instead of taking the suite down.
#include <boost/test/unit_test.hpp>

#include <random>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "messages/codec/manifest_reader.hpp"

namespace codec = troupe::messages::codec;

namespace {

constexpr rlim_t memory_limit = 1024ull * 1024 * 1024;  // 1 GiB of address space
constexpr unsigned time_limit_seconds = 20;

struct outcome {
  bool exited = false;  // false: killed by a signal (crash, alarm, out of memory)
  std::string first_error;
  std::size_t objects = 0;
};

outcome decode_in_child(const std::string& text) {
  int fds[2];
  BOOST_REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    rlimit limit{memory_limit, memory_limit};
    setrlimit(RLIMIT_AS, &limit);
    alarm(time_limit_seconds);
    auto set = codec::read_manifest_text(text, "hostile.yml");
    std::string report = std::to_string(set.objects.size()) + "\n" +
                         (set.errors.empty() ? "" : set.errors[0].to_string());
    auto written = write(fds[1], report.data(), report.size());
    _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 3);
  }
  close(fds[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    report.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  outcome out;
  out.exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (auto nl = report.find('\n'); nl != std::string::npos) {
    out.objects = std::stoul(report.substr(0, nl));
    out.first_error = report.substr(nl + 1);
  }
  return out;
}

void expect_refused(const std::string& text, const std::string& because) {
  auto result = decode_in_child(text);
  BOOST_REQUIRE_MESSAGE(result.exited, "the decoder crashed, hung or ran out of memory");
  BOOST_TEST(result.objects == 0u);
  BOOST_TEST(result.first_error.find(because) != std::string::npos, result.first_error);
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_hostile_input)

BOOST_AUTO_TEST_CASE(billion_laughs_alias_bomb) {
  std::string doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n";
  doc += "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    doc += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k)
      doc += (k ? ", *a" : "*a") + std::to_string(i - 1);
    doc += "]\n";
  }
  expect_refused(doc, "YAML aliases expand to more than 100000 nodes");
}

BOOST_AUTO_TEST_CASE(ten_thousand_deep_nesting) {
  expect_refused(repeat("[", 10'000) + repeat("]", 10'000), "nesting deeper than 128 levels");
  expect_refused(repeat("{a: ", 10'000) + "1" + repeat("}", 10'000),
                 "nesting deeper than 128 levels");
  // Block style: each level indents one more space.
  std::string block;
  for (int i = 0; i < 2'000; ++i)
    block += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  expect_refused(block, "nesting deeper than 128 levels");
}

BOOST_AUTO_TEST_CASE(four_mebibyte_document) {
  std::string doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: \"" +
                    std::string(4 * 1024 * 1024, 'x') + "\"\n";
  expect_refused(doc, "over the limit of 3145728 bytes");
}

BOOST_AUTO_TEST_CASE(large_document_under_the_limit_is_accepted) {
  std::string doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n";
  for (int i = 0; i < 20'000; ++i)
    doc += "  key" + std::to_string(i) + ": " + std::string(100, 'v') + "\n";
  auto result = decode_in_child(doc);
  BOOST_REQUIRE(result.exited);
  BOOST_TEST(result.objects == 1u, result.first_error);
}

BOOST_AUTO_TEST_CASE(binary_garbage) {
  std::mt19937_64 rng(20261124);
  for (int round = 0; round < 8; ++round) {
    std::string junk(64 * 1024, '\0');
    for (auto& c : junk)
      c = static_cast<char>(rng());
    auto result = decode_in_child(junk);
    BOOST_REQUIRE_MESSAGE(result.exited, "crashed on garbage round " << round);
    BOOST_TEST(result.objects == 0u);
    BOOST_TEST(!result.first_error.empty());
  }
}

BOOST_AUTO_TEST_CASE(yaml_shaped_garbage) {
  // Random text made of YAML's own punctuation reaches the parser's corners.
  std::mt19937_64 rng(7);
  const std::string alphabet = "ab:-[]{}\"'&*!|>%@#,? \n\t01.~";
  for (int round = 0; round < 200; ++round) {
    std::string junk(512, ' ');
    for (auto& c : junk)
      c = alphabet[rng() % alphabet.size()];
    auto result = decode_in_child(junk);
    BOOST_REQUIRE_MESSAGE(result.exited, "crashed on YAML-shaped garbage round " << round);
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused) {
  expect_refused("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\xc3\x28\"\n",
                 "hostile.yml:4:10: not UTF-8 text (byte 50)");
  // An escape that decodes to a lone surrogate is refused too.
  expect_refused("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\\uD800\"\n",
                 "hostile.yml:4:16: YAML syntax error: invalid unicode: 55296");
}

BOOST_AUTO_TEST_CASE(regression_truncated_utf16_bom_hung_the_parser) {
  // Found by the fuzzer: yaml-cpp looped forever on a UTF-16 byte-order mark.
  expect_refused(std::string("\xfe\xff\x00,\xff", 5), "not UTF-8 text (byte 0)");
  expect_refused(std::string("\x00\x00\xfe\xff", 4), "not UTF-8 text");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_refused) {
  expect_refused("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n",
                 "hostile.yml:3:1: duplicate key \"kind\"");
  expect_refused(
      "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": "
      "{\"name\": \"a\", \"name\": \"b\"}}",
      "duplicate key \"name\"");
}

BOOST_AUTO_TEST_CASE(self_referencing_alias_is_refused) {
  expect_refused("apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: *m\n",
                 "alias refers to an anchor");
}

BOOST_AUTO_TEST_CASE(regression_stray_flow_token_looped_forever) {
  // Found by the fuzzer: yaml-cpp reports endless empty documents for these.
  expect_refused(",", "hostile.yml:1:1: YAML syntax error: unexpected ',' here");
  expect_refused("apiVersion: v1\n---\n,\n",
                 "hostile.yml:3:1: YAML syntax error: unexpected ',' here");
}

BOOST_AUTO_TEST_CASE(regression_long_key_could_not_be_printed_back) {
  // Found by the fuzzer: YAML limits implicit keys to 1024 characters, so a key with
  // many escaped control characters decoded but did not survive its own round trip.
  expect_refused("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  " +
                     std::string(400, 'k') + ": v\n",
                 "hostile.yml:5:3: a key longer than 320 bytes");
  expect_refused(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a\x05"
      "b: v\n",
      "hostile.yml:5:3: a key with a control character in it");
}

BOOST_AUTO_TEST_SUITE_END()
