#pragma once

// The notifier: registry of live MCP sessions and fan-out of server-side
// events (log records, resource updates) to them.
//
// Key state: every joined session with its minimum MCP log level. It keeps
// the global log forwarding level at the lowest level any session asked for,
// so records nobody wants are never forwarded.

#include <caf/actor_system.hpp>

#include "protocol/mcp_actors.hpp"

namespace rmcp {

/// Spawns the notifier.
notifier_actor spawn_notifier(caf::actor_system& sys);

/// Maps an spdlog level to the rank of the matching MCP log level.
int32_t mcp_rank_of(int spdlog_level);

} // namespace rmcp
