#include "tests/support/server_process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace troupe::test_support {

server_process::server_process(std::string binary, std::vector<std::string> args,
                               std::string log_path)
    : binary_(std::move(binary)), args_(std::move(args)), log_path_(std::move(log_path)) {}

server_process::~server_process() {
  kill9();
}

void server_process::start() {
  if (pid_ > 0) throw std::logic_error("server_process: already running");
  // Everything the child needs is prepared before fork: between fork and exec a child of a
  // multithreaded process may only make async-signal-safe calls.
  std::vector<char*> argv;
  argv.push_back(binary_.data());
  for (auto& a : args_)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0)
    throw std::runtime_error("cannot open " + log_path_ + ": " + std::string(strerror(errno)));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(log);
    throw std::runtime_error("fork failed: " + std::string(strerror(e)));
  }
  if (pid == 0) {
    // Die with the test. If the parent died before prctl, getppid no longer names it.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ::_exit(126);
    if (::getppid() != parent) ::_exit(126);
    // Undo the parent's signal mask (CAF threads may block signals) for the new image.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  pid_ = pid;
}

void server_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

}  // namespace troupe::test_support
