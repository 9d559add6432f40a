#include "src/tools/change_kinds.hpp"

namespace rmcp::tools {

const std::vector<const change_kind*>& all_change_kinds() {
  static const std::vector<const change_kind*> kinds{
    &dns_ntp_kind,
    &route_add_kind,
    &route_modify_kind,
    &route_remove_kind,
    &firewall_add_kind,
    &firewall_add_risky_kind,
    &firewall_modify_kind,
    &firewall_remove_kind,
    &dhcp_create_kind,
    &dhcp_modify_kind,
    &dhcp_remove_kind,
    &bridge_port_add_kind,
    &bridge_port_remove_kind,
    &bridge_settings_kind,
    &address_list_sync_kind,
    &wireless_create_kind,
    &wireless_modify_kind,
    &wireless_remove_kind,
    &wireless_rf_kind,
  };
  return kinds;
}

const change_kind* find_change_kind(const std::string& name) {
  for (auto* k : all_change_kinds())
    if (name == k->name)
      return k;
  return nullptr;
}

} // namespace rmcp::tools
