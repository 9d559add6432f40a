// list_devices, check_connectivity, device_health and get_system_overview
// through the real session, fleet and device actors, with scripted routers.

#include "tests/support/tool_harness.hpp"

#include "protocol/error.hpp"

namespace rmcp {

namespace {

std::string error_kind(const json& result) {
  if (!result.value("isError", false))
    return "";
  return result["_meta"].value("error_kind", "");
}

class device_tools_test : public test::tool_harness {
protected:
  device_tools_test() {
    router = std::make_shared<test::fake_router>();
    factory->answer = test::router_responder(router);
  }

  /// edge-1 answers like `router`, except /system/identity: with
  /// `identity`, or not at all (nullopt: the test answers it).
  void identity_answers(std::optional<caf::expected<rest_response>> identity) {
    auto healthy = test::router_responder(router);
    factory->per_device["edge-1"] = [healthy, identity](const rest_request& req)
      -> std::optional<caf::expected<rest_response>> {
      if (req.path == "/system/identity")
        return identity;
      return healthy(req);
    };
  }

  std::shared_ptr<test::fake_router> router;
};

} // namespace

TEST_F(device_tools_test, list_devices_shows_the_registry_with_filters) {
  add_device(
    test::test_device("edge-1", "lab", {{"site", "ams"}, {"role", "edge"}}));
  add_device(test::test_device("core-1", "lab", {{"site", "fra"}}));
  add_device(test::test_device("prod-1", "prod", {{"site", "ams"}}));
  start();
  auto all = call("list_devices");
  ASSERT_FALSE(all.value("isError", false)) << all.dump();
  auto& s = all["structuredContent"];
  EXPECT_EQ(s["total_count"], 3);
  EXPECT_EQ(s["service_environment"], "lab");
  EXPECT_EQ(s["devices"][0]["id"], "core-1");
  EXPECT_EQ(s["devices"][2]["id"], "prod-1");
  EXPECT_EQ(s["devices"][2]["managed"], false);
  EXPECT_EQ(s["devices"][0]["status"], "unknown");
  EXPECT_TRUE(s["devices"][0]["last_check"].is_null());
  EXPECT_EQ(s["devices"][1]["flags"]["allow_advanced_writes"], false);
  auto ams = call("list_devices", {{"tags", {{"site", "ams"}}}});
  EXPECT_EQ(ams["structuredContent"]["total_count"], 2);
  auto ams_edge =
    call("list_devices", {{"tags", {{"site", "ams"}, {"role", "edge"}}}});
  ASSERT_EQ(ams_edge["structuredContent"]["total_count"], 1);
  EXPECT_EQ(ams_edge["structuredContent"]["devices"][0]["id"], "edge-1");
  auto prod = call("list_devices", {{"environment", "prod"}});
  EXPECT_EQ(prod["structuredContent"]["total_count"], 1);
  EXPECT_EQ(call("list_devices",
                 {{"status", "healthy"}})["structuredContent"]["total_count"],
            0);
  call("device_health", {{"device_id", "edge-1"}});
  auto healthy = call("list_devices", {{"status", "healthy"}});
  ASSERT_EQ(healthy["structuredContent"]["total_count"], 1);
  auto& edge = healthy["structuredContent"]["devices"][0];
  EXPECT_EQ(edge["routeros_version"], "7.16.1");
  EXPECT_EQ(edge["board"], "RB5009UG+S+");
  EXPECT_EQ(edge["identity"], "MikroTik");
  EXPECT_TRUE(edge["last_check"].is_string());
}

TEST_F(device_tools_test, check_connectivity_reports_a_reachable_router) {
  add_device(test::test_device("edge-1"));
  start();
  auto r = call("check_connectivity", {{"device_id", "edge-1"}});
  ASSERT_FALSE(r.value("isError", false)) << r.dump();
  auto& s = r["structuredContent"];
  EXPECT_EQ(s["reachable"], true);
  EXPECT_EQ(s["status"], "healthy");
  EXPECT_TRUE(s["failure_class"].is_null());
  EXPECT_DOUBLE_EQ(s["response_time_ms"].get<double>(), 1.5);
  EXPECT_EQ(s["routeros_version"], "7.16.1");
  EXPECT_EQ(s["endpoint"]["port"], 8443);
}

TEST_F(device_tools_test,
       check_connectivity_classifies_failures_with_suggestions) {
  const std::pair<ec, const char*> cases[] = {
    {ec::router_timeout, "timeout"},
    {ec::router_unreachable, "network_error"},
    {ec::router_tls_failed, "tls_failed"},
    {ec::router_auth_failed, "auth_failed"},
    {ec::router_permission_denied, "authz_failed"},
    {ec::router_not_found, "not_found"},
    {ec::router_bad_request, "client_error"},
    {ec::router_server_error, "server_error"},
    {ec::router_bad_response, "server_error"},
  };
  int n = 0;
  for (auto& [code, klass] : cases) {
    auto id = "r" + std::to_string(n++);
    add_device(test::test_device(id));
    factory->per_device[id] = test::failing_responder(code);
  }
  start();
  n = 0;
  for (auto& [code, klass] : cases) {
    auto id = "r" + std::to_string(n++);
    auto r = call("check_connectivity", {{"device_id", id}});
    ASSERT_FALSE(r.value("isError", false)) << r.dump();
    auto& s = r["structuredContent"];
    EXPECT_EQ(s["reachable"], false) << klass;
    EXPECT_EQ(s["status"], "unreachable") << klass;
    EXPECT_EQ(s["failure_class"], klass);
    EXPECT_EQ(s["error_kind"], to_string(code));
    EXPECT_FALSE(s["suggestions"].empty()) << klass;
    EXPECT_NE(r["content"][0]["text"].get<std::string>().find("Suggestions"),
              std::string::npos);
  }
}

TEST_F(device_tools_test, device_health_reports_a_degraded_router_as_a_result) {
  router->cpu_load = 95;
  add_device(test::test_device("edge-1"));
  start();
  auto r = call("device_health", {{"device_id", "edge-1"}});
  ASSERT_FALSE(r.value("isError", false)) << r.dump();
  auto& s = r["structuredContent"];
  EXPECT_EQ(s["status"], "degraded");
  EXPECT_EQ(s["cpu_percent"], 95.0);
  EXPECT_EQ(s["memory_total_bytes"], 1073741824u);
  EXPECT_DOUBLE_EQ(s["memory_percent"].get<double>(), 25.0);
  EXPECT_EQ(s["uptime_seconds"], 93784);
  ASSERT_EQ(s["issues"].size(), 1u);
  EXPECT_EQ(s["issues"][0], "critical: cpu 95% > 90%");
  EXPECT_EQ(s["thresholds"]["warning_percent"], 75.0);
}

TEST_F(device_tools_test,
       device_health_reports_an_unreachable_router_as_a_result) {
  add_device(test::test_device("edge-1"));
  factory->per_device["edge-1"] = test::failing_responder(ec::router_timeout);
  start();
  auto r = call("device_health", {{"device_id", "edge-1"}});
  ASSERT_FALSE(r.value("isError", false)) << r.dump();
  auto& s = r["structuredContent"];
  EXPECT_EQ(s["status"], "unreachable");
  EXPECT_TRUE(s["cpu_percent"].is_null());
  EXPECT_EQ(s["error_kind"], "router_timeout");
}

TEST_F(device_tools_test, get_system_overview_returns_typed_values) {
  add_device(test::test_device("edge-1"));
  start();
  auto r = call("get_system_overview", {{"device_id", "edge-1"}});
  ASSERT_FALSE(r.value("isError", false)) << r.dump();
  auto& s = r["structuredContent"];
  EXPECT_EQ(s["device_name"], "Router edge-1");
  EXPECT_EQ(s["identity"], "MikroTik");
  EXPECT_EQ(s["routeros_version"], "7.16.1");
  EXPECT_EQ(s["channel"], "stable");
  EXPECT_EQ(s["cpu_count"], 4);
  EXPECT_EQ(s["cpu_frequency_mhz"], 1400);
  EXPECT_TRUE(s["memory_total_bytes"].is_number_unsigned());
  EXPECT_EQ(s["memory_free_bytes"], 805306368u);
  EXPECT_EQ(s["storage_free_bytes"], 876052480u);
  EXPECT_EQ(s["uptime_seconds"], 93784);
  auto& calls = factory->client("edge-1")->calls();
  ASSERT_EQ(calls.size(), 2u);
}

TEST_F(device_tools_test, get_system_overview_tolerates_an_identity_failure) {
  add_device(test::test_device("edge-1"));
  identity_answers(caf::expected<rest_response>{
    make_error(ec::router_permission_denied, "not enough permissions")});
  start();
  auto r = call("get_system_overview", {{"device_id", "edge-1"}});
  ASSERT_FALSE(r.value("isError", false)) << r.dump();
  EXPECT_TRUE(r["structuredContent"]["identity"].is_null());
  EXPECT_NE(r["structuredContent"]["identity_error"].get<std::string>().find(
              "router_permission_denied"),
            std::string::npos);
}

// The session ends a call at its deadline, so what a read tool waits for
// (the fleet, the device actor, its health check) sets no timeout in CAF's
// timer thread (tool_call::wait, actors/request_timeout.hpp): none is
// added while the calls wait for the router, and the answers still arrive.
TEST_F(device_tools_test, reads_waiting_for_the_router_hold_no_caf_timer) {
  add_device(test::test_device("edge-1"));
  identity_answers(std::nullopt);
  start();
  auto before = request_timeouts(false);
  call_async(41, "get_system_overview", {{"device_id", "edge-1"}});
  call_async(42, "check_connectivity", {{"device_id", "edge-1"}});
  call_async(43, "list_devices", json::object());
  ASSERT_FALSE(result_of(43).is_null());
  auto client = factory->client("edge-1");
  ASSERT_EQ(client->open_calls(), 2u);
  EXPECT_TRUE(result_of(41).is_null());
  EXPECT_TRUE(result_of(42).is_null());
  EXPECT_EQ(request_timeouts(false), before);
  while (client->open_calls() > 0) {
    client->reply(0, test::ok_response({{"name", "MikroTik"}}));
    run();
  }
  auto overview = result_of(41);
  ASSERT_FALSE(overview.value("isError", false)) << overview.dump();
  EXPECT_EQ(overview["structuredContent"]["identity"], "MikroTik");
  auto reach = result_of(42);
  ASSERT_FALSE(reach.value("isError", false)) << reach.dump();
}

// The write path's store requests (the audit's "started" record before
// the write, the final record after it) take no CAF timer either.
TEST_F(device_tools_test, a_write_waiting_for_the_router_holds_no_caf_timer) {
  auto r = test::test_device("edge-1");
  r.flags.allow_advanced_writes = true;
  add_device(r);
  auto reads = test::router_responder(router);
  factory->per_device["edge-1"] =
    [reads](
      const rest_request& req) -> std::optional<caf::expected<rest_response>> {
    if (req.method != "GET")
      return std::nullopt; // the test answers the write
    return reads(req);
  };
  start();
  auto before = request_timeouts(false);
  call_async(51, "set_system_identity",
             {{"device_id", "edge-1"}, {"identity", "core-ams-01"}});
  auto client = factory->client("edge-1");
  ASSERT_EQ(client->open_calls(), 1u);
  ASSERT_EQ(data->intents().size(), 1u);
  EXPECT_TRUE(result_of(51).is_null());
  EXPECT_EQ(request_timeouts(false), before);
  client->reply(0, test::ok_response(json::array()));
  run();
  auto out = result_of(51);
  ASSERT_FALSE(out.is_null());
  ASSERT_FALSE(out.value("isError", false)) << out.dump();
  EXPECT_EQ(data->changes().size(), 1u);
}

TEST_F(device_tools_test, router_failures_are_tool_errors_with_their_kind) {
  add_device(test::test_device("edge-1"));
  factory->per_device["edge-1"] =
    test::failing_responder(ec::router_auth_failed);
  start();
  auto r = call("get_system_overview", {{"device_id", "edge-1"}});
  EXPECT_EQ(error_kind(r), "router_auth_failed");
}

TEST_F(device_tools_test, router_tools_refuse_devices_of_another_environment) {
  add_device(test::test_device("prod-1", "prod"));
  start("lab");
  for (auto* tool :
       {"check_connectivity", "device_health", "get_system_overview"}) {
    auto r = call(tool, {{"device_id", "prod-1"}});
    EXPECT_EQ(error_kind(r), "environment_mismatch") << tool;
  }
  EXPECT_EQ(factory->made("prod-1"), 0u);
}

TEST_F(device_tools_test, unknown_devices_and_bad_ids_are_reported) {
  start();
  EXPECT_EQ(error_kind(call("device_health", {{"device_id", "nope"}})),
            "device_not_found");
  EXPECT_EQ(error_kind(call("device_health", {{"device_id", "Not An Id"}})),
            "invalid_arguments");
}

} // namespace rmcp
