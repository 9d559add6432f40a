#pragma once

// Entry point of the tool catalog: registers every area's table.

#include <caf/error.hpp>

#include "actors/tool_registry.hpp"

namespace rmcp::tools {

caf::error register_platform_tools(tool_registry& reg);
caf::error register_device_tools(tool_registry& reg);
caf::error register_interface_tools(tool_registry& reg);
caf::error register_ip_tools(tool_registry& reg);
caf::error register_dns_dhcp_tools(tool_registry& reg);
caf::error register_routing_tools(tool_registry& reg);
caf::error register_firewall_log_tools(tool_registry& reg);
caf::error register_system_tools(tool_registry& reg);
caf::error register_wireless_tools(tool_registry& reg);
caf::error register_system_write_tools(tool_registry& reg);
caf::error register_dns_write_tools(tool_registry& reg);
caf::error register_ip_write_tools(tool_registry& reg);
caf::error register_diagnostic_tools(tool_registry& reg);
caf::error register_fleet_tools(tool_registry& reg);
caf::error register_registry_tools(tool_registry& reg);
caf::error register_config_tools(tool_registry& reg);
caf::error register_plan_tools(tool_registry& reg);
caf::error register_routing_plan_tools(tool_registry& reg);
caf::error register_firewall_plan_tools(tool_registry& reg);
caf::error register_dhcp_plan_tools(tool_registry& reg);
caf::error register_bridge_plan_tools(tool_registry& reg);
caf::error register_address_list_plan_tools(tool_registry& reg);
caf::error register_wireless_plan_tools(tool_registry& reg);

/// Registers the whole catalog (the registry is frozen by the caller).
caf::error register_all_tools(tool_registry& reg);

} // namespace rmcp::tools
