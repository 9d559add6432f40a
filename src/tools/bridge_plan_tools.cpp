// Bridges as plans: plan_add_bridge_port,
// plan_remove_bridge_port, plan_modify_bridge_settings and
// apply_bridge_plan; the change kinds bridge_port_add|remove and
// bridge_settings. Unlike the reference (a mock, §12.2) the apply really
// writes /interface/bridge(/port), and its "already bridged" check is used:
// an interface that is a port of any bridge is refused (or nothing to do
// when it already is a port of this one).
//
// Bridge and VLAN changes can cut the management path, so every bridge
// kind is risky: the coordinator arms a dead-man revert on the router.
// STP settings of bridge-lan, bridge-core and bridge-prod are refused on
// production devices.
//
// State (kind::row_state rows): the bridge named bridge_name and the
// bridge ports of the interface the plan names.

#include <algorithm>
#include <cstdio>

#include "protocol/error.hpp"
#include "protocol/ros_script.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/kind_helpers.hpp"
#include "src/tools/plan_flow.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using kind::bad;
using kind::request;

const std::string bridges = "/interface/bridge";
const std::string ports = "/interface/bridge/port";

const std::vector<std::string> bridge_fields{
  "name",        "protocol-mode", "vlan-filtering", "priority",
  "ageing-time", "forward-delay", "max-message-age"};
const std::vector<std::string> port_fields{"bridge", "interface", "pvid",
                                           "comment", "disabled"};

/// Settings argument → RouterOS field; STP ones are guarded in prod.
constexpr std::pair<const char*, const char*> setting_args[] = {
  {"protocol_mode", "protocol-mode"}, {"vlan_filtering", "vlan-filtering"},
  {"priority", "priority"},           {"ageing_time", "ageing-time"},
  {"forward_delay", "forward-delay"}, {"max_message_age", "max-message-age"},
};

bool stp_field(const std::string& f) {
  return f == "protocol-mode" || f == "priority" || f == "forward-delay"
         || f == "max-message-age";
}

// -- parameters -------------------------------------------------------------------

caf::error check_name(const json& args, const char* name) {
  auto text = args.value(name, "");
  if (text.empty())
    return bad(std::string{name} + ": must not be empty");
  return kind::check_text(text, name);
}

caf::expected<json> validate_port(const json& args, const char* op) {
  for (auto* n : {"bridge_name", "interface"})
    if (auto err = check_name(args, n))
      return err;
  if (args["interface"] == args["bridge_name"])
    return bad("interface: a bridge cannot be a port of itself");
  json out{{"op", op},
           {"bridge_name", args["bridge_name"]},
           {"interface", args["interface"]}};
  if (args.contains("pvid"))
    out["pvid"] = std::to_string(args["pvid"].get<int>());
  if (args.contains("comment")) {
    if (auto err = check_name(args, "comment"))
      return err;
    out["comment"] = args["comment"];
  }
  return out;
}

caf::expected<json> validate_add(const json& args) {
  return validate_port(args, "add_port");
}

caf::expected<json> validate_remove(const json& args) {
  return validate_port(args, "remove_port");
}

caf::expected<json> validate_settings(const json& args) {
  if (auto err = check_name(args, "bridge_name"))
    return err;
  json set = json::object();
  for (auto& [arg, ros] : setting_args) {
    if (!args.contains(arg))
      continue;
    auto& v = args[arg];
    if (std::string{arg} == "vlan_filtering") {
      set[ros] = v.get<bool>() ? "true" : "false";
    } else if (std::string{arg} == "priority") {
      auto p = v.get<int>();
      if (p % 4096 != 0)
        return bad("priority: " + std::to_string(p)
                   + " is not a multiple of 4096 (0-61440)");
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%X", p);
      set[ros] = hex;
    } else if (std::string{arg} == "protocol_mode") {
      set[ros] = v;
    } else {
      auto d = kind::duration(v.get<std::string>());
      if (!d)
        return bad(std::string{arg} + ": '" + v.get<std::string>()
                   + "' is not a duration such as 15s or 5m");
      set[ros] = *d;
    }
  }
  if (set.empty())
    return bad("give at least one of protocol_mode, vlan_filtering, "
               "priority, ageing_time, forward_delay, max_message_age");
  return json{
    {"op", "settings"}, {"bridge_name", args["bridge_name"]}, {"set", set}};
}

// -- state ------------------------------------------------------------------------------

std::vector<std::string> reads(const json&) {
  return {bridges, ports, "/interface"};
}

json state(const json& params, const std::vector<json>& bodies) {
  json out{{bridges, json::array()},
           {ports, json::array()},
           {"interfaces", json::array()}};
  auto rows = [&](size_t i) {
    return bodies.at(i).is_array() ? bodies[i] : json::array();
  };
  for (auto& r : rows(0))
    if (r.value("name", "") == params["bridge_name"])
      out[bridges].push_back(kind::row_state(r, bridge_fields));
  if (params.contains("interface"))
    for (auto& r : rows(1))
      if (r.value("interface", "") == params["interface"]
          && !kind::truthy(r.value("dynamic", json(false))))
        out[ports].push_back(kind::row_state(r, port_fields));
  for (auto& r : rows(2))
    out["interfaces"].push_back(r.value("name", ""));
  return out;
}

// -- planning ---------------------------------------------------------------------------

std::string risk(const json& params, const std::vector<device_record>&,
                 std::vector<std::string>&) {
  if (params["op"] == "add_port")
    return "medium";
  return "high";
}

caf::error refuse(const std::string& text) {
  return make_error(ec::guard_refused, text);
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record& dev) {
  change_step step;
  step.intended = current;
  auto name = params["bridge_name"].get<std::string>();
  if (current[bridges].size() != 1)
    return refuse("bridge_name: no bridge named " + name);
  auto& bridge = step.intended[bridges][0];
  auto op = params["op"].get<std::string>();
  if (op == "settings") {
    json body = json::object();
    for (auto& [k, v] : params["set"].items()) {
      if (dev.environment == "prod" && stp_field(k)
          && (name == "bridge-lan" || name == "bridge-core"
              || name == "bridge-prod"))
        return refuse("STP settings of " + name
                      + " are not changed on production devices");
      if (bridge.value(k, "false") == v)
        continue;
      body[k] = v;
      if (v == "false")
        bridge.erase(k);
      else
        bridge[k] = v;
    }
    if (body.contains("vlan-filtering"))
      step.warnings.push_back("vlan_filtering changes which frames the bridge "
                              "forwards; a mistake cuts the management path "
                              "(the dead-man revert restores it)");
    if (!body.empty())
      step.requests.push_back(request(
        "PATCH", bridges + "/" + bridge["id"].get<std::string>(), body));
    return step;
  }
  auto iface = params["interface"].get<std::string>();
  auto& have = current[ports];
  if (op == "remove_port") {
    json kept = json::array();
    for (auto& p : have) {
      if (p.value("bridge", "") == name)
        step.requests.push_back(
          request("DELETE", ports + "/" + p["id"].get<std::string>()));
      else
        kept.push_back(p);
    }
    if (step.requests.empty())
      return refuse("interface: " + iface + " is not a port of " + name);
    step.intended[ports] = kept;
    return step;
  }
  auto interfaces = current["interfaces"];
  if (std::find(interfaces.begin(), interfaces.end(), iface)
      == interfaces.end())
    return refuse("interface: no interface " + iface);
  for (auto& p : have) {
    if (p.value("bridge", "") == name)
      return step; // already a port of this bridge
    return refuse("interface: " + iface + " is already bridged (a port of "
                  + p.value("bridge", "") + ")");
  }
  json port{{"id", ""},
            {"bridge", name},
            {"interface", iface},
            {"pvid", params.value("pvid", "1")}};
  if (params.contains("comment"))
    port["comment"] = params["comment"];
  step.intended[ports].push_back(port);
  step.requests.push_back(request("PUT", ports, kind::creation(port)));
  return step;
}

std::string compare(const json&, const json& expected, const json& actual) {
  return kind::compare_tables(expected, actual);
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  return kind::restore_tables(snapshot, now, {bridges, ports}, {ports});
}

caf::expected<std::string> revert_script(const json& params,
                                         const json& snapshot) {
  using ros_script::literal;
  auto args = [](const json& fields, const std::vector<std::string>& skip) {
    return ros_script::arguments(fields, ec::router_bad_response, skip);
  };
  std::string out;
  for (auto& b : snapshot[bridges]) {
    auto fields = kind::content(b);
    if (!fields.contains("vlan-filtering"))
      fields["vlan-filtering"] = "false";
    auto set = args(fields, {"name"});
    if (!set)
      return set.error();
    out += "/interface bridge set [find name=" + literal(b.value("name", ""))
           + "]" + *set;
  }
  if (params.contains("interface")) {
    out += (out.empty() ? "" : "; ")
           + std::string{"/interface bridge port remove [find interface="}
           + literal(params["interface"].get<std::string>()) + "]";
    for (auto& p : snapshot[ports]) {
      auto add = args(kind::content(p), {});
      if (!add)
        return add.error();
      out += "; /interface bridge port add" + *add;
    }
  }
  return out;
}

// -- tools ------------------------------------------------------------------------------

void plan_add(tool_call& call) {
  create_plan(call, bridge_port_add_kind);
}

void plan_remove(tool_call& call) {
  create_plan(call, bridge_port_remove_kind);
}

void plan_settings(tool_call& call) {
  create_plan(call, bridge_settings_kind);
}

#define RMCP_BRIDGE_NAME                                                       \
  R"("bridge_name":{"type":"string","minLength":1,"maxLength":64,"description":"Bridge."})"
#define RMCP_BRIDGE_PORT                                                       \
  RMCP_BRIDGE_NAME                                                             \
  R"(,"interface":{"type":"string","minLength":1,"maxLength":64,"description":"Port."})"

const tool_entry table[] = {
  {"plan_add_bridge_port", "Plan a bridge port", mcp::tool_tier::professional,
   read_only_router,
   "Plans adding interface to bridge_name on 1-50 routers "
   "(allow_bridge_writes); already bridged ones are refused. Dead-man "
   "revert. Apply: apply_bridge_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_BRIDGE_PORT
                                                           R"(,
     "pvid":{"type":"integer","minimum":1,"maximum":4094,"description":"Port VLAN id."},
     "comment":{"type":"string","maxLength":255,"description":"Port comment."}},
     "required":["device_ids","bridge_name","interface"],"additionalProperties":false})",
   nullptr, plan_add, 0, plan_created_schema},
  {"plan_remove_bridge_port", "Plan a bridge port removal",
   mcp::tool_tier::professional, read_only_router,
   "Plans removing interface from bridge_name on 1-50 routers. High risk, "
   "dead-man revert. Apply: apply_bridge_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_BRIDGE_PORT
                                                           R"(},
     "required":["device_ids","bridge_name","interface"],"additionalProperties":false})",
   nullptr, plan_remove, 0, plan_created_schema},
  {"plan_modify_bridge_settings", "Plan bridge settings",
   mcp::tool_tier::professional, read_only_router,
   "Plans STP/VLAN settings of bridge_name on 1-50 routers. High risk, "
   "dead-man revert. Apply: apply_bridge_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_BRIDGE_NAME
                                                           R"(,
     "protocol_mode":{"type":"string","enum":["none","stp","rstp","mstp"],"description":"STP mode."},
     "vlan_filtering":{"type":"boolean","description":"VLAN filtering."},
     "priority":{"type":"integer","minimum":0,"maximum":61440,"description":"Multiple of 4096."},
     "ageing_time":{"type":"string","maxLength":20,"description":"e.g. 5m."},
     "forward_delay":{"type":"string","maxLength":20,"description":"e.g. 15s."},
     "max_message_age":{"type":"string","maxLength":20,"description":"e.g. 20s."}},
     "required":["device_ids","bridge_name"],"additionalProperties":false})",
   nullptr, plan_settings, 0, plan_created_schema},
  {"apply_bridge_plan", "Apply a bridge plan", mcp::tool_tier::professional,
   write_destructive,
   "Runs an approved bridge plan (single-use token from the approver) "
   "with dead-man reverts; a failed gate restores every changed router.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

#define RMCP_BRIDGE_KIND(name, validate)                                       \
  change_kind {                                                                \
    name, "apply_bridge_plan", &device_flags::allow_bridge_writes, true, 1,    \
      validate, risk, reads, state, plan, compare, restore, revert_script,     \
  }

const change_kind bridge_port_add_kind =
  RMCP_BRIDGE_KIND("bridge_port_add", validate_add);
const change_kind bridge_port_remove_kind =
  RMCP_BRIDGE_KIND("bridge_port_remove", validate_remove);
const change_kind bridge_settings_kind =
  RMCP_BRIDGE_KIND("bridge_settings", validate_settings);

caf::error register_bridge_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
