#pragma once

#include <caf/actor_system_config.hpp>

namespace rmcp {

/// Registers the rmcp type-ID block and renders `rmcp` errors by name.
/// Called by the runtime and by every test fixture.
void add_rmcp_types(caf::actor_system_config& cfg);

} // namespace rmcp
