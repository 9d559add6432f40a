#pragma once

// The login link `serve --console-login-as NAME` prints at start: a
// one-time code of the web console (src/console/login_codes.hpp) for NAME
// with `--console-login-role`, as a URL whose fragment carries the code.
// It goes to stderr only, never to a log (stdout carries MCP on stdio).

#include <cstdint>
#include <string>

#include <caf/error.hpp>

#include "src/app/runtime.hpp"

namespace rmcp::console {
class console_http;
} // namespace rmcp::console

namespace rmcp::app {

/// Prints the link of a new code for `extras.login_as` on `console`,
/// served at `address`:`port`; nothing when no login is asked for. Fails
/// (invalid_params) when there is no console to log in to or the role is
/// not one of read_only, ops_rw, approver, admin.
caf::error print_login_link(const console::console_http* console,
                            const std::string& address, uint16_t port, bool tls,
                            const serve_extras& extras);

} // namespace rmcp::app
