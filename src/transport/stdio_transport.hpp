#pragma once

// The stdio transport: newline-delimited JSON-RPC on a pair of file
// descriptors (normally stdin/stdout).
//
// Two detached actors, because both sides do blocking I/O:
// - the reader polls the input fd, splits lines (accepting "\r\n"), hands
//   each non-empty line to the session as `(rpc_in, text)` and sends
//   `(eof)` when the input closes. Lines longer than the limit are cut to
//   limit+1 bytes so the session refuses them without unbounded buffering.
//   It stops early on `(shutdown)`.
// - the writer implements the sink: writes each payload plus "\n" and
//   flushes; it quits on `(shutdown)` after everything queued before it.

#include <cstddef>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "protocol/mcp_actors.hpp"

namespace rmcp::transport {

using stdio_writer_actor =
  mcp_sink_actor::extend<caf::reacts_to<atom::shutdown>>;

/// Spawns the writer on `fd` (not closed by the writer).
stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, int fd);

/// Spawns the reader on `fd`; it feeds `session`.
caf::actor spawn_stdio_reader(caf::actor_system& sys, int fd,
                              mcp_session_actor session,
                              size_t max_message_bytes);

} // namespace rmcp::transport
