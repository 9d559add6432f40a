// IP addressing reads: list_ip_addresses, get_ip_address, get_arp_table.
// (The address writes live in ip_write_tools.cpp.)

#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

constexpr ros::field arp_fields[] = {
  {".id", "id", kind::text},
  {"address", "address", kind::text},
  {"mac-address", "mac_address", kind::text},
  {"interface", "interface", kind::text},
  {"status", "status", kind::text},
  {"published", "published", kind::boolean},
  {"complete", "complete", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"dhcp", "dhcp", kind::boolean},
  {"invalid", "invalid", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"comment", "comment", kind::text},
};

constexpr auto addresses_read =
  make_list_read("/ip/address", address_fields, "addresses", "IP addresses");
constexpr auto arp_read =
  make_list_read("/ip/arp", arp_fields, "entries", "ARP entries");

void list_ip_addresses(tool_call& call) {
  auto iface = call.arg<std::string>("interface", "");
  run_list_read(call, addresses_read, [iface](const json&, const json& row) {
    return iface.empty() || row.value("interface", "") == iface;
  });
}

void get_ip_address(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    auto which = call.arg<std::string>("address_id", "");
    device_request(
      call, dev.actor, get_request("/ip/address/" + which),
      [&call, id{dev.view.record.id}](rest_response& resp) {
        auto row = ros::convert(resp.body, address_fields);
        auto text = "IP address on " + id + ":\n" + mcp::render_kv(row);
        call.finish({json{{"device_id", id}, {"address", std::move(row)}},
                     std::move(text), false});
      });
  });
}

void get_arp_table(tool_call& call) {
  auto iface = call.arg<std::string>("interface", "");
  run_list_read(call, arp_read, [iface](const json&, const json& row) {
    return iface.empty() || row.value("interface", "") == iface;
  });
}

json addresses_schema() {
  return list_output_schema(addresses_read);
}

json address_schema() {
  return {{"type", "object"},
          {"properties",
           {{"device_id", {{"type", "string"}}},
            {"address", row_schema(address_fields, {"id", "address"})}}},
          {"required", {"device_id", "address"}}};
}

json arp_schema() {
  return list_output_schema(arp_read);
}

#define RMCP_IFACE_FILTER                                                      \
  R"("interface":{"type":"string","minLength":1,"maxLength":64,)"              \
  R"("description":"Only entries on this interface."})"

const tool_entry table[] = {
  {"list_ip_addresses",
   "List IP addresses",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's IPv4 addresses: id, address/prefix, network, "
   "interface, dynamic (e.g. DHCP), disabled, invalid, comment. Filter: "
   "interface.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP
   "," RMCP_IFACE_FILTER R"(},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   list_ip_addresses,
   0,
   addresses_schema,
   {},
   output_check::typed},
  {"get_ip_address",
   "Get IP address",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads one IP address entry by its RouterOS id (e.g. \"*3\", from "
   "list_ip_addresses). Fails with router_not_found when it does not exist.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "address_id":{"type":"string","pattern":"^\\*[0-9A-Fa-f]{1,8}$","description":"RouterOS .id of the address, e.g. *3."}},
     "required":["device_id","address_id"],"additionalProperties":false})",
   nullptr,
   get_ip_address,
   0,
   address_schema,
   {},
   output_check::typed},
  {"get_arp_table",
   "ARP table",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's ARP table: IP, MAC, interface, status, flags "
   "(dynamic, dhcp, complete, published). Filter: interface.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP
   "," RMCP_IFACE_FILTER R"(},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   get_arp_table,
   0,
   arp_schema,
   {},
   output_check::typed},
};

#undef RMCP_IFACE_FILTER

} // namespace

caf::error register_ip_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
