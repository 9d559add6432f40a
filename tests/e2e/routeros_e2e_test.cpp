// End-to-end over real sockets: the built binary talks REST over TLS to an
// in-process simulated router — `device check` from the CLI, and tool calls
// through the daemon's device actor (also while the router answers another
// menu's body, as RouterOS does shortly after a boot).

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

/// "7.17.2 (stable)" → "7.17.2": tools report the number, the channel apart.
std::string version_number(const std::string& v) {
  return v.substr(0, v.find(' '));
}

class routeros_e2e : public ::testing::Test {
protected:
  routeros_e2e() {
    sim::fleet_options o;
    o.routers = 1;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  outcome cli(std::vector<std::string> args) {
    args.insert(args.begin(), "device");
    return run_cli(data.path(), args,
                   {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
  }

  void add(const std::string& id, const std::string& fingerprint) {
    auto o = cli({"add", id, "--host", "127.0.0.1", "--port",
                  std::to_string(routers->port(0)), "--username", "admin",
                  "--fingerprint", fingerprint});
    ASSERT_EQ(o.code, 0) << o.err;
  }

  /// The daemon over stdio on the data directory, past the handshake.
  std::unique_ptr<child_process> serve() {
    auto server = std::make_unique<child_process>(
      std::vector<std::string>{binary, "--set", "device.health_checks=false",
                               "serve", "--stdio"},
      std::map<std::string, std::string>{
        {"ROUTEROS_MCP_DATA_DIR", data.path()}});
    handshake(*server);
    return server;
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
};

} // namespace

TEST_F(routeros_e2e, device_check_reaches_the_router_and_stores_its_health) {
  add("edge-01", routers->fingerprint_sha256());
  auto checked = cli({"check", "edge-01", "--json"});
  ASSERT_EQ(checked.code, 0) << checked.err << checked.out;
  auto report = parse_json(checked.out);
  ASSERT_TRUE(report) << checked.out;
  EXPECT_EQ((*report)["reachable"], true);
  auto info = routers->routers().front();
  EXPECT_EQ((*report)["routeros_version"], version_number(info.version))
    << checked.out;
  auto shown = cli({"show", "edge-01", "--json"});
  auto record = parse_json(shown.out);
  ASSERT_TRUE(record) << shown.out;
  EXPECT_EQ((*record)["last_health"]["identity"], info.identity) << shown.out;
  EXPECT_EQ(routers->router(0).stats().requests, 2u);
}

TEST_F(routeros_e2e, device_check_reports_a_wrong_pin_with_exit_code_5) {
  std::string wrong;
  for (int i = 0; i < 32; ++i)
    wrong += i == 0 ? "00" : ":00";
  add("edge-02", wrong);
  auto checked = cli({"check", "edge-02"});
  EXPECT_EQ(checked.code, 5) << checked.err;
  EXPECT_NE(checked.out.find("NOT reachable"), std::string::npos)
    << checked.out;
  EXPECT_NE(checked.out.find("fingerprint mismatch"), std::string::npos)
    << checked.out;
  EXPECT_NE(checked.out.find(routers->fingerprint_sha256()), std::string::npos)
    << checked.out;
  EXPECT_EQ(routers->router(0).stats().requests, 0u);
}

TEST_F(routeros_e2e, the_daemon_serves_live_router_data_over_tls) {
  add("edge-01", routers->fingerprint_sha256());
  auto server = serve();
  auto answer = request(*server, 2, "tools/call",
                        {{"name", "get_system_overview"},
                         {"arguments", {{"device_id", "edge-01"}}}});
  auto& result = answer["result"];
  ASSERT_EQ(result.value("isError", false), false) << answer.dump();
  auto& overview = result["structuredContent"];
  auto info = routers->routers().front();
  EXPECT_EQ(overview["identity"], info.identity) << overview.dump();
  EXPECT_EQ(overview["routeros_version"], version_number(info.version))
    << overview.dump();
  EXPECT_TRUE(overview["uptime_seconds"].is_number()) << overview.dump();
  EXPECT_GE(routers->router(0).stats().requests, 1u);
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

TEST_F(routeros_e2e,
       a_router_answering_another_menus_body_is_re_read_or_refused) {
  add("edge-01", routers->fingerprint_sha256());
  auto server = serve();
  auto& router = routers->router(0);
  auto routes = parse_json(router.request("GET", "/rest/ip/route").body);
  ASSERT_TRUE(routes && routes->is_array() && !routes->empty());
  json args{{"name", "get_routing_summary"},
            {"arguments", {{"device_id", "edge-01"}}}};
  // One wrong body: the daemon reads again and answers the true routes.
  router.update_faults([](sim::fault_config& f) { f.wrong_body_count = 1; });
  auto answer = request(*server, 2, "tools/call", args);
  auto& result = answer["result"];
  ASSERT_EQ(result.value("isError", false), false) << answer.dump();
  EXPECT_EQ(result["structuredContent"]["total_routes"], routes->size())
    << answer.dump();
  EXPECT_EQ(router.faults().wrong_body_count, 0u);
  // Wrong bodies persist: an error to retry, never "0 routes".
  router.update_faults([](sim::fault_config& f) { f.wrong_body_count = 100; });
  auto refused = request(*server, 3, "tools/call", args);
  EXPECT_EQ(refused["result"].value("isError", false), true) << refused.dump();
  EXPECT_EQ(refused["result"]["_meta"]["error_kind"], "router_bad_answer")
    << refused.dump();
  EXPECT_FALSE(refused["result"].contains("structuredContent"));
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

} // namespace rmcp
