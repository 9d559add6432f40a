#pragma once

// The declarative table of configuration keys and the loaders built on it.

#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::config {

enum class option_type { string, choice, integer, boolean, duration };

struct option_def {
  /// Dotted key as written in YAML, e.g. "server.tool_timeout".
  std::string key;
  option_type type;
  /// Legal values of a choice.
  std::vector<std::string> choices;
  /// Inclusive bounds of an integer (or a duration, in milliseconds).
  int64_t min = 0;
  int64_t max = 0;
  std::string help;
};

/// Every key, in documentation order.
const std::vector<option_def>& option_table();

/// ROUTEROS_MCP_<KEY with dots as underscores, upper case>.
std::string env_name(const std::string& key);

/// Environment variables that are not option keys but are read elsewhere
/// (secrets); they are not reported as unknown.
const std::vector<std::string>& reserved_env_names();

/// Sets `key` to `text` (parsed per its type); fails with a message naming
/// the key and the legal values. `origin` says where the value came from
/// ("config/lab.yaml", "environment", "command line").
caf::error set_option(server_options& opts, const std::string& key,
                      const std::string& text, const std::string& origin);

/// The current value of `key` rendered as text.
std::string get_option(const server_options& opts, const std::string& key);

/// Applies a YAML file; fails on unreadable files, syntax errors, unknown
/// keys and bad values.
caf::error apply_yaml_file(server_options& opts, const std::string& path);

/// `apply_yaml_file` for YAML text; `origin` names it in errors.
caf::error apply_yaml_text(server_options& opts, const std::string& text,
                           const std::string& origin);

/// Applies ROUTEROS_MCP_* variables from `env` (name → value); fails on
/// unknown names and bad values.
caf::error apply_environment(server_options& opts,
                             const std::map<std::string, std::string>& env);

/// Reads the process environment into a map (only ROUTEROS_MCP_* names).
std::map<std::string, std::string> process_environment();

/// Renders the effective options as YAML.
std::string to_yaml(const server_options& opts);

/// Parses "250ms", "30s", "5m", "1h" or a bare number of seconds.
bool parse_duration(const std::string& text, std::chrono::milliseconds& out);

} // namespace rmcp::config
