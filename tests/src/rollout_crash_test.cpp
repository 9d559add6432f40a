// A rollout stopped right after each kind of journal write (before the
// action that follows it starts, as a crash there would leave it) is taken
// over at the next start, resumed or rolled back, and ends in the right
// plan, device and router states (rollout_walker.hpp).

#include <gtest/gtest.h>

#include "tests/src/rollout_walker.hpp"

namespace rmcp {

using test::crash_routes;
using test::walker;
using namespace std::chrono_literals;

namespace {

const char* mode(bool resume) {
  return resume ? " (resume)" : " (rollback)";
}

void expect_routes_rolled_back(walker& w, const plan_record& p) {
  EXPECT_EQ(p.state, plan_state::rolled_back);
  for (size_t i = 0; i < 3; ++i) {
    auto st = w.state_of(p, i);
    EXPECT_TRUE(st == "rolled_back" || st == "pending") << i << " " << st;
    EXPECT_EQ(w.routes(i), 0u) << i;
    EXPECT_EQ(w.deadman_jobs(i, w.id), 0u) << i;
  }
}

void expect_routes_completed(walker& w, const plan_record& p) {
  EXPECT_EQ(p.state, plan_state::completed);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(w.state_of(p, i), "applied") << i;
    EXPECT_EQ(w.routes(i), 1u) << i;
    EXPECT_EQ(w.deadman_jobs(i, w.id), 0u) << i;
  }
}

} // namespace

TEST(rollout_crash, a_rollout_stopped_after_any_forward_step_is_taken_over) {
  for (std::string step :
       {"batch-started", "device-snapshot", "deadman-arming", "device-applying",
        "device-applied", "gate-started", "deadman-disarming", "gate-passed",
        "plan-completed"})
    for (bool resume : {false, true}) {
      SCOPED_TRACE(step + mode(resume));
      walker w;
      crash_routes(w, step, resume);
      auto p = w.settle();
      if (resume || step == "plan-completed")
        expect_routes_completed(w, p);
      else
        expect_routes_rolled_back(w, p);
    }
}

TEST(rollout_crash, a_rollback_stopped_after_any_of_its_steps_is_taken_over) {
  auto hot = [](walker& w) {
    w.faults(2, [](sim::fault_config& f) { f.high_cpu = true; });
  };
  for (std::string step :
       {"gate-failed", "rollback-started", "device-rolling-back",
        "device-rolled-back", "plan-rolled-back"})
    for (bool resume : {false, true}) {
      SCOPED_TRACE(step + mode(resume));
      walker w;
      crash_routes(w, step, resume, nullptr, {}, hot);
      auto p = w.settle();
      expect_routes_rolled_back(w, p);
      for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(w.state_of(p, i), "rolled_back") << i;
    }
}

TEST(rollout_crash, a_takeover_stopped_after_plan_resumed_is_taken_over) {
  for (bool resume : {false, true}) {
    SCOPED_TRACE(mode(resume));
    walker w;
    crash_routes(w, "device-applied", true, nullptr, "plan-resumed");
    ASSERT_TRUE(w.crashed);
    w.take_over(resume);
    auto p = w.settle();
    if (resume)
      expect_routes_completed(w, p);
    else
      expect_routes_rolled_back(w, p);
  }
}

TEST(rollout_crash, a_failed_write_stopped_after_apply_failed_is_taken_over) {
  for (bool resume : {false, true}) {
    SCOPED_TRACE(mode(resume));
    walker w;
    w.start(3);
    std::vector<json> before;
    for (size_t i = 0; i < 3; ++i)
      before.push_back(w.dns_of(i));
    w.plan_dns_of(3);
    w.faults(1, [](sim::fault_config& f) { f.write_fail_applied = 1; });
    w.crash_step = "device-apply-failed";
    w.apply_async();
    w.settle(1s, 5);
    ASSERT_TRUE(w.crashed);
    w.take_over(resume);
    auto p = w.settle();
    if (resume) {
      // Planned again from its snapshot; the router takes the write now.
      EXPECT_EQ(p.state, plan_state::completed);
      for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(w.dns_of(i), "10.9.9.9,10.9.9.8") << i;
    } else {
      EXPECT_EQ(p.state, plan_state::rolled_back);
      EXPECT_EQ(w.state_of(p, 0), "rolled_back");
      EXPECT_EQ(w.state_of(p, 1), "rolled_back");
      EXPECT_EQ(w.state_of(p, 2), "pending");
      for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(w.dns_of(i), before[i]) << i;
    }
  }
}

TEST(rollout_crash, an_unreachable_device_stopped_after_each_failure_step) {
  // sim-1 never answers: its change fails before a snapshot, its rollback
  // fails, the plan fails.
  for (std::string step :
       {"device-apply-failed", "device-rollback-failed", "plan-failed"})
    for (bool resume : {false, true}) {
      SCOPED_TRACE(step + mode(resume));
      walker w;
      w.start(2);
      w.plan_dns_of(2);
      w.faults(1, [](sim::fault_config& f) { f.drop_rate = 1.0; });
      w.crash_step = step;
      w.apply_async();
      w.settle();
      ASSERT_TRUE(w.crashed);
      w.take_over(resume);
      auto p = w.settle();
      EXPECT_EQ(p.state, plan_state::failed);
      EXPECT_EQ(w.state_of(p, 0), "rolled_back");
      EXPECT_EQ(w.state_of(p, 1), "rollback_failed");
    }
}

TEST(rollout_crash,
     a_dead_man_wait_stopped_after_deadman_waiting_is_taken_over) {
  for (bool resume : {false, true}) {
    SCOPED_TRACE(mode(resume));
    walker w;
    w.rollout_cfg.gate_delay = 5s;
    w.rollout_cfg.deadman_delay = 60s;
    w.start(2);
    w.plan_route_of(2);
    w.crash_step = "deadman-waiting";
    w.apply_async();
    ASSERT_EQ(w.routes(0), 1u);
    w.faults(0, [](sim::fault_config& f) { f.drop_rate = 1.0; });
    w.settle(1s, 40);
    ASSERT_TRUE(w.crashed);
    w.take_over(resume);
    // The router's job restores it; then it answers again.
    w.sim_fleet->advance_clock(61s);
    w.faults(0, [](sim::fault_config& f) { f.drop_rate = 0; });
    auto p = w.settle(5s, 200);
    EXPECT_EQ(p.state, plan_state::rolled_back);
    EXPECT_EQ(w.state_of(p, 0), "rolled_back");
    EXPECT_EQ(w.state_of(p, 1), "pending");
    EXPECT_EQ(w.routes(0), 0u);
    EXPECT_EQ(w.deadman_jobs(0, w.id), 0u);
  }
}

} // namespace rmcp
