// Interface and bridge reads: list_interfaces, get_interface,
// get_interface_stats, list_bridges, list_bridge_ports.

#include <memory>

#include "protocol/error.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

constexpr ros::field interface_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"type", "type", kind::text},
  {"running", "running", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"comment", "comment", kind::text},
  {"mtu", "mtu", kind::uint},
  {"actual-mtu", "actual_mtu", kind::uint},
  {"l2mtu", "l2mtu", kind::uint},
  {"mac-address", "mac_address", kind::text},
  {"last-link-up-time", "last_link_up", kind::time},
  {"link-downs", "link_downs", kind::uint},
  {"rx-byte", "rx_bytes", kind::uint},
  {"tx-byte", "tx_bytes", kind::uint},
  {"rx-packet", "rx_packets", kind::uint},
  {"tx-packet", "tx_packets", kind::uint},
  {"rx-error", "rx_errors", kind::uint},
  {"tx-error", "tx_errors", kind::uint},
};

constexpr ros::field traffic_fields[] = {
  {"name", "name", kind::text},
  {"rx-bits-per-second", "rx_bits_per_second", kind::bps},
  {"tx-bits-per-second", "tx_bits_per_second", kind::bps},
  {"rx-packets-per-second", "rx_packets_per_second", kind::uint},
  {"tx-packets-per-second", "tx_packets_per_second", kind::uint},
  {"rx-errors-per-second", "rx_errors_per_second", kind::uint},
  {"tx-errors-per-second", "tx_errors_per_second", kind::uint},
};

constexpr ros::field bridge_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"running", "running", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"comment", "comment", kind::text},
  {"mtu", "mtu", kind::uint},
  {"actual-mtu", "actual_mtu", kind::uint},
  {"l2mtu", "l2mtu", kind::uint},
  {"mac-address", "mac_address", kind::text},
  {"arp", "arp", kind::text},
  {"ageing-time", "ageing_time_seconds", kind::seconds},
  {"priority", "priority", kind::text},
  {"protocol-mode", "protocol_mode", kind::text},
  {"fast-forward", "fast_forward", kind::boolean},
  {"vlan-filtering", "vlan_filtering", kind::boolean},
  {"pvid", "pvid", kind::uint},
};

constexpr ros::field bridge_port_fields[] = {
  {".id", "id", kind::text},
  {"interface", "interface", kind::text},
  {"bridge", "bridge", kind::text},
  {"disabled", "disabled", kind::boolean},
  {"inactive", "inactive", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"status", "status", kind::text},
  {"role", "role", kind::text},
  {"hw", "hw_offload", kind::boolean},
  {"pvid", "pvid", kind::uint},
  {"priority", "priority", kind::text},
  {"path-cost", "path_cost", kind::uint},
  {"edge", "edge", kind::text},
  {"learn", "learn", kind::text},
  {"trusted", "trusted", kind::boolean},
  {"frame-types", "frame_types", kind::text},
  {"ingress-filtering", "ingress_filtering", kind::boolean},
  {"comment", "comment", kind::text},
};

constexpr auto interfaces_read =
  make_list_read("/interface", interface_fields, "interfaces", "interfaces");
constexpr auto bridges_read =
  make_list_read("/interface/bridge", bridge_fields, "bridges", "bridges");
constexpr auto bridge_ports_read = make_list_read(
  "/interface/bridge/port", bridge_port_fields, "ports", "bridge ports");

// -- list_interfaces --------------------------------------------------------------

void list_interfaces(tool_call& call) {
  auto type = call.arg<std::string>("type", "");
  bool running_only = call.arg<bool>("running_only", false);
  run_list_read(call, interfaces_read,
                [type, running_only](const json&, const json& row) {
                  if (!type.empty() && row.value("type", "") != type)
                    return false;
                  return !running_only || row.value("running", false);
                });
}

// -- get_interface ------------------------------------------------------------------

void get_interface(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    auto which = call.arg<std::string>("interface", "");
    // An id is an item path; a name is a query: REST would read
    // /interface/<name> as the item too, but a name like "bridge" is also
    // a menu there, and the SSH console has no item-by-name path.
    bool by_id = which.size() > 1 && which[0] == '*';
    auto path = by_id ? "/interface/" + url_encode(which)
                      : "/interface?name=" + url_encode(which);
    device_request(
      call, dev.actor, get_request(path),
      [&call, which, by_id, id{dev.view.record.id}](rest_response& resp) {
        json item = resp.body;
        if (!by_id) {
          if (!resp.body.is_array() || resp.body.empty()) {
            call.fail(make_error(ec::router_not_found,
                                 id + ": no interface named '" + which + "'"));
            return;
          }
          item = resp.body[0];
        }
        auto row = ros::convert(item, interface_fields);
        auto text = "Interface on " + id + ":\n" + mcp::render_kv(row);
        call.finish({json{{"device_id", id}, {"interface", std::move(row)}},
                     std::move(text), false});
      });
  });
}

// -- get_interface_stats ---------------------------------------------------------------

void monitor(tool_call& call, const device_actor& dev, const std::string& id,
             const std::string& names) {
  rest_request req;
  req.method = "POST";
  req.path = "/interface/monitor-traffic";
  req.body = {{"interface", names}, {"once", ""}};
  device_request(call, dev, std::move(req), [&call, id](rest_response& resp) {
    auto rows = ros::convert_rows(resp.body, traffic_fields);
    auto n = rows.size();
    json out{{"device_id", id}, {"interfaces", std::move(rows)}, {"count", n}};
    finish_with_rows(call, std::move(out),
                     "Traffic of " + std::to_string(n) + " interfaces on " + id,
                     "interfaces");
  });
}

void get_interface_stats(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    auto id = dev.view.record.id;
    std::string names;
    for (auto& n : call.args().value("interfaces", json::array()))
      names += (names.empty() ? "" : ",") + n.get<std::string>();
    if (!names.empty()) {
      monitor(call, dev.actor, id, names);
      return;
    }
    device_request(call, dev.actor, get_request("/interface?disabled=false"),
                   [&call, actor{dev.actor}, id](rest_response& resp) {
                     std::string all;
                     if (resp.body.is_array())
                       for (auto& row : resp.body)
                         if (auto name = ros::text_of(row, "name"))
                           all += (all.empty() ? "" : ",") + *name;
                     if (all.empty()) {
                       json out{{"device_id", id},
                                {"interfaces", json::array()},
                                {"count", 0}};
                       finish_with_rows(call, std::move(out),
                                        "No enabled interfaces on " + id);
                       return;
                     }
                     monitor(call, actor, id, all);
                   });
  });
}

json interfaces_schema() {
  return list_output_schema(interfaces_read);
}

json interface_schema() {
  return {{"type", "object"},
          {"properties",
           {{"device_id", {{"type", "string"}}},
            {"interface", row_schema(interface_fields, {"id", "name"})}}},
          {"required", {"device_id", "interface"}}};
}

json traffic_schema() {
  return rows_output_schema("interfaces", row_schema(traffic_fields, {"name"}));
}

json bridges_schema() {
  return list_output_schema(bridges_read);
}

json bridge_ports_schema() {
  return list_output_schema(bridge_ports_read);
}

#define RMCP_IFACE_NAME                                                        \
  R"({"type":"string","minLength":1,"maxLength":64,"pattern":"^[^,]+$"})"

// The reference project's argument names (docs/tools.md).
const argument_alias get_interface_aliases[] = {
  {"interface_id", alias_kind::rename, "interface", nullptr},
};
const argument_alias interface_stats_aliases[] = {
  {"interface_names", alias_kind::rename, "interfaces", nullptr},
};

const tool_entry table[] = {
  {"list_interfaces",
   "List interfaces",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's interfaces (ethernet, bridge, vlan, wifi, "
   "tunnels...): id, name, type, running/disabled, comment, MTUs, MAC, "
   "last link-up time, byte/packet/error counters. Filters: type (e.g. "
   "ether, vlan), running_only.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "type":{"type":"string","maxLength":32,"description":"Only interfaces of this RouterOS type, e.g. ether, vlan, bridge, wg."},
       "running_only":{"type":"boolean","default":false,"description":"Only interfaces whose link is up."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   list_interfaces,
   0,
   interfaces_schema,
   {},
   output_check::typed},
  {"get_interface", "Get interface", mcp::tool_tier::fundamental,
   read_only_router,
   "Reads one interface by name (ether1) or id (*1): type, state, comment, "
   "MTUs, MAC, counters. Fails with router_not_found when it does not "
   "exist.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "interface":{"type":"string","minLength":1,"maxLength":64,"description":"Interface name or .id (*1)."}},
     "required":["device_id","interface"],"additionalProperties":false})",
   nullptr, get_interface, 0, interface_schema, aliases(get_interface_aliases),
   output_check::typed},
  {"get_interface_stats", "Interface traffic", mcp::tool_tier::fundamental,
   read_only_router,
   "Samples the traffic rate of interfaces once (monitor-traffic): bits, "
   "packets and errors per second each way. Default: every enabled "
   "interface.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "interfaces":{"type":"array","items":)" RMCP_IFACE_NAME
   R"(,"minItems":1,"maxItems":32,"uniqueItems":true,
         "description":"Interface names; default all enabled interfaces."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr, get_interface_stats, 0, traffic_schema,
   aliases(interface_stats_aliases), output_check::typed},
  {"list_bridges",
   "List bridges",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists the bridges of a router with state, MTUs, MAC, STP protocol mode "
   "and priority, ageing time in seconds, VLAN filtering and PVID.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_list_read(call, bridges_read); },
   0,
   bridges_schema,
   {},
   output_check::typed},
  {"list_bridge_ports",
   "List bridge ports",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's bridge ports: interface, bridge, STP role and status, "
   "PVID, frame types, ingress filtering, edge, hardware offload. Filter: "
   "bridge.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "bridge":{"type":"string","minLength":1,"maxLength":64,"description":"Only ports of this bridge."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   [](tool_call& call) {
     auto bridge = call.arg<std::string>("bridge", "");
     run_list_read(call, bridge_ports_read,
                   [bridge](const json&, const json& row) {
                     return bridge.empty() || row.value("bridge", "") == bridge;
                   });
   },
   0,
   bridge_ports_schema,
   {},
   output_check::typed},
};

#undef RMCP_IFACE_NAME

} // namespace

caf::error register_interface_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
