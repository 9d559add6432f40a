#include "src/app/admin_http.hpp"

#include "protocol/error.hpp"
#include "src/app/approvals.hpp"
#include "storage/audit_log.hpp"
#include "storage/encoding.hpp"

namespace rmcp::app {

namespace {

unsigned status_of(ec code) {
  switch (code) {
    case ec::forbidden:
      return 403;
    case ec::plan_not_found:
      return 404;
    case ec::plan_state_invalid:
      return 409;
    case ec::invalid_arguments:
      return 400;
    default:
      return 500;
  }
}

} // namespace

admin_http::admin_http(std::shared_ptr<transport::mcp_http> mcp,
                       std::shared_ptr<storage::plan_store> plans,
                       std::shared_ptr<storage::kv_store> kv)
  : mcp_(std::move(mcp)), plans_(std::move(plans)), kv_(std::move(kv)) {
  // nop
}

bool admin_http::handle(transport::http_request& req,
                        const transport::channel_ptr& ch) {
  constexpr std::string_view prefix = "/admin/plans/";
  constexpr std::string_view suffix = "/approve";
  if (req.path.compare(0, 7, "/admin/") != 0)
    return false;
  if (!mcp_->admit(req, ch) || !mcp_->authenticate(req, ch))
    return true;
  auto& p = req.path;
  if (p.size() <= prefix.size() + suffix.size()
      || p.compare(0, prefix.size(), prefix) != 0
      || p.compare(p.size() - suffix.size(), suffix.size(), suffix) != 0) {
    ch->respond_json(404, transport::error_body(
                            ec::invalid_request,
                            "no admin route " + p
                              + "; use POST /admin/plans/{id}/approve"));
    return true;
  }
  if (req.method != "POST") {
    ch->add_header("Allow", "POST");
    ch->respond_json(405, transport::error_body(ec::invalid_request,
                                                "approve with POST"));
    return true;
  }
  if (!plans_ || !kv_) {
    ch->respond_json(503, transport::error_body(ec::unsupported,
                                                "no plan store is open"));
    return true;
  }
  auto id = p.substr(prefix.size(), p.size() - prefix.size() - suffix.size());
  storage::audit_log audit{kv_};
  req.caller.transport = "http";
  auto token = approve_plan({*plans_, audit, *kv_}, req.caller, id);
  if (!token) {
    auto code = error_code_of(token.error());
    ch->respond_json(status_of(code),
                     transport::error_body(code, error_message(token.error())));
    return true;
  }
  auto plan = plans_->get(id);
  json out{{"plan_id", id},
           {"approved_by", req.caller.subject},
           {"approval_token", *token}};
  if (plan)
    out["expires_at"] = storage::iso_utc(plan->approval_expires_at);
  ch->add_header("Cache-Control", "no-store");
  ch->respond_json(200, dump_json(out));
  return true;
}

} // namespace rmcp::app
