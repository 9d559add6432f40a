// The stdio reader: every line in order and then the end of the input,
// whether the input is a pipe read on an event loop or a socket or file read
// by a thread of its own; over-long lines cut, the client's pipe left
// blocking, and nothing read after a shutdown.

#include "src/transport/stdio_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "protocol/caf_setup.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::transport {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct config : caf::actor_system_config {
  config() {
    add_rmcp_types(*this);
  }
};

/// Writes all of `text` to `fd` (blocking).
void write_text(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    ASSERT_GT(n, 0);
    done += static_cast<size_t>(n);
  }
}

/// An asio event loop on a thread of its own, like the daemon's REST I/O
/// threads.
struct event_loop {
  event_loop() : runner([this] { ioc.run(); }) {
    // nop
  }

  ~event_loop() {
    guard.reset();
    ioc.stop();
    runner.join();
  }

  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{
    ioc.get_executor()};
  std::thread runner;
};

class stdio_reader_test : public ::testing::Test {
protected:
  /// Starts the reader on `fd` (its event loop `ioc` when `on_loop`). Its
  /// session is a stand-in that passes each line and the end to `inbox`.
  caf::actor start(int fd, bool on_loop, size_t limit = 1 << 20) {
    auto to = caf::actor_cast<caf::actor>(inbox);
    auto session =
      sys.spawn([to](caf::event_based_actor* self) -> caf::behavior {
        return {
          [self, to](atom::rpc_in, std::string& line) {
            self->send(to, std::move(line));
          },
          [self, to](atom::eof) { self->send(to, atom::eof_v); },
        };
      });
    return spawn_stdio_reader(sys, fd,
                              caf::actor_cast<mcp_session_actor>(session),
                              limit, on_loop ? &ioc : nullptr);
  }

  /// The lines that reached the session before its `(eof)`; fails the test
  /// when 10 s pass without either.
  std::vector<std::string> lines_until_eof() {
    std::vector<std::string> lines;
    for (bool eof = false; !eof;) {
      bool got = false;
      inbox->receive(
        [&](std::string& line) {
          lines.push_back(std::move(line));
          got = true;
        },
        [&](atom::eof) { got = eof = true; }, caf::after(10s) >> [] {});
      if (!got) {
        ADD_FAILURE() << "no end of input within 10 s";
        break;
      }
    }
    return lines;
  }

  /// Sends `(shutdown)` to the reader and waits until it ended.
  void stop(const caf::actor& reader) {
    inbox->monitor(reader);
    caf::anon_send(reader, atom::shutdown_v);
    bool down = false;
    inbox->receive([&](caf::down_msg&) { down = true; },
                   caf::after(10s) >> [] {});
    EXPECT_TRUE(down) << "the reader did not end within 10 s";
  }

  /// Input with what a client may send: "\r\n", blank lines, a last line
  /// without newline; and the lines the session gets from it.
  static constexpr const char* mixed_input =
    "{\"id\":1}\n\n{\"id\":2}\r\n  \t\n{\"id\":3}";
  static std::vector<std::string> mixed_lines() {
    return {"{\"id\":1}", "{\"id\":2}", "{\"id\":3}"};
  }

  // The loop runs until the actor system ended: a reader's last work on
  // it (closing its descriptor after a shutdown) releases the session.
  event_loop loop;
  asio::io_context& ioc = loop.ioc;
  config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor inbox{sys};
};

TEST_F(stdio_reader_test, a_pipe_on_the_event_loop_gets_every_line_in_order) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto reader = start(fds[0], true);
  // Far more than the pipe holds, written while the reader reads: lines
  // are cut across reads of the pipe.
  std::string big;
  std::vector<std::string> want;
  for (int i = 0; i < 2000; ++i) {
    want.push_back("{\"id\":" + std::to_string(i) + ",\"pad\":\""
                   + std::string(static_cast<size_t>(i % 700), 'x') + "\"}");
    big += want.back() + (i % 2 == 0 ? "\n" : "\r\n");
  }
  write_text(fds[1], big);
  write_text(fds[1], mixed_input);
  for (auto& line : mixed_lines())
    want.push_back(line);
  ::close(fds[1]);
  EXPECT_EQ(lines_until_eof(), want);
  // The reader read through a descriptor of its own: the one the client's
  // end shares stays blocking.
  EXPECT_EQ(::fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
  stop(reader);
  ::close(fds[0]);
}

TEST_F(stdio_reader_test, a_line_over_the_limit_reaches_the_session_cut) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto reader = start(fds[0], true, 16);
  write_text(fds[1], std::string(100, 'a') + "\n{\"id\":1}\n");
  ::close(fds[1]);
  std::vector<std::string> want{std::string(17, 'a'), "{\"id\":1}"};
  EXPECT_EQ(lines_until_eof(), want);
  stop(reader);
  ::close(fds[0]);
}

TEST_F(stdio_reader_test, after_a_shutdown_the_pipe_is_left_unread) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto reader = start(fds[0], true);
  write_text(fds[1], "{\"id\":1}\n");
  std::string first;
  inbox->receive([&](std::string& line) { first = std::move(line); },
                 caf::after(10s) >> [] {});
  ASSERT_EQ(first, "{\"id\":1}");
  stop(reader);
  // The reader closed its descriptor on the loop; once the loop ran
  // everything queued before this, what the client writes stays in the
  // pipe for whoever reads it next.
  std::promise<void> synced;
  asio::post(ioc, [&] { synced.set_value(); });
  ASSERT_EQ(synced.get_future().wait_for(10s), std::future_status::ready);
  write_text(fds[1], "{\"id\":2}\n");
  ::close(fds[1]);
  char buf[64];
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  auto n = ::read(fds[0], buf, sizeof(buf));
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0),
            "{\"id\":2}\n");
  ::close(fds[0]);
}

TEST_F(stdio_reader_test, a_socket_is_read_by_a_thread_of_its_own) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto reader = start(fds[0], true);
  write_text(fds[1], mixed_input);
  ::close(fds[1]);
  EXPECT_EQ(lines_until_eof(), mixed_lines());
  stop(reader);
  ::close(fds[0]);
}

TEST_F(stdio_reader_test, a_file_is_read_by_a_thread_of_its_own) {
  test::temp_dir dir;
  auto path = dir / "in.jsonl";
  int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(out, 0);
  write_text(out, mixed_input);
  ::close(out);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  // A file cannot be waited for on an event loop; the reader falls back.
  auto reader = start(fd, true);
  EXPECT_EQ(lines_until_eof(), mixed_lines());
  stop(reader);
  ::close(fd);
}

} // namespace
} // namespace rmcp::transport
