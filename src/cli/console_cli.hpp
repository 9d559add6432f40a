#pragma once

// `routeros-mcp console login-link --as NAME [--role ROLE] [--ttl SECONDS]
// [--url URL] [--token-file FILE]`: asks a running daemon for a one-time
// login link of its web console (POST /admin/console/login-link, see
// src/app/admin_http.hpp) and prints it on stdout. The daemon mints and
// keeps the code (only its hash); the CLI authenticates with an admin API
// token from --token-file or ROUTEROS_MCP_TOKEN, and talks to --url
// (default: http:// and `http.listen`; http:// only on loopback).
//
// Exit codes: 0 ok, 1 the daemon could not be reached or refused, 2 usage
// (no token, bad arguments).

#include <memory>

#include <CLI/CLI.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::cli {

class console_cli {
public:
  explicit console_cli(CLI::App& app);
  ~console_cli();

  bool parsed() const;

  int run(const config::server_options& opts);

  struct state;

private:
  std::unique_ptr<state> state_;
};

} // namespace rmcp::cli
