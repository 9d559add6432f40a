#pragma once

// Typed actor protocols of the MCP layer: transport sinks, sessions and the
// notifier. The aliases are the documentation of who sends what.

#include <cstdint>
#include <string>

#include <caf/typed_actor.hpp>

#include "protocol/json.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp {

/// The outbound side of a transport (stdout writer, HTTP session, SSE stream).
///
/// | message                                  | meaning                       |
/// |------------------------------------------|-------------------------------|
/// | (rpc_out, payload, related_key)          | one serialised JSON-RPC       |
/// |                                          | message; `related_key` is the |
/// |                                          | `jsonrpc::id_key` of the      |
/// |                                          | request it answers or belongs |
/// |                                          | to ("" = unrelated)           |
using mcp_sink_actor =
  caf::typed_actor<caf::reacts_to<atom::rpc_out, std::string, std::string>>;

/// One MCP session (one client connection).
///
/// | message                                    | from              |
/// |--------------------------------------------|-------------------|
/// | (rpc_in, text)                             | transport         |
/// | (eof)                                      | transport: input  |
/// |                                            | closed; drain     |
/// | (shutdown)                                 | runtime: drain    |
/// | (log, level, logger, text)                 | notifier          |
/// | (progress, request_key, token, progress,   | tool call actors  |
/// |  total or null, message)                   |                   |
/// | (deadline)                                 | itself: the drain |
/// |                                            | deadline passed,  |
/// |                                            | a listen's        |
/// |                                            | lifetime is over, |
/// |                                            | or held audit     |
/// |                                            | records of reads  |
/// |                                            | are due           |
/// | (health, sample)                           | fleet: a device's |
/// |                                            | health changed    |
/// |                                            | (while the session|
/// |                                            | has subscriptions)|
/// | (update, uri)                              | notifier: the     |
/// |                                            | resource at `uri` |
/// |                                            | changed           |
using mcp_session_actor = caf::typed_actor<
  caf::reacts_to<atom::rpc_in, std::string>, caf::reacts_to<atom::eof>,
  caf::reacts_to<atom::shutdown>, caf::reacts_to<atom::deadline>,
  caf::reacts_to<atom::log, std::string, std::string, std::string>,
  caf::reacts_to<atom::progress, std::string, json, double, json, std::string>,
  caf::reacts_to<atom::health, health_sample>,
  caf::reacts_to<atom::update, std::string>>;

/// Registry of live sessions; fans server-side events out to them.
///
/// | message                       | effect                                  |
/// |-------------------------------|-----------------------------------------|
/// | (join, session)               | track the session (monitored)           |
/// | (leave, session)              | forget it                               |
/// | (level, session, rank)        | minimum MCP log level rank, -1 = none   |
/// | (log, rank, logger, text)     | forward a log record to every session   |
/// |                               | whose level admits it                   |
/// | (update, uri)                 | the resource at `uri` changed: tell     |
/// |                               | every session (each keeps only what it  |
/// |                               | subscribed to or listens for)           |
/// | (count) -> uint64             | number of live sessions                 |
using notifier_actor =
  caf::typed_actor<caf::reacts_to<atom::join, mcp_session_actor>,
                   caf::reacts_to<atom::leave, mcp_session_actor>,
                   caf::reacts_to<atom::level, mcp_session_actor, int32_t>,
                   caf::reacts_to<atom::log, int32_t, std::string, std::string>,
                   caf::reacts_to<atom::update, std::string>,
                   caf::replies_to<atom::count>::with<uint64_t>>;

} // namespace rmcp
