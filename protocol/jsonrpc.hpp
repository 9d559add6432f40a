#pragma once

// JSON-RPC 2.0 framing for MCP: classify one incoming message and build the
// outgoing ones. Pure functions, no I/O.

#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "protocol/json.hpp"

namespace rmcp::jsonrpc {

enum class kind {
  /// Has `method` and `id`: must be answered.
  request,
  /// Has `method`, no `id`: never answered.
  notification,
  /// Has `result` or `error` and an `id`: an answer to a request we sent.
  response,
  /// Not a usable JSON-RPC message; `error` says why, `id` is set when it
  /// could be recovered (then the error is answered with that id).
  invalid,
};

struct message {
  kind type = kind::invalid;
  /// String or integer id; null for notifications and unrecoverable faults.
  json id;
  std::string method;
  /// Object, array, or null when absent.
  json params;
  /// For responses: the `result` or `error` member.
  json payload;
  /// For `kind::invalid`: parse_error or invalid_request.
  caf::error error;
};

/// Classifies one framed message (one stdio line, one HTTP body).
message parse(std::string_view text);

/// Classifies an already parsed JSON value.
message classify(const json& value);

/// `{"jsonrpc":"2.0","id":…,"result":…}`
json make_result(const json& id, json result);

/// `{"jsonrpc":"2.0","id":…,"error":{code,message,data}}` via the one mapping.
json make_error(const json& id, const caf::error& err);

/// `{"jsonrpc":"2.0","method":…,"params":…}`
json make_notification(std::string method, json params);

/// A stable string key for a request id ("" for null), used to correlate
/// responses with the transport request that carried them.
std::string id_key(const json& id);

} // namespace rmcp::jsonrpc
