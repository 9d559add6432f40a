#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rmcp::test {

namespace {

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - clock_type::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::chrono::milliseconds scaled(std::chrono::milliseconds timeout) {
  return timeout * time_scale();
}

} // namespace

int time_scale() {
  static const int scale = [] {
    const char* text = std::getenv("RMCP_TEST_TIME_SCALE");
    int n = text != nullptr ? std::atoi(text) : 1;
    return n >= 1 && n <= 20 ? n : 1;
  }();
  return scale;
}

child_process::child_process(std::vector<std::string> argv,
                             std::map<std::string, std::string> env) {
  // Close-on-exec: the ends this process keeps must not leak into children
  // started later, or closing a child's stdin would not reach it while a
  // sibling holds a copy (dup2 in the child clears the flag on 0, 1, 2).
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  char tmpl[] = "/tmp/rmcp-child-stderr-XXXXXX";
  int err_fd = mkostemp(tmpl, O_CLOEXEC);
  if (err_fd < 0)
    throw std::runtime_error("mkstemp failed");
  err_path_ = tmpl;
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    close(in_pipe[0]);
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_fd);
    // Nothing else of this process: a test or bench that runs the simulator
    // in process would otherwise leave each router's listening socket open
    // in every daemon it starts, and a simulated reboot could never close
    // (nor reopen) it while the daemon lives.
    if (close_range(3, ~0U, 0) != 0)
      for (int fd = 3, n = static_cast<int>(sysconf(_SC_OPEN_MAX)); fd < n;
           ++fd)
        close(fd);
    for (auto& [k, v] : env)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_fd);
  in_fd_ = in_pipe[1];
  out_fd_ = out_pipe[0];
}

child_process::~child_process() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  if (in_fd_ >= 0)
    close(in_fd_);
  if (out_fd_ >= 0)
    close(out_fd_);
  if (!err_path_.empty())
    unlink(err_path_.c_str());
}

void child_process::write_line(const std::string& line) {
  auto data = line + "\n";
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    auto n = ::write(in_fd_, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw std::runtime_error("write to child failed");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::optional<std::string>
child_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + scaled(timeout);
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      auto line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_fd_, POLLIN, 0};
    auto rc = poll(&p, 1, remaining_ms(deadline));
    if (rc <= 0)
      return std::nullopt;
    char chunk[4096];
    auto n = ::read(out_fd_, chunk, sizeof(chunk));
    if (n <= 0)
      return std::nullopt;
    buf_.append(chunk, static_cast<size_t>(n));
  }
}

std::string child_process::drain_stdout(std::chrono::milliseconds timeout) {
  std::string result;
  while (auto line = read_line(timeout))
    result += *line + "\n";
  result += buf_;
  buf_.clear();
  return result;
}

void child_process::close_stdin() {
  if (in_fd_ >= 0) {
    close(in_fd_);
    in_fd_ = -1;
  }
}

void child_process::kill(int sig) {
  ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  if (exited_)
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  // Poll with short waits; waitpid has no timeout.
  auto deadline = clock_type::now() + scaled(timeout);
  while (clock_type::now() < deadline) {
    auto rc = waitpid(pid_, &status_, WNOHANG);
    if (rc == pid_) {
      exited_ = true;
      return WIFEXITED(status_) ? WEXITSTATUS(status_)
                                : 128 + WTERMSIG(status_);
    }
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
  return std::nullopt;
}

std::string child_process::stderr_text() const {
  std::ifstream in{err_path_};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace rmcp::test
