// End-to-end: the built routeros-mcp started with `serve --http` on an
// ephemeral port (announced in a ports file), driven by our own HTTP
// client; SIGTERM drains and exits 0.

#include <signal.h>

#include <memory>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

/// Starts `serve --http` on an ephemeral port in `data`.
std::unique_ptr<child_process> start_http(const temp_dir& data) {
  return std::make_unique<child_process>(std::vector<std::string>{
    binary, "--data-dir", data.path(), "serve", "--http", "--listen",
    "127.0.0.1:0", "--set", "http.ports_file=" + (data / "ports")});
}

const http_headers mcp_headers{{"Content-Type", "application/json"},
                               {"Accept", "application/json, text/event-stream"}};

} // namespace

TEST(http_e2e, serve_http_answers_mcp_and_drains_on_sigterm) {
  temp_dir data;
  auto process = start_http(data);
  auto& server = *process;
  auto port = wait_for_port(data / "ports", server);
  ASSERT_NE(port, 0);
  auto init = http_exchange(
    port, "POST", "/mcp", mcp_headers,
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})");
  ASSERT_EQ(init.status, 200u) << init.error << server.stderr_text();
  auto sid = init.header("mcp-session-id");
  ASSERT_FALSE(sid.empty());
  auto headers = mcp_headers;
  headers.emplace_back("Mcp-Session-Id", sid);
  headers.emplace_back("MCP-Protocol-Version", "2025-11-25");
  auto list = http_exchange(port, "POST", "/mcp", headers,
                            R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  ASSERT_EQ(list.status, 200u);
  auto tools = parse_json(list.body).value()["result"]["tools"];
  EXPECT_GE(tools.size(), 2u);
  EXPECT_EQ(http_exchange(port, "GET", "/health", {}).status, 200u);
  server.kill(SIGTERM);
  EXPECT_EQ(server.wait(), 0) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("serve-stopped transport=http"),
            std::string::npos);
}

TEST(http_e2e, a_bad_listen_address_is_a_configuration_error) {
  temp_dir data;
  child_process server{{binary, "--data-dir", data.path(), "serve", "--http",
                        "--listen", "localhost:80"}};
  EXPECT_EQ(server.wait(), 2);
  EXPECT_NE(server.stderr_text().find("http.listen"), std::string::npos)
    << server.stderr_text();
}

TEST(http_e2e, a_port_in_use_fails_the_start) {
  temp_dir data;
  auto process = start_http(data);
  auto& first = *process;
  auto port = wait_for_port(data / "ports", first);
  ASSERT_NE(port, 0);
  temp_dir other;
  child_process second{{binary, "--data-dir", other.path(), "serve", "--http",
                        "--listen", "127.0.0.1:" + std::to_string(port)}};
  EXPECT_EQ(second.wait(), 1);
  EXPECT_NE(second.stderr_text().find("cannot listen on"), std::string::npos)
    << second.stderr_text();
  first.kill(SIGTERM);
  EXPECT_EQ(first.wait(), 0);
}

} // namespace rmcp
