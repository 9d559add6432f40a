#pragma once

// Entry point of the tool catalog: registers every area's table.

#include <caf/error.hpp>

#include "actors/tool_registry.hpp"

namespace rmcp::tools {

caf::error register_platform_tools(tool_registry& reg);
caf::error register_device_tools(tool_registry& reg);

/// Registers the whole catalog (the registry is frozen by the caller).
caf::error register_all_tools(tool_registry& reg);

} // namespace rmcp::tools
