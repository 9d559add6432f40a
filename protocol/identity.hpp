#pragma once

// Who is calling: the identity every tool call and audit record carries.

#include <string>

#include <caf/meta/type_name.hpp>

namespace rmcp {

struct identity {
  /// Stable subject: "local-operator" on stdio, a token id or JWT `sub` on
  /// HTTP, "cli:<user>" for the admin CLI.
  std::string subject;
  /// RBAC role: read_only, ops_rw, admin or approver.
  std::string role;
  /// How the caller reached us: stdio, http, cli.
  std::string transport;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, identity& x) {
  return f(caf::meta::type_name("identity"), x.subject, x.role, x.transport);
}

} // namespace rmcp
