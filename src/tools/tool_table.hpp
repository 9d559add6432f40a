#pragma once

// Tools are declared as static tables of entries, one table per area
// (platform_tools.cpp, system_tools.cpp, ...). Each area file ends with a
// `register_<area>_tools(tool_registry&)` that hands its table to
// `register_table`.

#include <chrono>
#include <cstddef>

#include <caf/error.hpp>

#include "actors/tool_call.hpp"
#include "actors/tool_registry.hpp"
#include "protocol/mcp.hpp"

namespace rmcp::tools {

/// The deprecated argument names of one tool (a static array).
struct alias_list {
  const argument_alias* items = nullptr;
  size_t count = 0;
};

template <size_t N>
constexpr alias_list aliases(const argument_alias (&items)[N]) {
  return {items, N};
}

struct tool_entry {
  const char* name;
  const char* title;
  mcp::tool_tier tier;
  mcp::tool_annotations annotations;
  /// For the language model: what the tool does and when to use it.
  const char* description;
  /// JSON Schema text of the arguments (root type "object").
  const char* input_schema;
  /// JSON Schema text of structuredContent, or nullptr.
  const char* output_schema;
  void (*handler)(tool_call&);
  /// 0 = the server's default deadline.
  int64_t timeout_ms = 0;
  /// Builds the outputSchema when `output_schema` is nullptr (schemas
  /// derived from a field table, src/tools/router_read.hpp).
  json (*make_output_schema)() = nullptr;
  /// Argument names the reference project's clients still send
  /// (docs/tools.md, "Deprecated argument names").
  alias_list deprecated{};
  /// `output_check::typed` when the handler builds its whole output with
  /// typed code (field tables, fixed-type fields), so results skip the
  /// per-call outputSchema check; tests/src/typed_outputs_test.cpp proves
  /// each such tool's output conforms.
  output_check output = output_check::every_call;
};

/// Annotation presets.
inline constexpr mcp::tool_annotations read_only{true, false, true, false};
inline constexpr mcp::tool_annotations read_only_router{true, false, true,
                                                        true};
inline constexpr mcp::tool_annotations write_idempotent{false, false, true,
                                                        true};
inline constexpr mcp::tool_annotations write_destructive{false, true, false,
                                                         true};

/// Registers every entry; stops at and returns the first error.
caf::error register_table(tool_registry& reg, const tool_entry* entries,
                          size_t count);

template <size_t N>
caf::error register_table(tool_registry& reg, const tool_entry (&entries)[N]) {
  return register_table(reg, entries, N);
}

} // namespace rmcp::tools
