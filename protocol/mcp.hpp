#pragma once

// MCP vocabulary: protocol revisions, tool metadata, log levels and the
// shape of tool results. Pure data and functions; no I/O.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.hpp"

namespace rmcp::mcp {

// -- protocol revisions ---------------------------------------------------------

/// Revisions we speak, newest first.
inline constexpr std::string_view latest_version = "2025-11-25";
const std::vector<std::string>& supported_versions();

/// Echoes `requested` when supported, else answers the latest revision.
std::string negotiate_version(std::string_view requested);

/// True when `version` is one we speak.
bool is_supported_version(std::string_view version);

/// Revision-dependent features (versions compare as ISO dates).
bool has_structured_output(std::string_view version); // >= 2025-06-18
bool has_tool_annotations(std::string_view version);  // >= 2025-03-26
bool has_titles(std::string_view version);            // >= 2025-06-18

// -- tools ----------------------------------------------------------------------

/// Capability tier of a tool: drives RBAC and device flags.
enum class tool_tier {
  /// Service helpers that touch no router (echo, service_health).
  platform,
  /// Reads and non-mutating diagnostics.
  fundamental,
  /// Single-device writes.
  advanced,
  /// Plan/apply workflows, multi-device or high risk.
  professional,
};

std::string to_string(tool_tier x);

struct tool_annotations {
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
  bool open_world = false;
};

/// Static description of a tool: everything `tools/list` shows plus the
/// metadata the server needs to run it.
struct tool_spec {
  std::string name;
  std::string title;
  std::string description;
  json input_schema;
  /// Null when the tool returns no structured content.
  json output_schema;
  tool_annotations annotations;
  tool_tier tier = tool_tier::fundamental;
  /// Overrides the server's default tool deadline when set.
  std::optional<std::chrono::milliseconds> timeout;
};

/// The `Tool` object of `tools/list` for a given negotiated revision.
json to_json(const tool_spec& spec, std::string_view version);

/// Checks a tool name against `^[a-zA-Z0-9_-]{1,64}$` (the rule Claude and
/// OpenAI enforce; stricter than the MCP spec).
bool valid_tool_name(std::string_view name);

// -- results ----------------------------------------------------------------------

/// What a tool handler produces on success (or on a soft failure it wants to
/// report itself with `is_error`).
struct tool_result {
  /// Structured content; must conform to the tool's outputSchema.
  json structured;
  /// Compact text for clients that show only text; derived from
  /// `structured` when empty.
  std::string text;
  bool is_error = false;
};

/// Builds the `CallToolResult` for a negotiated revision.
json to_call_result(tool_result result, bool has_output_schema,
                    std::string_view version);

/// Renders JSON as compact `key=value` text: scalars of an object on one line,
/// arrays of objects one row per line.
std::string render_kv(const json& value);

// -- logging ----------------------------------------------------------------------

/// RFC 5424 levels as MCP names them, least severe first.
const std::vector<std::string>& log_levels();

/// Index of `level` in `log_levels()`; nullopt when unknown.
std::optional<int> log_level_rank(std::string_view level);

} // namespace rmcp::mcp
