// Device actors and the router tools against the RouterOS simulator's REST
// engine (in-process, tests/support/sim_rest_client.hpp): real RouterOS
// answers, authentication and faults, under the testing scheduler.

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

using sim_integration_test = test::sim_harness;

} // namespace

TEST_F(sim_integration_test, the_router_tools_read_simulated_routers) {
  start_with(3);
  auto expected = sim_fleet->routers()[1];
  auto overview = call("get_system_overview", {{"device_id", "sim-1"}});
  ASSERT_FALSE(overview.value("isError", false)) << overview.dump();
  auto& o = overview["structuredContent"];
  EXPECT_EQ(o["identity"], expected.identity);
  EXPECT_EQ(o["board_name"], expected.board);
  EXPECT_EQ(expected.version.rfind(o["routeros_version"].get<std::string>(), 0),
            0u)
    << expected.version;
  EXPECT_GT(o["memory_total_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(o["uptime_seconds"].is_number_unsigned());

  auto health = call("device_health", {{"device_id", "sim-1"}});
  ASSERT_FALSE(health.value("isError", false)) << health.dump();
  EXPECT_EQ(health["structuredContent"]["status"], "healthy") << health.dump();

  auto check = call("check_connectivity", {{"device_id", "sim-2"}});
  EXPECT_EQ(check["structuredContent"]["reachable"], true) << check.dump();

  auto list = call("list_devices", {{"status", "healthy"}});
  ASSERT_EQ(list["structuredContent"]["total_count"], 2) << list.dump();
  EXPECT_EQ(list["structuredContent"]["devices"][0]["identity"],
            expected.identity);
}

TEST_F(sim_integration_test, wrong_credentials_are_classified_as_auth_failed) {
  start_with(1, {{0, "not-the-password"}});
  auto check = call("check_connectivity", {{"device_id", "sim-0"}});
  auto& s = check["structuredContent"];
  EXPECT_EQ(s["reachable"], false) << check.dump();
  EXPECT_EQ(s["failure_class"], "auth_failed");
  auto overview = call("get_system_overview", {{"device_id", "sim-0"}});
  EXPECT_EQ(overview["_meta"]["error_kind"], "router_auth_failed");
}

TEST_F(sim_integration_test,
       busy_and_silent_routers_are_degraded_and_unreachable) {
  start_with(2);
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.high_cpu = true; });
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.timeout_rate = 1.0; });
  auto busy = call("device_health", {{"device_id", "sim-0"}});
  EXPECT_EQ(busy["structuredContent"]["status"], "degraded") << busy.dump();
  EXPECT_GE(busy["structuredContent"]["cpu_percent"].get<double>(), 95.0);
  auto silent = call("device_health", {{"device_id", "sim-1"}});
  EXPECT_EQ(silent["structuredContent"]["status"], "unreachable");
  EXPECT_EQ(silent["structuredContent"]["error_kind"], "router_timeout");
  auto check = call("check_connectivity", {{"device_id", "sim-1"}});
  EXPECT_EQ(check["structuredContent"]["failure_class"], "timeout");
}

TEST_F(sim_integration_test,
       a_thousand_device_actors_check_a_thousand_simulated_routers) {
  fleet_cfg.device.health_checks = true;
  fleet_cfg.device.health_start_spread = 10s;
  start_with(1000);
  advance_time(10s);
  auto list = call("list_devices", {{"status", "healthy"}});
  ASSERT_EQ(list["structuredContent"]["total_count"], 1000);
  auto infos = sim_fleet->routers();
  for (auto& d : list["structuredContent"]["devices"]) {
    auto index = std::stoul(d["id"].get<std::string>().substr(4));
    ASSERT_EQ(d["identity"], infos[index].identity) << d.dump();
    ASSERT_EQ(
      infos[index].version.rfind(d["routeros_version"].get<std::string>(), 0),
      0u);
  }
}

} // namespace rmcp
