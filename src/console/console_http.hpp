#pragma once

// The web console for approvers and watchers, served at /ui on the HTTP
// listener (and on `metrics.listen`). One more client of the same
// services: fleet, plan store and audit trail are reached through their
// actors, approvals through the same plan store decision as
// POST /admin/plans/{id}/approve (src/app/admin_http.hpp).
//
// | route                            | answer                               |
// |----------------------------------|--------------------------------------|
// | GET /ui                          | 308 to /ui/                          |
// | GET /ui/, /ui/<file>             | the embedded files (console/)        |
// | POST /ui/api/login               | {"token": "..."} checked by the API's|
// |                                  | authenticator, or {"code": "..."} a  |
// |                                  | one-time login code (login_codes.hpp)|
// |                                  | consumed here: 200 {subject, role,   |
// |                                  | csrf} and the session cookie; 401    |
// | GET /ui/api/session              | {subject, role, csrf} (401 without a |
// |                                  | session)                             |
// | POST /ui/api/logout              | ends the session, clears the cookie  |
// | GET /ui/api/devices[/{id}]       | the fleet / one device (health       |
// |                                  | history, last snapshot and drift)    |
// | GET /ui/api/plans[/{id}]         | plans / one plan with its journal    |
// | POST /ui/api/plans/{id}/approve  | the plan store's decision, as the    |
// | POST /ui/api/plans/{id}/reject   | admin endpoint (403 read_only, own   |
// |                                  | plan, out of scope; 409 state)       |
// | GET /ui/api/events               | SSE: `plan` and `health` events      |
// |                                  | (src/console/console_events.hpp)     |
//
// Every /ui answer carries a strict Content-Security-Policy (only this
// origin's scripts and styles, nothing inline, no framing),
// X-Content-Type-Options: nosniff and no-store caching of the API. Host
// and Origin pass the listener's DNS-rebinding check. The session cookie
// is HttpOnly, SameSite=Strict, Path=/ui (Secure over TLS); every POST
// but the login needs the session's CSRF token in X-CSRF-Token (compared
// in constant time), and the login needs a JSON body (a cross-site form
// cannot send one). The credential behind a session is checked again on
// every request, so a revoked or expired token ends its sessions (a
// session opened with a login code has no credential behind it: it ends
// only by time or logout). Logins
// and logouts are audited with the identity; decisions are audited by the
// plan store.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "actors/services.hpp"
#include "src/console/console_sessions.hpp"
#include "src/console/login_codes.hpp"
#include "src/transport/http_channel.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_message.hpp"
#include "src/transport/mcp_http.hpp"

namespace rmcp::console {

struct console_settings {
  transport::origin_policy origins;
  /// Checks a bearer token (the API's); empty = no authentication: the
  /// login takes no token and gives `role` (loopback listeners only).
  transport::authenticator auth;
  std::string role = "read_only";
  /// The listener serves HTTPS (the cookie gets `Secure`).
  bool tls = false;
  session_limits limits;
  /// Event streams open at once at most.
  size_t max_streams = 32;
  /// One-time login codes (a table of its own when null).
  std::shared_ptr<login_codes> codes;
};

class console_http {
public:
  console_http(services_ptr svc, console_settings settings);

  /// Handles /ui and /ui/…; false for other paths (then `ch` is untouched).
  bool handle(transport::http_request& req, const transport::channel_ptr& ch);

  /// Login sessions now (for tests).
  size_t sessions() const {
    return sessions_.size();
  }

  /// The one-time login codes this console accepts.
  const std::shared_ptr<login_codes>& codes() const noexcept {
    return settings_.codes;
  }

private:
  void api(transport::http_request& req, const transport::channel_ptr& ch);
  void login(const transport::http_request& req,
             const transport::channel_ptr& ch);
  void login_with_code(const transport::http_request& req,
                       const std::string& code,
                       const transport::channel_ptr& ch);
  /// Opens a session for `who` (`token`: the credential checked again on
  /// every request, "" for none), audits it and answers the login.
  void open_session(const transport::http_request& req, identity who,
                    std::string token, const char* via,
                    const transport::channel_ptr& ch);

  /// The session of the request, its identity checked again; answers
  /// 401 (no session, credential no longer valid) or 403 (a POST without
  /// the CSRF token) and returns nullopt.
  std::optional<login_session> session_of(const transport::http_request& req,
                                          const transport::channel_ptr& ch);

  services_ptr svc_;
  console_settings settings_;
  session_table sessions_;
  std::shared_ptr<std::atomic<size_t>> streams_;
};

/// The console's settings from the MCP transport's (same hosts, origins,
/// authenticator and role).
console_settings settings_from(const transport::mcp_http_settings& mcp);

} // namespace rmcp::console
