#pragma once

// The web console's login sessions: an opaque random id (the cookie) maps
// to the credential that logged in, its identity and a CSRF token. The
// table is bounded in size and in time: a session ends after `lifetime`
// whatever happens, after `idle` without a request, on logout, and, when
// the table is full, the least recently used one makes room for a new
// login. Pure and thread-safe (one mutex): I/O threads call it directly.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/identity.hpp"

namespace rmcp::console {

struct session_limits {
  /// Sessions at most (the least recently used one makes room).
  size_t max_sessions = 64;
  /// From login, whatever the activity.
  std::chrono::milliseconds lifetime{std::chrono::hours{8}};
  /// Without a request.
  std::chrono::milliseconds idle{std::chrono::minutes{30}};
};

struct login_session {
  /// The cookie value (64 hex digits, 256 random bits).
  std::string id;
  /// Required in X-CSRF-Token on every POST (64 hex digits).
  std::string csrf;
  /// Who logged in (re-checked through `token` on every request).
  identity who;
  /// The bearer token that logged in ("" without authentication); never
  /// logged or sent back.
  std::string token;
  /// Unix milliseconds.
  int64_t created_ms = 0;
  int64_t last_used_ms = 0;
};

class session_table {
public:
  /// `clock`: Unix milliseconds (the system clock when empty; tests).
  explicit session_table(session_limits limits = {},
                         std::function<int64_t()> clock = {});

  /// A new session for `who`, authenticated by `token`.
  login_session open(identity who, std::string token);

  /// The session of `id`, its last use now; nullopt when unknown, expired
  /// (then it is removed) or `id` is malformed.
  std::optional<login_session> find(std::string_view id);

  /// Ends a session; false when there was none.
  bool close(std::string_view id);

  /// Ends every session of `token` (a credential found revoked).
  void close_token(const std::string& token);

  size_t size() const;

  const session_limits& limits() const noexcept {
    return limits_;
  }

private:
  int64_t now() const;
  bool expired(const login_session& s, int64_t now) const;

  session_limits limits_;
  std::function<int64_t()> clock_;
  mutable std::mutex mtx_;
  std::map<std::string, login_session, std::less<>> sessions_;
};

/// 32 random bytes as 64 hex digits (aborts without randomness: refusing
/// to hand out guessable ids).
std::string random_hex_token();

/// True when `a` equals `b`; the time taken depends only on the lengths.
bool same_secret(std::string_view a, std::string_view b);

/// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(std::string_view header, std::string_view name);

/// The Set-Cookie value of a session cookie (`Secure` when `tls`); an
/// empty `id` clears the cookie.
std::string session_cookie(std::string_view name, std::string_view id, bool tls,
                           std::chrono::milliseconds max_age);

} // namespace rmcp::console
