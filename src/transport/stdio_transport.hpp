#pragma once

// The stdio transport: newline-delimited JSON-RPC on a pair of file
// descriptors (normally stdin/stdout).
//
// - the reader splits the input into lines (accepting "\r\n"), hands each
//   non-empty line to the session as `(rpc_in, text)` and sends `(eof)`
//   when the input closes. Lines longer than the limit are cut to limit+1
//   bytes so the session refuses them without unbounded buffering. It
//   stops early on `(shutdown)`. An input pipe (what MCP clients start the
//   daemon with) is read on an asio event loop, the REST clients' I/O
//   threads in the daemon, through a descriptor of its own opened with
//   O_NONBLOCK: a request wakes no thread of its own. Other inputs
//   (terminals, files, sockets) are read by a detached actor that blocks
//   in poll.
// - the writer implements the sink: it writes each payload plus "\n". It
//   runs on the actor workers and never blocks: on a pipe it writes through
//   a descriptor of its own opened with O_NONBLOCK (the client's stays as
//   it is), on a socket with MSG_DONTWAIT, so an answer costs no thread
//   hand-off. What does not fit at once (the client reads slowly), and
//   everything after it until that is written, goes to a detached drainer
//   that writes it blocking; output to a terminal or a file always goes
//   there. It quits on `(shutdown)` once everything queued before it is
//   written.

#include <cstddef>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "protocol/mcp_actors.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace rmcp::transport {

using stdio_writer_actor =
  mcp_sink_actor::extend<caf::reacts_to<atom::shutdown>,
                         caf::reacts_to<atom::drained, bool>>;

/// Spawns the writer on `fd` (not closed by the writer).
stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, int fd);

/// Spawns the reader on `fd`; it feeds `session`. With `ioc`, an input
/// pipe is read on that event loop instead of a thread of its own.
caf::actor spawn_stdio_reader(caf::actor_system& sys, int fd,
                              mcp_session_actor session,
                              size_t max_message_bytes,
                              boost::asio::io_context* ioc = nullptr);

} // namespace rmcp::transport
