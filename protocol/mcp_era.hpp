#pragma once

// The 2026-07-28 era of MCP: stateless requests. A request that carries
// `_meta["io.modelcontextprotocol/protocolVersion"]` is served on its own
// (no initialize, no session); an `initialize` opens a handshake-era
// session as before. Both eras share one endpoint and one stdio process.
//
// Its protocol faults are `rmcp::ec` errors like every other: a header
// that does not mirror the body (-32020) and an unsupported version
// (-32022) are invalid_request errors that say so in their context, and
// `to_jsonrpc_error_2026` (protocol/error.cpp, beside the handshake-era
// mapping) gives them their codes; answered the handshake way they stay
// -32600.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>

#include "protocol/json.hpp"

namespace rmcp::mcp {

/// The stateless revision we speak.
inline constexpr std::string_view modern_version = "2026-07-28";

/// Every revision we speak, stateless first (server/discover, -32022).
const std::vector<std::string>& all_versions();

/// The reserved `_meta` keys of the 2026-07-28 era.
namespace meta_key {
inline constexpr const char* protocol_version =
  "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* client_capabilities =
  "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* client_info = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* log_level = "io.modelcontextprotocol/logLevel";
inline constexpr const char* server_info = "io.modelcontextprotocol/serverInfo";
inline constexpr const char* subscription_id =
  "io.modelcontextprotocol/subscriptionId";
} // namespace meta_key

/// What a request's params say about its era.
struct request_era {
  /// `_meta` names a protocol version: the request is served statelessly
  /// (also when `error` is set: it is answered the 2026 way).
  bool modern = false;
  /// The version it names ("" when not a string).
  std::string version;
  /// `_meta` logLevel as a rank of `log_levels()`, when given.
  std::optional<int> log_rank;
  /// Unusable `_meta`: a missing or malformed required field
  /// (invalid_params), or a version we do not speak (make_version_error).
  caf::error error;
};

/// Reads the era of a request from its `params` (any JSON value).
request_era read_era(const json& params);

// -- the faults of this era ----------------------------------------------------------

/// HeaderMismatch (-32020): an MCP-Protocol-Version, Mcp-Method or Mcp-Name
/// header is missing or differs from the body.
caf::error make_header_mismatch(std::string message);

/// UnsupportedProtocolVersion (-32022) for the version a client asked for;
/// the answer's `data` lists `supported` (all_versions) and `requested`.
caf::error make_version_error(std::string requested);

/// resource_not_found naming the URI (-32002 in the handshake era; -32602
/// with `data.uri` in this one).
caf::error make_resource_not_found(std::string uri, std::string message);

} // namespace rmcp::mcp

namespace rmcp {

/// The JSON-RPC error object `{code, message, data}` for `err` answering a
/// stateless request: as `to_jsonrpc_error`, except that an unknown
/// resource is -32602 (-32002 is reserved in this era; `data.uri` names
/// it when made by make_resource_not_found) and the faults above get
/// -32020 and -32022.
json to_jsonrpc_error_2026(const caf::error& err);

/// `{"jsonrpc":"2.0","id":…,"error":…}` with `to_jsonrpc_error_2026`.
json make_error_2026(const json& id, const caf::error& err);

} // namespace rmcp
