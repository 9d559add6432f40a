#pragma once

// Admin commands of the security model:
//
//   routeros-mcp token create --subject NAME --role ROLE [--device-ids P,…]
//                [--tags K=V,…] [--environments E,…] [--allow-tools P,…]
//                [--deny-tools P,…] [--expires-in 30d] [--description TEXT]
//   routeros-mcp token list [--json]
//   routeros-mcp token revoke ID
//   routeros-mcp audit verify
//   routeros-mcp audit export [--since 2026-01-31|2026-01-31T10:00:00Z|24h|ms]
//   routeros-mcp key rotate [--new-key-file F]
//
// `token create` prints the token once; the store keeps only its hash.
// `audit verify` exits 0 when the chain is intact, 7 naming the first
// broken record otherwise. `audit export` prints JSON lines, oldest first.
//
// Exit codes: as device_cli (0 ok, 1 failure, 2 usage, 3 not found) plus 7
// (the audit chain is broken).

#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::cli {

class security_cli {
public:
  explicit security_cli(CLI::App& app);
  ~security_cli();

  bool parsed() const;

  int run(const config::server_options& opts);

  struct state;

private:
  std::unique_ptr<state> state_;
};

/// Parses --since: Unix milliseconds, an ISO date (UTC) or date-time
/// (…Z), or a duration before `now_ms` ("90m", "24h", "7d"). nullopt when
/// malformed.
std::optional<int64_t> parse_since(const std::string& text, int64_t now_ms);

/// Parses a duration "30s", "15m", "24h", "7d" into milliseconds.
std::optional<int64_t> parse_duration_ms(const std::string& text);

} // namespace rmcp::cli
