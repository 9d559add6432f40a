// Address-list sync as a plan (a tool the reference project declared but
// never implemented):
// config_plan_address_list_sync makes one mcp-* address list identical on
// 1-50 routers, config_apply_address_list_sync applies it; the change kind
// address_list_sync.
//
// The preview computes, per router from its live list, the entries to add
// and to remove. The state is the list's static entries as rows
// (kind::row_state); dynamic entries (with a timeout) are the router's own
// and are left alone. Rollback deletes added entries and re-creates
// removed ones.

#include <algorithm>
#include <set>

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "src/tools/change_kinds.hpp"
#include "src/tools/kind_helpers.hpp"
#include "src/tools/plan_flow.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using kind::bad;
using kind::request;

const std::string lists = "/ip/firewall/address-list";
const std::vector<std::string> entry_fields{"list", "address", "comment",
                                            "disabled"};

caf::expected<json> validate(const json& args) {
  auto name = args.value("list_name", "");
  if (name.rfind("mcp-", 0) != 0)
    return bad("list_name: only address lists named mcp-* are managed by "
               "this service");
  std::set<std::string> seen;
  json addresses = json::array();
  for (auto& a : args.value("addresses", json::array())) {
    auto text = a.get<std::string>();
    auto norm = kind::address_or_prefix(text);
    if (!norm)
      return bad("addresses: '" + text + "' is not an IP address or prefix");
    if (seen.insert(*norm).second)
      addresses.push_back(*norm);
  }
  auto comment = args.value("comment", "");
  if (auto err = kind::check_text(comment, "comment"))
    return err;
  return json{
    {"list_name", name}, {"addresses", addresses}, {"comment", comment}};
}

std::string risk(const json& params, const std::vector<device_record>&,
                 std::vector<std::string>& warnings) {
  if (params["addresses"].empty()) {
    warnings.push_back("the list " + params["list_name"].get<std::string>()
                       + " is emptied on every router");
    return "high";
  }
  return "medium";
}

std::vector<std::string> reads(const json&) {
  return {lists};
}

json state(const json& params, const std::vector<json>& bodies) {
  json rows = json::array();
  if (bodies.at(0).is_array())
    for (auto& r : bodies[0])
      if (r.value("list", "") == params["list_name"]
          && !kind::truthy(r.value("dynamic", json(false))))
        rows.push_back(kind::row_state(r, entry_fields));
  return {{lists, rows}};
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record&) {
  change_step step;
  auto& want = params["addresses"];
  json kept = json::array(), adds = json::array(), removes = json::array();
  std::set<std::string> have;
  for (auto& r : current[lists]) {
    auto addr = r.value("address", "");
    if (std::find(want.begin(), want.end(), addr) != want.end()
        && have.insert(addr).second) {
      kept.push_back(r);
      continue;
    }
    removes.push_back(addr);
    step.requests.push_back(
      request("DELETE", lists + "/" + r["id"].get<std::string>()));
  }
  for (auto& a : want) {
    if (have.count(a.get<std::string>()))
      continue;
    json row{{"id", ""}, {"list", params["list_name"]}, {"address", a}};
    if (!params.value("comment", "").empty())
      row["comment"] = params["comment"];
    kept.push_back(row);
    adds.push_back(a);
    step.requests.push_back(request("PUT", lists, kind::creation(row)));
  }
  step.intended = {{lists, kept}, {"adds", adds}, {"removes", removes}};
  return step;
}

std::string compare(const json&, const json& expected, const json& actual) {
  return kind::compare_tables(expected, actual);
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  return kind::restore_tables(snapshot, now, {lists}, {lists});
}

void plan_sync(tool_call& call) {
  create_plan(call, address_list_sync_kind);
}

const tool_entry table[] = {
  {"config_plan_address_list_sync", "Plan an address-list sync",
   mcp::tool_tier::professional, read_only_router,
   "Plans making address list list_name (mcp-*) hold exactly addresses on "
   "1-50 routers (allow_firewall_writes); preview: adds and removes per "
   "router. Apply: config_apply_address_list_sync.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) R"(,
     "list_name":{"type":"string","pattern":"^mcp-[A-Za-z0-9_.-]{1,60}$","description":"e.g. mcp-blocked."},
     "addresses":{"type":"array","maxItems":1000,"items":{"type":"string","maxLength":64},"description":"IPs/prefixes."},
     "comment":{"type":"string","maxLength":255,"description":"On added entries."}},
     "required":["device_ids","list_name","addresses"],"additionalProperties":false})",
   nullptr, plan_sync, 0, plan_created_schema},
  {"config_apply_address_list_sync", "Apply an address-list sync",
   mcp::tool_tier::professional, write_destructive,
   "Runs an approved address-list sync (single-use token from the "
   "approver); a failed gate restores every changed router.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

const change_kind address_list_sync_kind{
  "address_list_sync",
  "config_apply_address_list_sync",
  &device_flags::allow_firewall_writes,
  false,
  1,
  validate,
  risk,
  reads,
  state,
  plan,
  compare,
  restore,
  nullptr,
};

caf::error register_address_list_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
