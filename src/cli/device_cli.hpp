#pragma once

// `routeros-mcp device add|list|show|update|remove|check`: the registry of
// routers, edited in the store directly (a separate process from the
// daemon, which notices changes through the store's generation counter).
// `check` asks the router itself over REST, right now.
//
// Passwords never come from argv: --password-file FILE, --password-env VAR
// (default ROUTEROS_MCP_DEVICE_PASSWORD when set), or an interactive prompt
// without echo. An update that changes the endpoint (host, port, scheme,
// TLS) drops the stored password unless a new one is given. add, update and
// remove are audited (kind "change", tool "device add|update|remove").
//
// Exit codes:
//   0  success
//   1  runtime failure (store, key, actor system)
//   2  usage error: bad flags or values (named in the message)
//   3  no such device
//   4  add: the id is already registered (use update)
//   5  check: the router is unreachable (or refused TLS or the credentials)

#include <memory>

#include <CLI/CLI.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::cli {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;
inline constexpr int usage = 2;
inline constexpr int not_found = 3;
inline constexpr int exists = 4;
inline constexpr int unreachable = 5;
} // namespace exit_code

class device_cli {
public:
  /// Adds the `device` subcommand tree to `app`.
  explicit device_cli(CLI::App& app);
  ~device_cli();

  /// True when a `device` subcommand was given.
  bool parsed() const;

  /// Runs the parsed subcommand; returns its exit code.
  int run(const config::server_options& opts);

  struct state;

private:
  std::unique_ptr<state> state_;
};

} // namespace rmcp::cli
