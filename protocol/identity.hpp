#pragma once

// Who is calling: the identity every tool call and audit record carries,
// with what it may touch (roles and scopes are decided in protocol/authz.hpp).

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace rmcp {

/// The devices an identity may touch. All three lists empty = every device.
/// Otherwise a device is in scope when its id matches an `ids` pattern, or
/// one of its tags matches a `tags` entry ("key" or "key=value", patterns
/// allowed), or its environment is in `environments`. Patterns use `*`.
struct device_scope {
  std::vector<std::string> ids;
  std::vector<std::string> tags;
  std::vector<std::string> environments;

  bool everything() const noexcept {
    return ids.empty() && tags.empty() && environments.empty();
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_scope& x) {
  return f(caf::meta::type_name("device_scope"), x.ids, x.tags, x.environments);
}

struct identity {
  /// Stable subject: "local-operator" on stdio, a token's subject or JWT
  /// `sub` on HTTP, "cli:<login name>" for the admin CLI.
  std::string subject;
  /// RBAC role: read_only, ops_rw, admin or approver.
  std::string role;
  /// How the caller reached us: stdio, http, cli.
  std::string transport;
  /// Devices this caller may touch.
  device_scope scope;
  /// Tool name patterns (`*` wildcard). Non-empty `allow_tools`: only tools
  /// matching one of them (and the role) may be called. `deny_tools` always
  /// wins.
  std::vector<std::string> allow_tools;
  std::vector<std::string> deny_tools;
  /// What authenticated the caller, telling apart two credentials of one
  /// subject: "token:<id>" (API token), "jwt:<jti>" or "jwt:<iss> <sub>"
  /// (OAuth); "os:<login name>" on the CLI. An HTTP session works only for
  /// the credential that opened it.
  std::string credential;
  /// A name the caller gives without proof (the CLI's `--as`): recorded in
  /// the audit trail and the plan, never a source of rights.
  std::string claimed_as;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, identity& x) {
  return f(caf::meta::type_name("identity"), x.subject, x.role, x.transport,
           x.scope, x.allow_tools, x.deny_tools, x.credential, x.claimed_as);
}

} // namespace rmcp
