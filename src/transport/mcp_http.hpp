#pragma once

// The MCP routes of the HTTP listener:
//
// | route                  | revision          | what                             |
// |------------------------|-------------------|----------------------------------|
// | POST /mcp              | 2025-03-26 ..     | one JSON-RPC message; initialize |
// |                        | 2025-11-25        | opens a session (Mcp-Session-Id) |
// | GET /mcp               |                   | SSE stream for unrelated server  |
// |                        |                   | messages (one per session)       |
// | DELETE /mcp            |                   | ends the session                 |
// | GET /sse               | 2024-11-05        | legacy stream; first event names |
// |                        |                   | the POST endpoint                |
// | POST /messages?sessionId=… | 2024-11-05    | legacy message; answer on stream |
// | POST /mcp              | 2026-07-28        | one stateless request (`_meta`   |
// |                        |                   | names the version); no session   |
// |                        |                   | id; subscriptions/listen is a    |
// |                        |                   | long-lived SSE answer            |
// | GET, DELETE /mcp       | 2026-07-28        | 405 (header names 2026-07-28)    |
//
// The era is chosen per request: `initialize` opens a handshake-era
// session, a protocol version in `_meta` is served statelessly (its
// MCP-Protocol-Version, Mcp-Method and Mcp-Name headers must mirror the
// body: 400 -32020), on the same endpoint and at the same time.
//
// With authentication configured, every request to these routes needs
// "Authorization: Bearer <token>" (401 with WWW-Authenticate naming the
// protected resource metadata, 403 insufficient_scope), and a session
// belongs to the credential (API token, JWT) that opened it; GET
// /.well-known/oauth-protected-resource[/mcp] serves the RFC 9728
// metadata without authentication.
//
// Checks in order: Host and Origin (403), method (405), media types (415,
// 406), MCP-Protocol-Version (400), JSON (400), session id (400 missing,
// 404 unknown or ended), rate limit (429), session limit and draining (503).
// Runs on I/O threads and never blocks: it answers at once or hands the
// channel to the session's transport actor.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/mcp_session.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/mcp_era.hpp"
#include "src/transport/http_channel.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_message.hpp"
#include "src/transport/http_session.hpp"

namespace rmcp::transport {

/// The answer of an authenticator for one bearer token.
struct auth_outcome {
  /// Set when the token is good.
  std::optional<identity> who;
  /// Otherwise: 401 (invalid_token) or 403 (insufficient_scope).
  unsigned status = 401;
  /// What is wrong (sent as error_description; never the token).
  std::string reason;
};

/// Checks the token of "Authorization: Bearer <token>". Called on I/O
/// threads: must be thread-safe and must not block for long.
using authenticator = std::function<auth_outcome(std::string_view token)>;

struct mcp_http_settings {
  origin_policy origins;
  /// Requests per second per session, and the burst above it.
  double rate_limit = 20;
  double rate_burst = 40;
  /// Open sessions (both transports) at most.
  size_t max_sessions = 256;
  std::chrono::milliseconds session_idle_timeout{30 * 60 * 1000};
  /// Comment lines on idle SSE streams.
  std::chrono::milliseconds sse_keepalive{15000};
  /// RBAC role of HTTP callers when `auth` is empty (lab, loopback only).
  std::string role = "read_only";
  /// Checks a bearer token; empty = no authentication.
  authenticator auth;
  /// Base URL for the protected resource metadata and WWW-Authenticate
  /// ("" = scheme and Host of the request).
  std::string public_url;
  /// The listener serves HTTPS (for URLs built from Host).
  bool tls = false;
  /// `authorization_servers` of the metadata (the OAuth issuer, if any).
  std::vector<std::string> authorization_servers;
  /// `scopes_supported` of the metadata.
  std::vector<std::string> scopes;
};

/// Builds what a new mcp_session needs (runtime::session_for).
using session_factory = std::function<session_context(identity)>;

class mcp_http {
public:
  mcp_http(caf::actor_system& sys, mcp_http_settings settings,
           session_factory factory, std::shared_ptr<rmcp::metrics> metrics);

  /// Handles /mcp, /sse and /messages; false for any other path (then
  /// `ch` is untouched).
  bool handle(http_request& req, const channel_ptr& ch);

  /// Checks Host and Origin; answers 403 and returns false when refused.
  bool admit(const http_request& req, const channel_ptr& ch) const;

  /// Sets `req.caller` from the bearer token (or, without authentication,
  /// from http.role), or answers 400/401/403 and returns false.
  bool authenticate(http_request& req, const channel_ptr& ch) const;

  /// Ends every session (each drains its in-flight calls); refuses new
  /// sessions from now on.
  void shutdown_all();

  /// Sessions whose transport actor is still running.
  size_t sessions() const;

private:
  void post_mcp(http_request& req, const channel_ptr& ch);
  void get_mcp(http_request& req, const channel_ptr& ch);
  void delete_mcp(http_request& req, const channel_ptr& ch);
  void get_sse(http_request& req, const channel_ptr& ch);
  void post_messages(http_request& req, const channel_ptr& ch);

  /// Finds the session of a request (opened by the same caller); answers
  /// 400/404/429 when there is none.
  bool lookup(const std::string& id, bool legacy, const http_request& req,
              const channel_ptr& ch, http_session_actor& out);

  /// A new session of `req.caller`, or 503 when the server is full or
  /// stopping. `stateless`: it serves one 2026-07-28 request (`listen`:
  /// subscriptions/listen) and its id is never disclosed.
  bool open_session(bool legacy, const http_request& req, const channel_ptr& ch,
                    std::string& id, http_session_actor& out,
                    bool stateless = false, bool listen = false);

  /// POST of a request whose `_meta` names a protocol version: its
  /// headers checked against the body (400 -32020), version and `_meta`
  /// (400 -32022 / -32602), method (404 -32601), then a session of its own.
  void post_stateless(http_request& req, const channel_ptr& ch,
                      const jsonrpc::message& msg, const mcp::request_era& era,
                      http_channel::accepts accepts);

  /// GET or DELETE with MCP-Protocol-Version 2026-07-28: answers 405 and
  /// returns true.
  bool refuse_modern(const http_request& req, const channel_ptr& ch) const;

  /// Base URL of this server as the client sees it.
  std::string base_url(const http_request& req) const;

  /// GET /.well-known/oauth-protected-resource[/mcp].
  void protected_resource_metadata(const http_request& req,
                                   const channel_ptr& ch) const;

  bool check_protocol_version(const http_request& req,
                              const channel_ptr& ch) const;

  void reject(const channel_ptr& ch, unsigned status, ec code,
              std::string message, std::string_view reason = {}) const;

  caf::actor_system& sys_;
  mcp_http_settings settings_;
  session_factory factory_;
  std::shared_ptr<rmcp::metrics> metrics_;
  std::shared_ptr<session_table> table_;
  std::atomic<bool> draining_{false};
};

} // namespace rmcp::transport
