#include "src/console/console_http.hpp"

#include <string_view>

#include "protocol/json_parse.hpp"
#include "protocol/log.hpp"
#include "src/app/admin_http.hpp"
#include "src/console/console_api.hpp"
#include "src/console/console_assets.hpp"
#include "src/console/console_events.hpp"

namespace rmcp::console {

namespace {

constexpr std::string_view cookie_name = "rmcp_console";

/// Scripts, styles, images and fetches only from this origin; nothing
/// inline (no 'unsafe-inline' anywhere), no plugins, no framing, no
/// <base> and forms only to this origin.
constexpr const char* content_security_policy =
  "default-src 'self'; script-src 'self'; style-src 'self'; "
  "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void security_headers(const transport::channel_ptr& ch, bool api) {
  ch->add_header("Content-Security-Policy", content_security_policy);
  ch->add_header("X-Content-Type-Options", "nosniff");
  ch->add_header("X-Frame-Options", "DENY");
  ch->add_header("Referrer-Policy", "no-referrer");
  ch->add_header("Cross-Origin-Opener-Policy", "same-origin");
  ch->add_header("Cross-Origin-Resource-Policy", "same-origin");
  ch->add_header("Cache-Control", api ? "no-store" : "no-cache");
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// The identity a console caller acts as: the credential's, marked as
/// coming through the console (in the audit trail).
identity as_console(identity who) {
  who.transport = "console";
  return who;
}

} // namespace

console_settings settings_from(const transport::mcp_http_settings& mcp) {
  console_settings s;
  s.origins = mcp.origins;
  s.auth = mcp.auth;
  s.role = mcp.role;
  s.tls = mcp.tls;
  return s;
}

console_http::console_http(services_ptr svc, console_settings settings)
  : svc_(std::move(svc)), settings_(std::move(settings)),
    sessions_(settings_.limits),
    streams_(std::make_shared<std::atomic<size_t>>(0)) {
  if (!settings_.codes)
    settings_.codes = std::make_shared<login_codes>();
}

bool console_http::handle(transport::http_request& req,
                          const transport::channel_ptr& ch) {
  const auto& p = req.path;
  if (p != "/ui" && !starts_with(p, "/ui/"))
    return false;
  bool api_route = starts_with(p, "/ui/api/");
  security_headers(ch, api_route);
  if (auto why = settings_.origins.check_host(req.host); !why.empty()) {
    log::warn(log::http(), "http-host-refused",
              {{"peer", req.peer}, {"host", req.host}});
    respond_error(ch, 403, ec::forbidden, why);
    return true;
  }
  if (auto why = settings_.origins.check_origin(req.origin); !why.empty()) {
    log::warn(log::http(), "http-origin-refused",
              {{"peer", req.peer}, {"origin", req.origin}});
    respond_error(ch, 403, ec::forbidden, why);
    return true;
  }
  if (api_route) {
    api(req, ch);
    return true;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    ch->add_header("Allow", "GET");
    respond_error(ch, 405, ec::invalid_request,
                  "the console's files answer GET only");
    return true;
  }
  if (p == "/ui") {
    ch->add_header("Location", "/ui/");
    ch->respond(308, "text/plain; charset=utf-8", "the console is at /ui/\n");
    return true;
  }
  auto file = find_asset(p);
  if (file == nullptr) {
    respond_error(ch, 404, ec::invalid_request,
                  "no console file " + p + "; the console starts at /ui/");
    return true;
  }
  ch->respond(200, std::string{file->content_type},
              req.method == "HEAD" ? std::string{} : std::string{file->body});
  return true;
}

std::optional<login_session>
console_http::session_of(const transport::http_request& req,
                         const transport::channel_ptr& ch) {
  auto s = sessions_.find(cookie_value(req.cookie, cookie_name));
  if (!s) {
    respond_error(ch, 401, ec::unauthorized,
                  "not logged in (or the session ended): log in at /ui/");
    return std::nullopt;
  }
  // A session of a login code has no credential to check again.
  if (settings_.auth && !s->token.empty()) {
    auto outcome = settings_.auth(s->token);
    if (!outcome.who) {
      sessions_.close_token(s->token);
      respond_error(ch, 401, ec::unauthorized,
                    "the session ended: its token is no longer accepted ("
                      + outcome.reason + "); log in again");
      return std::nullopt;
    }
    s->who = as_console(std::move(*outcome.who));
  }
  if (req.method == "POST" && !same_secret(req.csrf_token, s->csrf)) {
    log::warn(log::http(), "console-csrf-refused",
              {{"peer", req.peer}, {"subject", s->who.subject}});
    respond_error(ch, 403, ec::forbidden,
                  "missing or wrong X-CSRF-Token: every POST of the console "
                  "carries the session's CSRF token (GET /ui/api/session)");
    return std::nullopt;
  }
  return s;
}

void console_http::login(const transport::http_request& req,
                         const transport::channel_ptr& ch) {
  if (!transport::media_type_is(req.content_type, "application/json")) {
    respond_error(ch, 415, ec::invalid_request,
                  "the login takes a JSON body {\"token\": \"...\"} with "
                  "Content-Type: application/json");
    return;
  }
  auto doc = parse_json_bounded(req.body);
  auto member = [&doc](const char* key) {
    return doc && doc->is_object() && doc->contains(key)
           && (*doc)[key].is_string();
  };
  if (member("code")) {
    login_with_code(req, (*doc)["code"].get<std::string>(), ch);
    return;
  }
  if (!member("token")) {
    respond_error(ch, 400, ec::invalid_request,
                  "the login takes a JSON body {\"token\": \"...\"}: an API "
                  "token (routeros-mcp token create) or an OAuth access token; "
                  "or {\"code\": \"...\"} from a one-time login link");
    return;
  }
  auto token = (*doc)["token"].get<std::string>();
  identity who;
  if (settings_.auth) {
    auto outcome = settings_.auth(token);
    if (!outcome.who) {
      log::warn(log::http(), "console-login-refused",
                {{"peer", req.peer}, {"reason", outcome.reason}});
      respond_error(ch, 401, ec::unauthorized,
                    "login refused: " + outcome.reason);
      return;
    }
    who = as_console(std::move(*outcome.who));
  } else {
    // Without authentication (loopback only) the console, like the API,
    // acts with http.role; a token is not needed and not kept.
    who.subject = "http-client";
    who.role = settings_.role;
    who.transport = "console";
    token.clear();
  }
  open_session(req, std::move(who), std::move(token), "token", ch);
}

void console_http::login_with_code(const transport::http_request& req,
                                   const std::string& code,
                                   const transport::channel_ptr& ch) {
  auto who = settings_.codes->redeem(code);
  if (!who) {
    // The code itself is never logged: only that one was refused.
    log::warn(log::http(), "console-login-refused",
              {{"peer", req.peer}, {"reason", error_message(who.error())}});
    respond_error(ch, 401, ec::unauthorized, error_message(who.error()));
    return;
  }
  open_session(req, as_console(std::move(*who)), std::string{}, "login_link",
               ch);
}

void console_http::open_session(const transport::http_request& req,
                                identity who, std::string token,
                                const char* via,
                                const transport::channel_ptr& ch) {
  auto s = sessions_.open(who, std::move(token));
  audit_action(svc_, who, "console_login", json{{"via", via}});
  log::info(log::http(), "console-login",
            {{"peer", req.peer},
             {"subject", who.subject},
             {"role", who.role},
             {"via", via}});
  ch->add_header("Set-Cookie", session_cookie(cookie_name, s.id, settings_.tls,
                                              settings_.limits.lifetime));
  ch->respond_json(200, dump_json(json{{"subject", who.subject},
                                       {"role", who.role},
                                       {"csrf", s.csrf},
                                       {"environment", svc_->environment}}));
}

void console_http::api(transport::http_request& req,
                       const transport::channel_ptr& ch) {
  auto rest = std::string_view{req.path}.substr(8); // after "/ui/api/"
  auto only = [&](const char* method) {
    if (req.method == method)
      return true;
    ch->add_header("Allow", method);
    respond_error(ch, 405, ec::invalid_request,
                  req.path + " answers " + method + " only");
    return false;
  };
  if (rest == "login") {
    if (only("POST"))
      login(req, ch);
    return;
  }
  auto s = session_of(req, ch);
  if (!s)
    return;
  auto& who = s->who;
  if (rest == "session") {
    if (only("GET"))
      ch->respond_json(200,
                       dump_json(json{{"subject", who.subject},
                                      {"role", who.role},
                                      {"csrf", s->csrf},
                                      {"environment", svc_->environment}}));
    return;
  }
  if (rest == "logout") {
    if (!only("POST"))
      return;
    sessions_.close(s->id);
    audit_action(svc_, who, "console_logout");
    ch->add_header("Set-Cookie", session_cookie(cookie_name, "", settings_.tls,
                                                settings_.limits.lifetime));
    ch->respond_json(200, dump_json(json{{"logged_out", true}}));
    return;
  }
  if (rest == "events") {
    if (only("GET"))
      open_event_stream(svc_, who, ch, streams_, settings_.max_streams);
    return;
  }
  if (rest == "devices") {
    if (only("GET"))
      list_devices(svc_, who, ch);
    return;
  }
  if (starts_with(rest, "devices/") && rest.size() > 8) {
    if (only("GET"))
      show_device(svc_, who, std::string{rest.substr(8)}, ch);
    return;
  }
  if (!svc_->plans && starts_with(rest, "plans")) {
    respond_error(ch, 503, ec::unsupported,
                  "plans are disabled in this service (no plan approval key; "
                  "see the log at start)");
    return;
  }
  if (rest == "plans") {
    if (only("GET"))
      list_plans(svc_, who, ch);
    return;
  }
  if (starts_with(rest, "plans/") && rest.size() > 6) {
    auto tail = rest.substr(6);
    auto slash = tail.find('/');
    auto id = std::string{tail.substr(0, slash)};
    if (slash == std::string_view::npos) {
      if (only("GET"))
        show_plan(svc_, who, id, ch);
      return;
    }
    auto verb = tail.substr(slash + 1);
    if (verb == "approve" || verb == "reject") {
      if (!only("POST"))
        return;
      if (verb == "approve") {
        app::decide_approve(svc_, who, id, ch);
        return;
      }
      auto reason = app::parse_reject_reason(req.body);
      if (!reason) {
        respond_error(ch, 400, ec::invalid_arguments,
                      error_message(reason.error()));
        return;
      }
      app::decide_reject(svc_, who, id, std::move(*reason), ch);
      return;
    }
  }
  respond_error(ch, 404, ec::invalid_request,
                "no console route " + req.path
                  + " (devices, plans, plans/{id}/approve|reject, events)");
}

} // namespace rmcp::console
