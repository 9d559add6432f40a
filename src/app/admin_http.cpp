#include "src/app/admin_http.hpp"

#include <chrono>
#include <string_view>

#include <caf/event_based_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/log.hpp"
#include "storage/encoding.hpp"

namespace rmcp::app {

namespace {

/// How long a route waits for the plan store actor's decision (which
/// includes writing its audit record).
constexpr auto decision_timeout = std::chrono::seconds{15};

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
    case ec::unsupported:
    case ec::tool_timeout:
      return 503;
    default:
      return 500;
  }
}

void respond_error(const transport::channel_ptr& ch, const caf::error& err) {
  auto code = error_code_of(err);
  ch->respond_json(status_of(code),
                   transport::error_body(code, error_message(err)));
}

void respond_ok(const transport::channel_ptr& ch, const json& body) {
  ch->add_header("Cache-Control", "no-store");
  ch->respond_json(200, dump_json(body));
}

} // namespace

caf::expected<std::string> parse_reject_reason(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return std::string{};
  auto bad = [](const std::string& why) {
    return make_error(ec::invalid_arguments,
                      "the body " + why
                        + "; send nothing or {\"reason\": \"why\"}");
  };
  auto doc = parse_json_bounded(body);
  if (!doc)
    return bad(error_message(doc.error()));
  if (!doc->is_object())
    return bad("is not a JSON object");
  for (auto& [key, value] : doc->items())
    if (key != "reason")
      return bad("has the unknown member '" + key + "'");
  auto i = doc->find("reason");
  if (i == doc->end())
    return std::string{};
  if (!i->is_string())
    return bad("has a reason that is not a string");
  return i->get<std::string>();
}

void decide_approve(services_ptr svc, identity who, std::string id,
                    transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)}, id{std::move(id)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    self->request(svc->plans, decision_timeout, atom::approve_v, who, id)
      .then(
        [self, ch, who, id](plan_record& plan, std::string& token) {
          json out{{"plan_id", id},
                   {"approved_by", who.subject},
                   {"expires_at", storage::iso_utc(plan.approval_expires_at)}};
          if (plan.hand_to_apply) {
            // No token exists; a waiting apply took the approval when the
            // plan is already executing.
            out["handed_to_apply"] = true;
            out["apply_waiting"] = plan.state != plan_state::approved;
            out["state"] = to_string(plan.state);
          } else {
            out["approval_token"] = token;
          }
          respond_ok(ch, out);
          self->quit();
        },
        [self, ch](caf::error& err) {
          respond_error(ch, err);
          self->quit();
        });
  });
}

void decide_reject(services_ptr svc, identity who, std::string id,
                   std::string reason, transport::channel_ptr ch) {
  svc->system->spawn([svc, who{std::move(who)}, id{std::move(id)},
                      reason{std::move(reason)},
                      ch{std::move(ch)}](caf::event_based_actor* self) {
    self->request(svc->plans, decision_timeout, atom::reject_v, who, id, reason)
      .then(
        [self, ch, who, id, reason](plan_record& plan) {
          respond_ok(ch, {{"plan_id", id},
                          {"state", to_string(plan.state)},
                          {"rejected_by", who.subject},
                          {"reason", reason}});
          self->quit();
        },
        [self, ch](caf::error& err) {
          respond_error(ch, err);
          self->quit();
        });
  });
}

admin_http::admin_http(std::shared_ptr<transport::mcp_http> mcp,
                       services_ptr svc,
                       std::shared_ptr<console::login_codes> codes, bool tls)
  : mcp_(std::move(mcp)), svc_(std::move(svc)), codes_(std::move(codes)),
    tls_(tls) {
  // nop
}

void admin_http::login_link(const transport::http_request& req,
                            const transport::channel_ptr& ch) {
  if (req.method != "POST") {
    ch->add_header("Allow", "POST");
    ch->respond_json(
      405, transport::error_body(ec::invalid_request, "login-link with POST"));
    return;
  }
  if (!codes_) {
    ch->respond_json(
      404, transport::error_body(ec::unsupported,
                                 "this listener serves no web console"));
    return;
  }
  if (req.caller.role != "admin") {
    ch->respond_json(
      403, transport::error_body(ec::forbidden,
                                 "identity '" + req.caller.subject + "' (role "
                                   + req.caller.role
                                   + ") may not make login links: that "
                                     "needs role admin"));
    return;
  }
  auto bad = [&ch](const std::string& why) {
    ch->respond_json(
      400, transport::error_body(
             ec::invalid_arguments,
             why
               + "; send {\"subject\": \"alice\", \"role\": \"approver\", "
                 "\"ttl_seconds\": 600}"));
  };
  auto doc = parse_json_bounded(req.body);
  if (!doc || !doc->is_object())
    return bad("the body is not a JSON object");
  for (auto& [key, value] : doc->items())
    if (key != "subject" && key != "role" && key != "ttl_seconds")
      return bad("the body has the unknown member '" + key + "'");
  auto subject = doc->value("subject", json{});
  auto role = doc->value("role", json("approver"));
  auto ttl = doc->value("ttl_seconds", json(int64_t{600}));
  if (!subject.is_string() || subject.get<std::string>().empty()
      || subject.get<std::string>().size() > 128)
    return bad("subject: a name of 1 to 128 characters is required");
  if (!role.is_string()
      || (role != "read_only" && role != "ops_rw" && role != "approver"
          && role != "admin"))
    return bad("role: read_only, ops_rw, approver or admin");
  if (!ttl.is_number_integer() || ttl.get<int64_t>() < 1
      || ttl.get<int64_t>() > 3600)
    return bad("ttl_seconds: an integer from 1 to 3600");
  identity who;
  who.subject = subject.get<std::string>();
  who.role = role.get<std::string>();
  who.credential = "login-link";
  auto code = codes_->mint(who, std::chrono::seconds{ttl.get<int64_t>()});
  if (!code) {
    respond_error(ch, code.error());
    return;
  }
  auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()
                 + ttl.get<int64_t>() * 1000;
  log::info(log::http(), "console-login-link-made",
            {{"subject", who.subject},
             {"role", who.role},
             {"by", req.caller.subject},
             {"ttl_s", ttl.get<int64_t>()}});
  respond_ok(ch, {{"url", console::login_link(
                            (tls_ ? "https://" : "http://") + req.host, *code)},
                  {"subject", who.subject},
                  {"role", who.role},
                  {"expires_at", storage::iso_utc(expires)}});
}

bool admin_http::handle(transport::http_request& req,
                        const transport::channel_ptr& ch) {
  constexpr std::string_view prefix = "/admin/plans/";
  constexpr std::string_view verbs[] = {"/approve", "/reject"};
  if (req.path.compare(0, 7, "/admin/") != 0)
    return false;
  if (!mcp_->admit(req, ch) || !mcp_->authenticate(req, ch))
    return true;
  const auto& p = req.path;
  if (p == "/admin/console/login-link") {
    login_link(req, ch);
    return true;
  }
  std::string_view verb;
  for (auto v : verbs)
    if (p.size() > prefix.size() + v.size()
        && p.compare(0, prefix.size(), prefix) == 0
        && p.compare(p.size() - v.size(), v.size(), v) == 0)
      verb = v;
  if (verb.empty()) {
    ch->respond_json(
      404, transport::error_body(ec::invalid_request,
                                 "no admin route " + p
                                   + "; use POST /admin/plans/{id}/approve or "
                                     "POST /admin/plans/{id}/reject"));
    return true;
  }
  auto action = std::string{verb.substr(1)};
  if (req.method != "POST") {
    ch->add_header("Allow", "POST");
    ch->respond_json(
      405, transport::error_body(ec::invalid_request, action + " with POST"));
    return true;
  }
  if (!svc_ || !svc_->plans) {
    ch->respond_json(
      503, transport::error_body(ec::unsupported,
                                 "plans are disabled in this service (no plan "
                                 "approval key; see the log at start)"));
    return true;
  }
  auto id = p.substr(prefix.size(), p.size() - prefix.size() - verb.size());
  req.caller.transport = "http";
  if (verb == "/approve") {
    decide_approve(svc_, req.caller, std::move(id), ch);
    return true;
  }
  auto reason = parse_reject_reason(req.body);
  if (!reason) {
    respond_error(ch, reason.error());
    return true;
  }
  decide_reject(svc_, req.caller, std::move(id), std::move(*reason), ch);
  return true;
}

} // namespace rmcp::app
