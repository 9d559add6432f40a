#pragma once

// The runtime: builds the actor system and the long-lived actors from the
// server options, runs a transport until it ends, and shuts everything down
// in order.

#include <memory>
#include <string>

#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>

#include "actors/mcp_session.hpp"
#include "actors/tool_registry.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::app {

/// Registers our message types and error category and sizes the scheduler.
void configure(caf::actor_system_config& cfg,
               const config::server_options& opts);

/// The frozen tool catalog.
caf::expected<std::shared_ptr<const tool_registry>> build_tools();

/// The `instructions` text sent at initialize.
std::string instructions_text();

/// Session tunables from the options.
session_settings make_session_settings(const config::server_options& opts);

/// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
/// started afterwards); the runtime polls for them. Ignores SIGPIPE.
void block_shutdown_signals();

/// Returns a pending SIGINT/SIGTERM (consuming it) or 0.
int take_shutdown_signal();

/// Serves MCP over stdin/stdout until stdin closes or a signal arrives.
/// Returns the process exit code.
int serve_stdio(const config::server_options& opts);

} // namespace rmcp::app
