// IP writes with guards: add_secondary_ip_address
// (the interface must exist, the network must not overlap an existing
// one), remove_secondary_ip_address (never the address the service
// manages the router through, never a dynamic one), and
// update_firewall_address_list (only lists named mcp-*).

#include "protocol/error.hpp"
#include "protocol/net_text.hpp"
#include "src/tools/ros_fields.hpp"
#include "src/tools/router_read.hpp"
#include "src/tools/tool_table.hpp"
#include "src/tools/tools.hpp"
#include "src/tools/write_flow.hpp"

namespace rmcp::tools {

namespace {

std::string created_id(const std::vector<rest_response>& replies) {
  if (replies.empty() || !replies.back().body.is_object())
    return {};
  return ros::text_of(replies.back().body, ".id").value_or("");
}

// -- add_secondary_ip_address -------------------------------------------------------

void add_secondary_ip_address(tool_call& call) {
  auto address = call.arg<std::string>("address", "");
  auto iface = call.arg<std::string>("interface", "");
  auto comment = call.arg<std::string>("comment", "");
  auto wanted = net::parse_prefix(address);
  if (!wanted || wanted->v6 || address.find('/') == std::string::npos) {
    call.fail(ec::invalid_arguments,
              "address: '" + address
                + "' is not an IPv4 address with prefix length, e.g. "
                  "192.168.50.1/24");
    return;
  }
  with_device(call, [&call, address, iface, comment,
                     wanted{*wanted}](device_handle dev) {
    write_spec spec;
    spec.reads = {"/ip/address", "/interface?name=" + url_encode(iface)};
    spec.state = [](std::vector<json>& bodies) {
      return json{
        {"addresses", ros::convert_rows(bodies[0], address_fields)},
        {"interface_exists", bodies[1].is_array() && !bodies[1].empty()}};
    };
    spec.plan = [address, iface, comment, wanted, id{dev.view.record.id}](
                  const json& before) -> caf::expected<write_plan> {
      if (!before["interface_exists"].get<bool>())
        return make_error(ec::resource_not_found,
                          "interface '" + iface + "' does not exist on device '"
                            + id + "' (see list_interfaces)");
      write_plan plan;
      for (auto& a : before["addresses"]) {
        auto existing = net::parse_prefix(a.value("address", ""));
        if (!existing || existing->v6)
          continue;
        if (a.value("address", "") == address
            && a.value("interface", "") == iface)
          return plan; // already there: nothing to do
        if (net::overlaps(net::network_of(*existing), net::network_of(wanted)))
          return make_error(ec::guard_refused,
                            "address " + address + " overlaps "
                              + a.value("address", "") + " (id "
                              + a.value("id", "?") + ") on interface "
                              + a.value("interface", "?") + " of device '" + id
                              + "'; overlapping networks are refused");
      }
      json body{{"address", address}, {"interface", iface}};
      if (!comment.empty())
        body["comment"] = comment;
      plan.changes["add"] = body;
      plan.requests.push_back(put_request("/ip/address", body));
      return plan;
    };
    spec.report = [](const std::vector<rest_response>& replies, json& out) {
      out["address_id"] = created_id(replies);
    };
    spec.summary = [address, iface](const json&) {
      return "address " + address + " on " + iface;
    };
    run_write(call, dev, std::move(spec));
  });
}

// -- remove_secondary_ip_address ------------------------------------------------------

void remove_secondary_ip_address(tool_call& call) {
  auto which = call.arg<std::string>("address_id", "");
  with_device(call, [&call, which](device_handle dev) {
    write_spec spec;
    spec.reads = {"/ip/address?.id=" + which};
    spec.state = [](std::vector<json>& bodies) {
      auto rows = ros::convert_rows(bodies[0], address_fields);
      return rows.empty() ? json::object() : rows[0];
    };
    spec.plan = [which, record{dev.view.record}](
                  const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      if (!before.contains("id"))
        return plan; // already gone: nothing to do
      auto text = before.value("address", "");
      if (before.value("dynamic", false))
        return make_error(ec::guard_refused,
                          "address " + text + " (" + which
                            + ") is dynamic (e.g. from DHCP) and cannot be "
                              "removed; change its source instead");
      auto net = net::parse_prefix(text);
      auto mgmt = net::parse_prefix(record.host);
      if (net && mgmt && net->v6 == mgmt->v6
          && net::contains(net::network_of(*net), *mgmt))
        return make_error(ec::guard_refused,
                          "address " + text + " (" + which
                            + ") holds the management address " + record.host
                            + " this service uses to reach "
                              "device '"
                            + record.id
                            + "'; removing it would cut the service off");
      if (!mgmt)
        plan.warnings.push_back("the management host '" + record.host
                                + "' is a name, not an address: could not "
                                  "check that this address does not carry it");
      plan.changes["remove"] = before;
      plan.requests.push_back(delete_request("/ip/address/" + which));
      return plan;
    };
    spec.summary = [which](const json& out) {
      return "address " + out["before"].value("address", which) + " removed";
    };
    run_write(call, dev, std::move(spec));
  });
}

// -- update_firewall_address_list -------------------------------------------------------

void update_firewall_address_list(tool_call& call) {
  auto list = call.arg<std::string>("list_name", "");
  auto address = call.arg<std::string>("address", "");
  auto action = call.arg<std::string>("action", "add");
  auto comment = call.arg<std::string>("comment", "");
  auto timeout = call.arg<std::string>("timeout", "");
  if (list.rfind("mcp-", 0) != 0) {
    call.fail(ec::guard_refused, "list_name: only address lists named mcp-* "
                                 "are managed by this service");
    return;
  }
  auto prefix = net::parse_prefix(address);
  if (!prefix) {
    call.fail(ec::invalid_arguments,
              "address: '" + address + "' is not an IP address or prefix");
    return;
  }
  // RouterOS prints host entries without "/32".
  auto canonical = prefix->length == prefix->max_length()
                     ? net::address_text(*prefix)
                     : net::to_string(net::network_of(*prefix));
  with_device(call, [&call, list, canonical, action, comment,
                     timeout](device_handle dev) {
    write_spec spec;
    spec.reads = {"/ip/firewall/address-list?list=" + url_encode(list)};
    spec.state = [canonical](std::vector<json>& bodies) {
      auto rows = ros::convert_rows(bodies[0], address_list_fields);
      json match = nullptr;
      for (auto& r : rows)
        if (r.value("address", "") == canonical)
          match = r;
      return json{{"entries", rows.size()}, {"entry", match}};
    };
    spec.plan = [list, canonical, action, comment,
                 timeout](const json& before) -> caf::expected<write_plan> {
      write_plan plan;
      auto& entry = before["entry"];
      if (action == "remove") {
        if (entry.is_null())
          return plan;
        plan.changes["remove"] = entry;
        plan.requests.push_back(delete_request(
          "/ip/firewall/address-list/" + entry["id"].get<std::string>()));
        return plan;
      }
      if (!entry.is_null())
        return plan;
      json body{{"list", list}, {"address", canonical}};
      if (!comment.empty())
        body["comment"] = comment;
      if (!timeout.empty())
        body["timeout"] = timeout;
      plan.changes["add"] = body;
      plan.requests.push_back(put_request("/ip/firewall/address-list", body));
      return plan;
    };
    spec.report = [](const std::vector<rest_response>& replies, json& out) {
      auto id = created_id(replies);
      if (!id.empty())
        out["entry_id"] = id;
    };
    spec.summary = [list, canonical, action](const json&) {
      return action + " " + canonical + " in " + list;
    };
    run_write(call, dev, std::move(spec));
  });
}

json add_output() {
  return write_output_schema({{"address_id", {{"type", "string"}}}});
}

json remove_output() {
  return write_output_schema();
}

json list_output() {
  return write_output_schema({{"entry_id", {{"type", "string"}}}});
}

const tool_entry table[] = {
  {"add_secondary_ip_address", "Add IP address", mcp::tool_tier::advanced,
   write_idempotent,
   "Adds an IPv4 address with prefix (e.g. 192.168.50.1/24) to an "
   "interface. Refused if the interface is missing or the network overlaps "
   "an existing address; no change if already there. Supports dry_run. "
   "Needs allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "address":{"type":"string","pattern":"^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$","description":"IPv4 address with prefix length."},
       "interface":{"type":"string","minLength":1,"maxLength":64,"description":"Interface name, e.g. ether2."},
       "comment":{"type":"string","maxLength":255,"description":"Optional comment."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id","address","interface"],"additionalProperties":false})",
   nullptr, add_secondary_ip_address, 0, add_output},
  {"remove_secondary_ip_address", "Remove IP address", mcp::tool_tier::advanced,
   write_destructive,
   "Removes an IP address by id (from list_ip_addresses). Refused for "
   "dynamic addresses and for the one carrying the service's management "
   "address; no change if gone. Supports dry_run. Needs "
   "allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "address_id":{"type":"string","pattern":"^\\*[0-9A-Fa-f]{1,8}$","description":"RouterOS .id, e.g. *3."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id","address_id"],"additionalProperties":false})",
   nullptr, remove_secondary_ip_address, 0, remove_output},
  {"update_firewall_address_list", "Update address list",
   mcp::tool_tier::advanced, write_idempotent,
   "Adds or removes an address/prefix in a firewall address list named "
   "mcp-* (the only ones this service manages); no change if already so. "
   "Optional comment and timeout (e.g. 1d). Supports dry_run. Needs "
   "allow_advanced_writes; audited.",
   R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP R"(,
       "list_name":{"type":"string","pattern":"^mcp-[A-Za-z0-9_.-]{1,60}$","description":"List name, e.g. mcp-blocked."},
       "address":{"type":"string","minLength":2,"maxLength":43,"description":"IP address or prefix."},
       "action":{"type":"string","enum":["add","remove"],"default":"add","description":"add or remove."},
       "comment":{"type":"string","maxLength":255,"description":"Comment of an added entry."},
       "timeout":{"type":"string","pattern":"^(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$","minLength":2,"description":"Lifetime of an added entry."},)" RMCP_DRY_RUN_PROP
   R"(},
     "required":["device_id","list_name","address"],"additionalProperties":false})",
   nullptr, update_firewall_address_list, 0, list_output},
};

} // namespace

caf::error register_ip_write_tools(tool_registry& reg) {
  return register_table(reg, table);
}

} // namespace rmcp::tools
