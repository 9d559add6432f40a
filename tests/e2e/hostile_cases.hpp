#pragma once

// The table of hostile inputs of the end-to-end robustness test
// (hostile_input_test.cpp): what is sent, through which transport, and the
// answer it must get. docs/reliability.md shows this table (rendered by
// `render_table`; a test keeps the two equal).

#include <string>
#include <vector>

#include "protocol/json.hpp"

namespace rmcp::test {

/// Which transports a case goes through.
enum class via { both, stdio, http };

/// What answer a case must get.
enum class expect {
  /// A JSON-RPC error with `code` (HTTP: with `http_status`).
  rpc_error,
  /// A tools/call result with isError true (never a crash, never a write).
  tool_error,
  /// Either a JSON-RPC error -32602 naming the argument, or a tool result
  /// (dry run or refusal): free text may be a valid value, but no router
  /// is written.
  refused_or_dry,
  /// A raw HTTP exchange answered with `http_status` (0: the server closes
  /// the connection without an answer).
  http_status,
};

struct hostile_case {
  std::string group;
  std::string name;
  via transports = via::both;
  /// JSON-RPC message text (one stdio line, one HTTP body) or, for
  /// expect::http_status, the raw bytes of the HTTP exchange (`{port}`
  /// replaced by the server's port, `{sid}` by a live session id).
  std::string input;
  expect outcome = expect::rpc_error;
  int code = 0;
  unsigned http_status = 0;
};

/// Cases that need no knowledge of the tool catalogue.
std::vector<hostile_case> fixed_cases();

/// Script metacharacters in every string argument of every write tool with
/// a dry run, and hostile numbers in every integer argument, built from
/// `tools` (the `tools` array of tools/list).
std::vector<hostile_case> catalogue_cases(const json& tools);

/// A hostile answer of the simulated router to `path` and the tool that
/// reads it.
struct hostile_answer {
  std::string name;
  std::string path;
  std::string body;
  std::string tool;
  /// False for answers the daemon repairs and uses (control bytes inside
  /// strings); true when the tool must answer isError.
  bool refused = true;
};

std::vector<hostile_answer> hostile_answers();

/// The Markdown table of docs/reliability.md: one row per group with its
/// count, transports, expected answer and the case names.
std::string render_table(const std::vector<hostile_case>& cases,
                         const std::vector<hostile_answer>& answers);

} // namespace rmcp::test
