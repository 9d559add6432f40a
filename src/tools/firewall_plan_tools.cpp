// Firewall filter rules as plans: plan_add_firewall_rule,
// plan_modify_firewall_rule, plan_remove_firewall_rule and
// apply_firewall_plan; the change kinds firewall_rule_*.
//
// The state a rule change touches is the whole /ip/firewall/filter table
// in order (dynamic rules left out), each rule as its RouterOS fields
// without counters; rules compare by content and position (ids change when
// a rule is re-created). Rollback deletes what the plan added, sets changed
// rules back and re-creates removed ones at their old position.
//
// Input-chain and reject rules can cut the management path: adding one is
// the risky kind firewall_rule_add_risky (a dead-man revert on the router);
// modify and remove are always risky (which chain a rule is in is only
// known per router). A rule that would drop or reject the device's REST
// service (its management address and port) in the input chain is refused
// unless allow_management_block is set, with the reason in the error.
//
// Fixed against the reference (§12): rules are selected by rule_id or by
// their comment (the same rule on many routers); a modification is checked
// against the merged rule on each router (dst_port needs tcp/udp there,
// jump needs a target), not by demanding chain and action again.

#include <algorithm>
#include <cstdlib>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "protocol/ros_script.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/kind_helpers.hpp"
#include "src/tools/plan_flow.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using kind::bad;
using kind::content;
using kind::request;

constexpr const char* filter_path = "/ip/firewall/filter";

/// Argument name → RouterOS field of the rule arguments.
constexpr std::pair<const char*, const char*> rule_args[] = {
  {"chain", "chain"},
  {"action", "action"},
  {"src_address", "src-address"},
  {"dst_address", "dst-address"},
  {"protocol", "protocol"},
  {"dst_port", "dst-port"},
  {"jump_target", "jump-target"},
  {"comment", "comment"},
};

// -- parameters -------------------------------------------------------------------

/// "10.1.0.0/16" or "10.1.2.3" (a /32 is printed as the address).
caf::expected<std::string> address(const std::string& text, const char* name) {
  if (auto a = kind::address_or_prefix(text))
    return *a;
  return bad(std::string{name} + ": '" + text
             + "' is not an IP address or prefix such as 10.20.0.0/16");
}

/// Ports of "22", "8000-8080" or "22,443,8000-8080".
bool port_list(const std::string& text,
               std::vector<std::pair<long, long>>* out = nullptr) {
  if (text.empty())
    return false;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    auto item =
      text.substr(start, end == std::string::npos ? end : end - start);
    auto dash = item.find('-');
    auto lo_text = item.substr(0, dash);
    auto hi_text = dash == std::string::npos ? lo_text : item.substr(dash + 1);
    auto number = [](const std::string& s, long& v) {
      if (s.empty() || s.size() > 5
          || !std::all_of(s.begin(), s.end(), ::isdigit))
        return false;
      v = std::atol(s.c_str());
      return v >= 1 && v <= 65535;
    };
    long lo = 0, hi = 0;
    if (!number(lo_text, lo) || !number(hi_text, hi) || lo > hi)
      return false;
    if (out)
      out->emplace_back(lo, hi);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return true;
}

/// One rule argument as its RouterOS value ("" = unset, for modify).
caf::expected<std::string> rule_value(const std::string& arg,
                                      const std::string& value) {
  if (value.empty())
    return value;
  if (arg == "src_address" || arg == "dst_address")
    return address(value, arg.c_str());
  static const std::vector<std::string> protocols{
    "tcp", "udp", "icmp", "gre", "esp", "ah", "ipip", "ipsec-ah", "ipsec-esp"};
  if (arg == "protocol"
      && std::find(protocols.begin(), protocols.end(), value)
           == protocols.end())
    return bad("protocol: '" + value
               + "' is not one of tcp, udp, icmp, gre, "
                 "esp, ah, ipip, ipsec-ah, ipsec-esp");
  if (arg == "dst_port" && !port_list(value))
    return bad("dst_port: '" + value
               + "' is not a port (1-65535), a range "
                 "a-b with a <= b, or a comma list of those");
  if (auto err = kind::check_text(value, arg.c_str()))
    return err;
  return value;
}

/// The rule fields given in `args` (RouterOS keys).
caf::expected<json> rule_fields(const json& args) {
  json out = json::object();
  for (auto& [arg, ros] : rule_args)
    if (args.contains(arg)) {
      auto v = rule_value(arg, args[arg].get<std::string>());
      if (!v)
        return v.error();
      out[ros] = *v;
    }
  return out;
}

/// Checks a complete rule (the added one, or a modified one as merged).
caf::error check_rule(const json& rule) {
  auto action = rule.value("action", "accept");
  if (action == "jump" && rule.value("jump-target", "").empty())
    return bad("jump_target: action jump needs the chain to jump to");
  if (action != "jump" && rule.contains("jump-target"))
    return bad("jump_target: only for action jump");
  auto proto = rule.value("protocol", "");
  if (rule.contains("dst-port") && proto != "tcp" && proto != "udp")
    return bad("dst_port: needs protocol tcp or udp (the rule has '" + proto
               + "')");
  return caf::none;
}

json options(const json& args) {
  return {
    {"allow_management_block", args.value("allow_management_block", false)}};
}

caf::expected<json> validate_add(const json& args) {
  auto rule = rule_fields(args);
  if (!rule)
    return rule.error();
  for (auto& [k, v] : rule->items())
    if (v == "")
      rule->erase(k);
  if (auto err = check_rule(*rule))
    return err;
  auto out = options(args);
  out["op"] = "add";
  out["rule"] = *rule;
  return out;
}

caf::expected<json> selector(const json& args) {
  if (args.contains("rule_id"))
    return json{{"rule_id", args["rule_id"]}};
  if (args.contains("match_comment")) {
    auto c = args.value("match_comment", "");
    if (auto err = kind::check_text(c, "match_comment"))
      return err;
    return json{{"comment", c}};
  }
  return bad("give rule_id (one router) or match_comment (the rule's comment "
             "on every router) to select the rule");
}

caf::expected<json> validate_modify(const json& args) {
  auto match = selector(args);
  if (!match)
    return match.error();
  auto set = rule_fields(args);
  if (!set)
    return set.error();
  if (set->empty())
    return bad("give at least one of chain, action, src_address, "
               "dst_address, protocol, dst_port, jump_target, comment");
  if (set->value("chain", "x").empty() || set->value("action", "x").empty())
    return bad(std::string{set->contains("chain") ? "chain" : "action"}
               + ": cannot be emptied");
  auto out = options(args);
  out["op"] = "modify";
  out["match"] = *match;
  out["set"] = *set;
  return out;
}

caf::expected<json> validate_remove(const json& args) {
  auto match = selector(args);
  if (!match)
    return match.error();
  auto out = options(args);
  out["op"] = "remove";
  out["match"] = *match;
  return out;
}

// -- state ------------------------------------------------------------------------------

/// A rule as RouterOS shows it, without counters and read-only flags;
/// empty and false values dropped (they are the defaults).
json rule_of(const json& row) {
  json out{{"id", row.value(".id", "")}};
  for (auto& [k, v] : row.items()) {
    if (k.empty() || k[0] == '.' || k == "bytes" || k == "packets"
        || k == "dynamic" || k == "invalid")
      continue;
    auto text = v.is_string() ? v.get<std::string>() : v.dump();
    if (text.empty() || text == "false")
      continue;
    out[k] = text;
  }
  return out;
}

std::vector<std::string> reads(const json&) {
  return {filter_path};
}

json state(const json&, const std::vector<json>& bodies) {
  json rules = json::array();
  if (!bodies.empty() && bodies[0].is_array())
    for (auto& row : bodies[0])
      if (!kind::truthy(row.value("dynamic", json(false))))
        rules.push_back(rule_of(row));
  return {{"rules", rules}};
}

// -- planning ---------------------------------------------------------------------------

/// Empty when `rule` leaves the device's REST service alone; else why not.
std::string blocks_management(const json& rule, const device_record& dev) {
  auto action = rule.value("action", "accept");
  if (rule.value("chain", "") != "input"
      || kind::truthy(rule.value("disabled", ""))
      || (action != "drop" && action != "reject" && action != "tarpit"))
    return {};
  auto proto = rule.value("protocol", "");
  if (!proto.empty() && proto != "tcp" && proto != "6")
    return {};
  if (rule.contains("dst-port")) {
    std::vector<std::pair<long, long>> ports;
    port_list(rule.value("dst-port", ""), &ports);
    if (std::none_of(ports.begin(), ports.end(), [&](auto& r) {
          return r.first <= dev.port && dev.port <= r.second;
        }))
      return {};
  }
  if (rule.contains("dst-address")) {
    auto net = net::parse_prefix(rule.value("dst-address", ""));
    auto host = net::parse_prefix(dev.host);
    if (net && host && !net::contains(*net, *host))
      return {};
  }
  return "the rule would " + action + " TCP to " + dev.host + ":"
         + std::to_string(dev.port)
         + " in the input chain, the management "
           "path of "
         + dev.id
         + " (its REST service); narrow it (dst_port, "
           "dst_address, protocol) or set allow_management_block: true if its "
           "source match excludes this server";
}

std::string risk_add(const json& params, const std::vector<device_record>&,
                     std::vector<std::string>&) {
  auto& r = params["rule"];
  return r.value("chain", "") == "input" || r.value("action", "") == "reject"
           ? "high"
           : "medium";
}

std::string risk_high(const json&, const std::vector<device_record>&,
                      std::vector<std::string>&) {
  return "high";
}

caf::error guard(const json& params, const json& rule, const device_record& dev,
                 change_step& step) {
  auto why = blocks_management(rule, dev);
  if (why.empty())
    return caf::none;
  if (!params.value("allow_management_block", false))
    return make_error(ec::guard_refused, why);
  step.warnings.push_back("allowed by allow_management_block: " + why);
  return caf::none;
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record& dev) {
  change_step step;
  step.intended = current;
  auto& rules = current["rules"];
  auto op = params["op"].get<std::string>();
  if (op == "add") {
    auto& rule = params["rule"];
    if (auto err = guard(params, rule, dev, step))
      return err;
    for (auto& have : rules)
      if (content(have) == rule)
        return step; // already there
    auto added = rule;
    added["id"] = "";
    step.intended["rules"].push_back(added);
    step.requests.push_back(request("PUT", filter_path, rule));
    return step;
  }
  auto& match = params["match"];
  std::vector<size_t> found;
  for (size_t i = 0; i < rules.size(); ++i)
    if (match.contains("rule_id")
          ? rules[i]["id"] == match["rule_id"]
          : rules[i].value("comment", "") == match["comment"])
      found.push_back(i);
  if (found.size() != 1)
    return make_error(ec::guard_refused,
                      found.empty()
                        ? "no filter rule matches " + match.dump()
                        : std::to_string(found.size()) + " filter rules match "
                            + match.dump() + "; give rule_id");
  auto& rule = rules[found[0]];
  auto id = rule["id"].get<std::string>();
  if (op == "remove") {
    step.intended["rules"].erase(found[0]);
    step.requests.push_back(
      request("DELETE", std::string{filter_path} + "/" + id));
    return step;
  }
  auto merged = rule;
  json body = json::object();
  std::vector<std::string> unset;
  for (auto& [k, v] : params["set"].items()) {
    if (v == "") {
      if (merged.contains(k))
        unset.push_back(k);
      merged.erase(k);
    } else if (merged.value(k, "") != v) {
      merged[k] = v;
      body[k] = v;
    }
  }
  if (auto err = check_rule(content(merged)))
    return make_error(ec::guard_refused,
                      "rule " + id + " as modified: " + error_message(err));
  if (auto err = guard(params, merged, dev, step))
    return err;
  step.intended["rules"][found[0]] = merged;
  if (!body.empty())
    step.requests.push_back(
      request("PATCH", std::string{filter_path} + "/" + id, body));
  for (auto& k : unset)
    step.requests.push_back(request("POST", std::string{filter_path} + "/unset",
                                    {{"numbers", id}, {"value-name", k}}));
  return step;
}

std::string compare(const json&, const json& expected, const json& actual) {
  auto& want = expected["rules"];
  auto& have = actual["rules"];
  for (size_t i = 0; i < std::max(want.size(), have.size()); ++i) {
    auto w = i < want.size() ? content(want[i]) : json(nullptr);
    auto h = i < have.size() ? content(have[i]) : json(nullptr);
    if (w != h)
      return "filter rule " + std::to_string(i) + " is " + h.dump()
             + ", expected " + w.dump();
  }
  return {};
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  auto& want = snapshot["rules"];
  auto& have = now["rules"];
  auto find = [](const json& rules, const json& id) -> const json* {
    for (auto& r : rules)
      if (r["id"] == id)
        return &r;
    return nullptr;
  };
  std::vector<rest_request> out;
  for (auto& r : have)
    if (!find(want, r["id"]))
      out.push_back(request("DELETE", std::string{filter_path} + "/"
                                        + r["id"].get<std::string>()));
  for (size_t i = 0; i < want.size(); ++i) {
    auto& w = want[i];
    if (auto* h = find(have, w["id"])) {
      kind::patch_back(filter_path, w, *h, out);
      continue;
    }
    // Removed: re-create it before the next rule that still exists.
    auto body = content(w);
    for (size_t j = i + 1; j < want.size(); ++j)
      if (find(have, want[j]["id"])) {
        body["place-before"] = want[j]["id"];
        break;
      }
    out.push_back(request("PUT", filter_path, body));
  }
  return out;
}

caf::expected<std::string> revert_script(const json&, const json& snapshot) {
  std::string out = "/ip firewall filter remove [find dynamic=no]";
  for (auto& r : snapshot["rules"]) {
    auto args = ros_script::arguments(content(r), ec::router_bad_response);
    if (!args)
      return args.error();
    out += "; /ip firewall filter add" + *args;
  }
  return out;
}

// -- tools ------------------------------------------------------------------------------

bool risky_rule(const tool_call& call) {
  return call.arg<std::string>("chain", "") == "input"
         || call.arg<std::string>("action", "") == "reject";
}

void plan_add(tool_call& call) {
  create_plan(call,
              risky_rule(call) ? firewall_add_risky_kind : firewall_add_kind);
}

void plan_modify(tool_call& call) {
  create_plan(call, firewall_modify_kind);
}

void plan_remove(tool_call& call) {
  create_plan(call, firewall_remove_kind);
}

#define RMCP_FW_RULE_PROPS                                                                                                       \
  R"("chain":{"type":"string","enum":["input","forward","output"],"description":"Chain."},)"                                     \
  R"("action":{"type":"string","enum":["accept","drop","reject","jump","return","passthrough","log"],"description":"Action."},)" \
  R"("src_address":{"type":"string","maxLength":64,"description":"IP/prefix."},)"                                                \
  R"("dst_address":{"type":"string","maxLength":64,"description":"IP/prefix."},)"                                                \
  R"("protocol":{"type":"string","maxLength":10,"description":"tcp, udp, icmp, gre, esp, ah, ipip, ipsec-ah, ipsec-esp."},)"     \
  R"("dst_port":{"type":"string","maxLength":64,"description":"22, 80-88 or a list (tcp/udp)."},)"                               \
  R"("jump_target":{"type":"string","maxLength":64,"description":"For jump."},)"                                                 \
  R"("comment":{"type":"string","maxLength":255,"description":"Rule comment."},)" RMCP_FW_ALLOW

#define RMCP_FW_ALLOW                                                          \
  R"("allow_management_block":{"type":"boolean","description":"Allow dropping this server's REST access."})"

#define RMCP_FW_SELECTOR                                                                                    \
  R"("rule_id":{"type":"string","pattern":"^\\*[0-9A-Fa-f]+$","description":"RouterOS id (one router)."},)" \
  R"("match_comment":{"type":"string","maxLength":255,"description":"Or the rule's comment."})"

const tool_entry table[] = {
  {"plan_add_firewall_rule", "Plan a firewall rule",
   mcp::tool_tier::professional, read_only_router,
   "Plans appending a filter rule on 1-50 routers (allow_firewall_writes); "
   "input/reject rules get a dead-man revert; dropping the REST management "
   "path is refused. Apply: apply_firewall_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_FW_RULE_PROPS R"(},
     "required":["device_ids","chain","action"],"additionalProperties":false})",
   nullptr, plan_add, 0, plan_created_schema},
  {"plan_modify_firewall_rule", "Plan a firewall rule change",
   mcp::tool_tier::professional, read_only_router,
   "Plans changing one filter rule (rule_id or match_comment) on 1-50 "
   "routers; \"\" unsets a field. High risk, dead-man revert.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_FW_SELECTOR "," RMCP_FW_RULE_PROPS R"(},
     "required":["device_ids"],"additionalProperties":false})",
   nullptr, plan_modify, 0, plan_created_schema},
  {"plan_remove_firewall_rule", "Plan a firewall rule removal",
   mcp::tool_tier::professional, read_only_router,
   "Plans removing one filter rule (rule_id or match_comment) on 1-50 "
   "routers. High risk, dead-man revert.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_FW_SELECTOR "," RMCP_FW_ALLOW R"(},
     "required":["device_ids"],"additionalProperties":false})",
   nullptr, plan_remove, 0, plan_created_schema},
  {"apply_firewall_plan", "Apply a firewall plan", mcp::tool_tier::professional,
   write_destructive,
   "Runs an approved firewall plan (single-use token from the approver); "
   "a failed gate restores every changed router.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

#define RMCP_FW_KIND(name, validate, risky, risk)                              \
  change_kind {                                                                \
    name, "apply_firewall_plan", &device_flags::allow_firewall_writes, risky,  \
      1, validate, risk, reads, state, plan, compare, restore, revert_script,  \
  }

const change_kind firewall_add_kind =
  RMCP_FW_KIND("firewall_rule_add", validate_add, false, risk_add);
const change_kind firewall_add_risky_kind =
  RMCP_FW_KIND("firewall_rule_add_risky", validate_add, true, risk_add);
const change_kind firewall_modify_kind =
  RMCP_FW_KIND("firewall_rule_modify", validate_modify, true, risk_high);
const change_kind firewall_remove_kind =
  RMCP_FW_KIND("firewall_rule_remove", validate_remove, true, risk_high);

caf::error register_firewall_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
