#pragma once

// The change kinds this server knows (actors/change_kind.hpp): one
// `change_kind` table per kind, defined next to the tools that plan it,
// listed once in change_kinds.cpp.

#include <string>
#include <vector>

#include "actors/change_kind.hpp"

namespace rmcp::tools {

/// DNS servers and/or NTP servers on 2 to rollout.max_devices devices
/// (config_plan_dns_ntp_rollout).
extern const change_kind dns_ntp_kind;

/// Static routes (plan_add/modify/remove_static_route; apply_routing_plan).
extern const change_kind route_add_kind;
extern const change_kind route_modify_kind;
extern const change_kind route_remove_kind;

/// Firewall filter rules (plan_add/modify/remove_firewall_rule;
/// apply_firewall_plan); adding an input-chain or reject rule is the risky
/// add kind.
extern const change_kind firewall_add_kind;
extern const change_kind firewall_add_risky_kind;
extern const change_kind firewall_modify_kind;
extern const change_kind firewall_remove_kind;

/// DHCP pools with their server and network (plan_create/modify/
/// remove_dhcp_pool; apply_dhcp_plan).
extern const change_kind dhcp_create_kind;
extern const change_kind dhcp_modify_kind;
extern const change_kind dhcp_remove_kind;

/// Bridge ports and settings (plan_add/remove_bridge_port,
/// plan_modify_bridge_settings; apply_bridge_plan); all risky.
extern const change_kind bridge_port_add_kind;
extern const change_kind bridge_port_remove_kind;
extern const change_kind bridge_settings_kind;

/// Wireless SSIDs (virtual APs) and radio settings on legacy wireless or
/// wifi routers (plan_create/modify/remove_wireless_ssid,
/// plan_wireless_rf_settings; apply_wireless_plan).
extern const change_kind wireless_create_kind;
extern const change_kind wireless_modify_kind;
extern const change_kind wireless_remove_kind;
extern const change_kind wireless_rf_kind;

/// One mcp-* address list made identical on many routers
/// (config_plan_address_list_sync; config_apply_address_list_sync).
extern const change_kind address_list_sync_kind;

/// The kind named `name`, or nullptr (a `change_kind_lookup`).
const change_kind* find_change_kind(const std::string& name);

/// Every kind.
const std::vector<const change_kind*>& all_change_kinds();

} // namespace rmcp::tools
