// Firewall and log reads: list_firewall_filter_rules,
// list_firewall_nat_rules, list_firewall_address_lists, get_recent_logs,
// get_logging_config. (update_firewall_address_list lives in
// ip_write_tools.cpp.)

#include <algorithm>
#include <cctype>

#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"

namespace rmcp::tools {

namespace {

using ros::kind;

/// Filter and NAT rules share most matchers; absent ones are omitted.
constexpr ros::field rule_fields[] = {
  {".id", "id", kind::text},
  {"chain", "chain", kind::text},
  {"action", "action", kind::text},
  {"protocol", "protocol", kind::text},
  {"src-address", "src_address", kind::text},
  {"dst-address", "dst_address", kind::text},
  {"src-port", "src_port", kind::text},
  {"dst-port", "dst_port", kind::text},
  {"in-interface", "in_interface", kind::text},
  {"out-interface", "out_interface", kind::text},
  {"in-interface-list", "in_interface_list", kind::text},
  {"out-interface-list", "out_interface_list", kind::text},
  {"src-address-list", "src_address_list", kind::text},
  {"dst-address-list", "dst_address_list", kind::text},
  {"connection-state", "connection_state", kind::list},
  {"jump-target", "jump_target", kind::text},
  {"to-addresses", "to_addresses", kind::text},
  {"to-ports", "to_ports", kind::text},
  {"log", "log", kind::boolean},
  {"log-prefix", "log_prefix", kind::text},
  {"disabled", "disabled", kind::boolean},
  {"dynamic", "dynamic", kind::boolean},
  {"invalid", "invalid", kind::boolean},
  {"bytes", "bytes", kind::uint},
  {"packets", "packets", kind::uint},
  {"comment", "comment", kind::text},
};

constexpr ros::field log_fields[] = {
  {".id", "id", kind::text},
  {"time", "time", kind::time},
  {"topics", "topics", kind::list},
  {"message", "message", kind::text},
};

constexpr ros::field logging_fields[] = {
  {".id", "id", kind::text},
  {"topics", "topics", kind::list},
  {"action", "action", kind::text},
  {"prefix", "prefix", kind::text},
  {"disabled", "disabled", kind::boolean},
  {"invalid", "invalid", kind::boolean},
  {"default", "default", kind::boolean},
  {"comment", "comment", kind::text},
};

constexpr auto filter_read =
  make_list_read("/ip/firewall/filter", rule_fields, "rules", "filter rules");
constexpr auto nat_read =
  make_list_read("/ip/firewall/nat", rule_fields, "rules", "NAT rules");
constexpr auto logging_read =
  make_list_read("/system/logging", logging_fields, "rules", "logging rules");

row_filter chain_filter(const tool_call& call) {
  auto chain = call.arg<std::string>("chain", "");
  return [chain](const json&, const json& row) {
    return chain.empty() || row.value("chain", "") == chain;
  };
}

void list_address_lists(tool_call& call) {
  auto list = call.arg<std::string>("list_name", "");
  with_device(call, [&call, list](device_handle dev) {
    auto path = std::string{"/ip/firewall/address-list"};
    if (!list.empty())
      path += "?list=" + url_encode(list);
    device_request(
      call, dev.actor, get_request(path),
      [&call, id{dev.view.record.id}](rest_response& resp) {
        auto rows = ros::convert_rows(resp.body, address_list_fields);
        auto n = rows.size();
        json out{{"device_id", id}, {"entries", std::move(rows)}, {"count", n}};
        finish_with_rows(call, std::move(out),
                         std::to_string(n) + " address-list entries on " + id,
                         "entries");
      });
  });
}

// -- get_recent_logs ------------------------------------------------------------------

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

/// "2025-12-11 22:52:33" → "2025-12-11T22:52:33" (argument times).
std::string iso_arg(std::string s) {
  if (s.size() > 10 && s[10] == ' ')
    s[10] = 'T';
  return s;
}

struct log_query {
  size_t limit = 100;
  std::vector<std::string> topics;
  std::string message;
  std::string since;
  std::string until;

  bool keep(const json& row) const {
    if (!topics.empty()) {
      bool any = false;
      for (auto& t : row.value("topics", json::array()))
        any = any
              || std::find(topics.begin(), topics.end(), t.get<std::string>())
                   != topics.end();
      if (!any)
        return false;
    }
    if (!message.empty()
        && lower(row.value("message", "")).find(message) == std::string::npos)
      return false;
    if (since.empty() && until.empty())
      return true;
    auto t = row.value("time", "");
    if (t.empty())
      return false; // unparseable times never match a time window
    return (since.empty() || t >= since) && (until.empty() || t <= until);
  }
};

void get_recent_logs(tool_call& call) {
  log_query q;
  q.limit = call.arg<size_t>("limit", 100);
  for (auto& t : call.args().value("topics", json::array()))
    q.topics.push_back(t.get<std::string>());
  q.message = lower(call.arg<std::string>("message", ""));
  q.since = iso_arg(call.arg<std::string>("since", ""));
  q.until = iso_arg(call.arg<std::string>("until", ""));
  with_device(call, [&call, q](device_handle dev) {
    // The clock gives the date that short log timestamps ("12:52:49",
    // "dec/09 12:52:49") leave out.
    read_all(
      call, dev.actor, {"/log", "/system/clock"},
      [&call, q, id{dev.view.record.id}](std::vector<json>& bodies) {
        auto date = ros::convert_value(bodies[1], "date", ros::kind::date);
        auto today = date ? date->get<std::string>() : std::string{};
        json rows = json::array();
        size_t total = 0, matched = 0;
        if (bodies[0].is_array()) {
          total = bodies[0].size();
          // RouterOS lists oldest first: walk backwards so the
          // limit keeps the newest matches.
          for (auto i = bodies[0].rbegin(); i != bodies[0].rend(); ++i) {
            auto row = ros::convert(*i, log_fields, today);
            if (!q.keep(row))
              continue;
            ++matched;
            if (rows.size() < q.limit)
              rows.push_back(std::move(row));
          }
        }
        auto n = rows.size();
        json out{{"device_id", id},
                 {"entries", std::move(rows)},
                 {"count", n},
                 {"matched_count", matched},
                 {"total_count", total}};
        finish_with_rows(call, std::move(out),
                         std::to_string(n) + " of " + std::to_string(matched)
                           + " matching log entries (newest first, "
                           + std::to_string(total) + " on " + id + ")",
                         "entries");
      });
  });
}

json rules_schema() {
  return list_output_schema(filter_read);
}

json address_lists_schema() {
  return rows_output_schema("entries", row_schema(address_list_fields));
}

json logs_schema() {
  json count{{"type", "integer"}, {"minimum", 0}};
  return rows_output_schema("entries", row_schema(log_fields),
                            {{"matched_count", count}, {"total_count", count}});
}

json logging_schema() {
  return list_output_schema(logging_read);
}

#define RMCP_CHAIN_INPUT                                                       \
  R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,)"              \
  R"("chain":{"type":"string","minLength":1,"maxLength":64,)"                  \
  R"("description":"Only rules of this chain."}},)"                            \
  R"("required":["device_id"],"additionalProperties":false})"

// The reference project's argument names (docs/tools.md).
const argument_alias recent_logs_aliases[] = {
  {"start_time", alias_kind::rename, "since", nullptr},
  {"end_time", alias_kind::rename, "until", nullptr},
};

const tool_entry table[] = {
  {"list_firewall_filter_rules",
   "Firewall filter rules",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's IPv4 firewall filter rules in order: chain, action, "
   "matchers (protocol, addresses, ports, interfaces, lists, connection "
   "state), log, disabled, counters, comment. Filter: chain.",
   RMCP_CHAIN_INPUT,
   nullptr,
   [](tool_call& call) {
     run_list_read(call, filter_read, chain_filter(call));
   },
   0,
   rules_schema,
   {},
   output_check::typed},
  {"list_firewall_nat_rules",
   "Firewall NAT rules",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's IPv4 NAT rules in order: chain (srcnat, dstnat), "
   "action (masquerade, dst-nat...), matchers, to-addresses/to-ports, "
   "counters, comment. Optional filter: chain.",
   RMCP_CHAIN_INPUT,
   nullptr,
   [](tool_call& call) { run_list_read(call, nat_read, chain_filter(call)); },
   0,
   rules_schema,
   {},
   output_check::typed},
  {"list_firewall_address_lists",
   "Firewall address lists",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's firewall address-list entries: list, address, timeout "
   "in seconds, creation time, disabled, comment. Filter: list_name.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "list_name":{"type":"string","minLength":1,"maxLength":64,"description":"Only entries of this list."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr,
   list_address_lists,
   0,
   address_lists_schema,
   {},
   output_check::typed},
  {"get_recent_logs", "Recent logs", mcp::tool_tier::fundamental,
   read_only_router,
   "Reads a router's memory log, newest first: id, time (router local, ISO "
   "8601), topics, message. Filters: topics (any of), message (substring, "
   "any case), since/until (inclusive). `limit` (1-1000, default 100) "
   "applies after filtering.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "limit":{"type":"integer","minimum":1,"maximum":1000,"default":100,"description":"Most entries to return (newest first)."},
       "topics":{"type":"array","items":{"type":"string","pattern":"^[a-z0-9-]{1,32}$"},"minItems":1,"maxItems":16,
         "description":"Entries having any of these topics, e.g. [\"system\",\"error\"]."},
       "message":{"type":"string","minLength":1,"maxLength":256,"description":"Case-insensitive text the message contains."},
       "since":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}$","description":"Oldest entry time, YYYY-MM-DD HH:MM:SS."},
       "until":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}$","description":"Newest entry time."}},
     "required":["device_id"],"additionalProperties":false})",
   nullptr, get_recent_logs, 0, logs_schema, aliases(recent_logs_aliases),
   output_check::typed},
  {"get_logging_config",
   "Logging rules",
   mcp::tool_tier::fundamental,
   read_only_router,
   "Lists a router's logging rules: which topics go to which action "
   "(memory, disk, remote syslog...), prefix, disabled.",
   RMCP_DEVICE_ONLY_INPUT,
   nullptr,
   [](tool_call& call) { run_list_read(call, logging_read); },
   0,
   logging_schema,
   {},
   output_check::typed},
};

#undef RMCP_CHAIN_INPUT

} // namespace

caf::error register_firewall_log_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
