// A child process for end-to-end tests: started with fork/exec, killed with SIGKILL when the
// test says so and, whatever happens, when the object is destroyed. The child also asks the
// kernel (PR_SET_PDEATHSIG) to kill it when the thread that started it dies, so a crashed
// test leaves no servers behind. For tests only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace troupe::test_support {

class server_process {
 public:
  // Does not start anything: call start().
  server_process(std::string binary, std::vector<std::string> args, std::string log_path);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Starts the child (its stdout and stderr go to the log file, appended); throws on failure.
  void start();
  // SIGKILL, then reaps the child. Does nothing when it is not running.
  void kill9();
  // Whether the child runs: false once it has exited (reaped here) or was killed.
  bool running();
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace troupe::test_support
