#pragma once

// The authorization server's signing keys (JWKS) for the OAuth resource
// server, wherever they come from:
// - `auth.oauth_jwks` a file: read at start, read again on an unknown key
//   id;
// - `auth.oauth_jwks` an https:// URL (or http:// on loopback): fetched at
//   start and again when the answer's Cache-Control lifetime has passed
//   (no lifetime: 1 h; at least 30 s, at most 24 h), and on an unknown key
//   id;
// - `auth.oauth_jwks` empty: the URL is the `jwks_uri` of the issuer's
//   metadata, found by OIDC discovery (`<issuer>/.well-known/
//   openid-configuration`) or else RFC 8414 (`/.well-known/
//   oauth-authorization-server` + the issuer's path); the metadata's
//   `issuer` must equal `auth.oauth_issuer`.
// HTTPS certificates are verified against `auth.oauth_ca_file` or the
// system's CAs. A key id the keys do not hold triggers a reload at once the
// first time and then at most every 30 s, so forged tokens cannot make the
// server hammer the issuer. A failed reload keeps the keys it had (and is
// retried no sooner than 30 s later). Thread-safe; a reload runs on the
// calling thread (bounded by the fetch timeout) while other callers keep
// using the keys they have.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "protocol/json.hpp"
#include "src/auth/url_fetch.hpp"

namespace rmcp::auth {

struct jwks_settings {
  std::string issuer;
  /// File path or URL; empty: discovered from the issuer.
  std::string source;
  fetch_settings fetch;
};

class jwks_cache {
public:
  /// Seconds between reloads caused by unknown key ids or failures.
  static constexpr int64_t retry_every_s = 30;
  /// Lifetime of fetched keys when the answer gives none.
  static constexpr int64_t default_lifetime_s = 3600;
  static constexpr int64_t max_lifetime_s = 86400;

  /// Finds the source (discovery when `settings.source` is empty) and
  /// loads the keys; fails with a message naming the option and the cause.
  static caf::expected<std::shared_ptr<jwks_cache>>
  make(const jwks_settings& settings, int64_t now_s);

  /// The keys, reloaded first when their lifetime has passed.
  json keys(int64_t now_s);

  /// Called when a token names a key id that `keys()` lacks: reloads when
  /// allowed and returns the keys to verify with again, or nothing when no
  /// reload happened.
  std::optional<json> reload_for_unknown_key(int64_t now_s);

  /// Where the keys come from (a file or the URL in use).
  const std::string& source() const {
    return source_;
  }

private:
  jwks_cache(jwks_settings settings, std::string source)
    : settings_(std::move(settings)), source_(std::move(source)) {}

  bool is_url() const;

  /// Loads from the source; on success installs the keys and their expiry.
  caf::error load(int64_t now_s);

  /// `load` for a reload: logs the outcome; on failure the keys stay and
  /// the next expiry reload waits retry_every_s. Ends `reloading_`.
  void reload(int64_t now_s, const char* why);

  jwks_settings settings_;
  std::string source_;
  std::mutex mtx_;
  json keys_;
  /// Unix seconds after which fetched keys are reloaded (0: never).
  int64_t expires_at_ = 0;
  /// When an unknown key id last caused a reload.
  int64_t last_unknown_ = 0;
  bool reloading_ = false;
};

/// The `jwks_uri` in the issuer's authorization server metadata (OIDC
/// discovery, then RFC 8414).
caf::expected<std::string> discover_jwks_uri(const std::string& issuer,
                                             const fetch_settings& fetch);

} // namespace rmcp::auth
