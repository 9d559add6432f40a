// Health checks of the device actor and their adaptive schedule, under the
// testing scheduler with a scripted REST client.

#include "tests/actors/device_actor_fixture.hpp"

namespace rmcp {

using namespace device_test;

// -- health checks ----------------------------------------------------------------------

TEST_F(device_actor_test, check_reports_typed_values_and_publishes_them) {
  auto router = std::make_shared<test::fake_router>();
  factory->answer = test::router_responder(router);
  start();
  auto s = check();
  ASSERT_TRUE(s->has_value() && **s) << to_string(code_of(s));
  auto& sample = ***s;
  EXPECT_EQ(sample.device_id, "r1");
  EXPECT_EQ(sample.status, device_status::healthy);
  EXPECT_DOUBLE_EQ(sample.cpu_percent, 5);
  EXPECT_EQ(sample.memory_total_bytes, 1073741824u);
  EXPECT_EQ(sample.memory_used_bytes, 1073741824u - 805306368u);
  EXPECT_EQ(sample.uptime_seconds, 93784u);
  EXPECT_EQ(sample.routeros_version, "7.16.1");
  EXPECT_EQ(sample.board_name, "RB5009UG+S+");
  EXPECT_EQ(sample.identity, "MikroTik");
  EXPECT_DOUBLE_EQ(sample.latency_ms, 1.5);
  EXPECT_TRUE(sample.issues.empty());
  ASSERT_EQ(samples->size(), 1u);
  EXPECT_EQ(samples->front().status, device_status::healthy);
  ASSERT_EQ(store_data->health.size(), 1u);
  auto last = test::ask<health_sample>(sys, dev, atom::get_v, atom::status_v);
  run();
  EXPECT_EQ((**last)->routeros_version, "7.16.1");
}

TEST_F(device_actor_test, busy_cpu_or_memory_makes_a_device_degraded) {
  auto router = std::make_shared<test::fake_router>();
  router->cpu_load = 80;
  router->free_memory = router->total_memory / 20;
  factory->answer = test::router_responder(router);
  start();
  auto s = check();
  ASSERT_TRUE(s->has_value() && **s);
  EXPECT_EQ((**s)->status, device_status::degraded);
  ASSERT_EQ((**s)->issues.size(), 2u);
  EXPECT_EQ((**s)->issues[0], "warning: cpu 80% > 75%");
  EXPECT_EQ((**s)->issues[1], "critical: memory 95% > 90%");
}

TEST_F(device_actor_test, failed_check_is_an_unreachable_sample_keeping_facts) {
  auto router = std::make_shared<test::fake_router>();
  factory->answer = test::router_responder(router);
  start();
  check();
  client().set_responder(test::failing_responder(ec::router_auth_failed));
  auto s = check();
  ASSERT_TRUE(s->has_value() && **s);
  EXPECT_EQ((**s)->status, device_status::unreachable);
  EXPECT_EQ((**s)->error_kind, "router_auth_failed");
  EXPECT_EQ((**s)->routeros_version, "7.16.1");
  ASSERT_EQ((**s)->issues.size(), 1u);
}

TEST_F(device_actor_test,
       a_check_answered_with_another_body_is_degraded_without_figures) {
  factory->answer =
    [](const rest_request&) -> std::optional<caf::expected<rest_response>> {
    return caf::expected<rest_response>{
      test::ok_response({{"name", "MikroTik"}})};
  };
  start();
  auto s = check();
  ASSERT_TRUE(s->has_value() && **s);
  EXPECT_EQ((**s)->status, device_status::degraded);
  EXPECT_EQ((**s)->error_kind, "router_bad_answer");
  EXPECT_EQ((**s)->memory_total_bytes, 0u);
  EXPECT_EQ((**s)->uptime_seconds, 0u);
  ASSERT_EQ((**s)->issues.size(), 1u);
  EXPECT_NE((**s)->issues[0].find("without 'uptime'"), std::string::npos)
    << (**s)->issues[0];
  // A check is a probe: never retried.
  advance_time(5s);
  EXPECT_EQ(client().count("/system/resource"), 1u);
}

TEST_F(device_actor_test, check_probes_even_when_the_breaker_is_open) {
  settings.read_attempts = 1;
  settings.breaker_threshold = 1;
  auto router = std::make_shared<test::fake_router>();
  start();
  client().set_responder(test::failing_responder(ec::router_unreachable));
  exec(get("/a"));
  EXPECT_EQ(code_of(exec(get("/b"))), ec::circuit_open);
  client().set_responder(test::router_responder(router));
  auto s = check();
  ASSERT_TRUE(s->has_value() && **s);
  EXPECT_EQ((**s)->status, device_status::healthy);
  // The successful probe closed the breaker.
  auto after = exec(get("/system/identity"));
  EXPECT_TRUE(after->has_value() && **after);
}

TEST_F(device_actor_test, identity_is_read_on_the_first_and_every_tenth_check) {
  auto router = std::make_shared<test::fake_router>();
  factory->answer = test::router_responder(router);
  settings.identity_every = 10;
  start();
  for (int i = 0; i < 10; ++i)
    check();
  EXPECT_EQ(client().count("/system/resource"), 10u);
  EXPECT_EQ(client().count("/system/identity"), 1u);
  check();
  EXPECT_EQ(client().count("/system/identity"), 2u);
}

TEST_F(device_actor_test, unreachable_devices_are_checked_less_and_less_often) {
  auto router = std::make_shared<test::fake_router>();
  factory->answer = test::router_responder(router);
  settings.health_checks = true;
  settings.health_start_spread = 1ms;
  start();
  auto times = check_times(
    3,
    [&] {
      client().set_responder(test::failing_responder(ec::router_unreachable));
    },
    9);
  ASSERT_EQ(times.size(), 9u);
  EXPECT_LE(times[0], 1);
  // Healthy: 60 s ± 10 %; the first failure is checked again after 60 s,
  // then 120, 240, 480, 960 and never more than 960 s.
  const int64_t expected[] = {60, 60, 60, 60, 120, 240, 480, 960};
  for (size_t i = 1; i < times.size(); ++i) {
    auto delta = times[i] - times[i - 1];
    EXPECT_GE(delta, expected[i - 1] * 9 / 10) << "check " << i;
    EXPECT_LE(delta, expected[i - 1] * 11 / 10 + 1) << "check " << i;
  }
  EXPECT_EQ(samples->back().status, device_status::unreachable);
}

TEST_F(device_actor_test, healthy_streak_of_ten_stretches_the_interval) {
  auto router = std::make_shared<test::fake_router>();
  factory->answer = test::router_responder(router);
  settings.health_checks = true;
  settings.health_start_spread = 1ms;
  start();
  auto times = check_times(
    0, [] {}, 12);
  ASSERT_EQ(times.size(), 12u);
  for (size_t i = 1; i < 10; ++i) {
    auto delta = times[i] - times[i - 1];
    EXPECT_TRUE(delta >= 54 && delta <= 67) << "check " << i << ": " << delta;
  }
  auto grown = times[10] - times[9];
  EXPECT_TRUE(grown >= 81 && grown <= 100) << grown;
}

TEST_F(device_actor_test,
       critical_devices_are_checked_twice_as_often_when_degraded) {
  auto router = std::make_shared<test::fake_router>();
  router->cpu_load = 95;
  factory->answer = test::router_responder(router);
  settings.health_checks = true;
  settings.health_start_spread = 1ms;
  auto record = test::test_device("r1");
  record.flags.critical = true;
  start(record);
  advance_time(1ms);
  ASSERT_EQ(client().count("/system/resource"), 1u);
  advance_time(26s);
  EXPECT_EQ(client().count("/system/resource"), 1u);
  advance_time(8s);
  EXPECT_EQ(client().count("/system/resource"), 2u);
}

// -- update and stop ----------------------------------------------------------------------

} // namespace rmcp
