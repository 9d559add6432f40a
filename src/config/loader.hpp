#pragma once

// Loads the effective server options from file, environment and command
// line, in that order of precedence (lowest first).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::config {

struct load_request {
  /// --config path; empty = none.
  std::string file;
  /// ROUTEROS_MCP_* variables (normally process_environment()).
  std::map<std::string, std::string> env;
  /// key=value pairs from the command line, applied last, in order.
  std::vector<std::pair<std::string, std::string>> overrides;
};

caf::expected<server_options> load(const load_request& req);

} // namespace rmcp::config
