#pragma once

// OAuth 2.1 resource server: verification of JWT access tokens with OpenSSL
// (EVP) against the authorization server's JWKS. Pure: no I/O; the JWKS
// text is given (src/auth/http_auth.hpp loads it from a file or a loopback
// URL).
//
// Accepted: compact JWS with `alg` RS256 (RSA key, PKCS#1 v1.5) or ES256
// (P-256 key, raw r||s signature). Refused: any other alg (`none`, HS256,
// ...), a `kid` the JWKS does not hold (and no `kid` when the JWKS holds
// more than one key), a key whose type or `alg` does not fit, a bad
// signature, `iss` other than the issuer, `aud` not containing the audience,
// a missing or passed `exp`, a future `nbf` (60 s leeway each), no `sub`.
// Header and claims are parsed with the depth limit of
// protocol/json_parse.hpp and each member's type is checked before use: a
// malformed token is refused (invalid), never thrown on.
//
// Identity: subject = `sub`; role = claim `role` (or
// `https://routeros-mcp/role`), else the highest of the scopes mcp:admin,
// mcp:write (ops_rw), mcp:approve (approver), mcp:read (read_only) in
// `scope` (space separated) or `scp` (array); none of them is
// insufficient_scope (HTTP 403). Device scope: claims `device_ids`,
// `device_tags`, `device_environments` (arrays or comma-separated).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/identity.hpp"
#include "protocol/json.hpp"

namespace rmcp::auth {

/// Scope names of the protected resource metadata, lowest first.
const std::vector<std::string>& scopes_supported();

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

struct jwt_settings {
  std::string issuer;
  std::string audience;
  /// Allowed clock difference, seconds.
  int64_t leeway_s = 60;
};

/// Why a token was refused.
enum class jwt_failure {
  /// 401 error="invalid_token".
  invalid,
  /// The signing key is not in the JWKS: reload it once and retry.
  unknown_key,
  /// 403 error="insufficient_scope".
  insufficient_scope,
};

struct jwt_result {
  std::optional<identity> who;
  jwt_failure failure = jwt_failure::invalid;
  /// What is wrong (for logs and the error description; never the token).
  std::string reason;
};

/// Verifies `token` against `jwks` (a parsed JWKS document) at Unix time
/// `now_s`.
jwt_result verify_jwt(std::string_view token, const json& jwks,
                      const jwt_settings& settings, int64_t now_s);

} // namespace rmcp::auth
