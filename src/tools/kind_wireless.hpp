#pragma once

// What the wireless change kinds (kind_wireless.cpp) and the argument
// checks of their plan tools (wireless_plan_tools.cpp) share.

#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"

namespace rmcp::tools::wireless {

/// "2ghz", "5ghz" or "" for a band of either driver ("5ghz-a/n/ac",
/// "2ghz-ax") or of the tools ("2ghz-n").
std::string family(const std::string& band);

/// The plan parameters of plan_create_wireless_ssid,
/// plan_modify_wireless_ssid, plan_remove_wireless_ssid and
/// plan_wireless_rf_settings (change_kind::validate): {"op": "create" |
/// "modify" | "remove" | "rf", the names, "ssid", "security_profile",
/// "band" (the tools' spelling), "channel" with its "frequency" in MHz,
/// "tx_power"}, or invalid_arguments naming the argument.
caf::expected<json> validate_create(const json& args);
caf::expected<json> validate_modify(const json& args);
caf::expected<json> validate_remove(const json& args);
caf::expected<json> validate_rf(const json& args);

} // namespace rmcp::tools::wireless
