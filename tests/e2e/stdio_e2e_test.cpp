// End-to-end: spawn the built routeros-mcp and speak MCP over its
// stdin/stdout, as a client would.

#include <signal.h>

#include <set>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

class stdio_e2e : public ::testing::Test {
protected:
  test::temp_dir data;
  child_process server{{binary, "serve", "--stdio"},
                       {{"ROUTEROS_MCP_DATA_DIR", data.path()}}};

  void handshake() {
    server.write_line(initialize_line());
    auto init = read_json(server);
    ASSERT_EQ(init["id"], 1);
    ASSERT_EQ(init["result"]["protocolVersion"], "2025-11-25");
    server.write_line(initialized);
  }
};

} // namespace

TEST_F(stdio_e2e, initialize_then_list_then_call) {
  handshake();
  auto list = request(server, 2, "tools/list");
  ASSERT_TRUE(list["result"]["tools"].is_array());
  EXPECT_GE(list["result"]["tools"].size(), 2u);
  auto echo = request(server, 3, "tools/call",
                      {{"name", "echo"}, {"arguments", {{"message", "hi"}}}});
  EXPECT_EQ(echo["result"]["structuredContent"]["message"], "hi");
  EXPECT_EQ(echo["result"]["content"][0]["text"], "Echo: hi");
  auto health =
    request(server, 4, "tools/call",
            {{"name", "service_health"}, {"arguments", json::object()}});
  EXPECT_EQ(health["result"]["structuredContent"]["status"], "ok");
  EXPECT_EQ(health["result"]["structuredContent"]["sessions"], 1);
  EXPECT_GT(
    health["result"]["structuredContent"]["actor_system"]["running_actors"], 0);
}

TEST_F(stdio_e2e, toolsets_decide_what_is_listed_and_callable) {
  handshake();
  // The default: plans are not offered, single-device writes are.
  auto names = [](const json& list) {
    std::set<std::string> out;
    for (auto& t : list["result"]["tools"])
      out.insert(t["name"].get<std::string>());
    return out;
  };
  auto listed = names(request(server, 2, "tools/list"));
  EXPECT_TRUE(listed.count("set_system_identity"));
  EXPECT_FALSE(listed.count("plan_add_static_route"));
  auto refused = request(
    server, 3, "tools/call",
    {{"name", "apply_routing_plan"},
     {"arguments",
      {{"plan_id", "plan-20260101000000-0123abcd"}, {"approval_token", "x"}}}});
  EXPECT_EQ(refused["error"]["code"], -32602) << refused.dump();
  EXPECT_NE(refused["error"]["message"].get<std::string>().find(
              "toolset 'plans' is not enabled"),
            std::string::npos)
    << refused.dump();
  // --toolsets picks others.
  test::temp_dir other;
  child_process core{{binary, "serve", "--stdio", "--toolsets", "core,plans"},
                     {{"ROUTEROS_MCP_DATA_DIR", other.path()}}};
  core.write_line(initialize_line());
  read_json(core);
  core.write_line(initialized);
  auto some = names(request(core, 2, "tools/list"));
  EXPECT_TRUE(some.count("list_devices"));
  EXPECT_TRUE(some.count("plan_add_static_route"));
  EXPECT_FALSE(some.count("list_interfaces"));
  EXPECT_FALSE(some.count("set_system_identity"));
  core.close_stdin();
  EXPECT_EQ(core.wait(std::chrono::seconds{10}), 0);
  // An unknown toolset stops the daemon before it serves.
  child_process bad{{binary, "serve", "--stdio", "--toolsets", "nope"},
                    {{"ROUTEROS_MCP_DATA_DIR", other.path()}}};
  EXPECT_EQ(bad.wait(std::chrono::seconds{10}), 2);
  EXPECT_NE(bad.stderr_text().find("unknown toolset 'nope'"), std::string::npos)
    << bad.stderr_text();
}

TEST_F(stdio_e2e, every_error_class_is_answered_and_the_server_survives) {
  handshake();
  server.write_line("this is not json");
  EXPECT_EQ(read_json(server)["error"]["code"], -32700);
  server.write_line(R"({"jsonrpc":"2.0","id":5})");
  EXPECT_EQ(read_json(server)["error"]["code"], -32600);
  EXPECT_EQ(request(server, 6, "no/such/method")["error"]["code"], -32601);
  EXPECT_EQ(
    request(server, 7, "tools/call",
            {{"name", "nope"}, {"arguments", json::object()}})["error"]["code"],
    -32602);
  auto bad_args = request(server, 8, "tools/call",
                          {{"name", "echo"}, {"arguments", {{"message", 1}}}});
  EXPECT_EQ(bad_args["result"]["isError"], true);
  EXPECT_NE(bad_args["result"]["content"][0]["text"].get<std::string>().find(
              "$.message"),
            std::string::npos);
  EXPECT_EQ(request(server, 9, "ping")["result"], json::object());
}

TEST_F(stdio_e2e,
       a_deeply_nested_line_is_a_parse_error_and_the_server_serves_on) {
  handshake();
  server.write_line(R"({"jsonrpc":"2.0","id":7,"method":"ping","params":)"
                    + std::string(200000, '[') + "}");
  auto answer = read_json(server);
  EXPECT_EQ(answer["error"]["code"], -32700) << answer.dump();
  EXPECT_NE(
    answer["error"]["message"].get<std::string>().find("deeper than 64 levels"),
    std::string::npos);
  EXPECT_EQ(request(server, 8, "ping")["result"], json::object());
}

TEST_F(stdio_e2e, crlf_lines_and_blank_lines_are_accepted) {
  server.write_line(initialize_line() + "\r");
  EXPECT_EQ(read_json(server)["id"], 1);
  server.write_line("");
  server.write_line(R"({"jsonrpc":"2.0","id":2,"method":"ping"})"
                    "\r");
  EXPECT_EQ(read_json(server)["id"], 2);
}

TEST_F(stdio_e2e, eof_shuts_down_with_exit_code_zero) {
  handshake();
  server.close_stdin();
  EXPECT_EQ(server.wait(), 0);
  EXPECT_NE(server.stderr_text().find("serve-stopped"), std::string::npos);
}

TEST_F(stdio_e2e, sigterm_shuts_down_with_exit_code_zero) {
  handshake();
  EXPECT_EQ(request(server, 2, "ping")["result"], json::object());
  server.kill(SIGTERM);
  EXPECT_EQ(server.wait(), 0);
  EXPECT_NE(server.stderr_text().find("shutdown-requested signal=15"),
            std::string::npos);
}

TEST(stdio_e2e_standalone, stdout_carries_only_protocol_messages) {
  test::temp_dir data;
  child_process p{{binary}, {{"ROUTEROS_MCP_DATA_DIR", data.path()}}};
  p.write_line(initialize_line());
  p.write_line(initialized);
  p.write_line(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  p.close_stdin();
  auto out = p.drain_stdout();
  EXPECT_EQ(p.wait(), 0);
  size_t lines = 0;
  size_t start = 0;
  while (start < out.size()) {
    auto nl = out.find('\n', start);
    auto line = out.substr(start, nl - start);
    auto msg = parse_json(line);
    ASSERT_TRUE(msg.has_value()) << line;
    EXPECT_EQ((*msg)["jsonrpc"], "2.0");
    ++lines;
    start = nl + 1;
  }
  EXPECT_EQ(lines, 2u);
}

TEST(stdio_e2e_standalone,
     bad_configuration_exits_with_code_two_naming_the_key) {
  child_process bad_value{
    {binary, "--set", "server.tool_timeout=soon", "config", "check"}};
  EXPECT_EQ(bad_value.wait(), 2);
  EXPECT_NE(bad_value.stderr_text().find("server.tool_timeout"),
            std::string::npos);
  child_process unknown{
    {binary, "--set", "server.colour=red", "config", "check"}};
  EXPECT_EQ(unknown.wait(), 2);
  EXPECT_NE(unknown.stderr_text().find("server.colour: unknown key"),
            std::string::npos);
  child_process bad_env{{binary, "config", "check"},
                        {{"ROUTEROS_MCP_ENVIRONMENT", "production"}}};
  EXPECT_EQ(bad_env.wait(), 2);
  EXPECT_NE(bad_env.stderr_text().find("legal values: lab, staging, prod"),
            std::string::npos);
}

TEST(stdio_e2e_standalone, example_configurations_are_valid) {
  for (auto name : {"lab", "staging", "prod"}) {
    // staging and prod need the credential key (docs/operations.md).
    child_process p{{binary, "--config",
                     std::string{RMCP_SOURCE_DIR} + "/config/" + name + ".yaml",
                     "config", "check"},
                    {{"ROUTEROS_MCP_ENCRYPTION_KEY", std::string(64, 'e')}}};
    EXPECT_EQ(p.wait(), 0) << name << ": " << p.stderr_text();
  }
}

} // namespace rmcp
