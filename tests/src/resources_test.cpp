// MCP resources through a real session, fleet and scripted routers
// (tests/support/tool_harness.hpp): list, templates, read, errors, and
// subscribe → notifications/resources/updated driven by health changes.

#include <gtest/gtest.h>

#include "tests/support/tool_harness.hpp"

namespace rmcp {

namespace {

class resources_test : public test::tool_harness {
protected:
  resources_test() {
    router = std::make_shared<test::fake_router>();
    factory->answer = test::router_responder(router);
  }

  std::shared_ptr<test::fake_router> router;
};

} // namespace

TEST_F(resources_test, capability_lists_and_templates) {
  start();
  json init;
  for (auto& msg : *out)
    if (msg.contains("id") && msg["id"] == 0)
      init = msg["result"];
  EXPECT_EQ(init["capabilities"]["resources"]["subscribe"], true);
  auto list = request("resources/list");
  ASSERT_EQ(list["resources"].size(), 2u) << list.dump();
  EXPECT_EQ(list["resources"][0]["uri"], "fleet://health-summary");
  EXPECT_EQ(list["resources"][0]["title"], "Fleet health summary");
  EXPECT_EQ(list["resources"][1]["uri"], "audit://recent");
  auto templates = request("resources/templates/list");
  std::vector<std::string> uris;
  for (auto& t : templates["resourceTemplates"])
    uris.push_back(t["uriTemplate"]);
  EXPECT_EQ(
    uris, (std::vector<std::string>{
            "fleet://devices/{environment}", "device://{device_id}/overview",
            "device://{device_id}/health", "device://{device_id}/config",
            "device://{device_id}/config-drift", "device://{device_id}/logs",
            "device://{device_id}/bridges", "device://{device_id}/dhcp-server",
            "device://{device_id}/dhcp-leases", "device://{device_id}/wireless",
            "device://{device_id}/wireless/clients",
            "device://{device_id}/capsman/remote-caps",
            "device://{device_id}/capsman/registrations",
            "plan://{plan_id}/summary", "plan://{plan_id}/details",
            "plan://{plan_id}/execution-log", "audit://devices/{device_id}"}));
}

TEST_F(resources_test, device_resources_show_live_health_and_no_secrets) {
  add_device(test::test_device("edge-1"), "very-secret-password");
  start();
  auto before = read("device://edge-1/overview");
  EXPECT_EQ(before["device"]["id"], "edge-1");
  EXPECT_EQ(before["health"]["status"], "unknown");
  call("device_health", {{"device_id", "edge-1"}});
  auto overview = read("device://edge-1/overview");
  EXPECT_EQ(overview["health"]["status"], "healthy");
  EXPECT_EQ(overview["health"]["routeros_version"], "7.16.1");
  EXPECT_EQ(overview.dump().find("very-secret-password"), std::string::npos);
  auto health = read("device://edge-1/health");
  EXPECT_EQ(health["current"]["status"], "healthy");
  EXPECT_EQ(health["checks"]["cpu_ok"], true);
  EXPECT_EQ(health["checks"]["memory_ok"], true);
  EXPECT_GE(health["history"].size(), 1u);
  auto summary = read("fleet://health-summary");
  EXPECT_EQ(summary["summary"]["total"], 1);
  EXPECT_EQ(summary["summary"]["by_status"]["healthy"], 1);
  EXPECT_TRUE(summary["devices_needing_attention"].empty());
  auto lab = read("fleet://devices/lab");
  EXPECT_EQ(lab["count"], 1);
  EXPECT_EQ(lab["devices"][0]["status"], "healthy");
}

// The session keeps the deadline of each read itself (request_within), not
// CAF's timer thread.
TEST_F(resources_test, reads_leave_no_session_timeouts_in_cafs_clock) {
  add_device(test::test_device("edge-1"));
  start();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(read("device://edge-1/overview")["device"]["id"], "edge-1");
  EXPECT_LE(request_timeouts(true), 1u);
}

TEST_F(resources_test, unknown_resources_are_32002_naming_the_uri) {
  add_device(test::test_device("edge-1"));
  start();
  for (auto* uri : {"device://nope/health", "nothing://here",
                    "fleet://devices/moon", "device://edge-1/secrets"}) {
    auto err = request("resources/read", {{"uri", uri}});
    EXPECT_EQ(err["code"], -32002) << uri << " " << err.dump();
    EXPECT_NE(err["message"].get<std::string>().find(uri), std::string::npos)
      << err.dump();
  }
  EXPECT_EQ(request("resources/read", json::object())["code"], -32602);
}

TEST_F(resources_test,
       subscribe_delivers_updates_on_health_changes_until_unsubscribed) {
  add_device(test::test_device("edge-1"));
  add_device(test::test_device("edge-2"));
  start();
  EXPECT_TRUE(
    request("resources/subscribe", {{"uri", "device://edge-1/health"}})
      .is_object());
  EXPECT_EQ(
    request("resources/subscribe", {{"uri", "fleet://devices/lab"}})["code"],
    -32602);
  call("device_health", {{"device_id", "edge-2"}});
  EXPECT_EQ(updates_for("device://edge-1/health"), 0u);
  call("device_health", {{"device_id", "edge-1"}});
  EXPECT_EQ(updates_for("device://edge-1/health"), 1u);
  // Unchanged health is no update; a change is.
  call("device_health", {{"device_id", "edge-1"}});
  EXPECT_EQ(updates_for("device://edge-1/health"), 1u);
  // A second subscriber URI for the same device, then a change (CPU
  // overload degrades the router): one update per subscribed URI.
  request("resources/subscribe", {{"uri", "fleet://health-summary"}});
  router->cpu_load = 99;
  call("device_health", {{"device_id", "edge-1"}});
  EXPECT_EQ(updates_for("device://edge-1/health"), 2u);
  EXPECT_EQ(updates_for("fleet://health-summary"), 1u);
  EXPECT_EQ(read("device://edge-1/health")["checks"]["cpu_ok"], false);
  // Unsubscribed URIs get no more updates.
  request("resources/unsubscribe", {{"uri", "device://edge-1/health"}});
  request("resources/unsubscribe", {{"uri", "fleet://health-summary"}});
  router->cpu_load = 5;
  call("device_health", {{"device_id", "edge-1"}});
  EXPECT_EQ(updates_for("device://edge-1/health"), 2u);
  EXPECT_EQ(updates_for("fleet://health-summary"), 1u);
}

} // namespace rmcp
