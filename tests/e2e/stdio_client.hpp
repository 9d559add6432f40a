#pragma once

// Speaking MCP to a spawned routeros-mcp over its stdin/stdout: the lines
// and requests every end-to-end test needs.

#include <string>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/support/child_process.hpp"

namespace rmcp::test {

inline std::string initialize_line(int id = 1,
                                   const std::string& version = "2025-11-25") {
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", version},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}}}
    .dump();
}

inline const std::string initialized =
  R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

/// The next stdout line as JSON (null when none arrives in time).
inline json read_json(child_process& p) {
  auto line = p.read_line();
  EXPECT_TRUE(line.has_value()) << "no line from the server; stderr:\n"
                                << p.stderr_text();
  if (!line)
    return nullptr;
  auto parsed = parse_json(*line);
  EXPECT_TRUE(parsed.has_value())
    << "stdout carried a non-JSON line: " << *line;
  return parsed ? *parsed : json{};
}

/// Sends a request and returns the next line (the answer in these tests).
inline json request(child_process& p, int id, const std::string& method,
                    json params = nullptr) {
  json msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null())
    msg["params"] = std::move(params);
  p.write_line(msg.dump());
  return read_json(p);
}

/// initialize + notifications/initialized.
inline void handshake(child_process& p) {
  p.write_line(initialize_line());
  auto init = read_json(p);
  ASSERT_EQ(init["id"], 1) << init.dump();
  p.write_line(initialized);
}

} // namespace rmcp::test
