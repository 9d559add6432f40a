// End-to-end: where a device lives and what an MCP client may do to it are
// set only out of band. Two simulated routers on loopback: edge-01 is
// registered on router 0; router 1 is where an attacker would like the
// stored password sent. Its connection and request counters prove that
// nothing (no Authorization header, not even a TCP connection) reaches it.

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

sim::fleet_options two_tls_routers() {
  sim::fleet_options o;
  o.routers = 2;
  o.tls = true;
  return o;
}

class registry_e2e : public ::testing::Test {
protected:
  outcome device(std::vector<std::string> args,
                 std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "device");
    return run_cli(data.path(), args, std::move(env));
  }

  std::string port(size_t router) {
    return std::to_string(routers->port(router));
  }

  void add_edge() {
    auto o = device({"add", "edge-01", "--host", "127.0.0.1", "--port", port(0),
                     "--username", "admin", "--fingerprint",
                     routers->fingerprint_sha256()},
                    {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
    ASSERT_EQ(o.code, 0) << o.err;
  }

  json shown() {
    auto o = device({"show", "edge-01", "--json"});
    EXPECT_EQ(o.code, 0) << o.err;
    return parse_json(o.out).value_or(json{});
  }

  /// A daemon on stdio whose local operator has `role`.
  std::unique_ptr<child_process> serve(const std::string& role = "admin") {
    auto p = std::make_unique<child_process>(
      std::vector<std::string>{binary, "--set", "device.health_checks=false",
                               "--set", "server.toolsets=all", "--set",
                               "stdio.role=" + role, "serve", "--stdio"},
      std::map<std::string, std::string>{
        {"ROUTEROS_MCP_DATA_DIR", data.path()}});
    handshake(*p);
    return p;
  }

  json call(child_process& p, const std::string& tool, json args) {
    auto answer = request(p, ++last_id, "tools/call",
                          {{"name", tool}, {"arguments", std::move(args)}});
    return answer["result"];
  }

  void stop(child_process& p) {
    p.close_stdin();
    EXPECT_EQ(p.wait(), 0) << p.stderr_text();
  }

  void expect_nothing_reached_router_1() {
    EXPECT_EQ(routers->router(1).stats().connections, 0u);
    EXPECT_EQ(routers->router(1).stats().requests, 0u);
  }

  std::unique_ptr<sim::fleet> routers =
    std::make_unique<sim::fleet>(two_tls_routers());
  temp_dir data;
  int last_id = 1;
};

} // namespace

TEST_F(registry_e2e, no_mcp_role_can_move_a_device_or_raise_its_flags) {
  add_edge();
  auto before = shown();
  for (std::string role : {"admin", "ops_rw", "read_only"}) {
    auto server = serve(role);
    auto moved = call(*server, "update_device",
                      {{"device_id", "edge-01"},
                       {"host", "127.0.0.1"},
                       {"port", routers->port(1)},
                       {"tls_mode", "insecure"}});
    ASSERT_TRUE(moved.value("isError", false)) << role << moved.dump();
    auto text = moved["content"][0]["text"].get<std::string>();
    if (role == "admin") {
      EXPECT_NE(text.find("$.port: unknown property"), std::string::npos)
        << text;
      EXPECT_NE(text.find("$.tls_mode: unknown property"), std::string::npos)
        << text;
    } else {
      EXPECT_EQ(moved["_meta"]["error_kind"], "forbidden") << moved.dump();
    }
    auto raised = call(*server, "update_device",
                       {{"device_id", "edge-01"},
                        {"flags",
                         {{"allow_advanced_writes", true},
                          {"allow_professional_workflows", true}}}});
    EXPECT_TRUE(raised.value("isError", false)) << role << raised.dump();
    auto registered = request(*server, ++last_id, "tools/call",
                              {{"name", "register_device"},
                               {"arguments",
                                {{"device_id", "evil-1"},
                                 {"host", "127.0.0.1"},
                                 {"port", routers->port(1)}}}});
    EXPECT_EQ(registered["error"]["code"], -32602) << registered.dump();
    // The device still answers where the operator put it.
    auto checked =
      call(*server, "check_connectivity", {{"device_id", "edge-01"}});
    EXPECT_EQ(checked["structuredContent"]["reachable"], true)
      << role << checked.dump();
    stop(*server);
  }
  auto after = shown();
  after.erase("last_health");
  before.erase("last_health");
  EXPECT_EQ(after, before);
  EXPECT_EQ(after["flags"]["allow_advanced_writes"], false);
  EXPECT_GE(routers->router(0).stats().requests, 3u);
  expect_nothing_reached_router_1();
}

TEST_F(registry_e2e, moving_a_device_with_the_cli_drops_its_password) {
  add_edge();
  auto moved = device({"update", "edge-01", "--port", port(1)});
  ASSERT_EQ(moved.code, 0) << moved.err;
  EXPECT_NE(moved.out.find("stored credential dropped"), std::string::npos)
    << moved.out;
  EXPECT_NE(
    shown()["credential"].get<std::string>().find("no stored credential"),
    std::string::npos);
  auto server = serve();
  auto checked =
    call(*server, "check_connectivity", {{"device_id", "edge-01"}});
  auto& report = checked["structuredContent"];
  EXPECT_EQ(report["reachable"], false) << checked.dump();
  EXPECT_EQ(report["error_kind"], "router_auth_failed") << checked.dump();
  EXPECT_NE(report["error"].get<std::string>().find("no stored credential"),
            std::string::npos)
    << checked.dump();
  auto read = call(*server, "get_system_clock", {{"device_id", "edge-01"}});
  EXPECT_EQ(read["_meta"]["error_kind"], "router_auth_failed") << read.dump();
  stop(*server);
  expect_nothing_reached_router_1();
  // The move is audited with what happened to the credential.
  auto exported = run_cli(data.path(), {"audit", "export"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find(R"("tool":"device update")"), std::string::npos)
    << exported.out;
  EXPECT_NE(exported.out.find(R"("login":"dropped")"), std::string::npos)
    << exported.out;
  // The operator enters the password for the new endpoint: it works again.
  auto entered = device(
    {"update", "edge-01", "--password-env", "ROUTEROS_MCP_DEVICE_PASSWORD"},
    {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
  ASSERT_EQ(entered.code, 0) << entered.err;
  server = serve();
  checked = call(*server, "check_connectivity", {{"device_id", "edge-01"}});
  EXPECT_EQ(checked["structuredContent"]["reachable"], true) << checked.dump();
  stop(*server);
  EXPECT_GE(routers->router(1).stats().requests, 1u);
}

} // namespace rmcp
