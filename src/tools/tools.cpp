#include "src/tools/tools.hpp"

namespace rmcp::tools {

caf::error register_all_tools(tool_registry& reg) {
  using registrar = caf::error (*)(tool_registry&);
  static constexpr registrar areas[] = {
    register_platform_tools,
    register_device_tools,
  };
  for (auto area : areas)
    if (auto err = area(reg))
      return err;
  return caf::none;
}

} // namespace rmcp::tools
