// Running the real troupe and troupectl binaries from end-to-end tests: a command under a
// private TROUPE_HOME with its output captured, and an embedded cluster (`troupe up` on free
// ports) that `troupe down` stops. Tests run from the repository root, so manifests/ paths
// work. For tests only; needs Boost.Test and TROUPE_SERVER_BINARY / TROUPECTL_BINARY.
#pragma once

#include <sys/wait.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

#ifndef TROUPE_SERVER_BINARY
#error "TROUPE_SERVER_BINARY must name the troupe executable"
#endif
#ifndef TROUPECTL_BINARY
#error "TROUPECTL_BINARY must name the troupectl executable"
#endif

namespace troupe::test_support {

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline bool matches(const std::string& text, const std::string& pattern) {
  return std::regex_search(text, std::regex(pattern));
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `binary args` through the shell with `home` as TROUPE_HOME.
inline run_result run(const std::filesystem::path& home, const std::string& binary,
                      const std::string& args) {
  const auto out = home / "cmd.out";
  const auto err = home / "cmd.err";
  std::string command = "TROUPE_HOME='" + home.string() + "' '" + binary + "' " + args + " >'" +
                        out.string() + "' 2>'" + err.string() + "'";
  int status = std::system(command.c_str());
  run_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// The rows of a printed table, its header left out.
inline std::vector<std::string> table_rows(const std::string& table) {
  std::vector<std::string> out;
  std::istringstream in(table);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

// The cells of a table row (cells never hold spaces in the tables tests read).
inline std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::istringstream in(row);
  std::string cell;
  while (in >> cell)
    out.push_back(cell);
  return out;
}

// Calls `attempt` until `done` holds for its result or `within` passed; the last result either
// way. For the state a control loop converges to.
inline run_result run_until(const std::function<run_result()>& attempt,
                            const std::function<bool(const run_result&)>& done,
                            std::chrono::seconds within = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    auto r = attempt();
    if (done(r) || std::chrono::steady_clock::now() > deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// `count` rows, each a pod 1/1 Running (a `get pods` table).
inline bool pods_running(const run_result& r, std::size_t count) {
  auto rows = table_rows(r.out);
  if (rows.size() != count) return false;
  for (const auto& row : rows)
    if (row.find(" 1/1 ") == std::string::npos || row.find(" Running ") == std::string::npos)
      return false;
  return true;
}

// `troupe up` under a private TROUPE_HOME on free ports; `troupe down` at the end.
struct embedded_cluster {
  temp_dir home{"troupe-home"};
  std::string api = "127.0.0.1:" + std::to_string(free_port());
  std::string raft = "127.0.0.1:" + std::to_string(free_port());

  // `extra` adds flags to `troupe up`, e.g. "--hollow-nodes 2".
  embedded_cluster(const std::string& troupe, const std::string& troupectl,
                   const std::string& extra = "")
      : troupe_(troupe), troupectl_(troupectl) {
    auto up = run(home.path(), troupe_,
                  "up --api-listen " + api + " --raft-listen " + raft + " " + extra);
    if (up.code != 0) run(home.path(), troupe_, "down");
    BOOST_TEST_REQUIRE(up.code == 0, "troupe up failed: " << up.err << "\nlog:\n"
                                                          << slurp(home.path() / "troupe.log"));
    BOOST_TEST(up.out.find("Troupe is running") != std::string::npos, up.out);
  }
  ~embedded_cluster() { run(home.path(), troupe_, "down"); }
  embedded_cluster(const embedded_cluster&) = delete;
  embedded_cluster& operator=(const embedded_cluster&) = delete;

  run_result troupectl(const std::string& args) { return run(home.path(), troupectl_, args); }

 private:
  std::string troupe_;
  std::string troupectl_;
};

}  // namespace troupe::test_support
