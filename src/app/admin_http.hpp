#pragma once

// The HTTP admin endpoint (same listener, same bearer authentication as
// /mcp):
//
// | route                              | answer                              |
// |------------------------------------|-------------------------------------|
// | POST /admin/plans/{id}/approve     | 200 {plan_id, approved_by,          |
// |                                    | expires_at, approval_token}: the    |
// |                                    | token, shown once; for a plan made  |
// |                                    | with hand_to_apply no token but     |
// |                                    | {handed_to_apply: true,             |
// |                                    | apply_waiting, state}: executing    |
// |                                    | when a waiting apply took it        |
// | POST /admin/plans/{id}/reject      | 200 {plan_id, state, rejected_by,   |
// |                                    | reason}; body: optional JSON        |
// |                                    | {"reason": "..."} (400 when it is   |
// |                                    | not such an object)                 |
// | both                               | 403 for a role other than           |
// |                                    | approver/admin, the plan's creator  |
// |                                    | (approve only) or a plan outside    |
// |                                    | the caller's device scope; 404 no   |
// |                                    | such plan (403 to a scoped caller); |
// |                                    | 409 the plan is not pending (or,    |
// |                                    | to reject, approved); 405 another   |
// |                                    | method; 503 plans are disabled or   |
// |                                    | the plan store did not answer       |
//
// | POST /admin/console/login-link     | 200 {url, subject, role,            |
// |                                    | expires_at}: a one-time login link  |
// |                                    | of the web console for the identity |
// |                                    | of the JSON body {"subject",        |
// |                                    | "role" (default approver),          |
// |                                    | "ttl_seconds" (default 600, at most |
// |                                    | 3600)}; admin role only (403), 400  |
// |                                    | for a bad body; the code is in the  |
// |                                    | URL's fragment and nowhere else     |
//
// The route only sends `(approve|reject, …)` to the plan store actor, which
// decides (storage/plan_approvals.hpp) and audits through the store actor;
// the answer goes out on the channel when its reply arrives, so no I/O
// thread waits.

#include <memory>

#include "actors/services.hpp"
#include "src/console/login_codes.hpp"
#include "src/transport/http_channel.hpp"
#include "src/transport/http_message.hpp"
#include "src/transport/mcp_http.hpp"

namespace rmcp::app {

/// Sends an approval by `who` to the plan store actor from a short-lived
/// actor and answers `ch` with its reply (the token, shown once) or the
/// refusal (also used by the web console).
void decide_approve(services_ptr svc, identity who, std::string id,
                    transport::channel_ptr ch);

/// The same for a rejection with `reason`.
void decide_reject(services_ptr svc, identity who, std::string id,
                   std::string reason, transport::channel_ptr ch);

/// The reason of a reject body: empty body → "", {"reason": "..."} → it;
/// anything else is refused naming what is expected.
caf::expected<std::string> parse_reject_reason(const std::string& body);

class admin_http {
public:
  /// `svc->plans` null: the plan routes answer 503 (plans are disabled).
  /// `codes`: the console's one-time login codes; `tls`: links are https.
  admin_http(std::shared_ptr<transport::mcp_http> mcp, services_ptr svc,
             std::shared_ptr<console::login_codes> codes = nullptr,
             bool tls = false);

  /// Handles /admin/…; false for other paths.
  bool handle(transport::http_request& req, const transport::channel_ptr& ch);

private:
  void login_link(const transport::http_request& req,
                  const transport::channel_ptr& ch);

  std::shared_ptr<transport::mcp_http> mcp_;
  services_ptr svc_;
  std::shared_ptr<console::login_codes> codes_;
  bool tls_ = false;
};

} // namespace rmcp::app
