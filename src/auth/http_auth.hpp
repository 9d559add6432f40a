#pragma once

// The bearer-token authenticator of the HTTP transport: API tokens
// (storage/token_store.hpp, `auth.api_tokens`) and OAuth JWT access tokens
// (src/auth/jwt.hpp, `auth.oauth_*`). A token that looks like an API token
// ("rmcp_…") is checked against the store, anything else as a JWT.
//
// The JWKS is read at start (a file, or an http://127.0.0.1 / [::1] /
// localhost URL) and read again when a token names an unknown key id (the
// first time at once, then at most every 30 s); a failed reload keeps the
// keys it had.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"
#include "src/auth/jwt.hpp"
#include "src/config/server_options.hpp"
#include "src/transport/mcp_http.hpp"
#include "storage/kv.hpp"

namespace rmcp::auth {

/// True when the options turn HTTP authentication on.
bool auth_configured(const config::server_options& opts);

/// Reads a JWKS from a file or a loopback http:// URL (2 s timeout).
caf::expected<json> load_jwks(const std::string& source);

class bearer_auth {
public:
  /// Checks the options (issuer needs audience and JWKS; a JWKS URL must be
  /// loopback http) and loads the JWKS. `kv` is the store (API tokens).
  static caf::expected<std::shared_ptr<bearer_auth>>
  make(const config::server_options& opts,
       std::shared_ptr<storage::kv_store> kv);

  /// The transport's authenticator (thread-safe).
  transport::auth_outcome check(std::string_view token);

  /// Unix seconds; the system clock when not set (tests).
  std::function<int64_t()> clock;

private:
  bool api_tokens_ = false;
  bool oauth_ = false;
  jwt_settings jwt_;
  std::string jwks_source_;
  std::shared_ptr<storage::kv_store> kv_;
  std::mutex mtx_;
  json jwks_;
  int64_t last_reload_ = 0;
};

/// The settings of the transport for `opts` and `auth` (null: none).
void apply_auth(transport::mcp_http_settings& s,
                const config::server_options& opts,
                std::shared_ptr<bearer_auth> auth);

} // namespace rmcp::auth
