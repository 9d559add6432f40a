#pragma once

// The guided workflows of routeros-mcp: ten prompts whose
// arguments are checked (required ones, legal values) and which fill in
// live data from the fleet when a device is named.

#include <caf/error.hpp>

#include "actors/prompt_registry.hpp"

namespace rmcp::prompts {

/// Adds every prompt.
caf::error register_all(prompt_registry& reg);

} // namespace rmcp::prompts
