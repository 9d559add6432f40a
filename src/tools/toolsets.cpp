#include "src/tools/toolsets.hpp"

#include "protocol/error.hpp"

namespace rmcp::tools {

const std::vector<toolset_info>& toolset_table() {
  // The default toolsets are everything a model needs to inspect routers
  // and change one at a time, and their tools/list stays under 60 KB
  // (tool_catalog_test). Plans and the registry are opt-in: plans need a
  // human approver anyway, and renaming or retagging devices is an
  // operator's task.
  static const std::vector<toolset_info> table{
    {"core",
     "Service and fleet: devices, connectivity, health, system overview, "
     "packages, clock, logs, fleet-wide reads.",
     true,
     {"echo", "service_health", "list_devices", "check_connectivity",
      "device_health", "get_system_overview", "get_system_packages",
      "get_system_clock", "get_recent_logs", "get_logging_config",
      "fleet_read"}},
    {"interfaces",
     "Interfaces, their traffic, bridges and bridge ports.",
     true,
     {"list_interfaces", "get_interface", "get_interface_stats", "list_bridges",
      "list_bridge_ports"}},
    {"ip",
     "IP addresses, ARP, DNS, NTP and DHCP server state.",
     true,
     {"list_ip_addresses", "get_ip_address", "get_arp_table", "get_dns_status",
      "get_dns_cache", "get_ntp_status", "get_dhcp_server_status",
      "get_dhcp_leases"}},
    {"routing",
     "Routing table summary and single routes.",
     true,
     {"get_routing_summary", "get_route"}},
    {"firewall",
     "Firewall filter and NAT rules, address lists.",
     true,
     {"list_firewall_filter_rules", "list_firewall_nat_rules",
      "list_firewall_address_lists"}},
    {"wireless",
     "Wireless and wifi interfaces, clients, CAPsMAN.",
     true,
     {"get_wireless_interfaces", "get_wireless_clients",
      "get_capsman_remote_caps", "get_capsman_registrations"}},
    {"diagnostics",
     "Ping, traceroute and bandwidth tests from a router.",
     true,
     {"ping", "traceroute", "bandwidth_test"}},
    {"writes",
     "Single-device changes with dry runs, and configuration snapshots.",
     true,
     {"capture_config_snapshot", "set_system_identity",
      "update_interface_comment", "update_dns_servers", "update_ntp_servers",
      "flush_dns_cache", "add_secondary_ip_address",
      "remove_secondary_ip_address", "update_firewall_address_list"}},
    {"plans",
     "Multi-device and risky changes: plan, human approval out of band, "
     "rollout in batches with health gates and rollback.",
     false,
     {"config_plan_dns_ntp_rollout",
      "config_apply_dns_ntp_rollout",
      "config_rollback_plan",
      "get_plan_status",
      "plan_add_static_route",
      "plan_modify_static_route",
      "plan_remove_static_route",
      "apply_routing_plan",
      "plan_add_firewall_rule",
      "plan_modify_firewall_rule",
      "plan_remove_firewall_rule",
      "apply_firewall_plan",
      "plan_create_dhcp_pool",
      "plan_modify_dhcp_pool",
      "plan_remove_dhcp_pool",
      "apply_dhcp_plan",
      "plan_add_bridge_port",
      "plan_remove_bridge_port",
      "plan_modify_bridge_settings",
      "apply_bridge_plan",
      "config_plan_address_list_sync",
      "config_apply_address_list_sync",
      "plan_create_wireless_ssid",
      "plan_modify_wireless_ssid",
      "plan_remove_wireless_ssid",
      "plan_wireless_rf_settings",
      "apply_wireless_plan"}},
    {"registry",
     "Renaming and retagging registered devices.",
     false,
     {"update_device"}},
  };
  return table;
}

caf::expected<std::set<std::string>> select_toolsets(const std::string& text) {
  std::set<std::string> out;
  std::string legal = "default, all";
  for (auto& set : toolset_table())
    legal += ", " + set.name;
  std::string name;
  auto take = [&]() -> caf::error {
    if (name.empty())
      return caf::none;
    bool known = false;
    for (auto& set : toolset_table()) {
      bool pick = name == "all" || (name == "default" && set.in_default)
                  || name == set.name;
      if (pick)
        out.insert(set.name);
      known = known || pick || name == "default";
    }
    if (!known)
      return make_error(ec::invalid_params, "server.toolsets: unknown toolset '"
                                              + name + "'; legal: " + legal);
    name.clear();
    return caf::none;
  };
  for (char c : text) {
    if (c == ',' || c == ' ') {
      if (auto err = take())
        return err;
    } else {
      name += c;
    }
  }
  if (auto err = take())
    return err;
  if (out.empty())
    return make_error(ec::invalid_params,
                      "server.toolsets: names no toolset; legal: " + legal);
  return out;
}

} // namespace rmcp::tools
