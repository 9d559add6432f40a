// Routing reads: get_routing_summary, get_route.

#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

constexpr ros::field route_fields[] = {
  {".id", "id", kind::text},
  {"dst-address", "dst_address", kind::text},
  {"gateway", "gateway", kind::text},
  {"distance", "distance", kind::uint},
  {"scope", "scope", kind::uint},
  {"target-scope", "target_scope", kind::uint},
  {"routing-table", "routing_table", kind::text},
  {"vrf-interface", "vrf_interface", kind::text},
  {"active", "active", kind::boolean},
  {"static", "static", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"connect", "connected", kind::boolean},
  {"dhcp", "dhcp", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"comment", "comment", kind::text},
};

bool flag(const json& row, const char* key) {
  return row.value(key, false);
}

void get_routing_summary(tool_call& call) {
  auto table_name = call.arg<std::string>("routing_table", "");
  with_device(call, [&call, table_name](device_handle dev) {
    device_request(
      call, dev.actor, get_request("/ip/route"),
      [&call, table_name, id{dev.view.record.id}](rest_response& resp) {
        json routes = json::array();
        size_t total = 0, stat = 0, conn = 0, dyn = 0, active = 0, dflt = 0;
        for (auto& row : ros::convert_rows(resp.body, route_fields)) {
          if (!table_name.empty()
              && row.value("routing_table", "main") != table_name)
            continue;
          ++total;
          // RouterOS sends status flags only when true: absent = false.
          // A route that is neither connected nor dynamic was configured.
          bool connected = flag(row, "connected");
          bool dynamic = flag(row, "dynamic");
          stat += flag(row, "static") || (!connected && !dynamic) ? 1 : 0;
          conn += connected ? 1 : 0;
          dyn += dynamic ? 1 : 0;
          active += flag(row, "active") ? 1 : 0;
          auto dst = row.value("dst_address", "");
          dflt += dst == "0.0.0.0/0" || dst == "::/0" ? 1 : 0;
          routes.push_back(std::move(row));
        }
        json out{{"device_id", id},        {"total_routes", total},
                 {"static_routes", stat},  {"connected_routes", conn},
                 {"dynamic_routes", dyn},  {"active_routes", active},
                 {"default_routes", dflt}, {"routes", std::move(routes)},
                 {"count", total}};
        finish_with_rows(call, std::move(out),
                         std::to_string(total) + " routes on " + id + " ("
                           + std::to_string(stat) + " static, "
                           + std::to_string(conn) + " connected, "
                           + std::to_string(dyn) + " dynamic, "
                           + std::to_string(active) + " active)",
                         "routes");
      });
  });
}

void get_route(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    auto which = call.arg<std::string>("route_id", "");
    device_request(call, dev.actor, get_request("/ip/route/" + which),
                   [&call, id{dev.view.record.id}](rest_response& resp) {
                     auto row = ros::convert(resp.body, route_fields);
                     auto text = "Route on " + id + ":\n" + mcp::render_kv(row);
                     call.finish(
                       {json{{"device_id", id}, {"route", std::move(row)}},
                        std::move(text), false});
                   });
  });
}

json summary_schema() {
  json count{{"type", "integer"}, {"minimum", 0}};
  auto out = rows_output_schema("routes", row_schema(route_fields),
                                {{"total_routes", count},
                                 {"static_routes", count},
                                 {"connected_routes", count},
                                 {"dynamic_routes", count},
                                 {"active_routes", count},
                                 {"default_routes", count}});
  out["required"].push_back("total_routes");
  return out;
}

json route_schema() {
  return {{"type", "object"},
          {"properties",
           {{"device_id", {{"type", "string"}}},
            {"route", row_schema(route_fields, {"id"})}}},
          {"required", {"device_id", "route"}}};
}

const tool_entry table[] = {
  {"get_routing_summary",
   "Routing summary",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's routing table: counts (total, static, connected, "
   "dynamic, active, default) and every route with destination, gateway, "
   "distance, table and flags. Filter: routing_table.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "routing_table":{"type":"string","minLength":1,"maxLength":64,"description":"Only routes of this table."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   get_routing_summary,
   0,
   summary_schema,
   {},
   output_check::typed},
  {"get_route",
   "Get route",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads one route by its RouterOS id (e.g. \"*2\", from "
   "get_routing_summary). Fails with router_not_found when it is gone.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "route_id":{"type":"string","pattern":"^\\*[0-9A-Fa-f]{1,8}$","description":"RouterOS .id of the route."}},
     "required":["device_id","route_id"],"additionalProperties":false})",
   nullptr,
   get_route,
   0,
   route_schema,
   {},
   output_check::typed},
};

} // namespace

caf::error register_routing_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
