// completion/complete through a real session: device ids from the fleet,
// plan ids from the plan store, interface names live from a simulated
// router, environments and choices; at most 100 values; the caller's
// device scope applied; bad references refused.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

const json overview{{"type", "ref/resource"},
                    {"uri", "device://{device_id}/overview"}};

json values(const json& result) {
  return result.value("/completion/values"_json_pointer, json{});
}

json prompt_ref(const char* name) {
  return {{"type", "ref/prompt"}, {"name", name}};
}

class completion_test : public test::plan_harness {
protected:
  json complete(const json& ref, const std::string& name,
                const std::string& value, json context = nullptr) {
    json params{{"ref", ref}, {"argument", {{"name", name}, {"value", value}}}};
    if (!context.is_null())
      params["context"] = {{"arguments", std::move(context)}};
    return request("completion/complete", std::move(params));
  }
};

class completion_many_test : public test::tool_harness {};

} // namespace

TEST_F(completion_test, device_ids_come_from_the_fleet_by_prefix) {
  start_with(3);
  auto all = complete(overview, "device_id", "sim-");
  EXPECT_EQ(values(all), json({"sim-0", "sim-1", "sim-2"})) << all.dump();
  EXPECT_EQ(all["completion"]["total"], 3);
  EXPECT_EQ(all["completion"]["hasMore"], false);
  EXPECT_EQ(values(complete(overview, "device_id", "SIM-1")), json({"sim-1"}));
  EXPECT_EQ(values(complete(overview, "device_id", "x")), json::array());
  // The same for a prompt argument naming a device.
  EXPECT_EQ(
    values(complete(prompt_ref("troubleshoot-device"), "device_id", "sim-2")),
    json({"sim-2"}));
}

TEST_F(completion_test, a_scoped_caller_is_offered_only_its_devices) {
  who.role = "read_only";
  who.scope.ids = {"sim-1"};
  start_with(3);
  EXPECT_EQ(values(complete(overview, "device_id", "")), json({"sim-1"}));
  // Environments: those of its devices (sim-1 is in lab), and "all" where
  // a prompt offers it.
  auto envs = complete(
    {{"type", "ref/resource"}, {"uri", "fleet://devices/{environment}"}},
    "environment", "");
  EXPECT_EQ(values(envs), json({"lab"})) << envs.dump();
  auto review = complete(prompt_ref("fleet-health-review"), "environment", "");
  EXPECT_EQ(values(review), json({"all", "lab"})) << review.dump();
}

TEST_F(completion_test, interfaces_are_read_from_the_named_router) {
  start_with(2);
  auto ref = prompt_ref("troubleshoot-device");
  auto eth = complete(ref, "interface", "ether", {{"device_id", "sim-0"}});
  auto names = values(eth);
  ASSERT_TRUE(names.is_array()) << eth.dump();
  ASSERT_FALSE(names.empty()) << eth.dump();
  EXPECT_EQ(names[0], "ether1");
  for (auto& n : names)
    EXPECT_EQ(n.get<std::string>().rfind("ether", 0), 0u) << n;
  // Every name is one of the router's own interfaces.
  std::vector<std::string> on_router;
  for (auto& row : router_get(0, "/interface"))
    on_router.push_back(row.value("name", ""));
  for (auto& n :
       values(complete(ref, "interface", "", {{"device_id", "sim-0"}})))
    EXPECT_NE(std::find(on_router.begin(), on_router.end(), n), on_router.end())
      << n;
  // Without a device there is nothing to read; an unknown one reads none.
  EXPECT_EQ(values(complete(ref, "interface", "")), json::array());
  EXPECT_EQ(values(complete(ref, "interface", "", {{"device_id", "nope"}})),
            json::array());
}

TEST_F(completion_test, plan_ids_come_from_the_plan_store) {
  start_pro(2, &device_flags::allow_professional_workflows);
  auto out = plan("config_plan_dns_ntp_rollout",
                  {{"device_ids", ids(0, 2)}, {"dns_servers", {"9.9.9.9"}}});
  auto id = out.value("plan_id", "");
  auto got =
    complete({{"type", "ref/resource"}, {"uri", "plan://{plan_id}/summary"}},
             "plan_id", "plan-");
  EXPECT_EQ(values(got), json({id})) << got.dump();
}

TEST_F(completion_test, choices_and_bad_references) {
  start_with(1);
  auto envs = complete(prompt_ref("fleet-health-review"), "environment", "");
  EXPECT_EQ(values(envs), json({"all", "lab", "prod", "staging"}))
    << envs.dump();
  auto issue = complete(prompt_ref("troubleshoot-device"), "issue_type", "pe");
  EXPECT_EQ(values(issue), json({"performance"}));
  // Free text without a source of values: nothing to offer.
  EXPECT_EQ(values(complete(prompt_ref("address-list-sync"), "list_name", "")),
            json::array());
  auto unknown = complete(prompt_ref("nope"), "device_id", "");
  EXPECT_EQ(unknown["code"], -32602) << unknown.dump();
  auto no_arg = complete(prompt_ref("troubleshoot-device"), "colour", "");
  EXPECT_EQ(no_arg["code"], -32602);
  EXPECT_NE(no_arg["message"].get<std::string>().find("'colour'"),
            std::string::npos);
  auto no_var = complete(overview, "plan_id", "");
  EXPECT_EQ(no_var["code"], -32602);
  auto no_ref = request("completion/complete", {{"argument", json::object()}});
  EXPECT_EQ(no_ref["code"], -32602);
}

TEST_F(completion_many_test, at_most_a_hundred_values_with_the_total) {
  for (int i = 0; i < 105; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "dev-%03d", i);
    add_device(test::test_device(id));
  }
  start();
  auto got = request("completion/complete",
                     {{"ref", overview},
                      {"argument", {{"name", "device_id"}, {"value", "dev"}}}});
  auto& c = got["completion"];
  ASSERT_EQ(c["values"].size(), 100u) << got.dump();
  EXPECT_EQ(c["values"][0], "dev-000");
  EXPECT_EQ(c["total"], 105);
  EXPECT_EQ(c["hasMore"], true);
}

// The session keeps the deadlines of its completion requests itself
// (request_within): CAF 0.17.6 keeps every finite request timeout in its
// timer thread's schedule until it fires, answered or not.
TEST_F(completion_many_test, completions_leave_no_timeouts_in_cafs_clock) {
  add_device(test::test_device("dev-1"));
  start();
  for (int i = 0; i < 3; ++i) {
    auto got =
      request("completion/complete",
              {{"ref", overview},
               {"argument", {{"name", "device_id"}, {"value", "dev"}}}});
    ASSERT_EQ(values(got), json({"dev-1"})) << got.dump();
  }
  // The session's one sweep at most.
  EXPECT_LE(request_timeouts(true), 1u);
}

} // namespace rmcp
