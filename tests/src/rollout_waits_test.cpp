// The rollout coordinator's waits, cancels and progress
// (actors/rollout_waits.cpp) against the simulator, under the test
// scheduler: a cancel ends a pause or gate delay at once when it is stored
// in this process (config_rollback_plan, the apply call's end) and within
// one poll interval when another process stored it (`routeros-mcp plan
// cancel`); every step of a rollout reaches the caller as a progress
// notification with a strictly increasing count.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

class rollout_waits_test : public test::plan_harness {
protected:
  void start_routers(size_t n) {
    start_pro(n, &device_flags::allow_professional_workflows);
    for (size_t i = 0; i < n; ++i)
      before.push_back(dns_of(i));
  }

  json dns_of(size_t i) {
    return router_get(i, "/ip/dns").value("servers", "");
  }

  /// A DNS plan of routers 0 … n-1 (canary, then batches of `batch_size`).
  std::string plan_dns(size_t n, size_t batch_size) {
    return plan("config_plan_dns_ntp_rollout", {{"device_ids", ids(0, n)},
                                                {"dns_servers", {"10.9.9.9"}},
                                                {"batch_size", batch_size}})
      .value("plan_id", "");
  }

  /// Starts the apply call `id` of plan `plan_id` with progress token
  /// `token`.
  void apply_async(int id, const std::string& plan_id,
                   const std::string& token = "p") {
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params",
           {{"name", "config_apply_dns_ntp_rollout"},
            {"arguments",
             {{"plan_id", plan_id}, {"approval_token", approve(plan_id)}}},
            {"_meta", {{"progressToken", token}}}}}});
  }

  /// Starts routers 0 … n-1 and apply call `call` of a plan of them
  /// (canary, then batches of `batch_size`, an hour's pause between
  /// batches, re-read every `poll`); returns the plan id once the canary
  /// passed its gate and the pause began.
  std::string apply_until_paused(int call, size_t n, size_t batch_size,
                                 std::chrono::milliseconds poll) {
    rollout_cfg.pause = 1h;
    rollout_cfg.cancel_poll = poll;
    start_routers(n);
    auto id = plan_dns(n, batch_size);
    apply_async(call, id);
    EXPECT_EQ(dns_of(0), "10.9.9.9");
    EXPECT_TRUE(result_of(call).is_null());
    return id;
  }

  /// Applies a plan of routers 0-4 (canary sim-0 | sim-1 sim-2 | sim-3
  /// sim-4; router `bad_gate` fails its gate unless it is 5) with progress
  /// token "p" to its end; returns the messages of its progress
  /// notifications after the apply tool's start.
  std::vector<std::string> roll_out_five(int call, size_t bad_gate) {
    start_routers(5);
    auto id = plan_dns(5, 2);
    if (bad_gate < 5)
      fail_gate(bad_gate);
    apply_async(call, id);
    EXPECT_FALSE(result_of(call).is_null());
    auto text = messages_of("p");
    EXPECT_FALSE(text.empty());
    if (!text.empty()) {
      EXPECT_EQ(text.front(),
                "approval accepted; rollout of " + id + " started");
      text.erase(text.begin());
    }
    return text;
  }

  /// The report of apply call `id` (null while it runs).
  json report_of(int id) {
    auto res = result_of(id);
    return res.is_null() ? res : res.value("structuredContent", json{});
  }

  /// Every router's DNS servers are what they were before the plan.
  void expect_all_restored() {
    for (size_t i = 0; i < before.size(); ++i)
      EXPECT_EQ(dns_of(i), before[i]) << "sim-" << i;
  }

  /// The progress notifications sent for `token`, in order.
  std::vector<json> progress_of(const std::string& token) {
    std::vector<json> got;
    for (auto& msg : *out)
      if (msg.value("method", "") == "notifications/progress"
          && msg["params"].value("progressToken", json()) == token)
        got.push_back(msg["params"]);
    return got;
  }

  /// The messages of those notifications.
  std::vector<std::string> messages_of(const std::string& token) {
    std::vector<std::string> text;
    for (auto& p : progress_of(token))
      text.push_back(p.value("message", ""));
    return text;
  }

  /// The report of apply call `id`, which must have ended in `state`.
  void expect_ended(int id, const std::string& state) {
    auto report = report_of(id);
    ASSERT_FALSE(report.is_null());
    EXPECT_EQ(report.value("state", ""), state) << report.dump();
  }

  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> ev;
    auto log = plan_db->journal(id);
    EXPECT_TRUE(log);
    if (log)
      for (auto& s : *log)
        ev.push_back(s.event);
    return ev;
  }

  std::vector<json> before;
};

} // namespace

TEST_F(rollout_waits_test,
       a_cancel_from_another_process_ends_a_pause_within_one_poll) {
  auto id = apply_until_paused(904, 4, 3, 1s);
  // `routeros-mcp plan cancel` in another process: only the store knows.
  ASSERT_TRUE(plan_db->cancel(id, "cli:ops", "wrong servers"));
  run();
  EXPECT_TRUE(report_of(904).is_null());
  advance_time(1s); // one poll, not the hour
  expect_ended(904, "rolled_back");
  EXPECT_EQ(report_of(904).value("reason", ""),
            "cancelled by cli:ops: wrong servers");
  expect_all_restored();
  auto ev = events(id);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "batch-started"), 1);
}

TEST_F(rollout_waits_test, the_rollback_tool_ends_a_pause_at_once) {
  auto id = apply_until_paused(905, 4, 3, 10min);
  auto answer =
    ok("config_rollback_plan", {{"plan_id", id}, {"reason", "wrong servers"}});
  EXPECT_EQ(answer.value("running", false), true) << answer.dump();
  // No time passed: the manager told the coordinator.
  expect_ended(905, "rolled_back");
  EXPECT_EQ(report_of(905).value("reason", ""),
            "cancelled by tester: wrong servers");
  expect_all_restored();
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(find_device(*plan, "sim-0")->state, "rolled_back");
  for (auto d : {"sim-1", "sim-2", "sim-3"})
    EXPECT_EQ(find_device(*plan, d)->state, "pending") << d;
}

TEST_F(rollout_waits_test,
       a_cancel_ends_a_gate_delay_and_rolls_back_its_batch) {
  rollout_cfg.gate_delay = 10min;
  rollout_cfg.cancel_poll = 1s;
  start_routers(3);
  auto id = plan_dns(3, 2); // canary sim-0 | sim-1 sim-2
  apply_async(906, id);
  ASSERT_EQ(dns_of(0), "10.9.9.9"); // written, waiting for its gate
  ASSERT_TRUE(plan_db->cancel(id, "cli:ops", "stop"));
  advance_time(1s);
  expect_ended(906, "rolled_back");
  expect_all_restored();
  auto ev = events(id);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "gate-started"), 0);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "device-rolled-back"), 1);
}

TEST_F(rollout_waits_test, the_end_of_the_apply_call_ends_a_pause_at_once) {
  auto id = apply_until_paused(907, 3, 2, 10min);
  send({{"jsonrpc", "2.0"},
        {"method", "notifications/cancelled"},
        {"params", {{"requestId", 907}, {"reason", "operator"}}}});
  EXPECT_TRUE(result_of(907).is_null()); // a cancelled call is not answered
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->state, plan_state::rolled_back);
  expect_all_restored();
}

TEST_F(rollout_waits_test,
       polls_without_a_cancel_leave_a_pause_to_run_its_course) {
  apply_until_paused(908, 3, 2, 1s);
  // Polls without a cancel leave the pause alone.
  advance_time(5s);
  EXPECT_TRUE(report_of(908).is_null());
  EXPECT_EQ(dns_of(1), before[1]);
  // The pause ends on its own: the rollout goes on to the end.
  advance_time(1h);
  expect_ended(908, "completed");
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(dns_of(i), "10.9.9.9") << i;
}

TEST_F(rollout_waits_test,
       every_step_of_a_rollout_reaches_the_caller_in_order) {
  auto text = roll_out_five(909, 5);
  expect_ended(909, "completed");
  // Five devices, three gates and the end: nothing dropped.
  EXPECT_EQ(text,
            (std::vector<std::string>{
              "sim-0: applied", "batch 0 passed its gate", "sim-1: applied",
              "sim-2: applied", "batch 1 passed its gate", "sim-3: applied",
              "sim-4: applied", "batch 2 passed its gate", "plan completed"}));
  auto got = progress_of("p");
  // The apply tool's start is 0; the rollout counts its steps from 1.
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].value("progress", -1.0), static_cast<double>(i));
    if (i > 0) {
      EXPECT_EQ(got[i].value("total", 0.0), 9.0);
    }
  }
}

TEST_F(rollout_waits_test,
       a_rollback_recounts_the_steps_and_reports_each_device) {
  auto text = roll_out_five(910, 2); // the gate of batch 1 fails
  expect_ended(910, "rolled_back");
  EXPECT_EQ(text,
            (std::vector<std::string>{
              "sim-0: applied", "batch 0 passed its gate", "sim-1: applied",
              "sim-2: applied", "batch 1 failed its gate",
              "rolling back 3 device(s)", "sim-2: rolled back",
              "sim-1: rolled back", "sim-0: rolled back", "plan rolled_back"}));
  auto got = progress_of("p");
  double last = -1;
  for (auto& p : got) {
    EXPECT_GT(p.value("progress", -1.0), last) << p.dump();
    last = p.value("progress", -1.0);
    if (p.contains("total")) {
      EXPECT_LE(last, p.value("total", 0.0)) << p.dump();
    }
  }
  // Once the rollback started, the total is exact.
  EXPECT_EQ(got[6].value("total", 0.0), 10.0);
  EXPECT_EQ(got.back().value("total", 0.0), last);
  expect_all_restored();
}

} // namespace rmcp
