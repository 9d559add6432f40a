#pragma once

// The checks every HTTP request passes before it reaches MCP: Host and
// Origin against allow-lists (DNS-rebinding protection), what the client
// accepts, and a per-session token bucket. Pure functions and values, no
// I/O, so they are unit tested directly.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace rmcp::transport {

/// Host and Origin allow-lists.
///
/// Loopback names (localhost, 127.0.0.1, [::1]) are always allowed, on any
/// port, as Host and as Origin host. `hosts` adds names ("mcp.example.com",
/// any port) or name:port pairs ("10.0.0.5:8080"); `origins` adds exact
/// origins ("https://app.example.com"). A single "*" in a list turns that
/// check off (for deployments behind a proxy that checks itself).
class origin_policy {
public:
  origin_policy() = default;
  origin_policy(std::vector<std::string> hosts,
                std::vector<std::string> origins);

  /// Parses comma-separated lists (blanks ignored).
  static origin_policy from_lists(std::string_view hosts,
                                  std::string_view origins);

  /// Adds a host name that is allowed on any port (e.g. the bind address).
  void allow_host(std::string name);

  /// Empty when `host` (the Host header) is allowed, else why not.
  std::string check_host(std::string_view host) const;

  /// Empty when `origin` (the Origin header; empty = absent) is allowed,
  /// else why not.
  std::string check_origin(std::string_view origin) const;

private:
  bool any_host_ = false;
  bool any_origin_ = false;
  std::vector<std::string> hosts_;
  std::vector<std::string> origins_;
};

/// Splits "name:port", "[v6]:port" or "name" (lower-cased name, port "" when
/// absent).
void split_host_port(std::string_view text, std::string& name,
                     std::string& port);

/// True for localhost, 127.0.0.0/8 and [::1].
bool is_loopback_name(std::string_view name);

/// What an Accept header admits. An absent header admits everything.
struct accept_set {
  bool json = false;
  bool event_stream = false;
};

accept_set parse_accept(std::string_view accept);

/// True when the media type of a Content-Type header is `type`
/// (parameters such as charset ignored, case-insensitive).
bool media_type_is(std::string_view content_type, std::string_view type);

/// Token bucket: `rate` tokens per second up to `burst`; starts full.
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now);

  /// Takes one token; false when the bucket is empty.
  bool take(clock::time_point now);

  /// Seconds until the next token (for Retry-After), at least 1.
  int retry_after_seconds() const;

private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

/// Comma-separated list to trimmed, non-empty items.
std::vector<std::string> split_list(std::string_view text);

} // namespace rmcp::transport
