#pragma once

// Runs a program with pipes on stdin/stdout for end-to-end tests; stderr
// goes to a temporary file (so a chatty child never blocks on a full pipe).
// Every read has a deadline: a hung child fails the test instead of hanging
// it.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rmcp::test {

/// RMCP_TEST_TIME_SCALE, a whole number from 1 to 20 (1 when unset):
/// scripts/test sets it for the ThreadSanitizer run, whose daemons run
/// several times slower than a plain build's. The deadlines of read_line
/// and wait are multiplied by it; a test that sets a daemon's own
/// deadlines can too.
int time_scale();

class child_process {
public:
  /// Starts `argv[0]` with the given arguments and extra environment.
  child_process(std::vector<std::string> argv,
                std::map<std::string, std::string> env = {});

  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes `line` plus "\n" to the child's stdin.
  void write_line(const std::string& line);

  /// Reads one line from stdout; nullopt on EOF or when the deadline passes.
  /// This deadline and wait's are multiplied by time_scale().
  std::optional<std::string>
  read_line(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Closes the child's stdin (EOF).
  void close_stdin();

  /// Sends a signal.
  void kill(int sig);

  /// Waits for the exit code; nullopt when the deadline passes (the child is
  /// then killed).
  std::optional<int>
  wait(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// The child's process id.
  pid_t pid() const noexcept {
    return pid_;
  }

  /// Everything the child wrote to stderr so far.
  std::string stderr_text() const;

  /// Everything left on stdout until EOF (bounded by the deadline).
  std::string
  drain_stdout(std::chrono::milliseconds timeout = std::chrono::seconds{10});

private:
  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  std::string buf_;
  bool exited_ = false;
  int status_ = 0;
};

} // namespace rmcp::test
