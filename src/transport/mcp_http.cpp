#include "src/transport/mcp_http.hpp"

#include <algorithm>
#include <cctype>

#include <caf/send.hpp>

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/log.hpp"
#include "protocol/mcp.hpp"
#include "protocol/mcp_era.hpp"
#include "storage/encoding.hpp"

namespace rmcp::transport {

namespace {

std::string supported_list() {
  std::string out;
  for (auto& v : mcp::supported_versions())
    out += (out.empty() ? "" : ", ") + v;
  return out;
}

/// Who owns a session: the subject and the credential that opened it, so
/// another token of the same subject cannot use it.
std::string owner_of(const identity& who) {
  return who.subject + '\n' + who.credential;
}

/// An Mcp-Name value as sent: plain, or the base64 sentinel
/// `=?base64?…?=` for values that are not plain ASCII; nullopt when the
/// sentinel does not decode.
std::optional<std::string> decode_header_value(const std::string& value) {
  constexpr std::string_view head = "=?base64?";
  constexpr std::string_view tail = "?=";
  if (value.size() >= head.size() + tail.size()
      && value.compare(0, head.size(), head) == 0
      && value.compare(value.size() - tail.size(), tail.size(), tail) == 0)
    return storage::from_base64(std::string_view{value}.substr(
      head.size(), value.size() - head.size() - tail.size()));
  return value;
}

/// What is wrong with the Mcp-Method and Mcp-Name headers of a stateless
/// request, or "" when they mirror the body.
std::string header_mismatch(const http_request& req,
                            const jsonrpc::message& msg) {
  if (req.mcp_method.empty())
    return "Header mismatch: the Mcp-Method header is missing; it must "
           "repeat the body's method '"
           + msg.method + "'";
  if (req.mcp_method != msg.method)
    return "Header mismatch: Mcp-Method header value '" + req.mcp_method
           + "' does not match body value '" + msg.method + "'";
  const char* field =
    msg.method == "resources/read"                              ? "uri"
    : msg.method == "tools/call" || msg.method == "prompts/get" ? "name"
                                                                : nullptr;
  if (field == nullptr || !msg.params.is_object())
    return {};
  auto body = msg.params.find(field);
  // A missing name is the session's to refuse (-32602).
  if (body == msg.params.end() || !body->is_string())
    return {};
  auto expected = body->get<std::string>();
  if (req.mcp_name.empty())
    return "Header mismatch: the Mcp-Name header is missing; it must repeat "
           "params."
           + std::string{field} + " '" + expected + "'";
  auto sent = decode_header_value(req.mcp_name);
  if (!sent)
    return "Header mismatch: Mcp-Name header value '" + req.mcp_name
           + "' is not valid base64 inside =?base64?…?=";
  if (*sent != expected)
    return "Header mismatch: Mcp-Name header value '" + *sent
           + "' does not match body value '" + expected + "'";
  return {};
}

} // namespace

mcp_http::mcp_http(caf::actor_system& sys, mcp_http_settings settings,
                   session_factory factory,
                   std::shared_ptr<rmcp::metrics> metrics)
  : sys_(sys), settings_(std::move(settings)), factory_(std::move(factory)),
    metrics_(std::move(metrics)),
    table_(std::make_shared<session_table>(
      settings_.max_sessions, settings_.rate_limit, settings_.rate_burst)) {
  // nop
}

bool mcp_http::handle(http_request& req, const channel_ptr& ch) {
  bool mcp = req.path == "/mcp";
  bool sse = req.path == "/sse";
  bool messages = req.path == "/messages";
  if (settings_.auth
      && (req.path == "/.well-known/oauth-protected-resource"
          || req.path == "/.well-known/oauth-protected-resource/mcp")) {
    if (admit(req, ch))
      protected_resource_metadata(req, ch);
    return true;
  }
  if (!mcp && !sse && !messages)
    return false;
  if (!admit(req, ch))
    return true;
  if (!authenticate(req, ch))
    return true;
  if (mcp) {
    if (req.method == "POST")
      post_mcp(req, ch);
    else if (req.method == "GET")
      get_mcp(req, ch);
    else if (req.method == "DELETE")
      delete_mcp(req, ch);
    else {
      ch->add_header("Allow", "GET, POST, DELETE");
      reject(ch, 405, ec::invalid_request,
             "method " + req.method
               + " is not allowed on /mcp (use POST, "
                 "GET or DELETE)");
    }
  } else if (sse) {
    if (req.method == "GET") {
      get_sse(req, ch);
    } else {
      ch->add_header("Allow", "GET");
      reject(ch, 405, ec::invalid_request, "/sse only answers GET");
    }
  } else {
    if (req.method == "POST") {
      post_messages(req, ch);
    } else {
      ch->add_header("Allow", "POST");
      reject(ch, 405, ec::invalid_request, "/messages only answers POST");
    }
  }
  return true;
}

bool mcp_http::admit(const http_request& req, const channel_ptr& ch) const {
  if (auto why = settings_.origins.check_host(req.host); !why.empty()) {
    log::warn(log::http(), "http-host-refused",
              {{"peer", req.peer}, {"host", req.host}});
    reject(ch, 403, ec::forbidden, why, "host");
    return false;
  }
  if (auto why = settings_.origins.check_origin(req.origin); !why.empty()) {
    log::warn(log::http(), "http-origin-refused",
              {{"peer", req.peer}, {"origin", req.origin}});
    reject(ch, 403, ec::forbidden, why, "origin");
    return false;
  }
  return true;
}

std::string mcp_http::base_url(const http_request& req) const {
  if (!settings_.public_url.empty()) {
    auto url = settings_.public_url;
    while (!url.empty() && url.back() == '/')
      url.pop_back();
    return url;
  }
  return std::string{settings_.tls ? "https://" : "http://"} + req.host;
}

void mcp_http::protected_resource_metadata(const http_request& req,
                                           const channel_ptr& ch) const {
  if (req.method != "GET") {
    ch->add_header("Allow", "GET");
    reject(ch, 405, ec::invalid_request,
           "the protected resource metadata only answers GET");
    return;
  }
  json doc{{"resource", base_url(req) + "/mcp"},
           {"authorization_servers", settings_.authorization_servers},
           {"scopes_supported", settings_.scopes},
           {"bearer_methods_supported", {"header"}},
           {"resource_name", "RouterOS MCP"}};
  ch->respond_json(200, dump_json(doc));
}

bool mcp_http::authenticate(http_request& req, const channel_ptr& ch) const {
  if (!settings_.auth) {
    // Lab: loopback only (serve_http refuses other binds without auth).
    req.caller.subject = "http-client";
    req.caller.role = settings_.role;
    req.caller.transport =
      req.path == "/sse" || req.path == "/messages" ? "sse" : "http";
    return true;
  }
  auto metadata = base_url(req) + "/.well-known/oauth-protected-resource";
  std::string scope = settings_.scopes.empty() ? "" : settings_.scopes.front();
  auto challenge = [&](const std::string& error, const std::string& why) {
    std::string h = "Bearer resource_metadata=\"" + metadata + "\"";
    if (!scope.empty())
      h += ", scope=\"" + scope + "\"";
    if (!error.empty())
      h += ", error=\"" + error + "\", error_description=\"" + why + "\"";
    ch->add_header("WWW-Authenticate", h);
  };
  const auto& header = req.authorization;
  if (header.empty()) {
    challenge("", "");
    reject(ch, 401, ec::unauthorized,
           "authentication required: send Authorization: Bearer <token> "
           "(an API token from routeros-mcp token create, or an OAuth "
           "access token; see "
             + metadata + ")",
           "unauthenticated");
    return false;
  }
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size()
      || !std::equal(scheme.begin(), scheme.end(), header.begin(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a))
                              == std::tolower(static_cast<unsigned char>(b));
                     })) {
    reject(ch, 400, ec::invalid_request,
           "malformed Authorization header: expected 'Bearer <token>'",
           "unauthenticated");
    return false;
  }
  auto outcome = settings_.auth(std::string_view{header}.substr(scheme.size()));
  if (!outcome.who) {
    // Quotes would break the header; the reason never holds the token.
    auto why = outcome.reason;
    for (auto& c : why)
      if (c == '"' || c == '\\')
        c = '\'';
    log::warn(
      log::http(), "http-auth-refused",
      {{"peer", req.peer}, {"status", outcome.status}, {"reason", why}});
    if (outcome.status == 403) {
      challenge("insufficient_scope", why);
      reject(ch, 403, ec::forbidden, "insufficient scope: " + why,
             "unauthenticated");
    } else {
      challenge("invalid_token", why);
      reject(ch, 401, ec::unauthorized, "invalid bearer token: " + why,
             "unauthenticated");
    }
    return false;
  }
  req.caller = std::move(*outcome.who);
  req.caller.transport =
    req.path == "/sse" || req.path == "/messages" ? "sse" : "http";
  return true;
}

void mcp_http::reject(const channel_ptr& ch, unsigned status, ec code,
                      std::string message, std::string_view reason) const {
  if (!reason.empty() && metrics_)
    metrics_->http_rejected(reason);
  ch->respond_json(status, error_body(code, std::move(message)));
}

bool mcp_http::check_protocol_version(const http_request& req,
                                      const channel_ptr& ch) const {
  // Absent: the client predates 2025-06-18 (assume 2025-03-26).
  if (req.protocol_version.empty()
      || mcp::is_supported_version(req.protocol_version))
    return true;
  reject(ch, 400, ec::invalid_request,
         "unsupported MCP-Protocol-Version '" + req.protocol_version
           + "'; supported: " + supported_list());
  return false;
}

bool mcp_http::lookup(const std::string& id, bool legacy,
                      const http_request& req, const channel_ptr& ch,
                      http_session_actor& out) {
  if (id.empty()) {
    reject(ch, 400, ec::invalid_request,
           legacy ? "missing sessionId query parameter: use the endpoint "
                    "announced by GET /sse"
                  : "missing Mcp-Session-Id header: send initialize first and "
                    "then the session id it returned");
    return false;
  }
  int retry_after = 1;
  switch (table_->find(id, legacy, out, retry_after, owner_of(req.caller))) {
    case session_table::found::yes:
      return true;
    case session_table::found::unknown:
      reject(ch, 404, ec::invalid_request,
             "unknown or ended session '" + id
               + (legacy ? "': open a new stream with GET /sse"
                         : "': send initialize to start a new session"));
      return false;
    case session_table::found::limited:
      ch->add_header("Retry-After", std::to_string(retry_after));
      reject(ch, 429, ec::rate_limited,
             "too many requests for this session; retry after "
               + std::to_string(retry_after) + " s",
             "rate_limit");
      return false;
  }
  return false;
}

bool mcp_http::open_session(bool legacy, const http_request& req,
                            const channel_ptr& ch, std::string& id,
                            http_session_actor& out, bool stateless,
                            bool listen) {
  if (draining_) {
    reject(ch, 503, ec::shutting_down, "the server is shutting down");
    return false;
  }
  if (table_->size() >= settings_.max_sessions) {
    reject(ch, 503, ec::rate_limited,
           "the server has reached its limit of "
             + std::to_string(settings_.max_sessions)
             + " sessions (http.max_sessions); retry later",
           "session_limit");
    return false;
  }
  id = make_session_id();
  http_session_config cfg;
  cfg.id = id;
  cfg.legacy = legacy;
  cfg.idle_timeout = settings_.session_idle_timeout;
  cfg.stateless = stateless;
  cfg.listen = listen;
  cfg.ctx = factory_(req.caller);
  cfg.ctx.single_request = stateless;
  cfg.table = table_;
  out = spawn_http_session(sys_, std::move(cfg));
  if (!table_->insert(id, out, legacy, owner_of(req.caller))) {
    caf::anon_send(out, atom::shutdown_v);
    reject(ch, 503, ec::rate_limited,
           "the server has reached its limit of sessions; retry later",
           "session_limit");
    return false;
  }
  return true;
}

void mcp_http::post_mcp(http_request& req, const channel_ptr& ch) {
  if (!media_type_is(req.content_type, "application/json")) {
    reject(ch, 415, ec::invalid_request,
           "Content-Type must be application/json, got '" + req.content_type
             + "'");
    return;
  }
  auto accepts = parse_accept(req.accept);
  if (!accepts.json && !accepts.event_stream) {
    reject(ch, 406, ec::invalid_request,
           "Accept must include application/json or text/event-stream, got '"
             + req.accept + "'");
    return;
  }
  auto value = parse_json_bounded(req.body);
  if (!value) {
    reject(ch, 400, ec::parse_error,
           "the request body " + error_message(value.error()));
    return;
  }
  if (value->is_array()) {
    reject(ch, 400, ec::invalid_request,
           "JSON-RPC batches are not supported; send one message per POST");
    return;
  }
  adopt_traceparent(req, *value);
  auto msg = jsonrpc::classify(*value);
  if (msg.type == jsonrpc::kind::invalid) {
    ch->respond_json(400, dump_json(jsonrpc::make_error(msg.id, msg.error)));
    return;
  }
  // The era is the request's: a protocol version in _meta is served
  // statelessly; anything else (initialize and its session) is not.
  if (msg.type != jsonrpc::kind::response) {
    auto era = mcp::read_era(msg.params);
    if (era.modern) {
      post_stateless(req, ch, msg, era, {accepts.json, accepts.event_stream});
      return;
    }
  }
  // The header names the stateless era, the body lacks its _meta.
  if (req.protocol_version == mcp::modern_version) {
    ch->respond_json(
      400, dump_json(make_error_2026(
             msg.id, make_error(ec::invalid_params,
                                "MCP-Protocol-Version " + req.protocol_version
                                  + " requests carry _meta[\""
                                  + std::string{mcp::meta_key::protocol_version}
                                  + "\"] and _meta[\""
                                  + mcp::meta_key::client_capabilities
                                  + "\"] in their params; without them send "
                                    "initialize and a handshake-era "
                                    "version"))));
    return;
  }
  if (!check_protocol_version(req, ch))
    return;
  http_session_actor actor;
  if (msg.type == jsonrpc::kind::request && msg.method == "initialize") {
    if (!req.session_id.empty()) {
      reject(ch, 400, ec::invalid_request,
             "initialize opens a new session: send it without an "
             "Mcp-Session-Id header");
      return;
    }
    std::string id;
    if (!open_session(false, req, ch, id, actor))
      return;
    ch->add_header("Mcp-Session-Id", id);
  } else if (!lookup(req.session_id, false, req, ch, actor)) {
    return;
  }
  if (msg.type == jsonrpc::kind::request) {
    ch->set_accepts({accepts.json, accepts.event_stream});
    caf::anon_send(actor, atom::post_v, jsonrpc::id_key(msg.id),
                   std::move(req.body), ch);
  } else {
    caf::anon_send(actor, atom::rpc_in_v, std::move(req.body));
    ch->respond(202, {}, {});
  }
}

bool mcp_http::refuse_modern(const http_request& req,
                             const channel_ptr& ch) const {
  if (req.protocol_version != mcp::modern_version)
    return false;
  ch->add_header("Allow", "POST");
  reject(ch, 405, ec::invalid_request,
         req.method + " /mcp is not part of the " + req.protocol_version
           + " revision: it has no sessions and no GET stream; POST "
             "subscriptions/listen for updates");
  return true;
}

void mcp_http::post_stateless(http_request& req, const channel_ptr& ch,
                              const jsonrpc::message& msg,
                              const mcp::request_era& era,
                              http_channel::accepts accepts) {
  auto refuse = [&](unsigned status, const caf::error& err) {
    log::debug(log::http(), "http-stateless-refused",
               {{"peer", req.peer},
                {"method", msg.method},
                {"status", status},
                {"reason", error_message(err)}});
    ch->respond_json(status, dump_json(make_error_2026(msg.id, err)));
  };
  // A malformed _meta first, then the header against the body, then
  // whether we speak the version they agree on.
  if (era.error && error_code_of(era.error) == ec::invalid_params) {
    refuse(400, era.error);
    return;
  }
  if (req.protocol_version != era.version) {
    refuse(400, mcp::make_header_mismatch(
                  req.protocol_version.empty()
                    ? "Header mismatch: the MCP-Protocol-Version "
                      "header is missing; it must repeat _meta "
                      "protocolVersion '"
                        + era.version + "'"
                    : "Header mismatch: MCP-Protocol-Version header "
                      "value '"
                        + req.protocol_version + "' does not match body value '"
                        + era.version + "'"));
    return;
  }
  if (era.error) {
    refuse(400, era.error);
    return;
  }
  // This era has no client notifications over HTTP (closing a stream is
  // the cancellation): accepted and dropped.
  if (msg.type == jsonrpc::kind::notification) {
    ch->respond(202, {}, {});
    return;
  }
  if (auto why = header_mismatch(req, msg); !why.empty()) {
    refuse(400, mcp::make_header_mismatch(why));
    return;
  }
  if (!mcp_session_state::serves_modern(msg.method)) {
    refuse(404, make_error(ec::method_not_found,
                           "Method not found: " + msg.method + " (revision "
                             + era.version + ")"));
    return;
  }
  bool listen = msg.method == "subscriptions/listen";
  std::string id;
  http_session_actor actor;
  if (!open_session(false, req, ch, id, actor, true, listen))
    return;
  ch->add_header("X-Accel-Buffering", "no");
  if (listen)
    ch->set_keepalive(settings_.sse_keepalive);
  ch->set_accepts(accepts);
  caf::anon_send(actor, atom::post_v, jsonrpc::id_key(msg.id),
                 std::move(req.body), ch);
}

void mcp_http::get_mcp(http_request& req, const channel_ptr& ch) {
  if (refuse_modern(req, ch))
    return;
  if (!parse_accept(req.accept).event_stream) {
    reject(ch, 406, ec::invalid_request,
           "GET /mcp opens an event stream: Accept must include "
           "text/event-stream");
    return;
  }
  if (!check_protocol_version(req, ch))
    return;
  http_session_actor actor;
  if (!lookup(req.session_id, false, req, ch, actor))
    return;
  ch->set_keepalive(settings_.sse_keepalive);
  caf::anon_send(actor, atom::listen_v, ch, req.last_event_id);
}

void mcp_http::delete_mcp(http_request& req, const channel_ptr& ch) {
  if (refuse_modern(req, ch))
    return;
  if (!check_protocol_version(req, ch))
    return;
  http_session_actor actor;
  if (!lookup(req.session_id, false, req, ch, actor))
    return;
  table_->end(req.session_id);
  caf::anon_send(actor, atom::shutdown_v);
  ch->respond(200, {}, {});
}

void mcp_http::get_sse(http_request& req, const channel_ptr& ch) {
  std::string id;
  http_session_actor actor;
  if (!open_session(true, req, ch, id, actor))
    return;
  ch->set_keepalive(settings_.sse_keepalive);
  caf::anon_send(actor, atom::listen_v, ch, std::string{});
}

void mcp_http::post_messages(http_request& req, const channel_ptr& ch) {
  if (!media_type_is(req.content_type, "application/json")) {
    reject(ch, 415, ec::invalid_request,
           "Content-Type must be application/json, got '" + req.content_type
             + "'");
    return;
  }
  auto value = parse_json_bounded(req.body);
  if (!value) {
    reject(ch, 400, ec::parse_error,
           "the request body " + error_message(value.error()));
    return;
  }
  adopt_traceparent(req, *value);
  http_session_actor actor;
  if (!lookup(query_param(req.query, "sessionId"), true, req, ch, actor))
    return;
  caf::anon_send(actor, atom::rpc_in_v, std::move(req.body));
  ch->respond(202, "text/plain", "Accepted");
}

void mcp_http::shutdown_all() {
  draining_ = true;
  for (auto& actor : table_->all())
    caf::anon_send(actor, atom::shutdown_v);
}

size_t mcp_http::sessions() const {
  return table_->size();
}

} // namespace rmcp::transport
