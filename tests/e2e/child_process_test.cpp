// The helper that starts daemons for the end-to-end tests and benchmarks:
// a child gets its pipes and nothing else of the parent.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"

namespace rmcp::test {

namespace {

/// A socket listening on 127.0.0.1:port (0: any); -1 when bind fails.
int listen_on(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0); // deliberately not CLOEXEC
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::listen(fd, 4) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

uint16_t port_of(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

} // namespace

// A simulated router's listener (in the test process) closed for a reboot
// must free its port even while a daemon started earlier still runs
// (found by bench/soak: rebooted routers never came back).
TEST(child_process, a_child_holds_no_socket_of_the_parent) {
  int fd = listen_on(0);
  ASSERT_GE(fd, 0);
  auto port = port_of(fd);
  child_process child{{"/bin/sh", "-c", "echo started; exec cat"}};
  // Past exec: whatever the child kept of this process, it has it now.
  ASSERT_EQ(child.read_line(), "started");
  ::close(fd);
  int again = listen_on(port);
  EXPECT_GE(again, 0) << "the child still holds port " << port;
  if (again >= 0)
    ::close(again);
  child.close_stdin();
  EXPECT_EQ(child.wait(), 0);
}

} // namespace rmcp::test
