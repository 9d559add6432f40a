#include "src/transport/stdio_transport.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/log.hpp"

namespace rmcp::transport {

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

struct writer_state {
  static inline const char* name = "rmcp.stdio-writer";
  bool broken = false;
};

stdio_writer_actor::behavior_type
writer(stdio_writer_actor::stateful_pointer<writer_state> self, int fd) {
  return {
    [self, fd](atom::rpc_out, std::string& payload, const std::string&) {
      if (self->state.broken)
        return;
      payload += '\n';
      if (!write_all(fd, payload.data(), payload.size())) {
        self->state.broken = true;
        log::warn(log::mcp(), "stdout-closed", {{"errno", errno}});
      }
    },
    [self](atom::shutdown) { self->quit(); },
  };
}

class line_splitter {
public:
  line_splitter(mcp_session_actor session, size_t limit)
    : session_(std::move(session)), limit_(limit) {
    // nop
  }

  void feed(caf::blocking_actor* self, const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      char c = data[i];
      if (c == '\n') {
        emit(self);
        continue;
      }
      if (buf_.size() <= limit_)
        buf_ += c;
    }
  }

  /// Emits a final line that had no terminating newline.
  void finish(caf::blocking_actor* self) {
    emit(self);
  }

private:
  void emit(caf::blocking_actor* self) {
    if (!buf_.empty() && buf_.back() == '\r')
      buf_.pop_back();
    bool blank = buf_.find_first_not_of(" \t") == std::string::npos;
    if (!blank)
      self->send(session_, atom::rpc_in_v, std::move(buf_));
    buf_.clear();
  }

  mcp_session_actor session_;
  size_t limit_;
  std::string buf_;
};

void reader(caf::blocking_actor* self, int fd, mcp_session_actor session,
            size_t limit) {
  line_splitter lines{session, limit};
  bool running = true;
  char chunk[64 * 1024];
  while (running) {
    pollfd p{fd, POLLIN, 0};
    auto rc = ::poll(&p, 1, 100);
    if (rc > 0) {
      auto n = ::read(fd, chunk, sizeof(chunk));
      if (n > 0) {
        lines.feed(self, chunk, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        lines.finish(self);
        log::info(log::mcp(), "stdin-closed");
        self->send(session, atom::eof_v);
        return;
      }
    } else if (rc < 0 && errno != EINTR) {
      log::error(log::mcp(), "stdin-poll-failed", {{"errno", errno}});
      self->send(session, atom::eof_v);
      return;
    }
    self->receive([&](atom::shutdown) { running = false; },
                  caf::after(std::chrono::seconds{0}) >> [] {});
  }
}

} // namespace

stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, int fd) {
  return sys.spawn<caf::detached>(writer, fd);
}

caf::actor spawn_stdio_reader(caf::actor_system& sys, int fd,
                              mcp_session_actor session,
                              size_t max_message_bytes) {
  return sys.spawn<caf::detached>(reader, fd, std::move(session),
                                  max_message_bytes);
}

} // namespace rmcp::transport
