// Plans and rollouts end to end against the RouterOS simulator: plan tools
// read live state, a person approves out of band, the apply tool runs the
// rollout coordinator through the device actors (canary, batches, health
// gates, rollback), tokens are refused when replayed, expired or tampered.

#include <gtest/gtest.h>

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

class rollout_test : public test::sim_harness {
protected:
  void start_pro(size_t routers) {
    device_flags flags;
    flags.allow_professional_workflows = true;
    flags.allow_routing_writes = true;
    start_with(routers, {}, flags);
  }

  static json ids(size_t from, size_t to) {
    json out = json::array();
    for (auto i = from; i < to; ++i)
      out.push_back("sim-" + std::to_string(i));
    return out;
  }

  json dns_of(size_t i) {
    return router_get(i, "/ip/dns").value("servers", "");
  }

  std::string plan_dns(json devices, size_t batch_size,
                       json servers = {"10.9.9.9", "10.9.9.8"}) {
    auto out = ok("config_plan_dns_ntp_rollout",
                  {{"device_ids", std::move(devices)},
                   {"dns_servers", std::move(servers)},
                   {"ntp_servers", {"10.9.9.7"}},
                   {"batch_size", batch_size}});
    EXPECT_EQ(out.value("state", ""), "pending");
    return out.value("plan_id", "");
  }

  json apply(const std::string& id, const std::string& token) {
    return ok("config_apply_dns_ntp_rollout",
              {{"plan_id", id}, {"approval_token", token}});
  }

  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> out;
    auto log = plan_db->journal(id);
    EXPECT_TRUE(log);
    for (auto& s : *log)
      out.push_back(s.event);
    return out;
  }
};

} // namespace

TEST_F(rollout_test, twenty_router_dns_ntp_rollout_changes_every_router) {
  start_pro(20);
  auto id = plan_dns(ids(0, 20), 5);
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  // Canary alone, then batches of five.
  ASSERT_EQ(plan->batches.size(), 5u);
  EXPECT_EQ(plan->batches[0], std::vector<std::string>{"sim-0"});
  EXPECT_EQ(plan->batches[1].size(), 5u);
  EXPECT_EQ(plan->batches[4].size(), 4u);
  EXPECT_EQ(plan->risk, "high"); // more than ten devices
  // The preview is live router state.
  ASSERT_EQ(plan->preview.size(), 20u);
  std::string current;
  for (auto& x : plan->preview[3]["current"]["dns_servers"])
    current += (current.empty() ? "" : ",") + x.get<std::string>();
  EXPECT_EQ(current, dns_of(3).get<std::string>());
  EXPECT_EQ(plan->preview[3]["intended"]["dns_servers"],
            json({"10.9.9.9", "10.9.9.8"}));
  // Nothing changed before the apply.
  for (size_t i = 0; i < 20; ++i)
    EXPECT_NE(dns_of(i), "10.9.9.9,10.9.9.8");
  auto report = apply(id, approve(id));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(dns_of(i), "10.9.9.9,10.9.9.8") << i;
    EXPECT_EQ(router_get(i, "/system/ntp/client").value("servers", ""),
              "10.9.9.7");
  }
  auto after = plan_db->get(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, plan_state::completed);
  for (auto& d : after->devices)
    EXPECT_EQ(d.state, "applied") << d.id;
  auto ev = events(id);
  EXPECT_EQ(ev.front(), "plan-created");
  EXPECT_EQ(ev.back(), "plan-completed");
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "gate-passed"), 5);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "device-applied"), 20);
}

TEST_F(rollout_test, gate_failure_in_batch_two_rolls_back_batches_one_and_two) {
  start_pro(10);
  std::vector<json> before;
  for (size_t i = 0; i < 10; ++i)
    before.push_back(dns_of(i));
  // canary sim-0 | 1 2 3 | 4 5 6 | 7 8 9
  auto id = plan_dns(ids(0, 10), 3);
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->batches.size(), 4u);
  EXPECT_EQ(plan->batches[2], (std::vector<std::string>{"sim-4", "sim-5",
                                                        "sim-6"}));
  auto token = approve(id);
  sim_fleet->router(5).update_faults(
    [](sim::fault_config& f) { f.high_cpu = true; });
  auto report = apply(id, token);
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  EXPECT_NE(report.value("reason", "").find("batch 2"), std::string::npos);
  // Batches 0-2 were changed and are back to their snapshot; batch 3 was
  // never touched.
  for (size_t i = 0; i < 10; ++i)
    EXPECT_EQ(dns_of(i), before[i]) << i;
  auto after = plan_db->get(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, plan_state::rolled_back);
  for (size_t i = 0; i < 7; ++i)
    EXPECT_EQ(find_device(*after, "sim-" + std::to_string(i))->state,
              "rolled_back")
      << i;
  for (size_t i = 7; i < 10; ++i)
    EXPECT_EQ(find_device(*after, "sim-" + std::to_string(i))->state,
              "pending")
      << i;
  // Reverse order: the last changed device is rolled back first.
  auto log = plan_db->journal(id);
  ASSERT_TRUE(log);
  std::vector<std::string> order;
  for (auto& s : *log)
    if (s.event == "device-rolled-back")
      order.push_back(s.device_id);
  EXPECT_EQ(order, (std::vector<std::string>{"sim-6", "sim-5", "sim-4",
                                             "sim-3", "sim-2", "sim-1",
                                             "sim-0"}));
}

TEST_F(rollout_test, tokens_are_refused_when_replayed_expired_or_tampered) {
  start_pro(2);
  // Tampered: one signature character changed.
  auto id = plan_dns(ids(0, 2), 1);
  auto token = approve(id);
  auto bad = token;
  bad.back() = bad.back() == '0' ? '1' : '0';
  EXPECT_EQ(error_kind("config_apply_dns_ntp_rollout",
                       {{"plan_id", id}, {"approval_token", bad}}),
            "approval_invalid");
  // Another plan's token.
  auto other = plan_dns(ids(0, 2), 1, {"10.1.1.1"});
  auto other_token = approve(other);
  EXPECT_EQ(error_kind("config_apply_dns_ntp_rollout",
                       {{"plan_id", id}, {"approval_token", other_token}}),
            "approval_invalid");
  // Good token: runs once; the replay is refused.
  EXPECT_EQ(apply(id, token).value("state", ""), "completed");
  EXPECT_EQ(error_kind("config_apply_dns_ntp_rollout",
                       {{"plan_id", id}, {"approval_token", token}}),
            "approval_used");
  // Expired.
  plan_clock_ms += 16 * 60 * 1000;
  EXPECT_EQ(error_kind("config_apply_dns_ntp_rollout",
                       {{"plan_id", other}, {"approval_token", other_token}}),
            "approval_expired");
  auto p = plan_db->get(other);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->state, plan_state::approved); // nothing ran
}

TEST_F(rollout_test, plan_tools_never_return_a_token_and_check_devices) {
  start_pro(3);
  auto res = call("config_plan_dns_ntp_rollout",
                  {{"device_ids", ids(0, 2)}, {"dns_servers", {"10.9.9.9"}}});
  ASSERT_FALSE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res.dump().find("rmcp-approval"), std::string::npos);
  EXPECT_NE(res["content"][0]["text"].get<std::string>().find(
              "routeros-mcp plan approve"),
            std::string::npos);
  // Unknown devices, one device, no servers.
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", json::array({"sim-0", "nope"})},
                        {"dns_servers", {"10.9.9.9"}}}),
            "device_not_found");
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", json::array({"sim-0"})},
                        {"dns_servers", {"10.9.9.9"}}}),
            "invalid_arguments");
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", ids(0, 2)}}),
            "invalid_arguments");
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", ids(0, 2)},
                        {"dns_servers", {"not-an-ip"}}}),
            "invalid_arguments");
  // The creator cannot approve its own plan.
  auto id = plan_dns(ids(0, 2), 1);
  EXPECT_FALSE(plan_db->approve(id, "tester"));
  // get_plan_status shows states, never a token or nonce.
  approve(id);
  auto st = ok("get_plan_status", {{"plan_id", id}});
  EXPECT_EQ(st["plan"].value("state", ""), "approved");
  EXPECT_FALSE(st["plan"].contains("approval_nonce"));
  EXPECT_EQ(st.dump().find("rmcp-approval"), std::string::npos);
}

TEST_F(rollout_test, devices_without_the_professional_flag_are_refused) {
  start_with(2); // no flags
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", ids(0, 2)},
                        {"dns_servers", {"10.9.9.9"}}}),
            "capability_denied");
}

TEST_F(rollout_test, rollback_tool_cancels_a_pending_plan) {
  start_pro(2);
  auto id = plan_dns(ids(0, 2), 1);
  auto out = ok("config_rollback_plan", {{"plan_id", id}, {"reason", "no"}});
  EXPECT_EQ(out.value("state", ""), "cancelled");
  auto p = plan_db->get(id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->state, plan_state::cancelled);
}

} // namespace rmcp
