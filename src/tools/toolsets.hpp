#pragma once

// The toolsets: the catalog in groups that configuration offers or hides
// as a whole (server.toolsets), so a client loads only the tools it needs
// into its model's context.

#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/tool_registry.hpp"

namespace rmcp::tools {

/// Every toolset with its tools; each tool of the catalog is in exactly
/// one (the registry checks it at start-up).
const std::vector<toolset_info>& toolset_table();

/// The toolsets `text` names: comma-separated toolset names, `default`
/// (the toolsets marked default) and `all`. Fails with ec::invalid_params
/// naming an unknown name and the legal ones, or an empty selection.
caf::expected<std::set<std::string>> select_toolsets(const std::string& text);

} // namespace rmcp::tools
