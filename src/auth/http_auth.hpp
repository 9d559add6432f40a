#pragma once

// The bearer-token authenticator of the HTTP transport: API tokens
// (storage/token_store.hpp, `auth.api_tokens`) and OAuth JWT access tokens
// (src/auth/jwt.hpp, `auth.oauth_*`). A token that looks like an API token
// ("rmcp_…") is checked against the store, anything else as a JWT.
//
// The issuer's signing keys come from src/auth/jwks_cache.hpp (a file, a
// URL, or OIDC / RFC 8414 discovery; cached and reloaded there).

#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"
#include "src/auth/jwks_cache.hpp"
#include "src/auth/jwt.hpp"
#include "src/config/server_options.hpp"
#include "src/transport/mcp_http.hpp"
#include "storage/kv.hpp"

namespace rmcp::auth {

/// True when the options turn HTTP authentication on.
bool auth_configured(const config::server_options& opts);

class bearer_auth {
public:
  /// Checks the options (an issuer needs an audience) and loads the
  /// issuer's keys. `kv` is the store (API tokens).
  static caf::expected<std::shared_ptr<bearer_auth>>
  make(const config::server_options& opts,
       std::shared_ptr<storage::kv_store> kv);

  /// The transport's authenticator (thread-safe).
  transport::auth_outcome check(std::string_view token);

  /// Unix seconds; the system clock when not set (tests).
  std::function<int64_t()> clock;

private:
  bool api_tokens_ = false;
  jwt_settings jwt_;
  std::shared_ptr<storage::kv_store> kv_;
  /// The issuer's keys; null when OAuth is off.
  std::shared_ptr<jwks_cache> jwks_;
};

/// The settings of the transport for `opts` and `auth` (null: none).
void apply_auth(transport::mcp_http_settings& s,
                const config::server_options& opts,
                std::shared_ptr<bearer_auth> auth);

} // namespace rmcp::auth
