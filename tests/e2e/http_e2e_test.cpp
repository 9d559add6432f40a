// End-to-end: the built routeros-mcp started with `serve --http` on an
// ephemeral port (announced in a ports file), driven by our own HTTP
// client; SIGTERM drains and exits 0. Hostile input (malformed bearer
// tokens, deeply nested bodies) is refused and the server serves on.

#include <signal.h>

#include <fstream>
#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/jwt_keys.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

const http_headers mcp_headers{
  {"Content-Type", "application/json"},
  {"Accept", "application/json, text/event-stream"}};

/// POSTs an initialize to /mcp, with a bearer token when one is given.
http_reply post_initialize(uint16_t port, const std::string& bearer = {},
                           const std::string& body = initialize_line()) {
  auto headers = mcp_headers;
  if (!bearer.empty())
    headers.emplace_back("Authorization", "Bearer " + bearer);
  return http_exchange(port, "POST", "/mcp", headers, body);
}

} // namespace

TEST(http_e2e, serve_http_answers_mcp_and_drains_on_sigterm) {
  temp_dir data;
  auto server = launch_http(data);
  auto port = server.port;
  ASSERT_NE(port, 0);
  auto init = http_exchange(
    port, "POST", "/mcp", mcp_headers,
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})");
  ASSERT_EQ(init.status, 200u) << init.error << server.log();
  auto sid = init.header("mcp-session-id");
  ASSERT_FALSE(sid.empty());
  auto headers = mcp_headers;
  headers.emplace_back("Mcp-Session-Id", sid);
  headers.emplace_back("MCP-Protocol-Version", "2025-11-25");
  auto list =
    http_exchange(port, "POST", "/mcp", headers,
                  R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  ASSERT_EQ(list.status, 200u);
  auto tools = parse_json(list.body).value()["result"]["tools"];
  EXPECT_GE(tools.size(), 2u);
  EXPECT_EQ(http_exchange(port, "GET", "/health", {}).status, 200u);
  EXPECT_EQ(server.stop(), 0) << server.log();
  EXPECT_NE(server.log().find("serve-stopped transport=http"),
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
  auto first = launch_http(data);
  ASSERT_NE(first.port, 0);
  temp_dir other;
  child_process second{{binary, "--data-dir", other.path(), "serve", "--http",
                        "--listen", "127.0.0.1:" + std::to_string(first.port)}};
  EXPECT_EQ(second.wait(), 1);
  EXPECT_NE(second.stderr_text().find("cannot listen on"), std::string::npos)
    << second.stderr_text();
  EXPECT_EQ(first.stop(), 0);
}

TEST(http_e2e, malformed_bearer_tokens_get_401_and_the_server_serves_on) {
  temp_dir data;
  auto key = make_key("RS256", "k1");
  std::ofstream{data / "jwks.json"}
    << json{{"keys", json::array({jwk_of(*key)})}}.dump();
  auto server =
    launch_http(data, {"auth.oauth_issuer=https://as.example.com",
                       "auth.oauth_audience=https://mcp.example.com/mcp",
                       "auth.oauth_jwks=" + (data / "jwks.json")});
  ASSERT_NE(server.port, 0);
  auto claims = access_claims("carol", "mcp:read");
  // 4,000 levels: a 10,000-deep token exceeds the 16 KiB header limit
  // and is answered 431 before any verifier sees it.
  for (auto& [what, bad] : malformed_tokens(*key, claims, 4000)) {
    auto r = post_initialize(server.port, bad);
    EXPECT_EQ(r.status, 401u) << what << ": " << r.error << server.log();
    EXPECT_NE(r.header("www-authenticate").find("error=\"invalid_token\""),
              std::string::npos)
      << what;
  }
  auto good = post_initialize(server.port, token(*key, claims));
  EXPECT_EQ(good.status, 200u) << good.body << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(http_e2e, a_deeply_nested_initialize_gets_400_and_the_server_serves_on) {
  temp_dir data;
  auto server = launch_http(data);
  ASSERT_NE(server.port, 0);
  auto deep = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":)"
              + std::string(200000, '[') + "}";
  auto r = post_initialize(server.port, {}, deep);
  ASSERT_EQ(r.status, 400u) << r.error << server.log();
  auto error = parse_json(r.body).value()["error"];
  EXPECT_EQ(error["code"], -32700);
  EXPECT_NE(error["message"].get<std::string>().find("deeper than 64 levels"),
            std::string::npos)
    << r.body;
  EXPECT_EQ(post_initialize(server.port).status, 200u) << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();
}

} // namespace rmcp
