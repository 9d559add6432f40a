#pragma once

// Who the configured callers are: the local operator on stdio and the
// admin CLI (docs/security.md). HTTP callers come from their bearer token
// (src/app/http_auth.hpp) or, on a loopback listener without auth, from
// `http.role`.

#include "protocol/identity.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::app {

/// stdio: subject "local-operator", role `stdio.role`, every device.
identity stdio_identity(const config::server_options& opts);

/// The admin CLI: subject "cli:<login name>", `as` (the `--as` option) as
/// an unproven claim (identity::claimed_as), role `cli.role`.
identity cli_identity(const config::server_options& opts,
                      const std::string& as);

} // namespace rmcp::app
