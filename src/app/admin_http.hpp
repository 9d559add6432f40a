#pragma once

// The HTTP admin endpoint (same listener, same bearer authentication as
// /mcp):
//
// | route                              | answer                              |
// |------------------------------------|-------------------------------------|
// | POST /admin/plans/{id}/approve     | 200 {plan_id, approved_by,          |
// |                                    | expires_at, approval_token}: the    |
// |                                    | token, shown once; 403 for a role   |
// |                                    | other than approver/admin, the      |
// |                                    | plan's creator or a plan outside    |
// |                                    | the caller's device scope; 404 no   |
// |                                    | such plan (403 to a scoped caller); |
// |                                    | 409 the plan is not pending         |
//
// src/app/approvals.hpp decides and audits.

#include <memory>

#include "src/transport/http_channel.hpp"
#include "src/transport/http_message.hpp"
#include "src/transport/mcp_http.hpp"
#include "storage/kv.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::app {

class admin_http {
public:
  /// `plans` null: the endpoint answers 503 (no plan store).
  admin_http(std::shared_ptr<transport::mcp_http> mcp,
             std::shared_ptr<storage::plan_store> plans,
             std::shared_ptr<storage::kv_store> kv);

  /// Handles /admin/…; false for other paths.
  bool handle(transport::http_request& req, const transport::channel_ptr& ch);

private:
  std::shared_ptr<transport::mcp_http> mcp_;
  std::shared_ptr<storage::plan_store> plans_;
  std::shared_ptr<storage::kv_store> kv_;
};

} // namespace rmcp::app
