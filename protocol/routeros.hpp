#pragma once

// RouterOS REST vocabulary: one request to a router and its answer.
//
// Paths are RouterOS menu paths without the "/rest" prefix, with an optional
// query string: "/system/resource", "/ip/address?interface=ether1",
// "/ip/address/*3", "/tool/ping". The REST client adds "/rest".
//
// The right verb per operation: GET = print (list,
// single item, singleton); PUT = add; PATCH = set on an item (never on a
// singleton menu: use POST "<menu>/set"); DELETE = remove; POST = any
// command ("<menu>/add" answers {"ret":"*N"}, streaming commands need
// count/once/duration).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include "protocol/json.hpp"

namespace rmcp {

/// What a request to a router was made for, carried with it down to the
/// device actor and written on its log line of the REST call.
struct request_context {
  /// The MCP request it serves (see mcp_session: made per tools/call or
  /// taken from the client's `_meta` / `traceparent`); empty when none.
  std::string request_id;
  /// The plan whose rollout makes it; empty outside rollouts.
  std::string plan_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_context& x) {
  return f(caf::meta::type_name("request_context"), x.request_id, x.plan_id);
}

struct rest_request {
  /// GET, PUT, PATCH, DELETE or POST.
  std::string method = "GET";
  std::string path;
  /// JSON body; null = no body.
  json body;
  /// Write lease held by the caller (see device_actor); 0 = none.
  uint64_t lease = 0;
  /// Per-request timeout; 0 = the device default.
  int64_t timeout_ms = 0;
  request_context context;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_request& x) {
  return f(caf::meta::type_name("rest_request"), x.method, x.path, x.body,
           x.lease, x.timeout_ms, x.context);
}

/// The request builders: the one definition tools and the rollout
/// coordinator use (verbs as in the table at the top of this file).
rest_request make_request(std::string method, std::string path,
                          json body = nullptr);
/// print: a list, one item or a singleton menu.
rest_request get_request(std::string path);
/// A command, e.g. "/ip/dns/set" on a singleton menu or "/tool/ping".
rest_request post_request(std::string path, json body);
/// add: creates an item of a list menu.
rest_request put_request(std::string path, json body);
/// set on one item ("/interface/*1"); never on a singleton menu.
rest_request patch_request(std::string path, json body);
/// remove one item.
rest_request delete_request(std::string path);

/// True for requests that change nothing on the router and may be retried:
/// GET, and POST of "print" / monitor-style commands with once/count.
bool is_idempotent_read(const rest_request& req);

/// True for requests that change router state (need the write lock).
bool is_write(const rest_request& req);

struct rest_response {
  /// HTTP status of a successful answer (2xx).
  int32_t status = 200;
  /// Parsed JSON body; null for an empty body (DELETE → 204).
  json body;
  /// Round trip as measured by the client.
  int64_t latency_us = 0;
  /// How the answer came: "rest" or "ssh" (RouterOS console commands).
  std::string transport = "rest";
  /// Over SSH because REST was unreachable (device transport "auto").
  bool fallback_used = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_response& x) {
  return f(caf::meta::type_name("rest_response"), x.status, x.body,
           x.latency_us, x.transport, x.fallback_used);
}

/// The `Authorization` header value of HTTP Basic auth.
std::string basic_authorization(const std::string& user,
                                const std::string& password);

/// Parses a RouterOS answer body. RouterOS does not always escape control
/// characters inside strings and may send names in the device's code page
///: when the strict parse fails, bytes < 0x20 inside
/// strings are escaped and invalid UTF-8 becomes U+FFFD, then it parses
/// again. An empty body is null; nullopt means not JSON even after repair.
std::optional<json> parse_rest_body(std::string_view body);

/// Maps one HTTP answer of a router to a response or an `rmcp::ec` error
/// (the single place for this mapping; see rest_client.hpp for the kinds).
/// `what` names the request in messages ("edge-01: GET /system/resource");
/// a 400's message carries RouterOS's `detail` verbatim after "what: ".
caf::expected<rest_response> map_rest_answer(const std::string& what,
                                             int status, std::string_view body);

/// True for RouterOS's answer to a menu of a package the router lacks
/// (400 "no such command or directory (wireless)"; over SSH the console's
/// "bad command name wireless"),
/// e.g. /interface/wireless on a router with the wifi driver.
bool is_absent_menu(const caf::error& err);

/// A request as RouterOS console text for the SSH transport. Reads print
/// their answer as JSON with `:serialize` (RouterOS 7.13+):
///   GET  /ip/address?interface=x  → :put [:serialize to=json
///        value=[/ip/address/print as-value where interface="x"]]
///   GET  /interface/*1            → ... where .id=*1 (one item)
///   POST /interface/monitor-traffic {"interface":"x","once":true}
///        → ... value=[/interface/monitor-traffic interface="x" once=yes
///          as-value]
/// Writes (only when `writes` is true: devices of transport "ssh"):
///   PATCH /menu/*1 {..} → /menu/set *1 k="v"; then the item printed
///   DELETE /menu/*1     → /menu/remove *1
///   POST /menu/cmd {..} → /menu/cmd k="v"
///   PUT /menu {..}      → :put [/menu/add k="v"], which prints the new
///                         id; `reads_back` asks the caller to read that
///                         item next (ssh_read_back) for REST's answer.
/// Every value is a ros_script literal and every name a checked
/// identifier; a write with `writes` false is ec::unsupported, bad names
/// ec::invalid_arguments.
struct ssh_command {
  std::string text;
  bool reads_back = false;
};

caf::expected<ssh_command> make_ssh_command(const rest_request& req,
                                            bool writes);

/// After a PUT's `:put [/menu/add …]`: the GET of the new item, from the
/// printed id (router_bad_response when the output is no item id).
caf::expected<rest_request> ssh_read_back(const std::string& what,
                                          const rest_request& put,
                                          std::string_view output);

/// Turns the console's answer to `make_ssh_command(req)` into the body
/// REST would give: JSON parsed (the same repair as REST bodies), typed
/// values back to RouterOS's strings (true → "true", 5 → "5", arrays joined
/// with commas), one item for an item path (none → router_not_found), null
/// for DELETE and [] for a command that printed nothing. A console error
/// line ("bad command name …", "no such item", "failure: …") is
/// router_bad_request (a missing package's menu reads as `is_absent_menu`),
/// router_not_found or router_permission_denied; anything else unparsable
/// is router_bad_response.
caf::expected<json> ssh_read_answer(const std::string& what,
                                    const rest_request& req,
                                    std::string_view output);

} // namespace rmcp
