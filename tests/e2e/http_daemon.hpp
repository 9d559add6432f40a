#pragma once

// The built routeros-mcp serving HTTP in an end-to-end test: waiting for
// its ephemeral port, and an MCP client that speaks to it with a bearer
// token (each message one POST /mcp on a fresh connection).

#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp::test {

/// Reads "http=<port>" from the ports file once the server wrote it.
inline uint16_t wait_for_port(const std::string& path, child_process& server) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in{path};
    std::string line;
    if (std::getline(in, line) && line.rfind("http=", 0) == 0)
      return static_cast<uint16_t>(std::stoi(line.substr(5)));
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  ADD_FAILURE() << "no ports file; stderr:\n" << server.stderr_text();
  return 0;
}

/// A running `serve --http` and the port it announced (0: none).
struct http_server_process {
  std::unique_ptr<child_process> process;
  uint16_t port = 0;

  /// SIGTERM; the exit code (0 when it drained).
  std::optional<int> stop() {
    process->kill(SIGTERM);
    return process->wait();
  }

  std::string log() const {
    return process->stderr_text();
  }
};

/// Starts `serve --http` on an ephemeral port in `data`, with `sets` as
/// further `--set key=value` options, and waits for its port.
inline http_server_process
launch_http(const temp_dir& data, const std::vector<std::string>& sets = {}) {
  std::vector<std::string> argv{
    RMCP_BINARY_PATH, "--data-dir", data.path(),
    "serve",          "--http",     "--listen",
    "127.0.0.1:0",    "--set",      "http.ports_file=" + (data / "ports")};
  for (auto& s : sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  http_server_process d;
  d.process = std::make_unique<child_process>(argv);
  d.port = wait_for_port(data / "ports", *d.process);
  return d;
}

/// An MCP session over HTTP authenticated with `token`.
class mcp_http_client {
public:
  mcp_http_client(uint16_t port, std::string token)
    : port_(port), token_(std::move(token)) {
    // nop
  }

  /// initialize (keeps the session id) and notifications/initialized.
  void open() {
    auto init = post(initialize_line());
    ASSERT_EQ(init.status, 200u) << init.body << init.error;
    sid_ = init.header("mcp-session-id");
    ASSERT_FALSE(sid_.empty());
    EXPECT_EQ(post(initialized).status, 202u);
  }

  const std::string& session_id() const noexcept {
    return sid_;
  }

  /// One JSON-RPC message in the session (`sid` overrides its id).
  http_reply post(const std::string& body, const std::string& sid = {}) const {
    http_headers h{{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"},
                   {"Authorization", "Bearer " + token_}};
    auto id = sid.empty() ? sid_ : sid;
    if (!id.empty()) {
      h.emplace_back("Mcp-Session-Id", id);
      h.emplace_back("MCP-Protocol-Version", "2025-11-25");
    }
    return http_exchange(port_, "POST", "/mcp", h, body);
  }

  /// A request; its whole JSON-RPC response (an SSE answer's last event).
  json request(const std::string& method, json params) {
    auto reply = post(json{{"jsonrpc", "2.0"},
                           {"id", ++next_id_},
                           {"method", method},
                           {"params", std::move(params)}}
                        .dump());
    EXPECT_EQ(reply.status, 200u) << reply.body << reply.error;
    auto body = reply.body;
    if (reply.header("content-type").rfind("text/event-stream", 0) == 0) {
      auto events = parse_sse(reply.body);
      body = events.empty() ? std::string{} : events.back().data;
    }
    return parse_json(body).value_or(json{});
  }

  /// tools/call; the result (isError included).
  json call(const std::string& tool, json args) {
    return request("tools/call",
                   {{"name", tool}, {"arguments", std::move(args)}})["result"];
  }

private:
  uint16_t port_;
  std::string token_;
  std::string sid_;
  int next_id_ = 1;
};

} // namespace rmcp::test
