#pragma once

// Plain-C++ vocabulary of the HTTP transport: one parsed request, and the
// bytes of responses and Server-Sent Events. No Beast here: connections
// parse with Beast and hand an `http_request` to the routes; everything
// written back is formatted by these functions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/error.hpp"
#include "protocol/identity.hpp"
#include "protocol/json.hpp"

namespace rmcp::transport {

/// Extra response header fields (name, value).
using header_list = std::vector<std::pair<std::string, std::string>>;

/// One request as the routes see it.
struct http_request {
  std::string method;
  /// Request target as sent ("/mcp", "/messages?sessionId=…").
  std::string target;
  /// `target` up to '?'.
  std::string path;
  /// `target` after '?' (empty when none).
  std::string query;
  /// 10 (HTTP/1.0) or 11 (HTTP/1.1).
  unsigned version = 11;
  bool keep_alive = true;
  std::string host;
  std::string origin;
  std::string accept;
  std::string content_type;
  /// Mcp-Session-Id.
  std::string session_id;
  /// MCP-Protocol-Version.
  std::string protocol_version;
  /// Mcp-Method and Mcp-Name (2026-07-28: mirror the body's method and
  /// its params.name or params.uri).
  std::string mcp_method;
  std::string mcp_name;
  /// Last-Event-ID (a GET stream resuming after a disconnect).
  std::string last_event_id;
  /// Authorization (e.g. "Bearer …"); never logged.
  std::string authorization;
  /// Cookie (the console's session cookie); never logged.
  std::string cookie;
  /// X-CSRF-Token (the console's POSTs); never logged.
  std::string csrf_token;
  /// W3C Trace Context `traceparent` (empty when absent).
  std::string traceparent;
  /// Who is calling, set by mcp_http once the request is authenticated.
  identity caller;
  std::string body;
  /// Remote address (for logs only).
  std::string peer;
};

/// Splits a target into path and query.
void split_target(std::string_view target, std::string& path,
                  std::string& query);

/// The value of `name` in an URL query ("a=1&b=2"), percent-decoded; empty
/// when absent.
std::string query_param(std::string_view query, std::string_view name);

/// Reason phrase of a status code ("Not Found").
std::string_view reason_phrase(unsigned status);

/// A complete response with Content-Length.
std::string format_response(unsigned version, unsigned status,
                            std::string_view content_type,
                            std::string_view body, const header_list& extra,
                            bool keep_alive);

/// The head of a streamed response: chunked on HTTP/1.1; on HTTP/1.0 the
/// body runs until the connection closes.
std::string format_stream_head(unsigned version, unsigned status,
                               std::string_view content_type,
                               const header_list& extra, bool keep_alive);

/// One chunk of a chunked body (empty `data` gives nothing: use last_chunk).
std::string format_chunk(std::string_view data);

/// The end of a chunked body.
std::string_view last_chunk();

/// One Server-Sent Event: "id: <id>\n" and "event: <event>\n" (each
/// omitted when empty), one "data: " line per line of `data`, then a blank
/// line.
std::string sse_event(std::string_view event, std::string_view data,
                      std::string_view id = {});

/// An SSE comment line (ignored by clients; keeps proxies and the
/// connection check alive).
std::string sse_comment(std::string_view text);

/// The HTTP `traceparent` header of `req` as the JSON-RPC request's
/// `params._meta.traceparent`, so that the call's request id follows the
/// caller's trace: only when the header is present and `message` is a
/// request whose `_meta` names neither a `requestId` nor a `traceparent`
/// of its own (the body wins). Rewrites `req.body` when it changes
/// `message`; a malformed value is ignored later, as for `_meta`.
void adopt_traceparent(http_request& req, json& message);

/// A JSON-RPC error object (id null) as the body of an HTTP-level refusal
/// (through the one error mapping of protocol/error.hpp).
std::string error_body(ec code, std::string message);

} // namespace rmcp::transport
