// Plans and rollouts end to end against the RouterOS simulator: plan tools
// read live state, a person approves out of band, the apply tool runs the
// rollout coordinator through the device actors (canary, batches, health
// gates, rollback), tokens are refused when replayed, expired or tampered.

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "tests/src/rollout_fixture.hpp"

namespace rmcp {

using test::rollout_test;

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
  // The caller asks for progress.
  send({{"jsonrpc", "2.0"},
        {"id", 905},
        {"method", "tools/call"},
        {"params",
         {{"name", "config_apply_dns_ntp_rollout"},
          {"arguments", {{"plan_id", id}, {"approval_token", approve(id)}}},
          {"_meta", {{"progressToken", "p-905"}}}}}});
  auto res = result_of(905);
  ASSERT_FALSE(res.is_null());
  auto report = res.value("structuredContent", json::object());
  EXPECT_EQ(report.value("state", ""), "completed") << res.dump();
  size_t progress = 0;
  double last = -1;
  for (auto& msg : *out)
    if (msg.value("method", "") == "notifications/progress"
        && msg["params"].value("progressToken", json()) == "p-905") {
      ++progress;
      EXPECT_GT(msg["params"].value("progress", 0.0), last);
      last = msg["params"].value("progress", 0.0);
      if (last > 0) { // 0: the apply tool's "approval accepted"
        EXPECT_EQ(msg["params"].value("total", 0.0), 26.0);
      }
    }
  // The start, then one per device, one per gate and the end: none dropped.
  EXPECT_EQ(progress, 27u);
  EXPECT_EQ(last, 26.0);
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
  EXPECT_EQ(plan->batches[2],
            (std::vector<std::string>{"sim-4", "sim-5", "sim-6"}));
  auto token = approve(id);
  fail_gate(5);
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
    EXPECT_EQ(find_device(*after, "sim-" + std::to_string(i))->state, "pending")
      << i;
  // Reverse order: the last changed device is rolled back first.
  auto log = plan_db->journal(id);
  ASSERT_TRUE(log);
  std::vector<std::string> order;
  for (auto& s : *log)
    if (s.event == "device-rolled-back")
      order.push_back(s.device_id);
  EXPECT_EQ(order, (std::vector<std::string>{"sim-6", "sim-5", "sim-4", "sim-3",
                                             "sim-2", "sim-1", "sim-0"}));
}

TEST_F(rollout_test, devices_of_a_batch_change_at_most_parallel_at_a_time) {
  rollout_cfg.parallel = 2;
  start_pro(11);
  // canary sim-0 | sim-1 … sim-5 | sim-6 … sim-10
  auto id = plan_dns(ids(0, 11), 5);
  auto report = apply(id, approve(id));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 11; ++i)
    EXPECT_EQ(dns_of(i), "10.9.9.9,10.9.9.8") << i;
  // Devices under way: from their snapshot to applied. Never more than
  // two; two at once within a batch.
  std::set<std::string> busy;
  size_t most = 0;
  auto log = plan_db->journal(id);
  ASSERT_TRUE(log);
  for (auto& s : *log) {
    if (s.event == "device-snapshot")
      busy.insert(s.device_id);
    if (s.event == "device-applied")
      busy.erase(s.device_id);
    if (s.event == "gate-started") {
      EXPECT_TRUE(busy.empty()) << "the gate started with devices under way";
    }
    most = std::max(most, busy.size());
  }
  EXPECT_EQ(most, 2u);
}

TEST_F(rollout_test,
       a_failed_device_stops_its_batch_and_rolls_back_what_was_touched) {
  rollout_cfg.parallel = 2;
  start_pro(6);
  std::vector<json> before;
  for (size_t i = 0; i < 6; ++i)
    before.push_back(dns_of(i));
  // canary sim-0 | sim-1 … sim-5; sim-2's write is refused (but applied,
  // as a router that answers an error after changing itself would).
  auto id = plan_dns(ids(0, 6), 5);
  auto token = approve(id);
  sim_fleet->router(2).update_faults(
    [](sim::fault_config& f) { f.write_fail_applied = 1; });
  auto report = apply(id, token);
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(dns_of(i), before[i]) << i;
  auto after = plan_db->get(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(find_device(*after, "sim-2")->state, "rolled_back");
  // No device started after the failure was known: the last of the batch
  // was never touched; every device is either restored or untouched.
  EXPECT_EQ(find_device(*after, "sim-5")->state, "pending");
  for (auto& d : after->devices)
    EXPECT_TRUE(d.state == "rolled_back" || d.state == "pending") << d.id;
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
  EXPECT_EQ(
    error_kind("config_plan_dns_ntp_rollout", {{"device_ids", ids(0, 2)}}),
    "invalid_arguments");
  EXPECT_EQ(
    error_kind("config_plan_dns_ntp_rollout",
               {{"device_ids", ids(0, 2)}, {"dns_servers", {"not-an-ip"}}}),
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

TEST_F(rollout_test,
       plan_resources_show_summary_details_and_log_without_tokens) {
  start_pro(3);
  auto id = plan_dns(ids(0, 3), 1);
  auto token = approve(id);
  auto summary = read("plan://" + id + "/summary");
  EXPECT_EQ(summary["plan_id"], id);
  EXPECT_EQ(summary["state"], "approved");
  EXPECT_EQ(summary["kind"], "dns_ntp");
  EXPECT_EQ(summary["device_count"], 3);
  EXPECT_EQ(summary["batch_count"], 3); // canary + 2 batches of 1
  EXPECT_EQ(summary["devices_by_state"]["pending"], 3);
  EXPECT_EQ(summary["approved_by"], "cli:approver");
  apply(id, token);
  auto details = read("plan://" + id + "/details");
  EXPECT_EQ(details["state"], "completed");
  EXPECT_EQ(details["preview"].size(), 3u) << details.dump();
  EXPECT_FALSE(details.contains("approval_nonce"));
  auto log = read("plan://" + id + "/execution-log");
  EXPECT_EQ(log["state"], "completed");
  ASSERT_FALSE(log["journal"].empty());
  EXPECT_EQ(log["journal"][0]["event"], "plan-created");
  EXPECT_EQ(log["journal"].back()["event"], "plan-completed") << log.dump();
  for (auto* part : {"summary", "details", "execution-log"})
    EXPECT_EQ(read("plan://" + id + "/" + part).dump().find(token),
              std::string::npos);
  auto missing = read("plan://plan-20990101000000-00000000/summary");
  EXPECT_EQ(missing["code"], -32002) << missing.dump();
}

TEST_F(rollout_test, devices_without_the_professional_flag_are_refused) {
  start_with(2); // no flags
  EXPECT_EQ(
    error_kind("config_plan_dns_ntp_rollout",
               {{"device_ids", ids(0, 2)}, {"dns_servers", {"10.9.9.9"}}}),
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

TEST_F(rollout_test, a_killed_rollout_is_rolled_back_at_restart) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  open_lmdb();
  start_pro(6);
  std::vector<json> before;
  for (size_t i = 0; i < 6; ++i)
    before.push_back(dns_of(i));
  // canary 0 | 1 2 | 3 4 | 5
  auto id = plan_dns(ids(0, 6), 2);
  call_async(902, "config_apply_dns_ntp_rollout",
             {{"plan_id", id}, {"approval_token", approve(id)}});
  advance_time(std::chrono::seconds{5}); // canary gate
  // Batch 1 is written and waits for its gate: the daemon dies.
  ASSERT_EQ(dns_of(2), "10.9.9.9,10.9.9.8");
  restart_plans();
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->state, plan_state::rolled_back);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(dns_of(i), before[i]) << i;
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(find_device(*plan, "sim-" + std::to_string(i))->state,
              "rolled_back");
  for (size_t i = 3; i < 6; ++i)
    EXPECT_EQ(find_device(*plan, "sim-" + std::to_string(i))->state, "pending");
}

TEST_F(rollout_test, a_killed_rollout_resumes_at_restart_when_configured) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  rollout_cfg.resume_on_restart = true;
  open_lmdb();
  start_pro(6);
  auto id = plan_dns(ids(0, 6), 2);
  call_async(903, "config_apply_dns_ntp_rollout",
             {{"plan_id", id}, {"approval_token", approve(id)}});
  advance_time(std::chrono::seconds{5});
  restart_plans();
  for (int i = 0; i < 10; ++i)
    advance_time(std::chrono::seconds{5});
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->state, plan_state::completed);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(dns_of(i), "10.9.9.9,10.9.9.8") << i;
  auto ev = events(id);
  EXPECT_NE(std::find(ev.begin(), ev.end(), "plan-resumed"), ev.end());
}

TEST_F(rollout_test,
       a_resumed_rollout_pauses_only_before_batches_with_work_left) {
  rollout_cfg.pause = std::chrono::seconds{60};
  rollout_cfg.resume_on_restart = true;
  open_lmdb();
  start_pro(6);
  // canary 0 | 1 2 | 3 4 | 5
  auto id = plan_dns(ids(0, 6), 2);
  call_async(906, "config_apply_dns_ntp_rollout",
             {{"plan_id", id}, {"approval_token", approve(id)}});
  advance_time(std::chrono::seconds{60}); // batch 1 applied, paused again
  ASSERT_EQ(dns_of(2), "10.9.9.9,10.9.9.8");
  ASSERT_NE(dns_of(3), "10.9.9.9,10.9.9.8");
  restart_plans();
  // Batches 0 and 1 are checked again without pausing between them; the
  // pause before batch 2 is served once.
  auto ev = events(id);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "gate-passed"), 4);
  EXPECT_NE(dns_of(3), "10.9.9.9,10.9.9.8");
  advance_time(std::chrono::seconds{60});
  EXPECT_EQ(dns_of(3), "10.9.9.9,10.9.9.8");
  EXPECT_EQ(dns_of(4), "10.9.9.9,10.9.9.8");
  advance_time(std::chrono::seconds{60});
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->state, plan_state::completed);
  EXPECT_EQ(dns_of(5), "10.9.9.9,10.9.9.8");
}

} // namespace rmcp
