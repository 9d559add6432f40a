#pragma once

// The one error vocabulary of routeros-mcp.
//
// Every failure that crosses an actor or module boundary is a `caf::error`
// whose category is `rmcp` and whose code is an `rmcp::ec`. The context holds
// a human-readable message (see `make_error`). One function family below maps
// such an error to JSON-RPC: protocol faults become JSON-RPC error objects,
// everything else becomes a tool result with `isError: true`. Nothing else in
// the code base builds error JSON.

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <nlohmann/json.hpp>

namespace rmcp {

/// Error codes. Numbering is stable (persisted in audit records): append only.
enum class ec : uint8_t {
  // -- JSON-RPC protocol faults (answered as JSON-RPC error objects) ---------

  /// The line was not valid JSON (-32700).
  parse_error = 1,
  /// Valid JSON, but not a JSON-RPC 2.0 request/notification (-32600).
  invalid_request,
  /// The method does not exist or its capability was not negotiated (-32601).
  method_not_found,
  /// Malformed params or unknown tool/prompt name (-32602).
  invalid_params,
  /// A fault of the server unrelated to the tool's job (-32603).
  internal_error,
  /// `resources/read` of a URI that does not exist (-32002).
  resource_not_found,
  /// The server is draining and accepts no new requests (-32000).
  shutting_down,

  // -- tool execution faults (answered as tool results with isError) --------

  /// Arguments violate the tool's inputSchema (SEP-1303).
  invalid_arguments,
  /// No device is registered under the given id.
  device_not_found,
  /// The router could not be reached (connect refused, DNS, reset).
  router_unreachable,
  /// The router did not answer within the request timeout.
  router_timeout,
  /// The router rejected the credentials (HTTP 401).
  router_auth_failed,
  /// The router has no such item (HTTP 404).
  router_not_found,
  /// The router refused the request (HTTP 400/406/415); message is RouterOS's.
  router_bad_request,
  /// The router user lacks a policy (HTTP 403, or 500 "not enough permissions").
  router_permission_denied,
  /// The router failed internally (HTTP 5xx).
  router_server_error,
  /// The router answered something that is not valid RouterOS JSON.
  router_bad_response,
  /// TLS failed: certificate not trusted or pinned fingerprint mismatch.
  router_tls_failed,
  /// The device's circuit breaker is open after repeated failures.
  circuit_open,
  /// The device actor's queue is full; retry later.
  queue_full,
  /// A safety guard refused the change (management lock-out, overlap, ...).
  guard_refused,
  /// The device's environment differs from the service's.
  environment_mismatch,
  /// The device lacks the capability flag the tool needs.
  capability_denied,
  /// The caller's identity may not do this (RBAC, scope).
  forbidden,
  /// No or invalid caller identity.
  unauthorized,
  /// Too many requests; retry later.
  rate_limited,
  /// No plan with this id.
  plan_not_found,
  /// The plan is not in a state that allows the operation.
  plan_state_invalid,
  /// The approval token is malformed, tampered with or not for this plan.
  approval_invalid,
  /// The approval token has expired.
  approval_expired,
  /// The approval token was already used.
  approval_used,
  /// The change conflicts with the current state (duplicate, in use).
  conflict,
  /// The persistent store failed.
  store_failure,
  /// The tool did not finish within its deadline.
  tool_timeout,
  /// The request was cancelled by the client.
  cancelled,
  /// The operation is not supported by this device or configuration.
  unsupported,
  /// The router answered valid JSON of the wrong shape for the path (a
  /// list menu answered an object, a singleton lacks its identifying keys):
  /// for a few seconds after a boot RouterOS may answer another menu's body.
  router_bad_answer,
  /// Cluster: the device's owning node is unreachable, or no node has
  /// claimed the device yet (membership changing); retry shortly.
  device_moving,
  /// Cluster: this node is out of the cluster (its etcd lease lapsed or etcd
  /// is unreachable), so it takes no call that changes anything; retry
  /// through another node, or here once /health reports the cluster ok.
  node_out_of_cluster,
  /// Cluster: the shared store kept refusing the commit because other
  /// nodes' commits changed what it read (optimistic concurrency, retried
  /// a bounded number of times); nothing was changed, retry shortly.
  store_busy,
  /// SSH: the router presented another host key than the pinned one (a
  /// replaced router, or someone in between); nothing was sent.
  router_host_key_mismatch,
};

/// The last enumerator: loops over every code end here.
inline constexpr ec last_ec = ec::router_host_key_mismatch;

/// Returns the enumerator name, e.g. "router_timeout".
std::string to_string(ec x);

/// Parses an enumerator name; returns false for unknown names.
bool from_string(const std::string& name, ec& out);

/// Creates an error with code `x` and a human-readable, actionable message.
caf::error make_error(ec x, std::string message);

/// Returns the human-readable message stored in an error's context, or the
/// rendered code when there is none.
std::string error_message(const caf::error& err);

/// Returns the `rmcp::ec` of `err`, mapping CAF's own errors (request
/// timeouts, dead receivers, ...) onto the closest code.
ec error_code_of(const caf::error& err);

/// True for codes answered as JSON-RPC error objects rather than tool results.
bool is_protocol_fault(ec x);

/// True when retrying the same call later may succeed.
bool is_retryable(ec x);

/// JSON-RPC `code` for a protocol fault (e.g. -32602); -32001 for
/// unauthorized and -32003 for forbidden (a refused resources/read or
/// prompts/get). For other codes the generic -32603 is returned.
int jsonrpc_code(ec x);

/// The JSON-RPC error object `{code, message, data}` for `err`.
nlohmann::json to_jsonrpc_error(const caf::error& err);

/// The MCP `CallToolResult` with `isError: true` for `err`.
nlohmann::json to_tool_error_result(const caf::error& err);

/// The error a `to_tool_error_result` result carries (its `_meta.error_kind`
/// and message); internal_error for a result of another shape.
caf::error from_tool_error_result(const nlohmann::json& result);

} // namespace rmcp

CAF_ERROR_CODE_ENUM(rmcp::ec, "rmcp")
