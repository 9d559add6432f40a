// The stdio writer: lines in order whatever the output is (a pipe the client
// reads slowly, a socket, a file), the client's pipe left blocking, and a
// closed output survived.

#include "src/transport/stdio_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "protocol/caf_setup.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::transport {
namespace {

struct config : caf::actor_system_config {
  config() {
    add_rmcp_types(*this);
  }
};

class stdio_writer_test : public ::testing::Test {
protected:
  /// Line `i` of the stream the tests write: distinct, `size` bytes.
  static std::string line(int i, size_t size) {
    auto text = "line " + std::to_string(i) + " ";
    text.resize(size, static_cast<char>('a' + i % 26));
    return text;
  }

  void write_lines(const stdio_writer_actor& writer, int count, size_t size) {
    for (int i = 0; i < count; ++i)
      caf::anon_send(writer, atom::rpc_out_v, line(i, size), std::string{});
  }

  static std::string expected(int count, size_t size) {
    std::string out;
    for (int i = 0; i < count; ++i)
      out += line(i, size) + "\n";
    return out;
  }

  /// Reads `fd` until `bytes` arrived or 10 s passed without any.
  static std::string read_until(int fd, size_t bytes) {
    std::string out;
    char buf[16 * 1024];
    while (out.size() < bytes) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0)
        break;
      auto n = ::read(fd, buf, sizeof(buf));
      if (n <= 0)
        break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  /// Shuts the writer down and waits until it ended.
  void stop(const stdio_writer_actor& writer) {
    caf::scoped_actor self{sys};
    self->monitor(writer);
    caf::anon_send(writer, atom::shutdown_v);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; },
                  caf::after(std::chrono::seconds{10}) >> [] {});
    EXPECT_TRUE(down) << "the writer did not end within 10 s";
  }

  /// Writes 300 lines of 1 KB to `out` while nobody reads, then reads
  /// `in`: every line arrives, in order, and `out` (the client's
  /// descriptor) stays blocking. Closes both.
  void expect_every_line_in_order(int in, int out) {
    auto writer = spawn_stdio_writer(sys, out);
    write_lines(writer, 300, 1000);
    auto want = expected(300, 1000);
    EXPECT_EQ(read_until(in, want.size()), want);
    EXPECT_EQ(::fcntl(out, F_GETFL) & O_NONBLOCK, 0);
    stop(writer);
    ::close(in);
    ::close(out);
  }

  config cfg;
  caf::actor_system sys{cfg};
};

TEST_F(stdio_writer_test, a_pipe_read_slowly_gets_every_line_in_order) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  // The smallest pipe (a page): the writer finds it full again and again
  // and hands the rest to its drainer, then writes at once again.
  ASSERT_GT(::fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
  expect_every_line_in_order(fds[0], fds[1]);
}

TEST_F(stdio_writer_test, a_socket_read_slowly_gets_every_line_in_order) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  int small = 4096;
  ASSERT_EQ(::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)),
            0);
  expect_every_line_in_order(fds[0], fds[1]);
}

TEST_F(stdio_writer_test, a_file_gets_every_line_before_the_writer_ends) {
  test::temp_dir dir;
  auto path = dir / "out.jsonl";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  auto writer = spawn_stdio_writer(sys, fd);
  write_lines(writer, 50, 100);
  stop(writer);
  ::close(fd);
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), expected(50, 100));
}

TEST_F(stdio_writer_test, a_closed_output_ends_nothing_but_the_output) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  auto writer = spawn_stdio_writer(sys, fds[1]);
  // EPIPE (SIGPIPE ignored as the runtime does): the writer stops writing
  // and still ends on shutdown.
  auto old = ::signal(SIGPIPE, SIG_IGN);
  write_lines(writer, 10, 100);
  stop(writer);
  ::signal(SIGPIPE, old);
  ::close(fds[1]);
}

} // namespace
} // namespace rmcp::transport
