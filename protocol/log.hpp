#pragma once

// Logging: one spdlog logger per room/component, all writing to stderr
// (stdout belongs to the MCP protocol). Every message starts with a stable
// kebab-case event id, e.g.
//   log::fleet()->warn("health-degraded device={} cpu={}", id, cpu);
//
// A forwarding hook lets the MCP layer turn log records into
// `notifications/message` for clients that asked for them.

#include <functional>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace rmcp::log {

enum class format { text, json };

struct settings {
  spdlog::level::level_enum level = spdlog::level::info;
  log::format output = format::text;
};

/// Configures level and format of every component logger. Safe to call
/// again (tests, config reload).
void init(const settings& cfg);

/// Parses "trace|debug|info|warn|error|critical|off".
bool parse_level(const std::string& text, spdlog::level::level_enum& out);

/// Component loggers (created on first use, sharing the configured sinks).
std::shared_ptr<spdlog::logger> core();
std::shared_ptr<spdlog::logger> mcp();
std::shared_ptr<spdlog::logger> http();
std::shared_ptr<spdlog::logger> fleet();
std::shared_ptr<spdlog::logger> router();
std::shared_ptr<spdlog::logger> store();
std::shared_ptr<spdlog::logger> rollout();
std::shared_ptr<spdlog::logger> audit();
std::shared_ptr<spdlog::logger> cli();

/// Receives (spdlog level, component, message) for records at or above the
/// forwarding level. Called from arbitrary threads; must not log.
using forward_fn = std::function<void(spdlog::level::level_enum,
                                      const std::string&, const std::string&)>;

/// Installs (or, with an empty function, removes) the forwarding hook.
void set_forwarder(forward_fn fn);

/// Minimum level of records handed to the forwarder (default: off).
void set_forward_level(spdlog::level::level_enum level);

} // namespace rmcp::log
