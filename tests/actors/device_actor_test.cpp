// The device actor under the testing scheduler with a scripted REST client:
// concurrency cap, bounded queue, write lock and leases, retries, breaker,
// watchdog, health checks and their schedule, update and stop.

#include "actors/device_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/error.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/ask.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"
#include "tests/support/health_recorder.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;
using test::answer;
using test::code_of;

rest_request get(const std::string& path) {
  rest_request req;
  req.path = path;
  return req;
}

rest_request put(const std::string& path, uint64_t lease = 0) {
  rest_request req;
  req.method = "PUT";
  req.path = path;
  req.body = {{"address", "10.0.0.1/24"}};
  req.lease = lease;
  return req;
}

class device_actor_test : public test::actor_fixture {
protected:
  device_actor_test() {
    factory = std::make_shared<test::fake_rest_factory>();
    settings.health_checks = false;
    settings.seed = 42;
    settings.retry_base = 100ms;
    settings.retry_max = 1000ms;
  }

  ~device_actor_test() override {
    if (dev)
      caf::anon_send_exit(dev, caf::exit_reason::user_shutdown);
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    if (listener)
      caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
    run();
  }

  void start(device_record record = test::test_device("r1")) {
    device_setup setup;
    setup.record = std::move(record);
    setup.creds = credential{"api", "secret"};
    setup.factory = factory;
    setup.settings = settings;
    store_data = std::make_shared<test::fake_store_data>();
    store = test::spawn_fake_store(sys, store_data);
    samples = std::make_shared<std::vector<health_sample>>();
    listener = test::spawn_health_recorder(sys, samples);
    setup.store = store;
    setup.listener = listener;
    dev = spawn_device(sys, std::move(setup));
    run();
  }

  test::fake_rest_client& client() {
    return *factory->client("r1");
  }

  answer<rest_response> exec(rest_request req) {
    auto a = test::ask<rest_response>(sys, dev, atom::exec_v, std::move(req));
    run();
    return a;
  }

  answer<uint64_t> acquire(int64_t ttl_ms) {
    auto a = test::ask<uint64_t>(sys, dev, atom::acquire_v, ttl_ms);
    run();
    return a;
  }

  answer<health_sample> check() {
    auto a = test::ask<health_sample>(sys, dev, atom::check_v);
    run();
    return a;
  }

  /// Moves time in 1 s steps and returns the second of each health check
  /// until `count` checks happened; calls `turn` after the `at`-th check.
  std::vector<int64_t> check_times(size_t at, const std::function<void()>& turn,
                                   size_t count) {
    std::vector<int64_t> result;
    size_t seen = 0;
    for (int64_t t = 1; t < 10000 && result.size() < count; ++t) {
      advance_time(1s);
      auto now = client().count("/system/resource");
      if (now == seen)
        continue;
      seen = now;
      result.push_back(t);
      if (result.size() == at)
        turn();
    }
    return result;
  }

  std::shared_ptr<test::fake_rest_factory> factory;
  device_settings settings;
  std::shared_ptr<test::fake_store_data> store_data;
  std::shared_ptr<std::vector<health_sample>> samples;
  store_actor store;
  health_listener_actor listener;
  device_actor dev;
};

} // namespace

// -- concurrency and queue ------------------------------------------------------

TEST_F(device_actor_test, reads_run_concurrently_up_to_max_connections) {
  settings.max_connections = 2;
  start();
  auto a = exec(get("/interface"));
  auto b = exec(get("/ip/address"));
  auto c = exec(get("/ip/route"));
  EXPECT_EQ(client().open_calls(), 2u);
  client().reply(0, test::ok_response(json::array()));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ(client().open_calls(), 2u);
  EXPECT_EQ(client().calls().back().req.path, "/ip/route");
  EXPECT_FALSE(b->has_value());
  EXPECT_FALSE(c->has_value());
}

TEST_F(device_actor_test, full_queue_fails_at_once_with_queue_full) {
  settings.max_connections = 1;
  settings.queue_size = 2;
  start();
  auto first = exec(get("/a"));
  auto second = exec(get("/b"));
  auto third = exec(get("/c"));
  auto fourth = exec(get("/d"));
  EXPECT_EQ(client().calls().size(), 1u);
  EXPECT_FALSE(first->has_value());
  EXPECT_FALSE(second->has_value());
  EXPECT_FALSE(third->has_value());
  EXPECT_EQ(code_of(fourth), ec::queue_full);
  EXPECT_NE(error_message((*fourth)->error()).find("limit 2"),
            std::string::npos);
}

TEST_F(device_actor_test, requests_carry_the_device_default_timeout) {
  settings.request_timeout = 4s;
  start();
  exec(get("/a"));
  auto custom = get("/b");
  custom.timeout_ms = 1500;
  exec(custom);
  ASSERT_EQ(client().calls().size(), 2u);
  EXPECT_EQ(client().calls()[0].timeout, 4s);
  EXPECT_EQ(client().calls()[1].timeout, 1500ms);
}

TEST_F(device_actor_test, malformed_requests_are_refused_without_io) {
  start();
  rest_request bad;
  bad.method = "FETCH";
  bad.path = "/interface";
  EXPECT_EQ(code_of(exec(bad)), ec::invalid_arguments);
  EXPECT_EQ(code_of(exec(get("interface"))), ec::invalid_arguments);
  EXPECT_TRUE(client().calls().empty());
}

// -- retries ---------------------------------------------------------------------

TEST_F(device_actor_test, idempotent_read_is_retried_with_jittered_backoff) {
  settings.read_attempts = 3;
  start();
  auto a = exec(get("/interface"));
  client().fail(0, make_error(ec::router_timeout, "slow"));
  run();
  EXPECT_EQ(client().calls().size(), 1u);
  // First retry after [50, 100] ms.
  advance_time(49ms);
  EXPECT_EQ(client().calls().size(), 1u);
  advance_time(51ms);
  ASSERT_EQ(client().calls().size(), 2u);
  client().fail(0, make_error(ec::router_unreachable, "refused"));
  run();
  // Second retry after [100, 200] ms.
  advance_time(99ms);
  EXPECT_EQ(client().calls().size(), 2u);
  advance_time(101ms);
  ASSERT_EQ(client().calls().size(), 3u);
  client().fail(0, make_error(ec::router_server_error, "500"));
  run();
  EXPECT_EQ(code_of(a), ec::router_server_error);
  advance_time(5s);
  EXPECT_EQ(client().calls().size(), 3u);
}

TEST_F(device_actor_test, retried_read_succeeds_when_the_router_recovers) {
  start();
  auto a = exec(get("/interface"));
  client().fail(0, make_error(ec::router_unreachable, "reset"));
  run();
  advance_time(100ms);
  client().reply(0, test::ok_response(json::array({{{"name", "ether1"}}})));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ((***a).body[0]["name"], "ether1");
}

TEST_F(device_actor_test, writes_are_never_retried) {
  start();
  auto a = exec(put("/ip/address"));
  client().fail(0, make_error(ec::router_timeout, "slow"));
  run();
  EXPECT_EQ(code_of(a), ec::router_timeout);
  advance_time(10s);
  EXPECT_EQ(client().calls().size(), 1u);
}

TEST_F(device_actor_test, router_errors_that_are_not_transient_are_not_retried) {
  start();
  auto a = exec(get("/ip/nothing"));
  client().fail(0, make_error(ec::router_not_found, "no such item"));
  run();
  EXPECT_EQ(code_of(a), ec::router_not_found);
  EXPECT_EQ(client().calls().size(), 1u);
}

TEST_F(device_actor_test, watchdog_fails_a_request_the_client_never_answers) {
  settings.request_timeout = 3s;
  settings.read_attempts = 1;
  start();
  auto a = exec(get("/interface"));
  advance_time(4900ms);
  EXPECT_FALSE(a->has_value());
  advance_time(100ms);
  EXPECT_EQ(code_of(a), ec::router_timeout);
  EXPECT_TRUE(client().calls()[0].cancelled);
}

// -- write lock and leases ----------------------------------------------------------

TEST_F(device_actor_test, writes_are_serialised_while_reads_continue) {
  start();
  auto w1 = exec(put("/ip/address"));
  auto w2 = exec(put("/ip/address"));
  EXPECT_EQ(client().open_calls(), 1u);
  auto r = exec(get("/interface"));
  EXPECT_EQ(client().open_calls(), 2u);
  client().reply(0, test::ok_response({{".id", "*1"}}));
  run();
  ASSERT_TRUE(w1->has_value() && **w1);
  // The second write starts only now.
  ASSERT_EQ(client().calls().size(), 3u);
  EXPECT_EQ(client().calls()[2].req.method, "PUT");
  EXPECT_FALSE(w2->has_value());
  EXPECT_FALSE(r->has_value());
}

TEST_F(device_actor_test, lease_holder_writes_while_other_writers_wait) {
  start();
  auto lease = acquire(30000);
  ASSERT_TRUE(lease->has_value() && **lease);
  auto other = exec(put("/ip/address"));
  EXPECT_EQ(client().calls().size(), 0u);
  auto mine = exec(put("/ip/address", ***lease));
  ASSERT_EQ(client().calls().size(), 1u);
  client().reply(0, test::ok_response({{".id", "*2"}}));
  run();
  ASSERT_TRUE(mine->has_value() && **mine);
  EXPECT_EQ(client().calls().size(), 1u);
  caf::anon_send(dev, atom::release_v, ***lease);
  run();
  EXPECT_EQ(client().calls().size(), 2u);
  EXPECT_FALSE(other->has_value());
}

TEST_F(device_actor_test, second_acquire_waits_for_the_first_lease) {
  start();
  auto first = acquire(30000);
  auto second = acquire(30000);
  ASSERT_TRUE(first->has_value() && **first);
  EXPECT_FALSE(second->has_value());
  caf::anon_send(dev, atom::release_v, ***first);
  run();
  ASSERT_TRUE(second->has_value() && **second);
  EXPECT_NE(***first, ***second);
}

TEST_F(device_actor_test, request_with_a_lease_that_is_not_held_is_a_conflict) {
  start();
  auto lease = acquire(30000);
  ASSERT_TRUE(lease->has_value() && **lease);
  EXPECT_EQ(code_of(exec(put("/ip/address", ***lease + 1))), ec::conflict);
  caf::anon_send(dev, atom::release_v, ***lease);
  run();
  EXPECT_EQ(code_of(exec(put("/ip/address", ***lease))), ec::conflict);
  EXPECT_TRUE(client().calls().empty());
}

TEST_F(device_actor_test, lease_expires_after_its_ttl_and_frees_the_lock) {
  start();
  auto lease = acquire(1000);
  ASSERT_TRUE(lease->has_value() && **lease);
  auto waiting = exec(put("/ip/address"));
  advance_time(999ms);
  EXPECT_EQ(client().calls().size(), 0u);
  advance_time(1ms);
  EXPECT_EQ(client().calls().size(), 1u);
  EXPECT_EQ(code_of(exec(put("/ip/address", ***lease))), ec::conflict);
}

TEST_F(device_actor_test, expired_lease_frees_the_lock_only_after_its_write) {
  start();
  auto lease = acquire(1000);
  auto mine = exec(put("/ip/address", ***lease));
  auto other = exec(put("/ip/address"));
  advance_time(1000ms);
  // The lease's write is still in flight: no second writer yet.
  EXPECT_EQ(client().calls().size(), 1u);
  client().reply(0, test::ok_response({{".id", "*3"}}));
  run();
  EXPECT_EQ(client().calls().size(), 2u);
}

TEST_F(device_actor_test, queued_write_of_an_expired_lease_never_runs) {
  settings.max_connections = 1;
  start();
  auto lease = acquire(1000);
  ASSERT_TRUE(lease->has_value() && **lease);
  auto read = exec(get("/interface"));
  auto leased = exec(put("/ip/address", ***lease));
  auto other = exec(put("/ip/address"));
  EXPECT_EQ(client().calls().size(), 1u);
  advance_time(1000ms);
  client().reply(0, test::ok_response(json::array()));
  run();
  EXPECT_EQ(code_of(leased), ec::conflict);
  ASSERT_EQ(client().calls().size(), 2u);
  EXPECT_EQ(client().calls()[1].req.lease, 0u);
  EXPECT_FALSE(other->has_value());
}

TEST_F(device_actor_test, update_fails_in_flight_writes_and_the_next_writer_uses_the_new_client) {
  start();
  auto first = exec(put("/ip/address"));
  auto second = exec(put("/ip/address"));
  auto record = test::test_device("r1");
  record.port = 9443;
  caf::anon_send(dev, atom::update_v, record, credential{"api", "secret"});
  run();
  EXPECT_EQ(code_of(first), ec::cancelled);
  auto& fresh = *factory->client("r1");
  ASSERT_EQ(fresh.calls().size(), 1u);
  EXPECT_EQ(fresh.calls()[0].req.method, "PUT");
  fresh.reply(0, test::ok_response({{".id", "*9"}}));
  run();
  EXPECT_TRUE(second->has_value() && **second);
}

// -- circuit breaker -------------------------------------------------------------------

TEST_F(device_actor_test, breaker_opens_after_consecutive_transport_failures) {
  settings.read_attempts = 1;
  settings.breaker_threshold = 3;
  settings.breaker_cooldown = 10s;
  start();
  client().set_responder(test::failing_responder(ec::router_unreachable));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(code_of(exec(get("/interface"))), ec::router_unreachable);
  auto fast = exec(get("/interface"));
  EXPECT_EQ(code_of(fast), ec::circuit_open);
  EXPECT_EQ(client().calls().size(), 3u);
  auto text = error_message((*fast)->error());
  EXPECT_NE(text.find("3 times in a row"), std::string::npos) << text;
  EXPECT_NE(text.find("next probe in"), std::string::npos) << text;
}

TEST_F(device_actor_test, breaker_half_opens_after_cooldown_and_closes_on_success) {
  settings.read_attempts = 1;
  settings.breaker_threshold = 2;
  settings.breaker_cooldown = 10s;
  start();
  client().set_responder(test::failing_responder(ec::router_timeout));
  exec(get("/a"));
  exec(get("/b"));
  EXPECT_EQ(code_of(exec(get("/c"))), ec::circuit_open);
  client().set_responder(nullptr);
  advance_time(9999ms);
  EXPECT_EQ(code_of(exec(get("/d"))), ec::circuit_open);
  // The cooldown is jittered in [10 s, 15 s].
  advance_time(5001ms);
  auto probe = exec(get("/e"));
  EXPECT_EQ(client().open_calls(), 1u);
  // Only one probe at a time.
  EXPECT_EQ(code_of(exec(get("/f"))), ec::circuit_open);
  client().reply(0, test::ok_response(json::array()));
  run();
  ASSERT_TRUE(probe->has_value() && **probe);
  auto after = exec(get("/g"));
  EXPECT_EQ(client().open_calls(), 1u);
  EXPECT_FALSE(after->has_value());
}

TEST_F(device_actor_test, failed_probe_opens_the_breaker_again) {
  settings.read_attempts = 1;
  settings.breaker_threshold = 1;
  settings.breaker_cooldown = 10s;
  start();
  client().set_responder(test::failing_responder(ec::router_unreachable));
  exec(get("/a"));
  advance_time(15s);
  EXPECT_EQ(code_of(exec(get("/probe"))), ec::router_unreachable);
  EXPECT_EQ(client().calls().size(), 2u);
  EXPECT_EQ(code_of(exec(get("/c"))), ec::circuit_open);
  EXPECT_EQ(client().calls().size(), 2u);
}

TEST_F(device_actor_test, http_error_answers_keep_the_breaker_closed) {
  settings.read_attempts = 1;
  settings.breaker_threshold = 2;
  start();
  client().set_responder(test::failing_responder(ec::router_not_found));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(code_of(exec(get("/x"))), ec::router_not_found);
  EXPECT_EQ(client().calls().size(), 5u);
}

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
  auto times = check_times(3, [&] {
    client().set_responder(test::failing_responder(ec::router_unreachable));
  }, 9);
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
  auto times = check_times(0, [] {}, 12);
  ASSERT_EQ(times.size(), 12u);
  for (size_t i = 1; i < 10; ++i) {
    auto delta = times[i] - times[i - 1];
    EXPECT_TRUE(delta >= 54 && delta <= 67) << "check " << i << ": " << delta;
  }
  auto grown = times[10] - times[9];
  EXPECT_TRUE(grown >= 81 && grown <= 100) << grown;
}

TEST_F(device_actor_test, critical_devices_are_checked_twice_as_often_when_degraded) {
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

TEST_F(device_actor_test, update_reconnects_and_reruns_in_flight_reads) {
  start();
  auto read = exec(get("/interface"));
  auto write = exec(put("/ip/address"));
  auto record = test::test_device("r1");
  record.host = "127.0.0.2";
  caf::anon_send(dev, atom::update_v, record, credential{"api", "new"});
  run();
  ASSERT_EQ(factory->made("r1"), 2u);
  EXPECT_TRUE(factory->clients[0]->closed());
  auto& fresh = *factory->client("r1");
  EXPECT_EQ(fresh.endpoint().host, "127.0.0.2");
  EXPECT_EQ(fresh.endpoint().creds.password, "new");
  EXPECT_EQ(code_of(write), ec::cancelled);
  ASSERT_EQ(fresh.calls().size(), 1u);
  EXPECT_EQ(fresh.calls()[0].req.path, "/interface");
  fresh.reply(0, test::ok_response(json::array()));
  run();
  EXPECT_TRUE(read->has_value() && **read);
}

TEST_F(device_actor_test, update_without_connection_changes_keeps_the_client) {
  start();
  auto record = test::test_device("r1");
  record.name = "renamed";
  caf::anon_send(dev, atom::update_v, record, credential{"api", "secret"});
  run();
  EXPECT_EQ(factory->made("r1"), 1u);
}

TEST_F(device_actor_test, stop_drains_queued_work_and_refuses_new_work) {
  settings.max_connections = 1;
  start();
  auto a = exec(get("/a"));
  auto b = exec(get("/b"));
  caf::anon_send(dev, atom::stop_v);
  run();
  EXPECT_EQ(code_of(exec(get("/c"))), ec::shutting_down);
  client().reply(0, test::ok_response(json::array()));
  run();
  client().reply(0, test::ok_response(json::array()));
  run();
  EXPECT_TRUE(a->has_value() && **a);
  EXPECT_TRUE(b->has_value() && **b);
  EXPECT_TRUE(client().closed());
}

TEST_F(device_actor_test, pending_requests_get_an_answer_when_the_actor_dies) {
  start();
  auto a = exec(get("/a"));
  caf::anon_send_exit(dev, caf::exit_reason::kill);
  run();
  EXPECT_EQ(code_of(a), ec::shutting_down);
  EXPECT_TRUE(client().closed());
}

} // namespace rmcp
