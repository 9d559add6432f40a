// DNS and NTP writes: update_dns_servers, update_ntp_servers,
// flush_dns_cache. Singleton menus are written with POST <menu>/set
//, never PATCH.

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/write_flow.hpp"

namespace rmcp::tools {

namespace {

/// A server list argument: IP addresses, and host names where RouterOS
/// takes them (NTP client yes; the DNS resolver's `servers` only takes
/// addresses).
caf::expected<std::vector<std::string>>
server_list(const tool_call& call, const char* arg, bool names_allowed) {
  std::vector<std::string> out;
  for (auto& s : call.args().value(arg, json::array())) {
    auto text = s.get<std::string>();
    if (!net::is_ip(text) && !(names_allowed && net::is_hostname(text)))
      return make_error(ec::invalid_arguments,
                        std::string{arg} + ": '" + text
                          + "' is not an IP address"
                          + (names_allowed ? " or a host name" : ""));
    out.push_back(std::move(text));
  }
  return out;
}

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

// -- update_dns_servers ---------------------------------------------------------------

void update_dns_servers(tool_call& call) {
  auto servers = server_list(call, "dns_servers", false);
  if (!servers) {
    call.fail(std::move(servers.error()));
    return;
  }
  with_device(call, [&call, servers{*servers}](device_handle dev) {
    write_spec spec;
    spec.reads = {"/ip/dns"};
    spec.state = [](std::vector<json>& bodies) {
      auto dns = ros::convert(bodies[0], dns_fields);
      return json{{"servers", dns.value("servers", json::array())}};
    };
    spec.plan = [servers](const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      json wanted = servers;
      // Order is the resolver's preference: a reordering is a change.
      if (before["servers"] == wanted)
        return plan;
      plan.changes["servers"] = change(before["servers"], wanted);
      plan.requests.push_back(
        post_request("/ip/dns/set", {{"servers", joined(servers)}}));
      return plan;
    };
    spec.summary = [servers](const json&) {
      return "DNS servers " + joined(servers);
    };
    run_write(call, dev, std::move(spec));
  });
}

// -- update_ntp_servers ----------------------------------------------------------------

void update_ntp_servers(tool_call& call) {
  auto servers = server_list(call, "ntp_servers", true);
  if (!servers) {
    call.fail(std::move(servers.error()));
    return;
  }
  auto enabled = call.arg<bool>("enabled", true);
  with_device(call, [&call, servers{*servers}, enabled](device_handle dev) {
    write_spec spec;
    spec.reads = {"/system/ntp/client"};
    spec.state = [](std::vector<json>& bodies) {
      auto ntp = ros::convert(bodies[0], ntp_fields);
      return json{{"servers", ntp.value("servers", json::array())},
                  {"enabled", ntp.value("enabled", false)}};
    };
    spec.plan = [servers,
                 enabled](const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      json wanted = servers;
      json body = json::object();
      if (before["servers"] != wanted) {
        plan.changes["servers"] = change(before["servers"], wanted);
        body["servers"] = joined(servers);
      }
      if (before["enabled"] != enabled) {
        plan.changes["enabled"] = change(before["enabled"], enabled);
        body["enabled"] = enabled ? "yes" : "no";
      }
      if (!body.empty())
        plan.requests.push_back(post_request("/system/ntp/client/set", body));
      return plan;
    };
    spec.summary = [servers](const json&) {
      return "NTP servers " + joined(servers);
    };
    run_write(call, dev, std::move(spec));
  });
}

// -- flush_dns_cache -----------------------------------------------------------------

void flush_dns_cache(tool_call& call) {
  with_device(call, [&call](device_handle dev) {
    write_spec spec;
    spec.reads = {"/ip/dns/cache"};
    spec.state = [](std::vector<json>& bodies) {
      return json{
        {"cache_entries", bodies[0].is_array() ? bodies[0].size() : 0}};
    };
    spec.plan = [](const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      auto n = before["cache_entries"].get<size_t>();
      if (n == 0)
        return plan;
      plan.changes["cache_entries"] = change(n, 0);
      plan.requests.push_back(
        post_request("/ip/dns/cache/flush", json::object()));
      return plan;
    };
    spec.report = [](const std::vector<rest_response>&, json& out) {
      out["entries_flushed"] = out["before"]["cache_entries"];
    };
    spec.summary = [](const json& out) {
      return "DNS cache (" + out["before"]["cache_entries"].dump()
             + " entries before)";
    };
    run_write(call, dev, std::move(spec));
  });
}

json servers_output() {
  return write_output_schema();
}

json flush_output() {
  return write_output_schema(
    {{"entries_flushed", {{"type", "integer"}, {"minimum", 0}}}});
}

#define RMCP_SERVERS(name, max, what)                                          \
  "\"" name "\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":" #max         \
  ",\"uniqueItems\":true,\"items\":{\"type\":\"string\",\"minLength\":1,"      \
  "\"maxLength\":253},\"description\":\"" what "\"}"

const tool_entry table[] = {
  {"update_dns_servers", "Update DNS servers", mcp::tool_tier::advanced,
   write_idempotent,
   "Replaces a router's upstream DNS servers (1-10 IP addresses, in order "
   "of preference); no change if already exactly that. Supports dry_run. "
   "Needs allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP
   "," RMCP_SERVERS("dns_servers", 10,
                    "Servers in order, e.g. "
                    "[\\\"1.1.1.1\\\",\\\"9.9.9.9\\\"].") "," RMCP_DRY_RUN_PROP
                                                          R"(},
     "required":["device_id","dns_servers"],"additionalProperties":false})",
   nullptr, update_dns_servers, 0, servers_output},
  {"update_ntp_servers", "Update NTP servers", mcp::tool_tier::advanced,
   write_idempotent,
   "Replaces a router's NTP servers (1-10 addresses or host names) and "
   "turns the client on or off (enabled, default true); no change if both "
   "match. Supports dry_run. Needs allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP "," RMCP_SERVERS(
     "ntp_servers", 10,
     "NTP servers, e.g. [\\\"time.cloudflare.com\\\"].") R"(,"enabled":{"type":"boolean","default":true,"description":"Run the NTP client."},)" RMCP_DRY_RUN_PROP
                                                         R"(},
     "required":["device_id","ntp_servers"],"additionalProperties":false})",
   nullptr, update_ntp_servers, 0, servers_output},
  {"flush_dns_cache", "Flush DNS cache", mcp::tool_tier::advanced,
   write_destructive,
   "Empties a router's DNS cache so names resolve afresh; reports "
   "entries_flushed, no change when empty. Supports dry_run. Needs "
   "allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP
   "," RMCP_DRY_RUN_PROP R"(},
     "required":["device_id"],"additionalProperties":false})",
   nullptr, flush_dns_cache, 0, flush_output},
};

#undef RMCP_SERVERS

} // namespace

caf::error register_dns_write_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
