#pragma once

// The tool table: every tool's descriptor (spec + handler + compiled
// schemas). Filled at start-up from the per-area tables in src/tools/,
// validated, then frozen before the first request so lookups need no lock.

#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/error.hpp>

#include "protocol/json_schema.hpp"
#include "protocol/mcp.hpp"

namespace rmcp {

class tool_call;

/// Runs a tool. Must eventually call `call.finish(...)` or `call.fail(...)`,
/// possibly from a later message handler of `call.self()`.
using tool_handler = std::function<void(tool_call& call)>;

struct tool_descriptor {
  mcp::tool_spec spec;
  tool_handler handler;
  schema::compiled_schema input;
  schema::compiled_schema output;
};

class tool_registry {
public:
  /// Adds a tool. Fails (ec::internal_error, naming the tool and the
  /// problem) for an invalid name, a duplicate, a missing description or
  /// handler, a malformed schema, or when the registry is frozen.
  caf::error add(mcp::tool_spec spec, tool_handler handler);

  /// Forbids further additions.
  void freeze() noexcept {
    frozen_ = true;
  }

  bool frozen() const noexcept {
    return frozen_;
  }

  /// Returns nullptr for unknown names.
  const tool_descriptor* find(std::string_view name) const;

  /// All tools in registration order (the order `tools/list` shows).
  const std::vector<tool_descriptor>& all() const noexcept {
    return tools_;
  }

private:
  bool frozen_ = false;
  std::vector<tool_descriptor> tools_;
  std::unordered_map<std::string, size_t> index_;
};

} // namespace rmcp
