#include "src/transport/stdio_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/log.hpp"

namespace rmcp::transport {

namespace asio = boost::asio;

namespace {

/// Writes all of `data`; false when the peer is gone.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    auto n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Where the writer writes without blocking: a descriptor of its own with
/// O_NONBLOCK on the output pipe, or the output socket with MSG_DONTWAIT.
/// None (fd -1) for other outputs (terminals, files): all their writes go
/// to the drainer.
struct direct_output {
  int fd = -1;
  bool socket = false;
  bool own = false;
};

/// A new open file description of pipe `fd` (`access` O_RDONLY or
/// O_WRONLY) with O_NONBLOCK: set on it, that flag leaves the description
/// we share with the client as it is. -1 when that fails.
int open_own_pipe(int fd, int access) {
  auto path = "/proc/self/fd/" + std::to_string(fd);
  return ::open(path.c_str(), access | O_NONBLOCK | O_CLOEXEC);
}

direct_output open_direct_output(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return {};
  if (S_ISSOCK(st.st_mode))
    return {fd, true, false};
  if (!S_ISFIFO(st.st_mode))
    return {};
  int own = open_own_pipe(fd, O_WRONLY);
  if (own < 0)
    return {};
  return {own, false, true};
}

/// Writes what fits now: the bytes written (fewer than `size` when the
/// output is full), or -1 when the peer is gone.
ssize_t write_now(const direct_output& out, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    auto n = out.socket ? ::send(out.fd, data + done, size - done,
                                 MSG_DONTWAIT | MSG_NOSIGNAL)
                        : ::write(out.fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

void log_stdout_closed(int err) {
  log::warn(log::mcp(), "stdout-closed", {{"errno", err}});
}

using drainer_actor =
  caf::typed_actor<caf::reacts_to<atom::rpc_out, std::string>,
                   caf::reacts_to<atom::shutdown>>;

struct drainer_state {
  static inline const char* name = "rmcp.stdio-drainer";
  bool broken = false;
};

/// Blocking writes of what the writer could not write at once; each
/// reported back as (drained, ok).
drainer_actor::behavior_type
drainer(drainer_actor::stateful_pointer<drainer_state> self, int fd,
        stdio_writer_actor writer) {
  return {
    [self, fd, writer](atom::rpc_out, const std::string& bytes) {
      if (!self->state.broken && !write_all(fd, bytes.data(), bytes.size())) {
        self->state.broken = true;
        log_stdout_closed(errno);
      }
      self->send(writer, atom::drained_v, !self->state.broken);
    },
    [self](atom::shutdown) { self->quit(); },
  };
}

struct writer_state {
  static inline const char* name = "rmcp.stdio-writer";
  direct_output direct;
  drainer_actor drainer;
  /// Payloads handed to the drainer and not yet written: while there are
  /// any, later payloads go the same way, so lines keep their order.
  size_t pending = 0;
  bool broken = false;
  bool stopping = false;

  /// However the writer ends, the drainer ends after what it was given.
  ~writer_state() {
    if (drainer)
      caf::anon_send(drainer, atom::shutdown_v);
    if (direct.own)
      ::close(direct.fd);
  }
};

using writer_pointer = stdio_writer_actor::stateful_pointer<writer_state>;

stdio_writer_actor::behavior_type writer(writer_pointer self, int fd) {
  self->state.direct = open_direct_output(fd);
  return {
    [self, fd](atom::rpc_out, std::string& payload, const std::string&) {
      auto& st = self->state;
      if (st.broken || st.stopping)
        return;
      payload += '\n';
      size_t done = 0;
      if (st.pending == 0 && st.direct.fd >= 0) {
        auto n = write_now(st.direct, payload.data(), payload.size());
        if (n < 0) {
          st.broken = true;
          log_stdout_closed(errno);
          return;
        }
        done = static_cast<size_t>(n);
        if (done == payload.size())
          return;
      }
      if (!st.drainer)
        st.drainer = self->spawn<caf::detached>(
          drainer, fd, caf::actor_cast<stdio_writer_actor>(self));
      payload.erase(0, done);
      ++st.pending;
      self->send(st.drainer, atom::rpc_out_v, std::move(payload));
    },
    [self](atom::drained, bool ok) {
      auto& st = self->state;
      --st.pending;
      st.broken = st.broken || !ok;
      if (st.stopping && st.pending == 0)
        self->quit();
    },
    [self](atom::shutdown) {
      self->state.stopping = true;
      if (self->state.pending == 0)
        self->quit();
    },
  };
}

class line_splitter {
public:
  line_splitter(mcp_session_actor session, size_t limit)
    : session_(std::move(session)), limit_(limit) {
    // nop
  }

  void feed(const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      char c = data[i];
      if (c == '\n') {
        emit();
        continue;
      }
      if (buf_.size() <= limit_)
        buf_ += c;
    }
  }

  /// Emits a final line that had no terminating newline, then `(eof)`.
  void finish() {
    emit();
    caf::anon_send(session_, atom::eof_v);
  }

private:
  void emit() {
    if (!buf_.empty() && buf_.back() == '\r')
      buf_.pop_back();
    bool blank = buf_.find_first_not_of(" \t") == std::string::npos;
    if (!blank)
      caf::anon_send(session_, atom::rpc_in_v, std::move(buf_));
    buf_.clear();
  }

  mcp_session_actor session_;
  size_t limit_;
  std::string buf_;
};

void reader(caf::blocking_actor* self, int fd, mcp_session_actor session,
            size_t limit) {
  line_splitter lines{std::move(session), limit};
  bool running = true;
  char chunk[64 * 1024];
  while (running) {
    pollfd p{fd, POLLIN, 0};
    auto rc = ::poll(&p, 1, 100);
    if (rc > 0) {
      auto n = ::read(fd, chunk, sizeof(chunk));
      if (n > 0) {
        lines.feed(chunk, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        log::info(log::mcp(), "stdin-closed");
        lines.finish();
        return;
      }
    } else if (rc < 0 && errno != EINTR) {
      log::error(log::mcp(), "stdin-poll-failed", {{"errno", errno}});
      lines.finish();
      return;
    }
    self->receive([&](atom::shutdown) { running = false; },
                  caf::after(std::chrono::seconds{0}) >> [] {});
  }
}

/// The reader of an input pipe on an asio event loop (the REST clients'
/// I/O threads): no thread of its own wakes per request. It reads through a
/// descriptor of its own opened with O_NONBLOCK (the client's stays as it
/// is); all its work runs on one strand.
class pipe_reader : public std::enable_shared_from_this<pipe_reader> {
public:
  pipe_reader(asio::io_context& ioc, int own_fd, mcp_session_actor session,
              size_t limit)
    : strand_(asio::make_strand(ioc)), input_(strand_, own_fd),
      lines_(std::move(session), limit) {
    // nop
  }

  void start() {
    asio::post(strand_, [self = shared_from_this()] { self->read(); });
  }

  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->input_.close(ignored);
    });
  }

private:
  void read() {
    input_.async_read_some(
      asio::buffer(chunk_),
      [self = shared_from_this()](boost::system::error_code err, size_t n) {
        self->on_read(err, n);
      });
  }

  void on_read(boost::system::error_code err, size_t n) {
    // Closed by stop(): the read it cut short ends here, unreported.
    if (!input_.is_open())
      return;
    if (!err) {
      lines_.feed(chunk_.data(), n);
      read();
      return;
    }
    if (err == asio::error::eof)
      log::info(log::mcp(), "stdin-closed");
    else
      log::error(log::mcp(), "stdin-read-failed", {{"error", err.message()}});
    lines_.finish();
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::posix::stream_descriptor input_;
  line_splitter lines_;
  std::array<char, 64 * 1024> chunk_;
};

/// A descriptor of our own with O_NONBLOCK on input pipe `fd`, or -1 when
/// `fd` is not a pipe.
int open_own_input_pipe(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
    return -1;
  return open_own_pipe(fd, O_RDONLY);
}

} // namespace

stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, int fd) {
  return sys.spawn(writer, fd);
}

caf::actor spawn_stdio_reader(caf::actor_system& sys, int fd,
                              mcp_session_actor session,
                              size_t max_message_bytes, asio::io_context* ioc) {
  int own = ioc != nullptr ? open_own_input_pipe(fd) : -1;
  if (own >= 0) {
    auto input = std::make_shared<pipe_reader>(*ioc, own, std::move(session),
                                               max_message_bytes);
    input->start();
    return sys.spawn([input](caf::event_based_actor* self) -> caf::behavior {
      return {[self, input](atom::shutdown) {
        input->stop();
        self->quit();
      }};
    });
  }
  return sys.spawn<caf::detached>(reader, fd, std::move(session),
                                  max_message_bytes);
}

} // namespace rmcp::transport
