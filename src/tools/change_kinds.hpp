#pragma once

// The change kinds this server knows (actors/change_kind.hpp): one
// `change_kind` table per kind, defined next to the tools that plan it,
// listed once in change_kinds.cpp.

#include <string>
#include <vector>

#include "actors/change_kind.hpp"

namespace rmcp::tools {

/// DNS servers and/or NTP servers on 2–50 devices (config_plan_dns_ntp_rollout).
extern const change_kind dns_ntp_kind;

/// Static routes (plan_add/modify/remove_static_route; apply_routing_plan).
extern const change_kind route_add_kind;
extern const change_kind route_modify_kind;
extern const change_kind route_remove_kind;

/// The kind named `name`, or nullptr (a `change_kind_lookup`).
const change_kind* find_change_kind(const std::string& name);

/// Every kind.
const std::vector<const change_kind*>& all_change_kinds();

} // namespace rmcp::tools
