#pragma once

// The tool table: every tool's descriptor (spec + handler + compiled
// schemas). Filled at start-up from the per-area tables in src/tools/,
// validated, then frozen before the first request so lookups need no lock.

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "protocol/json_schema.hpp"
#include "protocol/mcp.hpp"

namespace rmcp {

class tool_call;

/// Runs a tool. Must eventually call `call.finish(...)` or `call.fail(...)`,
/// possibly from a later message handler of `call.self()`.
using tool_handler = std::function<void(tool_call& call)>;

/// How a call that uses an argument name the tool no longer has is
/// answered (names of the reference project's tools; tools/list shows only
/// the current schema).
enum class alias_kind {
  /// The value moves to the argument `target`.
  rename,
  /// The value is an object whose members become arguments; `target`
  /// lists the members allowed, comma-separated.
  spread,
  /// The argument is dropped; `note` says what replaced it.
  ignore,
  /// The call is refused with `note`, which says what replaced it.
  refuse,
};

std::string to_string(alias_kind x);

/// A deprecated argument name of one tool (static data of the tool tables).
struct argument_alias {
  const char* name;
  alias_kind kind;
  const char* target;
  const char* note;
};

/// Whether each result of a tool is checked against its outputSchema
/// before it leaves.
enum class output_check {
  /// Every result is checked: the output holds values the tool does not
  /// type itself, so only the check keeps a malformed result from a
  /// client.
  every_call,
  /// Not checked per call: the tool builds its output with our own typed
  /// code (RouterOS field tables converting each value to the kind its
  /// schema derives from, and fields the handler sets with fixed types),
  /// so a check could only fail on a bug in that code. The test
  /// tests/src/typed_outputs_test.cpp runs every such tool against the
  /// simulator and checks its output against the outputSchema instead.
  typed,
};

struct tool_descriptor {
  mcp::tool_spec spec;
  tool_handler handler;
  schema::compiled_schema input;
  schema::compiled_schema output;
  output_check check = output_check::every_call;
  /// Deprecated argument names still accepted (or refused with a reason).
  std::vector<argument_alias> aliases;
  /// The group the tool belongs to (set_toolsets).
  std::string toolset;
  /// Whether the server offers it: tools/list shows and tools/call runs
  /// only tools of the configured toolsets.
  bool offered = true;
};

/// A group of tools that configuration turns on or off as a whole.
struct toolset_info {
  std::string name;
  std::string description;
  /// Part of the set offered when server.toolsets is "default".
  bool in_default = false;
  std::vector<std::string> tools;
};

/// Rewrites the deprecated argument names of `tool` in `args` into the
/// current ones. Returns one warning per deprecated name used (empty when
/// none), or ec::invalid_arguments naming the argument and what replaced
/// it (a refused name, a name given together with its replacement, a
/// spread value that is not an object or holds another member).
caf::expected<std::vector<std::string>>
apply_aliases(const tool_descriptor& tool, json& args);

class tool_registry {
public:
  /// Adds a tool. Fails (ec::internal_error, naming the tool and the
  /// problem) for an invalid name, a duplicate, a missing description or
  /// handler, a malformed schema, or when the registry is frozen.
  /// Aliases are checked too: a rename or spread must lead to arguments
  /// of the inputSchema, an alias must not be one, ignore and refuse need
  /// a note. A tool whose output is `output_check::typed` must have an
  /// outputSchema.
  caf::error add(mcp::tool_spec spec, tool_handler handler,
                 std::vector<argument_alias> aliases = {},
                 output_check check = output_check::every_call);

  /// Puts every tool into its toolset and offers the tools of `offered`
  /// only. Fails when a tool is in no toolset or in two, a toolset names
  /// an unknown tool, or `offered` names an unknown toolset.
  caf::error set_toolsets(std::vector<toolset_info> sets,
                          const std::set<std::string>& offered);

  /// The toolsets in table order (empty before set_toolsets).
  const std::vector<toolset_info>& toolsets() const noexcept {
    return toolsets_;
  }

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
  std::vector<toolset_info> toolsets_;
  std::unordered_map<std::string, size_t> index_;
};

} // namespace rmcp
