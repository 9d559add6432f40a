// Health semantics as pure functions.

#include "actors/device_health.hpp"

#include <gtest/gtest.h>

namespace rmcp {

namespace {

using namespace std::chrono_literals;

system_resource resource(double cpu, uint64_t total, uint64_t free) {
  system_resource r;
  r.cpu_load_percent = cpu;
  r.memory_total_bytes = total;
  r.memory_free_bytes = free;
  r.version = "7.16.1";
  return r;
}

} // namespace

TEST(device_health, usage_at_or_below_75_percent_is_healthy) {
  health_sample s;
  health::evaluate(resource(75, 100, 25), s);
  EXPECT_EQ(s.status, device_status::healthy);
  EXPECT_TRUE(s.issues.empty());
}

TEST(device_health, usage_above_75_percent_is_a_warning_and_degraded) {
  health_sample s;
  health::evaluate(resource(76, 100, 50), s);
  EXPECT_EQ(s.status, device_status::degraded);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0], "warning: cpu 76% > 75%");
}

TEST(device_health, usage_above_90_percent_is_a_critical_issue) {
  health_sample s;
  health::evaluate(resource(10, 1000, 50), s);
  EXPECT_EQ(s.status, device_status::degraded);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0], "critical: memory 95% > 90%");
  EXPECT_EQ(s.memory_used_bytes, 950u);
}

TEST(device_health,
     healthy_interval_grows_by_half_every_ten_checks_up_to_300s) {
  health::schedule s;
  health::schedule_settings cfg;
  std::vector<int64_t> seen;
  for (int i = 0; i < 60; ++i)
    seen.push_back(
      health::next_interval(s, device_status::healthy, false, cfg).count());
  EXPECT_EQ(seen[0], 60000);
  EXPECT_EQ(seen[8], 60000);
  EXPECT_EQ(seen[9], 90000);
  EXPECT_EQ(seen[19], 135000);
  EXPECT_EQ(seen[29], 202500);
  EXPECT_EQ(seen[39], 300000);
  EXPECT_EQ(seen[59], 300000);
}

TEST(device_health, degraded_resets_to_base_and_critical_halves_it) {
  health::schedule s;
  health::schedule_settings cfg;
  for (int i = 0; i < 25; ++i)
    health::next_interval(s, device_status::healthy, false, cfg);
  EXPECT_EQ(health::next_interval(s, device_status::degraded, false, cfg), 60s);
  EXPECT_EQ(health::next_interval(s, device_status::degraded, true, cfg), 30s);
  EXPECT_EQ(health::next_interval(s, device_status::healthy, true, cfg), 30s);
}

TEST(device_health, unreachable_doubles_from_60s_to_960s) {
  health::schedule s;
  health::schedule_settings cfg;
  health::next_interval(s, device_status::healthy, true, cfg);
  std::vector<int64_t> seen;
  for (int i = 0; i < 7; ++i)
    seen.push_back(
      health::next_interval(s, device_status::unreachable, true, cfg).count()
      / 1000);
  EXPECT_EQ(seen, (std::vector<int64_t>{60, 120, 240, 480, 960, 960, 960}));
  // Back to healthy starts over at the base.
  EXPECT_EQ(health::next_interval(s, device_status::healthy, false, cfg), 60s);
}

TEST(device_health, no_observation_keeps_the_interval) {
  health::schedule s;
  health::schedule_settings cfg;
  EXPECT_EQ(health::next_interval(s, device_status::unknown, false, cfg), 60s);
  health::next_interval(s, device_status::unreachable, false, cfg);
  health::next_interval(s, device_status::unreachable, false, cfg);
  EXPECT_EQ(health::next_interval(s, device_status::unknown, false, cfg), 120s);
}

} // namespace rmcp
