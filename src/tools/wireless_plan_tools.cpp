// Wireless plans: plan_create_wireless_ssid,
// plan_modify_wireless_ssid, plan_remove_wireless_ssid,
// plan_wireless_rf_settings and apply_wireless_plan, over the change kinds
// of kind_wireless.cpp (legacy /interface/wireless and /interface/wifi),
// and the checks of their arguments (kind_wireless.hpp).

#include <algorithm>

#include "src/tools/change_kinds.hpp"
#include "src/tools/kind_helpers.hpp"
#include "src/tools/kind_wireless.hpp"
#include "src/tools/plan_flow.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace wireless {

namespace {

using kind::bad;

caf::error check_ssid(const std::string& ssid, const char* arg) {
  if (ssid.empty() || ssid.size() > 32)
    return bad(std::string{arg} + ": an SSID has 1 to 32 bytes, got "
               + std::to_string(ssid.size()));
  if (std::any_of(ssid.begin(), ssid.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      }))
    return bad(std::string{arg} + ": control characters are not allowed");
  return caf::none;
}

caf::error check_name(const json& args, const char* arg) {
  auto text = args.value(arg, "");
  if (text.empty() || text.size() > 64)
    return bad(std::string{arg} + ": 1 to 64 characters");
  return kind::check_text(text, arg);
}

/// The frequency in MHz of `channel` (in `band` when one is given).
caf::expected<int> channel_mhz(int channel, const std::string& band) {
  auto n = std::to_string(channel);
  auto f = family(band);
  if (channel >= 52 && channel <= 144)
    return bad("channel: " + n
               + " is a DFS channel (52-144), refused: the radio must listen "
                 "for radar for up to 10 minutes before it sends and must "
                 "leave the channel when it detects one, dropping every "
                 "client without warning; use 36, 40, 44, 48 or 149-165");
  if (channel >= 1 && channel <= 14) {
    if (f == "5ghz")
      return bad("channel: " + n + " is a 2.4 GHz channel, but band is "
                 + band);
    return channel == 14 ? 2484 : 2407 + 5 * channel;
  }
  static constexpr int five[] = {36, 40, 44, 48, 149, 153, 157, 161, 165};
  if (std::find(std::begin(five), std::end(five), channel) != std::end(five)) {
    if (f == "2ghz")
      return bad("channel: " + n + " is a 5 GHz channel, but band is " + band);
    return 5000 + 5 * channel;
  }
  return bad("channel: " + n
             + " is not a Wi-Fi channel here: 2.4 GHz has 1-14, 5 GHz 36, 40, "
               "44, 48, 149, 153, 157, 161 and 165 (DFS 52-144 are refused)");
}

/// band, channel (+ frequency) and tx_power of `args` into `out`.
caf::error radio_params(const json& args, json& out) {
  auto band = args.value("band", "");
  if (!band.empty())
    out["band"] = band;
  if (args.contains("channel")) {
    auto mhz = channel_mhz(args["channel"].get<int>(), band);
    if (!mhz)
      return mhz.error();
    out["channel"] = args["channel"];
    out["frequency"] = std::to_string(*mhz);
  }
  if (args.contains("tx_power"))
    out["tx_power"] = std::to_string(args["tx_power"].get<int>());
  return caf::none;
}

caf::error security_param(const json& args, json& out) {
  if (!args.contains("security_profile"))
    return caf::none;
  if (auto err = check_name(args, "security_profile"))
    return err;
  out["security_profile"] = args["security_profile"];
  return caf::none;
}

} // namespace

caf::expected<json> validate_create(const json& args) {
  auto ssid = args.value("ssid", "");
  if (auto err = check_ssid(ssid, "ssid"))
    return err;
  json out{{"op", "create"}, {"ssid", ssid}};
  for (auto* arg : {"name", "master_interface"})
    if (args.contains(arg)) {
      if (auto err = check_name(args, arg))
        return err;
      out[arg] = args[arg];
    }
  if (auto err = security_param(args, out))
    return err;
  if (auto err = radio_params(args, out))
    return err;
  return out;
}

caf::expected<json> validate_modify(const json& args) {
  if (auto err = check_name(args, "ssid_id"))
    return err;
  json out{{"op", "modify"}, {"ssid_id", args["ssid_id"]}};
  if (args.contains("ssid")) {
    auto ssid = args.value("ssid", "");
    if (auto err = check_ssid(ssid, "ssid"))
      return err;
    out["ssid"] = ssid;
  }
  if (auto err = security_param(args, out))
    return err;
  if (auto err = radio_params(args, out))
    return err;
  if (out.size() == 2)
    return bad("give at least one change: ssid, security_profile, band or "
               "channel");
  return out;
}

caf::expected<json> validate_remove(const json& args) {
  if (auto err = check_name(args, "ssid_id"))
    return err;
  return json{{"op", "remove"}, {"ssid_id", args["ssid_id"]}};
}

caf::expected<json> validate_rf(const json& args) {
  if (auto err = check_name(args, "interface"))
    return err;
  json out{{"op", "rf"}, {"interface", args["interface"]}};
  if (auto err = radio_params(args, out))
    return err;
  if (out.size() == 2)
    return bad("give at least one change: channel, tx_power or band");
  return out;
}

} // namespace wireless

namespace {

#define RMCP_WL_BAND                                                           \
  R"("band":{"type":"string","enum":["2ghz-b","2ghz-g","2ghz-n","2ghz-ax",)"   \
  R"("5ghz-a","5ghz-n","5ghz-ac","5ghz-ax"],"description":"Radio band."})"
#define RMCP_WL_CHANNEL                                                        \
  R"("channel":{"type":"integer","minimum":1,"maximum":196,)"                  \
  R"("description":"1-14 or 36-48, 149-165; DFS 52-144 refused."})"
#define RMCP_WL_SSID                                                           \
  R"("ssid":{"type":"string","minLength":1,"maxLength":32,"description":"1-32 bytes."})"
#define RMCP_WL_PROFILE                                                        \
  R"("security_profile":{"type":"string","maxLength":64,)"                     \
  R"("description":"Router security profile holding the key."})"
#define RMCP_WL_ID                                                             \
  R"("ssid_id":{"type":"string","minLength":1,"maxLength":64,)"                \
  R"("description":"Interface name or id."})"

const tool_entry table[] = {
  {"plan_create_wireless_ssid", "Plan a new SSID", mcp::tool_tier::professional,
   read_only_router,
   "Plans a virtual AP with ssid on the radio of band (or master_interface) "
   "on 1-50 routers (allow_wireless_writes; legacy wireless or wifi). "
   "Channel changes that radio. Keys stay in router security profiles "
   "(legacy default: \"default\"); open SSIDs are warned. Apply: "
   "apply_wireless_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_WL_SSID "," RMCP_WL_PROFILE "," RMCP_WL_BAND
        "," RMCP_WL_CHANNEL R"(,
     "name":{"type":"string","maxLength":64,"description":"Interface name (default wlan-/wifi-<ssid>)."},
     "master_interface":{"type":"string","maxLength":64,"description":"Radio."}},
     "required":["device_ids","ssid"],"additionalProperties":false})",
   nullptr, [](tool_call& call) { create_plan(call, wireless_create_kind); }, 0,
   plan_created_schema},
  {"plan_modify_wireless_ssid", "Plan an SSID change",
   mcp::tool_tier::professional, read_only_router,
   "Plans changing ssid, security_profile, and on radios band/channel, of "
   "interface ssid_id on 1-50 routers. High risk. Apply: "
   "apply_wireless_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_WL_ID "," RMCP_WL_SSID "," RMCP_WL_PROFILE "," RMCP_WL_BAND
        "," RMCP_WL_CHANNEL R"(},
     "required":["device_ids","ssid_id"],"additionalProperties":false})",
   nullptr, [](tool_call& call) { create_plan(call, wireless_modify_kind); }, 0,
   plan_created_schema},
  {"plan_remove_wireless_ssid", "Plan an SSID removal",
   mcp::tool_tier::professional, read_only_router,
   "Plans removing virtual AP ssid_id on 1-50 routers (radios cannot be "
   "removed). High risk. Apply: apply_wireless_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_WL_ID R"(},
     "required":["device_ids","ssid_id"],"additionalProperties":false})",
   nullptr, [](tool_call& call) { create_plan(call, wireless_remove_kind); }, 0,
   plan_created_schema},
  {"plan_wireless_rf_settings", "Plan radio settings",
   mcp::tool_tier::professional, read_only_router,
   "Plans channel, tx_power and/or band of radio interface on 1-50 "
   "routers. Apply: apply_wireless_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) R"(,
     "interface":{"type":"string","minLength":1,"maxLength":64,"description":"Radio."},)" RMCP_WL_BAND
                                                           "," RMCP_WL_CHANNEL
                                                           R"(,
     "tx_power":{"type":"integer","minimum":0,"maximum":30,"description":"dBm."}},
     "required":["device_ids","interface"],"additionalProperties":false})",
   nullptr, [](tool_call& call) { create_plan(call, wireless_rf_kind); }, 0,
   plan_created_schema},
  {"apply_wireless_plan", "Apply a wireless plan", mcp::tool_tier::professional,
   write_destructive,
   "Runs an approved wireless plan (single-use token from the approver); "
   "a failed gate restores every changed router.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

caf::error register_wireless_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
