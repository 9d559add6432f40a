// The daemon under systemd's notification protocol: the test owns the
// datagram socket NOTIFY_SOCKET names (as systemd would) and reads what
// the real binary sends: READY=1 once it serves, WATCHDOG=1 at half of
// WATCHDOG_USEC, STOPPING=1 when shutdown begins.

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

/// A bound AF_UNIX datagram socket, closed and unlinked at the end.
class notify_socket {
public:
  explicit notify_socket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    bound_ =
      fd_ >= 0
      && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }

  ~notify_socket() {
    if (fd_ >= 0)
      ::close(fd_);
    ::unlink(path_.c_str());
  }

  bool bound() const {
    return bound_;
  }

  /// The next datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
      return std::nullopt;
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0)
      return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

  /// Reads datagrams until one contains `what` (true) or `timeout` passes
  /// (false); every datagram read is appended to `seen`.
  bool wait_for(const std::string& what, std::chrono::milliseconds timeout,
                std::vector<std::string>& seen) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      auto msg = next(left);
      if (!msg)
        return false;
      seen.push_back(*msg);
      if (msg->find(what) != std::string::npos)
        return true;
    }
  }

private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string joined(const std::vector<std::string>& seen) {
  std::string out;
  for (auto& s : seen)
    out += "[" + s + "] ";
  return out;
}

class systemd_notify : public ::testing::Test {
protected:
  std::unique_ptr<child_process> start(std::vector<std::string> serve_args,
                                       bool watchdog) {
    std::vector<std::string> argv{RMCP_BINARY_PATH,
                                  "--data-dir",
                                  data.path(),
                                  "--log-level",
                                  "info",
                                  "--set",
                                  "device.health_checks=false",
                                  "serve"};
    argv.insert(argv.end(), serve_args.begin(), serve_args.end());
    std::map<std::string, std::string> env{{"NOTIFY_SOCKET", sock_path}};
    // 200 ms: pings every 100 ms.
    if (watchdog)
      env["WATCHDOG_USEC"] = "200000";
    return std::make_unique<child_process>(argv, env);
  }

  temp_dir data;
  std::string sock_path = data / "notify";
  notify_socket sock{sock_path};
  std::vector<std::string> seen;
};

} // namespace

TEST_F(systemd_notify, http_sends_ready_watchdog_pings_and_stopping) {
  ASSERT_TRUE(sock.bound()) << sock_path;
  auto daemon = start({"--http", "--listen", "127.0.0.1:0"}, true);
  ASSERT_TRUE(sock.wait_for("READY=1", 20s, seen))
    << joined(seen) << daemon->stderr_text();
  EXPECT_NE(seen.back().find("STATUS=serving MCP over HTTP on port "),
            std::string::npos)
    << seen.back();
  // Two pings after READY: the timer keeps firing, not a one-off.
  ASSERT_TRUE(sock.wait_for("WATCHDOG=1", 5s, seen)) << joined(seen);
  ASSERT_TRUE(sock.wait_for("WATCHDOG=1", 5s, seen)) << joined(seen);
  daemon->kill(SIGTERM);
  ASSERT_TRUE(sock.wait_for("STOPPING=1", 10s, seen))
    << joined(seen) << daemon->stderr_text();
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->stderr_text();
}

TEST_F(systemd_notify, stdio_sends_ready_and_stopping_at_end_of_input) {
  ASSERT_TRUE(sock.bound()) << sock_path;
  auto daemon = start({"--stdio"}, false);
  ASSERT_TRUE(sock.wait_for("READY=1", 20s, seen))
    << joined(seen) << daemon->stderr_text();
  for (auto& s : seen)
    EXPECT_EQ(s.find("WATCHDOG=1"), std::string::npos)
      << "a ping without WATCHDOG_USEC: " << s;
  daemon->close_stdin();
  ASSERT_TRUE(sock.wait_for("STOPPING=1", 10s, seen))
    << joined(seen) << daemon->stderr_text();
  for (auto& s : seen)
    EXPECT_EQ(s.find("WATCHDOG=1"), std::string::npos)
      << "a ping without WATCHDOG_USEC: " << s;
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->stderr_text();
}

TEST_F(systemd_notify, without_notify_socket_nothing_is_sent) {
  ASSERT_TRUE(sock.bound()) << sock_path;
  child_process daemon{{RMCP_BINARY_PATH, "--data-dir", data.path(),
                        "--log-level", "info", "--set",
                        "device.health_checks=false", "serve", "--stdio"},
                       {{"WATCHDOG_USEC", "200000"}}};
  daemon.close_stdin();
  EXPECT_EQ(daemon.wait(20s), 0) << daemon.stderr_text();
  // The daemon has exited: anything it sent is queued on the socket.
  EXPECT_FALSE(sock.next(0ms).has_value());
  EXPECT_EQ(daemon.stderr_text().find("sd-notify"), std::string::npos);
}

} // namespace rmcp
