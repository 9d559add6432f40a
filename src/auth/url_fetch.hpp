#pragma once

// One GET of an authorization server's document (OIDC discovery or RFC 8414
// metadata, a JWKS), or one POST to the daemon's admin endpoint (the CLI),
// with Beast: https:// to any host, its certificate
// verified against `ca_file` (or the system's CAs) and its name; http://
// only on the loopback interface (a local authorization server or sidecar),
// since keys fetched in clear over a network could be replaced on the way.
// Blocking with one deadline for the whole exchange (resolve, connect,
// handshake, request, answer); the caller decides where that may happen.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace rmcp::auth {

struct fetch_settings {
  /// PEM file of CAs trusted for https://; empty: the system's CAs.
  std::string ca_file;
  /// GET, or POST with `body` (of `content_type`).
  std::string method = "GET";
  std::string body;
  std::string content_type = "application/json";
  /// The Authorization header ("" for none).
  std::string authorization;
  std::chrono::milliseconds timeout{3000};
  size_t body_limit = size_t{1} << 20;
};

struct fetched {
  unsigned status = 0;
  std::string body;
  /// The answer's Cache-Control header (empty when absent).
  std::string cache_control;
};

/// GETs (or POSTs to) `url`; errors (`ec::invalid_params`) name the URL and what failed
/// (malformed URL, non-loopback http, DNS, connect, certificate, timeout,
/// size). Any HTTP status is an answer; the caller judges it.
caf::expected<fetched> fetch_url(const std::string& url,
                                 const fetch_settings& settings);

/// The lifetime in seconds that a Cache-Control value grants: its
/// `s-maxage` or `max-age`, 0 for `no-store`/`no-cache`, nullopt when it
/// says nothing about freshness.
std::optional<int64_t> cache_max_age(std::string_view cache_control);

} // namespace rmcp::auth
