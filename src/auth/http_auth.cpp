#include "src/auth/http_auth.hpp"

#include <chrono>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/token_store.hpp"

namespace rmcp::auth {

namespace {

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

bool auth_configured(const config::server_options& opts) {
  return opts.auth_api_tokens || !opts.auth_oauth_issuer.empty();
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
    if (opts.auth_oauth_audience.empty())
      return make_error(ec::invalid_params,
                        "auth.oauth_issuer needs auth.oauth_audience (this "
                        "server's canonical MCP URL)");
    out->jwt_.issuer = opts.auth_oauth_issuer;
    out->jwt_.audience = opts.auth_oauth_audience;
    jwks_settings keys;
    keys.issuer = opts.auth_oauth_issuer;
    keys.source = opts.auth_oauth_jwks;
    keys.fetch.ca_file = opts.auth_oauth_ca_file;
    auto jwks = jwks_cache::make(keys, unix_now());
    if (!jwks)
      return jwks.error();
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
  if (!jwks_) {
    out.reason = "not an API token, and OAuth is not configured";
    return out;
  }
  auto r = verify_jwt(token, jwks_->keys(now), jwt_, now);
  if (!r.who && r.failure == jwt_failure::unknown_key)
    if (auto fresh = jwks_->reload_for_unknown_key(now))
      r = verify_jwt(token, *fresh, jwt_, now);
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
