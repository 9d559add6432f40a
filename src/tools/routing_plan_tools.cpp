// Static routes as plans: plan_add_static_route,
// plan_modify_static_route, plan_remove_static_route and
// apply_routing_plan; the change kinds static_route_add|modify|remove.
//
// Routes can cut the management path, so these kinds are risky: the
// coordinator arms a dead-man revert on each router before the change.
// Default routes (0.0.0.0/0, ::/0) are refused; a route covering a device's
// management address is a warning and makes the plan high risk.
//
// The state a route change touches is every static route whose
// dst-address is one the change names (or the route_id it names), as
// {id, dst_address, gateway, distance, comment, disabled}; routes compare
// by content (ids change when a route is re-created).

#include <algorithm>

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
using kind::truthy;

// -- parameters -------------------------------------------------------------------

/// "10.1.0.0/16" from a prefix argument; refuses default routes.
caf::expected<std::string> destination(const json& args, const char* name) {
  auto text = args.value(name, "");
  auto p = net::parse_prefix(text);
  if (!p)
    return bad(std::string{name} + ": '" + text
               + "' is not an IP prefix such as 10.20.0.0/16");
  if (p->length == 0)
    return bad(std::string{name}
               + ": default routes (0.0.0.0/0, ::/0) are "
                 "refused; they carry the management traffic of most routers");
  return net::to_string(net::network_of(*p));
}

caf::error check_gateway(const std::string& gw, const char* name) {
  if (gw.empty() || net::is_ip(gw))
    return caf::none;
  bool iface = gw.size() <= 64 && std::all_of(gw.begin(), gw.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '-'
                        || c == '_' || c == '.';
               });
  if (!iface)
    return bad(std::string{name} + ": '" + gw
               + "' is neither an IP address nor an interface name");
  return caf::none;
}

/// {"route_id"?, "dst_address"?, "gateway"?} selecting one route.
caf::expected<json> selector(const json& args) {
  json match = json::object();
  if (args.contains("route_id"))
    match["route_id"] = args["route_id"];
  if (args.contains("dst_address")) {
    auto dst = destination(args, "dst_address");
    if (!dst)
      return dst.error();
    match["dst_address"] = *dst;
  }
  if (args.contains("gateway")) {
    auto gw = args.value("gateway", "");
    if (auto err = check_gateway(gw, "gateway"))
      return err;
    match["gateway"] = gw;
  }
  if (!match.contains("route_id") && !match.contains("dst_address"))
    return bad("give route_id or dst_address (and optionally gateway) to "
               "select the route");
  return match;
}

caf::expected<json> validate_add(const json& args) {
  auto dst = destination(args, "dst_address");
  if (!dst)
    return dst.error();
  auto gw = args.value("gateway", "");
  if (auto err = check_gateway(gw, "gateway"))
    return err;
  auto comment = args.value("comment", "");
  if (auto err = kind::check_text(comment, "comment"))
    return err;
  return json{{"op", "add"},
              {"dst_address", *dst},
              {"gateway", gw},
              {"distance", args.value("distance", 1)},
              {"comment", comment}};
}

caf::expected<json> validate_modify(const json& args) {
  auto match = selector(args);
  if (!match)
    return match.error();
  json set = json::object();
  if (args.contains("new_dst_address")) {
    auto dst = destination(args, "new_dst_address");
    if (!dst)
      return dst.error();
    set["dst_address"] = *dst;
  }
  if (args.contains("new_gateway")) {
    auto gw = args.value("new_gateway", "");
    if (auto err = check_gateway(gw, "new_gateway"))
      return err;
    set["gateway"] = gw;
  }
  if (args.contains("new_distance"))
    set["distance"] = args["new_distance"];
  if (args.contains("new_comment")) {
    auto comment = args.value("new_comment", "");
    if (auto err = kind::check_text(comment, "new_comment"))
      return err;
    set["comment"] = comment;
  }
  if (set.empty())
    return bad("give at least one of new_dst_address, new_gateway, "
               "new_distance, new_comment");
  return json{{"op", "modify"}, {"match", *match}, {"set", set}};
}

caf::expected<json> validate_remove(const json& args) {
  auto match = selector(args);
  if (!match)
    return match.error();
  return json{{"op", "remove"}, {"match", *match}};
}

/// Destinations the change names.
std::vector<std::string> keys(const json& params) {
  std::vector<std::string> out;
  auto add = [&](const json& obj) {
    if (obj.contains("dst_address"))
      out.push_back(obj["dst_address"].get<std::string>());
  };
  add(params);
  if (params.contains("match"))
    add(params["match"]);
  if (params.contains("set"))
    add(params["set"]);
  return out;
}

// -- state ------------------------------------------------------------------------------

json route_of(const json& row) {
  auto distance = row.value("distance", "1");
  return {{"id", row.value(".id", "")},
          {"dst_address", row.value("dst-address", "")},
          {"gateway", row.value("gateway", "")},
          {"distance", std::atoi(distance.c_str())},
          {"comment", row.value("comment", "")},
          {"disabled", truthy(row.value("disabled", json(false)))}};
}

std::vector<std::string> reads(const json&) {
  return {"/ip/route"};
}

json state(const json& params, const std::vector<json>& bodies) {
  auto k = keys(params);
  auto id = params.contains("match") ? params["match"].value("route_id", "")
                                     : std::string{};
  json routes = json::array();
  if (!bodies.empty() && bodies[0].is_array())
    for (auto& row : bodies[0]) {
      if (!truthy(row.value("static", json(false))))
        continue;
      auto r = route_of(row);
      if (std::find(k.begin(), k.end(), r["dst_address"]) != k.end()
          || (!id.empty() && r["id"] == id))
        routes.push_back(std::move(r));
    }
  return {{"routes", routes}};
}

// -- planning ---------------------------------------------------------------------------

/// Warning when `dst` covers the device's management address.
void management_warning(const std::string& dst, const device_record& dev,
                        std::vector<std::string>& warnings) {
  auto net = net::parse_prefix(dst);
  auto host = net::parse_prefix(dev.host);
  if (net && host && net::contains(*net, *host))
    warnings.push_back("the route to " + dst + " covers the management address "
                       + dev.host + " of " + dev.id
                       + "; a mistake cuts it off (the "
                       + "dead-man revert restores it)");
}

std::string risk(const json& params, const std::vector<device_record>& devices,
                 std::vector<std::string>& warnings) {
  auto level = params["op"] == "add" ? "medium" : "high";
  for (auto& dst : keys(params))
    for (auto& dev : devices) {
      auto before = warnings.size();
      management_warning(dst, dev, warnings);
      if (warnings.size() != before)
        level = "high";
    }
  return level;
}

json ros_body(const json& r) {
  json body{{"dst-address", r["dst_address"]},
            {"distance", std::to_string(r.value("distance", 1))}};
  if (!r.value("gateway", "").empty())
    body["gateway"] = r["gateway"];
  if (!r.value("comment", "").empty())
    body["comment"] = r["comment"];
  if (r.value("disabled", false))
    body["disabled"] = "yes";
  return body;
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record& dev) {
  change_step step;
  auto routes = current.value("routes", json::array());
  step.intended = current;
  auto op = params["op"].get<std::string>();
  if (op == "add") {
    json r{{"id", ""},
           {"dst_address", params["dst_address"]},
           {"gateway", params["gateway"]},
           {"distance", params["distance"]},
           {"comment", params["comment"]},
           {"disabled", false}};
    management_warning(r["dst_address"], dev, step.warnings);
    for (auto& have : routes)
      if (have["dst_address"] == r["dst_address"]
          && have["gateway"] == r["gateway"]
          && have["distance"] == r["distance"])
        return step; // already there
    step.intended["routes"].push_back(r);
    step.requests.push_back(request("PUT", "/ip/route", ros_body(r)));
    return step;
  }
  auto& match = params["match"];
  std::vector<size_t> found;
  for (size_t i = 0; i < routes.size(); ++i) {
    auto& r = routes[i];
    if (match.contains("route_id") ? r["id"] == match["route_id"]
                                   : r["dst_address"] == match["dst_address"]
                                       && (!match.contains("gateway")
                                           || r["gateway"] == match["gateway"]))
      found.push_back(i);
  }
  if (found.size() != 1)
    return make_error(ec::guard_refused,
                      found.empty()
                        ? "no static route matches " + match.dump()
                        : std::to_string(found.size()) + " static routes match "
                            + match.dump() + "; give gateway or route_id");
  auto& r = routes[found[0]];
  if (r["dst_address"] == "0.0.0.0/0" || r["dst_address"] == "::/0")
    return make_error(ec::guard_refused, "the route " + r.value("id", "")
                                           + " is a default route; default "
                                             "routes are refused");
  management_warning(r["dst_address"], dev, step.warnings);
  auto id = r["id"].get<std::string>();
  if (op == "remove") {
    step.intended["routes"].erase(found[0]);
    step.requests.push_back(request("DELETE", "/ip/route/" + id, nullptr));
    return step;
  }
  json body = json::object();
  auto& target = step.intended["routes"][found[0]];
  for (auto& [key, value] : params["set"].items()) {
    if (target[key] == value)
      continue;
    target[key] = value;
    auto ros_key = key == "dst_address" ? std::string{"dst-address"} : key;
    body[ros_key] =
      key == "distance" ? json(std::to_string(value.get<int>())) : value;
  }
  if (params["set"].contains("dst_address"))
    management_warning(params["set"]["dst_address"], dev, step.warnings);
  if (!body.empty())
    step.requests.push_back(request("PATCH", "/ip/route/" + id, body));
  return step;
}

std::vector<json> contents(const json& state) {
  std::vector<json> out;
  for (auto& r : state.value("routes", json::array()))
    out.push_back(content(r));
  std::sort(out.begin(), out.end(),
            [](const json& a, const json& b) { return a.dump() < b.dump(); });
  return out;
}

std::string compare(const json&, const json& expected, const json& actual) {
  auto want = contents(expected);
  auto have = contents(actual);
  if (want == have)
    return {};
  return "static routes are " + json(have).dump() + ", expected "
         + json(want).dump();
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  auto want = snapshot.value("routes", json::array());
  auto have = now.value("routes", json::array());
  // Identical content stays (whatever its id).
  for (size_t i = 0; i < want.size();) {
    bool matched = false;
    for (size_t j = 0; j < have.size(); ++j)
      if (content(want[i]) == content(have[j])) {
        want.erase(i);
        have.erase(j);
        matched = true;
        break;
      }
    if (!matched)
      ++i;
  }
  std::vector<rest_request> out;
  // Same id, other content: set it back.
  for (size_t i = 0; i < want.size();) {
    bool matched = false;
    for (size_t j = 0; j < have.size(); ++j)
      if (want[i]["id"] == have[j]["id"]) {
        auto body = ros_body(want[i]);
        body["gateway"] = want[i]["gateway"];
        body["comment"] = want[i]["comment"];
        body["disabled"] = want[i]["disabled"].get<bool>() ? "yes" : "no";
        out.push_back(request(
          "PATCH", "/ip/route/" + have[j]["id"].get<std::string>(), body));
        want.erase(i);
        have.erase(j);
        matched = true;
        break;
      }
    if (!matched)
      ++i;
  }
  for (auto& r : have)
    out.push_back(
      request("DELETE", "/ip/route/" + r["id"].get<std::string>(), nullptr));
  for (auto& r : want)
    out.push_back(request("PUT", "/ip/route", ros_body(r)));
  return out;
}

caf::expected<std::string> revert_script(const json& params,
                                         const json& snapshot) {
  auto k = keys(params);
  for (auto& r : snapshot.value("routes", json::array()))
    if (std::find(k.begin(), k.end(), r["dst_address"]) == k.end())
      k.push_back(r["dst_address"]);
  std::string out;
  auto add = [&](const std::string& stmt) {
    out += (out.empty() ? "" : "; ") + stmt;
  };
  for (auto& dst : k)
    add("/ip route remove [find where dst-address=" + ros_script::literal(dst)
        + " and static]");
  for (auto& r : snapshot.value("routes", json::array())) {
    auto args = ros_script::arguments(ros_body(r), ec::router_bad_response);
    if (!args)
      return args.error();
    add("/ip route add" + *args);
  }
  return out;
}

// -- tools ------------------------------------------------------------------------------

void plan_add(tool_call& call) {
  create_plan(call, route_add_kind);
}

void plan_modify(tool_call& call) {
  create_plan(call, route_modify_kind);
}

void plan_remove(tool_call& call) {
  create_plan(call, route_remove_kind);
}

#define RMCP_ROUTE_SELECTOR                                                    \
  R"("route_id":{"type":"string","pattern":"^\\*[0-9A-Fa-f]+$",)"              \
  R"("description":"RouterOS id (one device)."},)"                             \
  R"("dst_address":{"type":"string","maxLength":64,)"                          \
  R"("description":"Destination of the route, e.g. 10.20.0.0/16."},)"          \
  R"("gateway":{"type":"string","maxLength":64,)"                              \
  R"("description":"Its gateway, when several routes share dst_address."})"

const tool_entry table[] = {
  {"plan_add_static_route", "Plan a static route", mcp::tool_tier::professional,
   read_only_router,
   "Plans adding a static route on 1-50 routers (flag allow_routing_writes); "
   "default routes are refused. Previews each router's routes to that "
   "destination; stores a pending plan for a person to approve, then "
   "apply_routing_plan runs it with a dead-man revert.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) R"(,
     "dst_address":{"type":"string","maxLength":64,"description":"e.g. 10.20.0.0/16."},
     "gateway":{"type":"string","maxLength":64,"description":"IP or interface; empty = none."},
     "distance":{"type":"integer","minimum":1,"maximum":255,"default":1,"description":"Route distance."},
     "comment":{"type":"string","maxLength":255,"description":"Route comment."}},
     "required":["device_ids","dst_address"],"additionalProperties":false})",
   nullptr, plan_add, 0, plan_created_schema},
  {"plan_modify_static_route", "Plan a route change",
   mcp::tool_tier::professional, read_only_router,
   "Plans changing one static route (selected by route_id or dst_address "
   "[+ gateway]) on 1-50 routers: new destination, gateway, distance or "
   "comment. High risk; approved out of band, applied by apply_routing_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_ROUTE_SELECTOR R"(,
     "new_dst_address":{"type":"string","maxLength":64,"description":"New destination."},
     "new_gateway":{"type":"string","maxLength":64,"description":"New gateway."},
     "new_distance":{"type":"integer","minimum":1,"maximum":255,"description":"New distance."},
     "new_comment":{"type":"string","maxLength":255,"description":"New comment."}},
     "required":["device_ids"],"additionalProperties":false})",
   nullptr, plan_modify, 0, plan_created_schema},
  {"plan_remove_static_route", "Plan a route removal",
   mcp::tool_tier::professional, read_only_router,
   "Plans removing one static route (route_id or dst_address [+ gateway]) "
   "on 1-50 routers. High risk; approved out of band, applied by "
   "apply_routing_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(
     1) "," RMCP_ROUTE_SELECTOR R"(},
     "required":["device_ids"],"additionalProperties":false})",
   nullptr, plan_remove, 0, plan_created_schema},
  {"apply_routing_plan", "Apply a routing plan", mcp::tool_tier::professional,
   write_destructive,
   "Runs an approved static-route plan with the approver's single-use "
   "token: per router a dead-man revert job, the change, a health gate; a "
   "failed gate rolls back every changed router. Returns the report.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

const change_kind route_add_kind{
  "static_route_add",
  "apply_routing_plan",
  &device_flags::allow_routing_writes,
  true,
  1,
  validate_add,
  risk,
  reads,
  state,
  plan,
  compare,
  restore,
  revert_script,
};

const change_kind route_modify_kind{
  "static_route_modify",
  "apply_routing_plan",
  &device_flags::allow_routing_writes,
  true,
  1,
  validate_modify,
  risk,
  reads,
  state,
  plan,
  compare,
  restore,
  revert_script,
};

const change_kind route_remove_kind{
  "static_route_remove",
  "apply_routing_plan",
  &device_flags::allow_routing_writes,
  true,
  1,
  validate_remove,
  risk,
  reads,
  state,
  plan,
  compare,
  restore,
  revert_script,
};

caf::error register_routing_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
