// DHCP pools as plans: plan_create_dhcp_pool,
// plan_modify_dhcp_pool, plan_remove_dhcp_pool and apply_dhcp_plan; the
// change kinds dhcp_pool_create|modify|remove. Unlike the reference (a
// mock, §12.2), the apply really writes /ip/pool, /ip/dhcp-server and
// /ip/dhcp-server/network.
//
// A pool is named the same on every router (pool_name); its DHCP server
// has that name too. The state a change touches is, as rows of the three
// tables (kind::row_state): the pool of that name, the servers named so or
// handing out that pool, and the DHCP networks of the plan's network or
// containing the pool's range. Rollback deletes what the plan created and
// sets back or re-creates the rest.
//
// Fixed against the reference (§12.19): the gateway must be inside the
// network and outside the lease range (not inside it); modifications are
// named, validated arguments, not a free-form dict.

#include <algorithm>

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

const std::string pools = "/ip/pool";
const std::string servers = "/ip/dhcp-server";
const std::string networks = "/ip/dhcp-server/network";

const std::vector<std::string> pool_fields{"name", "ranges", "comment"};
const std::vector<std::string> server_fields{
  "name", "interface", "address-pool", "lease-time", "disabled", "comment"};
const std::vector<std::string> network_fields{"address", "gateway",
                                              "dns-server", "comment"};

// -- parameters -------------------------------------------------------------------

using v4 = std::array<uint8_t, 4>;

uint32_t as_int(const v4& a) {
  return (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8)
         | a[3];
}

/// First and last address of "a.b.c.d-e.f.g.h" (or a single address).
std::optional<std::pair<uint32_t, uint32_t>> range_of(const std::string& text) {
  auto dash = text.find('-');
  auto lo = net::parse_ipv4(text.substr(0, dash));
  auto hi = net::parse_ipv4(dash == std::string::npos ? text.substr(0, dash)
                                                      : text.substr(dash + 1));
  if (!lo || !hi)
    return std::nullopt;
  return std::make_pair(as_int(*lo), as_int(*hi));
}

/// Whether IPv4 prefix `net` contains [lo, hi].
bool net_contains(const std::string& net, uint32_t lo, uint32_t hi) {
  auto p = net::parse_prefix(net);
  if (!p || p->v6)
    return false;
  uint32_t base = (uint32_t{p->bytes[0]} << 24) | (uint32_t{p->bytes[1]} << 16)
                  | (uint32_t{p->bytes[2]} << 8) | p->bytes[3];
  uint32_t mask = p->length == 0 ? 0 : ~uint32_t{0} << (32 - p->length);
  return (lo & mask) == (base & mask) && (hi & mask) == (base & mask);
}

caf::expected<std::string> check_range(const json& args) {
  auto text = args.value("address_range", "");
  auto r = range_of(text);
  if (!r || text.find('-') == std::string::npos)
    return bad("address_range: '" + text
               + "' is not an IPv4 range such as "
                 "192.168.50.10-192.168.50.200");
  if (r->first > r->second)
    return bad("address_range: the start is after the end in '" + text + "'");
  return text;
}

caf::error check_gateway(const std::string& gw, const std::string& network,
                         const std::string& range) {
  auto g = net::parse_ipv4(gw);
  if (!g)
    return bad("gateway: '" + gw + "' is not an IPv4 address");
  auto ip = as_int(*g);
  if (!network.empty() && !net_contains(network, ip, ip))
    return bad("gateway: " + gw + " is outside the network " + network);
  if (auto r = range_of(range); r && r->first <= ip && ip <= r->second)
    return bad("gateway: " + gw + " is inside address_range " + range
               + "; it would be leased to a client");
  return caf::none;
}

caf::expected<std::string> dns_list(const json& args) {
  std::string out;
  for (auto& d : args.value("dns_servers", json::array())) {
    auto s = d.get<std::string>();
    if (!net::parse_ipv4(s))
      return bad("dns_servers: '" + s + "' is not an IPv4 address");
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

caf::expected<std::string> lease(const json& args) {
  auto text = args.value("lease_time", "");
  auto d = kind::duration(text);
  if (!d)
    return bad("lease_time: '" + text
               + "' is not a duration such as 30m, "
                 "1h30m or 1d");
  return *d;
}

/// The optional settings of create and modify: {key: RouterOS value}.
caf::expected<json> settings(const json& args) {
  json out = json::object();
  if (args.contains("address_range")) {
    auto r = check_range(args);
    if (!r)
      return r.error();
    out["ranges"] = *r;
  }
  if (args.contains("gateway"))
    out["gateway"] = args["gateway"];
  if (args.contains("dns_servers")) {
    auto d = dns_list(args);
    if (!d)
      return d.error();
    out["dns-server"] = *d;
  }
  if (args.contains("lease_time")) {
    auto l = lease(args);
    if (!l)
      return l.error();
    out["lease-time"] = *l;
  }
  return out;
}

caf::expected<json> validate_create(const json& args) {
  auto set = settings(args);
  if (!set)
    return set.error();
  auto net_text = args.value("network", "");
  auto p = net::parse_prefix(net_text);
  if (!p || p->v6 || net::is_ip(net_text))
    return bad("network: '" + net_text
               + "' is not an IPv4 prefix such as "
                 "192.168.50.0/24");
  auto network = net::to_string(net::network_of(*p));
  auto r = range_of((*set)["ranges"]);
  if (!net_contains(network, r->first, r->second))
    return bad("address_range: " + (*set)["ranges"].get<std::string>()
               + " is not inside network " + network);
  if (set->contains("gateway"))
    if (auto err = check_gateway((*set)["gateway"], network, (*set)["ranges"]))
      return err;
  if (auto err = kind::check_text(args.value("interface", ""), "interface"))
    return err;
  return json{{"op", "create"},
              {"pool_name", args["pool_name"]},
              {"interface", args["interface"]},
              {"network", network},
              {"set", *set}};
}

caf::expected<json> validate_modify(const json& args) {
  auto set = settings(args);
  if (!set)
    return set.error();
  if (set->empty())
    return bad("give at least one of address_range, gateway, dns_servers, "
               "lease_time");
  if (set->contains("gateway"))
    if (auto err =
          check_gateway((*set)["gateway"], "", set->value("ranges", "")))
      return err;
  return json{
    {"op", "modify"}, {"pool_name", args["pool_name"]}, {"set", *set}};
}

caf::expected<json> validate_remove(const json& args) {
  return json{{"op", "remove"}, {"pool_name", args["pool_name"]}};
}

// -- state ------------------------------------------------------------------------------

std::vector<std::string> reads(const json&) {
  return {pools, servers, networks, "/interface"};
}

json rows(const json& body) {
  return body.is_array() ? body : json::array();
}

json state(const json& params, const std::vector<json>& bodies) {
  auto name = params.value("pool_name", "");
  json out{{pools, json::array()},
           {servers, json::array()},
           {networks, json::array()},
           {"interfaces", json::array()},
           {"served_interfaces", json::array()}};
  // The pool's range [lo, hi]; empty (lo > hi) when there is no pool.
  std::pair<uint32_t, uint32_t> range{1, 0};
  for (auto& row : rows(bodies.at(0)))
    if (row.value("name", "") == name) {
      out[pools].push_back(kind::row_state(row, pool_fields));
      if (auto r = range_of(row.value("ranges", "")))
        range = *r;
    }
  for (auto& row : rows(bodies.at(1))) {
    if (row.value("name", "") == name || row.value("address-pool", "") == name)
      out[servers].push_back(kind::row_state(row, server_fields));
    out["served_interfaces"].push_back(row.value("interface", ""));
  }
  for (auto& row : rows(bodies.at(2))) {
    auto addr = row.value("address", "");
    if (addr == params.value("network", "")
        || (range.first <= range.second
            && net_contains(addr, range.first, range.second)))
      out[networks].push_back(kind::row_state(row, network_fields));
  }
  for (auto& row : rows(bodies.at(3)))
    out["interfaces"].push_back(row.value("name", ""));
  return out;
}

// -- planning ---------------------------------------------------------------------------

std::string risk(const json& params, const std::vector<device_record>&,
                 std::vector<std::string>&) {
  return params["op"] == "remove" ? "high" : "medium";
}

bool listed(const json& list, const json& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

caf::error refuse(const std::string& text) {
  return make_error(ec::guard_refused, text);
}

caf::expected<change_step> plan_create(const json& params,
                                       const json& current) {
  change_step step;
  step.intended = current;
  auto name = params["pool_name"].get<std::string>();
  auto iface = params["interface"];
  auto& set = params["set"];
  if (!current[pools].empty())
    return refuse("a pool named " + name + " exists already");
  if (!current[servers].empty())
    return refuse("a DHCP server named " + name + " exists already");
  if (!current[networks].empty())
    return refuse("a DHCP network " + params["network"].get<std::string>()
                  + " exists already");
  if (!listed(current["interfaces"], iface))
    return refuse("interface: no interface " + iface.get<std::string>());
  if (listed(current["served_interfaces"], iface))
    return refuse("interface: " + iface.get<std::string>()
                  + " already has a DHCP server");
  json pool{{"id", ""}, {"name", name}, {"ranges", set["ranges"]}};
  json network{{"id", ""}, {"address", params["network"]}};
  for (auto* k : {"gateway", "dns-server"})
    if (set.contains(k) && set[k] != "")
      network[k] = set[k];
  json server{{"id", ""},
              {"name", name},
              {"interface", iface},
              {"address-pool", name},
              {"lease-time", set.value("lease-time", "30m")}};
  step.intended[pools].push_back(pool);
  step.intended[networks].push_back(network);
  step.intended[servers].push_back(server);
  step.requests.push_back(request("PUT", pools, kind::content(pool)));
  step.requests.push_back(request("PUT", networks, kind::content(network)));
  step.requests.push_back(request("PUT", servers, kind::creation(server)));
  return step;
}

caf::expected<change_step> plan(const json& params, const json& current,
                                const device_record&) {
  auto op = params["op"].get<std::string>();
  if (op == "create")
    return plan_create(params, current);
  change_step step;
  step.intended = current;
  auto name = params["pool_name"].get<std::string>();
  if (current[pools].size() != 1)
    return refuse("no pool named " + name);
  if (op == "remove") {
    for (auto* path : {&servers, &networks, &pools}) {
      for (auto& r : current[*path])
        step.requests.push_back(
          request("DELETE", *path + "/" + r["id"].get<std::string>()));
      step.intended[*path] = json::array();
    }
    return step;
  }
  auto& set = params["set"];
  auto& intended = step.intended;
  auto& pool = intended[pools][0];
  if (set.contains("ranges") && pool.value("ranges", "") != set["ranges"]) {
    auto r = range_of(set["ranges"]);
    for (auto& n : intended[networks])
      if (!net_contains(n["address"], r->first, r->second))
        return refuse("address_range: " + set["ranges"].get<std::string>()
                      + " is outside the pool's network "
                      + n["address"].get<std::string>());
    pool["ranges"] = set["ranges"];
    step.requests.push_back(request("PATCH",
                                    pools + "/" + pool["id"].get<std::string>(),
                                    {{"ranges", set["ranges"]}}));
  }
  if (set.contains("gateway") || set.contains("dns-server")) {
    if (intended[networks].size() != 1)
      return refuse(
        "the pool " + name + " has " + std::to_string(intended[networks].size())
        + " DHCP networks; gateway and dns_servers need exactly one");
    auto& n = intended[networks][0];
    if (set.contains("gateway"))
      if (auto err = check_gateway(set["gateway"], n["address"],
                                   pool.value("ranges", "")))
        return refuse(error_message(err));
    json body = json::object();
    for (auto* k : {"gateway", "dns-server"})
      if (set.contains(k) && n.value(k, "") != set[k]) {
        body[k] = set[k];
        n[k] = set[k];
        if (set[k] == "")
          n.erase(k);
      }
    if (!body.empty())
      step.requests.push_back(
        request("PATCH", networks + "/" + n["id"].get<std::string>(), body));
  }
  if (set.contains("lease-time")) {
    if (intended[servers].empty())
      return refuse("lease_time: no DHCP server hands out the pool " + name);
    for (auto& s : intended[servers])
      if (s.value("lease-time", "") != set["lease-time"]) {
        s["lease-time"] = set["lease-time"];
        step.requests.push_back(
          request("PATCH", servers + "/" + s["id"].get<std::string>(),
                  {{"lease-time", set["lease-time"]}}));
      }
  }
  return step;
}

std::string compare(const json&, const json& expected, const json& actual) {
  return kind::compare_tables(expected, actual);
}

std::vector<rest_request> restore(const json&, const json& snapshot,
                                  const json& now) {
  return kind::restore_tables(snapshot, now, {pools, networks, servers},
                              {servers});
}

// -- tools ------------------------------------------------------------------------------

void plan_create_tool(tool_call& call) {
  create_plan(call, dhcp_create_kind);
}

void plan_modify_tool(tool_call& call) {
  create_plan(call, dhcp_modify_kind);
}

void plan_remove_tool(tool_call& call) {
  create_plan(call, dhcp_remove_kind);
}

#define RMCP_POOL_NAME                                                         \
  R"("pool_name":{"type":"string","pattern":"^[A-Za-z0-9_.-]{1,60}$","description":"Pool and server name."})"

#define RMCP_DHCP_PROPS                                                                                     \
  RMCP_POOL_NAME                                                                                            \
  ","                                                                                                       \
  R"("address_range":{"type":"string","maxLength":40,"description":"e.g. 192.168.50.10-192.168.50.200."},)" \
  R"("gateway":{"type":"string","maxLength":40,"description":"Outside the range."},)"                       \
  R"("dns_servers":{"type":"array","maxItems":8,"items":{"type":"string"},"description":"IPs."},)"          \
  R"("lease_time":{"type":"string","maxLength":20,"description":"e.g. 30m, 1d."})"

// The reference project's argument names (docs/tools.md): its pool_id
// was the pool's name, its free-form `modifications` the settings below.
const argument_alias modify_pool_aliases[] = {
  {"pool_id", alias_kind::rename, "pool_name", nullptr},
  {"modifications", alias_kind::spread,
   "address_range,gateway,dns_servers,lease_time", nullptr},
};

const tool_entry table[] = {
  {"plan_create_dhcp_pool", "Plan a DHCP pool", mcp::tool_tier::professional,
   read_only_router,
   "Plans a DHCP service on 1-50 routers (allow_dhcp_writes): /ip/pool, "
   "its server on interface (existing, without one) and the network. "
   "Apply: apply_dhcp_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_DHCP_PROPS
                                                           R"(,
     "network":{"type":"string","maxLength":40,"description":"e.g. 10.5.0.0/24."},
     "interface":{"type":"string","maxLength":64,"description":"Server interface."}},
     "required":["device_ids","pool_name","address_range","network","interface"],"additionalProperties":false})",
   nullptr, plan_create_tool, 0, plan_created_schema},
  {"plan_modify_dhcp_pool", "Plan a DHCP pool change",
   mcp::tool_tier::professional, read_only_router,
   "Plans changing pool pool_name on 1-50 routers: range (inside its "
   "network), gateway, DNS, lease time. Apply: apply_dhcp_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_DHCP_PROPS
                                                           R"(},
     "required":["device_ids","pool_name"],"additionalProperties":false})",
   nullptr, plan_modify_tool, 0, plan_created_schema,
   aliases(modify_pool_aliases)},
  {"plan_remove_dhcp_pool", "Plan a DHCP pool removal",
   mcp::tool_tier::professional, read_only_router,
   "Plans removing pool pool_name with its DHCP servers and network on "
   "1-50 routers. High risk. Apply: apply_dhcp_plan.",
   R"({"type":"object","properties":{)" RMCP_PLAN_PROPS(1) "," RMCP_POOL_NAME
                                                           R"(},
     "required":["device_ids","pool_name"],"additionalProperties":false})",
   nullptr, plan_remove_tool, 0, plan_created_schema},
  {"apply_dhcp_plan", "Apply a DHCP plan", mcp::tool_tier::professional,
   write_destructive,
   "Runs an approved DHCP plan (single-use token from the approver); a "
   "failed gate restores every changed router.",
   RMCP_APPLY_SCHEMA, nullptr, apply_plan, apply_tool_timeout_ms,
   rollout_report_schema},
};

} // namespace

#define RMCP_DHCP_KIND(name, validate)                                         \
  change_kind {                                                                \
    name, "apply_dhcp_plan", &device_flags::allow_dhcp_writes, false, 1,       \
      validate, risk, reads, state, plan, compare, restore, nullptr,           \
  }

const change_kind dhcp_create_kind =
  RMCP_DHCP_KIND("dhcp_pool_create", validate_create);
const change_kind dhcp_modify_kind =
  RMCP_DHCP_KIND("dhcp_pool_modify", validate_modify);
const change_kind dhcp_remove_kind =
  RMCP_DHCP_KIND("dhcp_pool_remove", validate_remove);

caf::error register_dhcp_plan_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
