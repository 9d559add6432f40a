#pragma once

// The resource templates of routeros-mcp (with real health data and no
// secrets): fleet health summary, devices per environment, and
// per device an overview and a health report. Plans and audit resources
// follow when their stores exist.

#include <caf/error.hpp>

#include "actors/resource_registry.hpp"

namespace rmcp::resources {

/// Adds every resource template.
caf::error register_all(resource_registry& reg);

/// Adds audit://recent and audit://devices/{device_id}
/// (src/resources/audit_resources.cpp).
caf::error register_audit(resource_registry& reg);

} // namespace rmcp::resources
