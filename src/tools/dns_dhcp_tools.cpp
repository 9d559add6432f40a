// DNS, NTP and DHCP reads: get_dns_status, get_dns_cache, get_ntp_status,
// get_dhcp_server_status, get_dhcp_leases. (The DNS/NTP writes live in
// dns_write_tools.cpp.)

#include <algorithm>

#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

constexpr ros::field dns_cache_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"type", "type", kind::text},
  {"data", "data", kind::text},
  {"ttl", "ttl_seconds", kind::seconds},
  {"static", "static", kind::boolean},
};

constexpr ros::field dhcp_server_fields[] = {
  {".id", "id", kind::text},
  {"name", "name", kind::text},
  {"interface", "interface", kind::text},
  {"address-pool", "address_pool", kind::text},
  {"lease-time", "lease_time_seconds", kind::seconds},
  {"lease-script", "lease_script", kind::text},
  {"authoritative", "authoritative", kind::text},
  {"bootp-support", "bootp_support", kind::text},
  {"add-arp", "add_arp", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"invalid", "invalid", kind::boolean},
  {"comment", "comment", kind::text},
};

constexpr ros::field lease_fields[] = {
  {".id", "id", kind::text},
  {"address", "address", kind::text},
  {"mac-address", "mac_address", kind::text},
  {"client-id", "client_id", kind::text},
  {"host-name", "host_name", kind::text},
  {"server", "server", kind::text},
  {"status", "status", kind::text},
  {"expires-after", "expires_after_seconds", kind::seconds},
  {"last-seen", "last_seen_seconds", kind::seconds},
  {"active-address", "active_address", kind::text},
  {"active-mac-address", "active_mac_address", kind::text},
  {"active-server", "active_server", kind::text},
  {"dynamic", "dynamic", kind::boolean},
  {"blocked", "blocked", kind::boolean},
  {"disabled", "disabled", kind::boolean},
  {"comment", "comment", kind::text},
};

constexpr auto dhcp_servers_read = make_list_read(
  "/ip/dhcp-server", dhcp_server_fields, "servers", "DHCP servers");
constexpr auto leases_read = make_list_read(
  "/ip/dhcp-server/lease", lease_fields, "leases", "DHCP leases");

// -- get_dns_status -----------------------------------------------------------------

void get_dns_status(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_request(call, dev.actor, get_request("/ip/dns"),
                   [&call, id{dev.view.record.id}](rest_response& resp) {
                     auto dns = ros::convert(resp.body, dns_fields);
                     dns["device_id"] = id;
                     call.finish({std::move(dns), {}, false});
                   });
  });
}

// -- get_dns_cache ------------------------------------------------------------------

void get_dns_cache(tool_call& call) {
  auto limit = call.arg<size_t>("limit", 100);
  auto name = call.arg<std::string>("name", "");
  with_device(call, [&call, limit, name](device_handle dev) {
    device_request(
      call, dev.actor, get_request("/ip/dns/cache"),
      [&call, limit, name, id{dev.view.record.id}](rest_response& resp) {
        json rows = json::array();
        size_t total = 0;
        if (resp.body.is_array())
          for (auto& raw : resp.body) {
            ++total;
            auto text = ros::text_of(raw, "name").value_or("");
            if (!name.empty() && text.find(name) == std::string::npos)
              continue;
            if (rows.size() < limit)
              rows.push_back(ros::convert(raw, dns_cache_fields));
          }
        auto n = rows.size();
        json out{{"device_id", id},
                 {"entries", std::move(rows)},
                 {"count", n},
                 {"total_count", total}};
        finish_with_rows(call, std::move(out),
                         std::to_string(n) + " of " + std::to_string(total)
                           + " DNS cache entries on " + id,
                         "entries");
      });
  });
}

// -- get_ntp_status -----------------------------------------------------------------

void get_ntp_status(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    device_request(call, dev.actor, get_request("/system/ntp/client"),
                   [&call, id{dev.view.record.id}](rest_response& resp) {
                     auto ntp = ros::convert(resp.body, ntp_fields);
                     ntp["device_id"] = id;
                     call.finish({std::move(ntp), {}, false});
                   });
  });
}

// -- get_dhcp_leases ------------------------------------------------------------------

void get_dhcp_leases(tool_call& call) {
  auto status = call.arg<std::string>("status", "");
  auto server = call.arg<std::string>("server", "");
  run_list_read(call, leases_read,
                [status, server](const json&, const json& row) {
                  if (!status.empty() && row.value("status", "") != status)
                    return false;
                  return server.empty() || row.value("server", "") == server;
                });
}

json object_schema(json row, const char* required) {
  row["properties"]["device_id"] = {{"type", "string"}};
  row["required"] = {"device_id", required};
  return row;
}

json dns_schema() {
  return object_schema(row_schema(dns_fields), "servers");
}

json dns_cache_schema() {
  return rows_output_schema("entries", row_schema(dns_cache_fields),
                            {{"total_count", {{"type", "integer"}}}});
}

json ntp_schema() {
  return object_schema(row_schema(ntp_fields), "enabled");
}

json dhcp_servers_schema() {
  return list_output_schema(dhcp_servers_read);
}

json leases_schema() {
  return list_output_schema(leases_read);
}

const tool_entry table[] = {
  {"get_dns_status",
   "DNS settings",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's DNS resolver settings: static and dynamic upstream "
   "servers, remote requests allowed, cache size and use in KiB, TTL and "
   "timeouts in seconds.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   get_dns_status,
   0,
   dns_schema,
   {},
   output_check::typed},
  {"get_dns_cache",
   "DNS cache",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's DNS cache: name, type, data, TTL in seconds. `limit` "
   "(1-1000, default 100) applies after the `name` substring filter; "
   "total_count is the cache size.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "limit":{"type":"integer","minimum":1,"maximum":1000,"default":100,"description":"Most entries to return."},
       "name":{"type":"string","minLength":1,"maxLength":253,"description":"Only names containing this text."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   get_dns_cache,
   0,
   dns_cache_schema,
   {},
   output_check::typed},
  {"get_ntp_status",
   "NTP client status",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's NTP client: enabled, mode, configured servers, sync "
   "status (synchronized, waiting, stopped...), the server it synced to, "
   "stratum and clock offset in seconds.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   get_ntp_status,
   0,
   ntp_schema,
   {},
   output_check::typed},
  {"get_dhcp_server_status",
   "DHCP servers",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's DHCP servers: name, interface, address pool, lease "
   "time in seconds, authoritative, disabled/invalid state.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_list_read(call, dhcp_servers_read); },
   0,
   dhcp_servers_schema,
   {},
   output_check::typed},
  {"get_dhcp_leases",
   "DHCP leases",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's DHCP leases: address, MAC, client id, host name, "
   "server, status, expiry and last seen in seconds, flags. Filters: "
   "status, server.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "status":{"type":"string","enum":["bound","waiting","offered","busy"],"description":"Only leases in this state."},
       "server":{"type":"string","minLength":1,"maxLength":64,"description":"Only leases of this DHCP server."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   get_dhcp_leases,
   0,
   leases_schema,
   {},
   output_check::typed},
};

} // namespace

caf::error register_dns_dhcp_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
