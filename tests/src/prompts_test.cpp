// MCP prompts through a real session and fleet (tool_harness): the ten
// workflows, argument checks, and live device data in the text.

#include <gtest/gtest.h>

#include "tests/support/tool_harness.hpp"

namespace rmcp {

namespace {

class prompts_test : public test::tool_harness {
protected:
  prompts_test() {
    router = std::make_shared<test::fake_router>();
    factory->answer = test::router_responder(router);
  }

  json get(const std::string& name, json args = json::object()) {
    return request("prompts/get",
                   {{"name", name}, {"arguments", std::move(args)}});
  }

  std::shared_ptr<test::fake_router> router;
};

} // namespace

TEST_F(prompts_test, lists_the_ten_workflows_with_their_arguments) {
  start();
  auto list = request("prompts/list")["prompts"];
  ASSERT_EQ(list.size(), 10u);
  std::vector<std::string> names;
  for (auto& p : list) {
    names.push_back(p["name"]);
    EXPECT_FALSE(p["description"].get<std::string>().empty());
    EXPECT_TRUE(p["title"].is_string());
  }
  EXPECT_EQ(names[0], "address-list-sync");
  EXPECT_EQ(names[9], "troubleshoot-wireless");
  auto& review = list[1];
  EXPECT_EQ(review["name"], "comprehensive-device-review");
  EXPECT_EQ(review["arguments"][0]["name"], "device_id");
  EXPECT_EQ(review["arguments"][0]["required"], true);
}

TEST_F(prompts_test, a_named_device_is_filled_in_with_live_health) {
  add_device(test::test_device("edge-1"));
  start();
  call("device_health", {{"device_id", "edge-1"}});
  auto r = get("comprehensive-device-review", {{"device_id", "edge-1"}});
  ASSERT_TRUE(r.contains("messages")) << r.dump();
  EXPECT_EQ(r["messages"][0]["role"], "user");
  auto text = r["messages"][0]["content"]["text"].get<std::string>();
  EXPECT_NE(text.find("Device edge-1 (Router edge-1)"), std::string::npos)
    << text;
  EXPECT_NE(text.find("Health: healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("RouterOS 7.16.1"), std::string::npos) << text;
  EXPECT_NE(text.find("device://edge-1/health"), std::string::npos) << text;
  EXPECT_EQ(text.find("{"), std::string::npos) << text;
}

// The session keeps the deadline of each rendering itself (request_within),
// not CAF's timer thread.
TEST_F(prompts_test, renderings_leave_no_session_timeouts_in_cafs_clock) {
  add_device(test::test_device("edge-1"));
  start();
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(get("comprehensive-device-review", {{"device_id", "edge-1"}})
                  .contains("messages"));
  EXPECT_LE(request_timeouts(true), 1u);
}

TEST_F(prompts_test, defaults_apply_and_choices_are_enforced) {
  start();
  auto rollout = get("dns-ntp-rollout");
  auto text = rollout["messages"][0]["content"]["text"].get<std::string>();
  EXPECT_NE(text.find("to lab (dry_run=true)"), std::string::npos) << text;
  auto prod =
    get("dns-ntp-rollout", {{"environment", "prod"}, {"dry_run", "false"}});
  EXPECT_NE(prod["messages"][0]["content"]["text"].get<std::string>().find(
              "to prod (dry_run=false)"),
            std::string::npos);
  auto bad = get("dns-ntp-rollout", {{"environment", "moon"}});
  EXPECT_EQ(bad["code"], -32602);
  EXPECT_NE(bad["message"].get<std::string>().find("lab, staging, prod"),
            std::string::npos)
    << bad.dump();
}

TEST_F(prompts_test, bad_requests_are_32602_naming_the_problem) {
  add_device(test::test_device("edge-1"));
  start();
  auto missing = get("comprehensive-device-review");
  EXPECT_EQ(missing["code"], -32602);
  EXPECT_NE(missing["message"].get<std::string>().find("device_id"),
            std::string::npos);
  auto unknown_device = get("troubleshoot-device", {{"device_id", "nope"}});
  EXPECT_EQ(unknown_device["code"], -32602);
  EXPECT_NE(unknown_device["message"].get<std::string>().find("list_devices"),
            std::string::npos);
  auto unknown_arg = get("troubleshoot-device", {{"colour", "red"}});
  EXPECT_EQ(unknown_arg["code"], -32602);
  auto not_string = get("troubleshoot-device", {{"device_id", 1}});
  EXPECT_EQ(not_string["code"], -32602);
  auto unknown = get("no-such-prompt");
  EXPECT_EQ(unknown["code"], -32602);
  EXPECT_NE(unknown["message"].get<std::string>().find("fleet-health-review"),
            std::string::npos);
}

} // namespace rmcp
