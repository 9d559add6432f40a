#include "src/auth/http_auth.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/token_store.hpp"

namespace rmcp::auth {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr int64_t reload_every_s = 30;

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

/// GET of a loopback http:// URL with Beast (no TLS: loopback only).
caf::expected<std::string> http_get_loopback(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::invalid_params,
                      "auth.oauth_jwks: '" + url + "': " + why);
  };
  constexpr std::string_view scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return bad("only http:// URLs on 127.0.0.1, [::1] or localhost are "
               "accepted (or give a file)");
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host;
  std::string port = "80";
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      return bad("malformed IPv6 address");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos)
      port = authority.substr(colon + 1);
  }
  if (host == "localhost")
    host = "127.0.0.1";
  if (host != "127.0.0.1" && host != "::1")
    return bad("the JWKS URL must be on the loopback interface");
  if (port.empty() || port.size() > 5
      || port.find_first_not_of("0123456789") != std::string::npos
      || std::stoul(port) > 65535)
    return bad("malformed port");
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, authority);
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "close");
  http::response_parser<http::string_body> answer;
  answer.body_limit(1024 * 1024);
  beast::flat_buffer buffer;
  beast::error_code failed;
  std::string stage = "connect";
  // One deadline for the whole exchange.
  stream.expires_after(std::chrono::seconds{2});
  stream.async_connect(
    tcp::endpoint{net::ip::make_address(host),
                  static_cast<uint16_t>(std::stoul(port))},
    [&](beast::error_code ec) {
      if ((failed = ec))
        return;
      stage = "send the request";
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if ((failed = ec))
          return;
        stage = "read the answer";
        http::async_read(stream, buffer, answer,
                         [&](beast::error_code ec, size_t) { failed = ec; });
      });
    });
  ioc.run();
  if (failed == beast::error::timeout)
    return bad("no answer within 2 s");
  if (failed == http::error::body_limit)
    return bad("the answer exceeds 1 MiB");
  if (failed)
    return bad("cannot " + stage + " (" + failed.message() + ")");
  if (answer.get().result() != http::status::ok)
    return bad("the server did not answer 200: '"
               + std::to_string(answer.get().result_int()) + " "
               + std::string{answer.get().reason()} + "'");
  return std::move(answer.get().body());
}

} // namespace

bool auth_configured(const config::server_options& opts) {
  return opts.auth_api_tokens || !opts.auth_oauth_issuer.empty();
}

caf::expected<json> load_jwks(const std::string& source) {
  std::string text;
  if (source.compare(0, 7, "http://") == 0
      || source.compare(0, 8, "https://") == 0) {
    auto got = http_get_loopback(source);
    if (!got)
      return got.error();
    text = std::move(*got);
  } else {
    std::ifstream in{source};
    if (!in)
      return make_error(ec::invalid_params,
                        "auth.oauth_jwks: cannot read the file '" + source
                          + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto doc = parse_json(text);
  if (!doc || !doc->is_object() || !(*doc)["keys"].is_array())
    return make_error(ec::invalid_params,
                      "auth.oauth_jwks: '" + source
                        + "' is not a JWKS (a JSON object with \"keys\")");
  return *doc;
}

caf::expected<std::shared_ptr<bearer_auth>>
bearer_auth::make(const config::server_options& opts,
                  std::shared_ptr<storage::kv_store> kv) {
  auto out = std::make_shared<bearer_auth>();
  out->api_tokens_ = opts.auth_api_tokens;
  out->kv_ = std::move(kv);
  if (out->api_tokens_ && !out->kv_)
    return make_error(ec::invalid_params,
                      "auth.api_tokens needs the store, which is not open");
  if (!opts.auth_oauth_issuer.empty()) {
    if (opts.auth_oauth_audience.empty() || opts.auth_oauth_jwks.empty())
      return make_error(ec::invalid_params,
                        "auth.oauth_issuer needs auth.oauth_audience (this "
                        "server's MCP URL) and auth.oauth_jwks (file or "
                        "http://127.0.0.1 URL of the signing keys)");
    out->oauth_ = true;
    out->jwt_.issuer = opts.auth_oauth_issuer;
    out->jwt_.audience = opts.auth_oauth_audience;
    out->jwks_source_ = opts.auth_oauth_jwks;
    auto jwks = load_jwks(out->jwks_source_);
    if (!jwks)
      return jwks.error();
    // The first unknown key id reloads at once; later ones at most every
    // reload_every_s.
    out->jwks_ = std::move(*jwks);
  }
  return out;
}

transport::auth_outcome bearer_auth::check(std::string_view token) {
  transport::auth_outcome out;
  auto now = clock ? clock() : unix_now();
  if (token.compare(0, 5, "rmcp_") == 0) {
    if (!api_tokens_) {
      out.reason = "API tokens are not enabled (auth.api_tokens)";
      return out;
    }
    storage::token_store tokens{kv_, [now] { return now * 1000; }};
    auto who = tokens.authenticate(token);
    if (who) {
      out.who = std::move(*who);
      return out;
    }
    out.reason = error_code_of(who.error()) == ec::unauthorized
                   ? "the API token is invalid, expired or revoked"
                   : "the token store failed";
    return out;
  }
  if (!oauth_) {
    out.reason = "not an API token, and OAuth is not configured";
    return out;
  }
  json keys;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    keys = jwks_;
  }
  auto r = verify_jwt(token, keys, jwt_, now);
  if (!r.who && r.failure == jwt_failure::unknown_key) {
    bool reload = false;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (now - last_reload_ >= reload_every_s) {
        last_reload_ = now;
        reload = true;
      }
    }
    if (reload) {
      auto fresh = load_jwks(jwks_source_);
      if (fresh) {
        log::http()->info("jwks-reloaded source={} keys={}", jwks_source_,
                          (*fresh)["keys"].size());
        std::lock_guard<std::mutex> guard{mtx_};
        jwks_ = *fresh;
        keys = std::move(*fresh);
      } else {
        log::http()->warn("jwks-reload-failed error={}",
                          error_message(fresh.error()));
      }
      r = verify_jwt(token, keys, jwt_, now);
    }
  }
  if (r.who) {
    out.who = std::move(r.who);
    return out;
  }
  out.status = r.failure == jwt_failure::insufficient_scope ? 403 : 401;
  out.reason = std::move(r.reason);
  return out;
}

void apply_auth(transport::mcp_http_settings& s,
                const config::server_options& opts,
                std::shared_ptr<bearer_auth> auth) {
  s.public_url = opts.http_public_url;
  if (!auth)
    return;
  s.auth = [auth](std::string_view token) { return auth->check(token); };
  if (!opts.auth_oauth_issuer.empty())
    s.authorization_servers = {opts.auth_oauth_issuer};
  s.scopes = scopes_supported();
}

} // namespace rmcp::auth
