#pragma once

// `routeros-mcp doctor [--json] [--max-skew SECONDS] [--parallel N]`: one
// line per check (src/app/doctor.hpp) with a fix for each failure.
//
// Exit codes: 0 every check passed, 1 at least one failed (a configuration
// that does not load is a failed check too), 2 usage error.

#include <memory>

#include <CLI/CLI.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::cli {

class doctor_cli {
public:
  /// Adds the `doctor` subcommand to `app`.
  explicit doctor_cli(CLI::App& app);
  ~doctor_cli();

  /// True when `doctor` was given.
  bool parsed() const;

  /// Runs the checks on the loaded options (or reports why they did not
  /// load); `file` is the --config file. Returns the exit code.
  int run(const caf::expected<config::server_options>& opts,
          const std::string& file);

  struct state;

private:
  std::unique_ptr<state> state_;
};

} // namespace rmcp::cli
