#pragma once

// Bearer API tokens for HTTP callers (table `api_tokens`). A token is
//   rmcp_<12 hex id>_<43 characters base64url, 256 random bits>
// and is shown once, when created; the store keeps only its SHA-256, with
// the identity it stands for (subject, role, device scope, tool patterns),
// an optional expiry and the revocation time. `authenticate` turns a
// presented token into that identity or an `unauthorized` error that never
// says more than "invalid, expired or revoked".
//
// The daemon checks tokens on the HTTP I/O threads (LMDB read transactions,
// no writes); the admin CLI (`routeros-mcp token create|list|revoke`)
// writes them in its own process over the same environment.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/identity.hpp"
#include "protocol/json.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

struct api_token {
  /// 12 hex characters; part of the token text, not secret.
  std::string id;
  std::string subject;
  std::string role;
  device_scope scope;
  std::vector<std::string> allow_tools;
  std::vector<std::string> deny_tools;
  /// Hex SHA-256 of the whole token text.
  std::string secret_hash;
  std::string description;
  std::string created_by;
  int64_t created_at = 0;
  /// 0 = never.
  int64_t expires_at = 0;
  /// 0 = active.
  int64_t revoked_at = 0;
};

json token_json(const api_token& t);
bool token_from_json(const json& j, api_token& t);

class token_store {
public:
  /// `clock`: Unix milliseconds (the system clock when empty).
  explicit token_store(std::shared_ptr<kv_store> kv,
                       std::function<int64_t()> clock = {});

  struct created {
    api_token record;
    /// The token text; shown once, never stored.
    std::string token;
  };

  /// Stores a new token for `tmpl` (subject and a valid role required;
  /// id, hash and created_at are filled in).
  caf::expected<created> create(api_token tmpl);

  /// Every token (active, expired and revoked), oldest first.
  caf::expected<std::vector<api_token>> list();

  /// Marks a token revoked (idempotent); plan_not_found-like
  /// `invalid_arguments` when there is no such id.
  caf::expected<api_token> revoke(const std::string& id);

  /// The identity (transport "http") of a presented token; `unauthorized`
  /// when it is malformed, unknown, expired or revoked.
  caf::expected<identity> authenticate(std::string_view token);

private:
  std::shared_ptr<kv_store> kv_;
  std::function<int64_t()> clock_;
};

} // namespace rmcp::storage
