#include "src/tools/tools.hpp"

namespace rmcp::tools {

caf::error register_all_tools(tool_registry& reg) {
  using registrar = caf::error (*)(tool_registry&);
  static constexpr registrar areas[] = {
    register_platform_tools,
    register_device_tools,
    register_system_tools,
    register_interface_tools,
    register_ip_tools,
    register_dns_dhcp_tools,
    register_routing_tools,
    register_firewall_log_tools,
    register_wireless_tools,
    register_config_tools,
    register_system_write_tools,
    register_dns_write_tools,
    register_ip_write_tools,
    register_diagnostic_tools,
    register_fleet_tools,
    register_registry_tools,
    register_plan_tools,
    register_routing_plan_tools,
    register_firewall_plan_tools,
    register_dhcp_plan_tools,
    register_bridge_plan_tools,
    register_address_list_plan_tools,
    register_wireless_plan_tools,
  };
  for (auto area : areas)
    if (auto err = area(reg))
      return err;
  return caf::none;
}

} // namespace rmcp::tools
