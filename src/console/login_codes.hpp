#pragma once

// One-time login codes of the web console: a login link
// (`http://HOST:PORT/ui/#code=…`) that logs one identity in once. The
// daemon mints them (at start with `serve --console-login-as`, and through
// POST /admin/console/login-link on a running daemon) and keeps only their
// SHA-256: a code is 256 random bits, bound to one identity, valid for
// minutes, compared in constant time and consumed by its first use; a
// second use is refused naming when it was used. Codes live in this
// process only (a restart, or another node of a cluster, does not know
// them). Pure and thread-safe (one mutex): I/O threads call it directly.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/identity.hpp"

namespace rmcp::console {

struct login_code_limits {
  /// Codes kept at most (used and expired ones go first, then the oldest).
  size_t max_codes = 64;
  /// Longest validity a code may be given.
  std::chrono::milliseconds max_ttl{std::chrono::minutes{60}};
};

/// Validity of a code when none is asked for.
inline constexpr std::chrono::minutes default_login_code_ttl{10};

class login_codes {
public:
  /// `clock`: Unix milliseconds (the system clock when empty; tests).
  explicit login_codes(login_code_limits limits = {},
                       std::function<int64_t()> clock = {});

  /// A new code for `who`, valid for `ttl` (1 s to max_ttl;
  /// invalid_arguments otherwise): "rmcpc_" and 64 hex digits, returned
  /// once and never kept.
  caf::expected<std::string> mint(identity who, std::chrono::milliseconds ttl);

  /// The identity of `code`, which is consumed. unauthorized for an
  /// unknown, malformed, expired or already used code (the message says
  /// which, never what the code is).
  caf::expected<identity> redeem(std::string_view code);

  /// Codes kept (used or not, until they expire).
  size_t size() const;

private:
  struct entry {
    /// Hex SHA-256 of the code.
    std::string hash;
    identity who;
    int64_t expires_ms = 0;
    /// 0 until used.
    int64_t used_ms = 0;
  };

  int64_t now() const;

  login_code_limits limits_;
  std::function<int64_t()> clock_;
  mutable std::mutex mtx_;
  std::vector<entry> codes_;
};

/// When `url_base` is "http://127.0.0.1:8090": the login link of `code`
/// ("http://127.0.0.1:8090/ui/#code=…").
std::string login_link(std::string_view url_base, std::string_view code);

} // namespace rmcp::console
