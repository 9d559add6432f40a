// HTTP requests as the MCP listener reads them: the input is the bytes a
// client sends on one connection (several pipelined requests allowed).
// They go through Beast's parser with the listener's limits, become an
// http_request field by field as in detail/http_connection.ipp, and pass
// every check the routes make before MCP sees them: Host and Origin
// (DNS-rebinding), Accept and Content-Type, the session id in the header or
// the query, MCP-Protocol-Version, the Authorization header (a bearer
// token verified as a JWT), and the body as one JSON-RPC message. A refusal
// is written with the request's own values in it and must stay one
// well-formed response.

#include "fuzz_target.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "protocol/error.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/mcp.hpp"
#include "src/auth/jwt.hpp"
#include "src/transport/http_guard.hpp"
#include "src/transport/http_message.hpp"

using namespace rmcp;
using namespace rmcp::transport;
namespace http = boost::beast::http;

namespace {

constexpr size_t body_limit = 1 << 20;

http_request to_request(http::request<http::string_body>& msg) {
  http_request req;
  req.method = std::string{msg.method_string()};
  req.target = std::string{msg.target()};
  split_target(req.target, req.path, req.query);
  req.version = msg.version();
  req.keep_alive = msg.keep_alive();
  req.host = std::string{msg[http::field::host]};
  req.origin = std::string{msg[http::field::origin]};
  req.accept = std::string{msg[http::field::accept]};
  req.content_type = std::string{msg[http::field::content_type]};
  req.session_id = std::string{msg["Mcp-Session-Id"]};
  req.protocol_version = std::string{msg["MCP-Protocol-Version"]};
  req.last_event_id = std::string{msg["Last-Event-ID"]};
  req.authorization = std::string{msg[http::field::authorization]};
  req.body = std::move(msg.body());
  return req;
}

/// A response head ends at the first blank line; the request's values in
/// a refusal must not add one (or any line) before it.
void check_response(const std::string& response, size_t lines) {
  auto head_end = response.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string::npos);
  size_t n = 0;
  for (size_t at = response.find("\r\n"); at < head_end;
       at = response.find("\r\n", at + 2))
    ++n;
  FUZZ_CHECK(n == lines);
}

void check(http_request& req) {
  static const origin_policy loopback_only;
  static const origin_policy listed = origin_policy::from_lists(
    "mcp.example.com, 10.0.0.5:8080", "https://app.example.com");
  if (loopback_only.check_host(req.host).empty()) {
    std::string name;
    std::string port;
    split_host_port(req.host, name, port);
    FUZZ_CHECK(is_loopback_name(name));
  }
  (void)listed.check_host(req.host);
  (void)loopback_only.check_origin(req.origin);
  (void)listed.check_origin(req.origin);
  (void)parse_accept(req.accept);
  (void)media_type_is(req.content_type, "application/json");
  (void)query_param(req.query, "sessionId");
  (void)mcp::is_supported_version(req.protocol_version);
  constexpr std::string_view bearer = "Bearer ";
  if (req.authorization.size() > bearer.size()) {
    static const json no_keys{{"keys", json::array()}};
    auth::jwt_settings settings;
    settings.issuer = "https://as.example.com";
    settings.audience = "https://mcp.example.com/mcp";
    auto r = auth::verify_jwt(
      std::string_view{req.authorization}.substr(bearer.size()), no_keys,
      settings, 1800000000);
    FUZZ_CHECK(!r.who);
  }
  auto msg = jsonrpc::parse(req.body);
  // The refusals that carry the request's own text back.
  auto refusal = format_response(
    req.version, 405, "application/json",
    error_body(ec::invalid_request,
               "method " + req.method + " is not allowed on " + req.path
                 + " (host " + req.host + ", session " + req.session_id + ")"),
    {{"Allow", "GET, POST, DELETE"}}, req.keep_alive);
  // Status line, Content-Type, Content-Length, Allow and Connection (or
  // not): the count depends on the version only, never on the request.
  auto plain =
    format_response(req.version, 405, "application/json", "{}",
                    {{"Allow", "GET, POST, DELETE"}}, req.keep_alive);
  size_t lines = 0;
  for (size_t at = plain.find("\r\n"); at < plain.find("\r\n\r\n");
       at = plain.find("\r\n", at + 2))
    ++lines;
  check_response(refusal, lines);
  (void)sse_event("message", req.body, req.last_event_id);
  (void)msg;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::as_text(data, size);
  // Pipelined requests: parse until the bytes run out or one is refused,
  // as a kept-alive connection does.
  for (int i = 0; i < 8 && !in.empty(); ++i) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    parser.header_limit(16 * 1024);
    parser.eager(true);
    size_t used = 0;
    while (!parser.is_done()) {
      boost::beast::error_code err;
      auto n = parser.put(
        boost::asio::buffer(in.data() + used, in.size() - used), err);
      used += n;
      if (err == http::error::need_more && n > 0 && used < in.size())
        continue;
      if (err || n == 0)
        return 0; // refused, or cut short: the connection closes
    }
    in.remove_prefix(used);
    auto req = to_request(parser.get());
    check(req);
  }
  return 0;
}
