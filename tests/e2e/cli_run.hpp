#pragma once

// Runs the built routeros-mcp binary as an admin would, to its end, for the
// end-to-end tests of the CLI.

#include <map>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/test_paths.hpp"

namespace rmcp::test {

struct outcome {
  int code = -1;
  std::string out;
  std::string err;
};

/// `routeros-mcp --data-dir DATA_DIR --log-level warn ARGS...` with `env`
/// added to the environment; stdin closed, stdout and stderr collected.
inline outcome run_cli(const std::string& data_dir,
                       const std::vector<std::string>& args,
                       std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{RMCP_BINARY_PATH, "--data-dir", data_dir,
                                "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  child_process p{argv, std::move(env)};
  p.close_stdin();
  outcome o;
  o.out = p.drain_stdout();
  o.code = p.wait().value_or(-1);
  o.err = p.stderr_text();
  return o;
}

} // namespace rmcp::test
