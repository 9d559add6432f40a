// The device actor under the testing scheduler with a scripted REST client:
// concurrency cap, write lock and leases, retries, breaker, watchdog, update
// and stop (health checks: device_checks_test.cpp; calls, their bound and
// waiting deadlines: device_queue_test.cpp).

#include "tests/actors/device_actor_fixture.hpp"

namespace rmcp {

using namespace device_test;

// -- concurrency ------------------------------------------------------

TEST_F(device_actor_test, reads_are_handed_ahead_one_per_connection) {
  // The client runs max_connections at once (beast_client_test); the reads
  // handed ahead wait there for the first connection that frees.
  settings.max_connections = 2;
  start();
  auto a = exec(get("/interface"));
  auto b = exec(get("/ip/address"));
  auto c = exec(get("/ip/route"));
  auto d = exec(get("/ip/dns"));
  auto e = exec(get("/ip/pool"));
  EXPECT_EQ(client().open_calls(), 4u);
  EXPECT_EQ(client().calls().back().req.path, "/ip/dns");
  client().reply(0, test::ok_response(json::array()));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ(client().open_calls(), 4u);
  EXPECT_EQ(client().calls().back().req.path, "/ip/pool");
  EXPECT_FALSE(b->has_value());
  EXPECT_FALSE(e->has_value());
}

TEST_F(device_actor_test, a_write_is_handed_over_only_to_a_free_connection) {
  settings.max_connections = 1;
  start();
  auto a = exec(get("/interface"));
  auto b = exec(get("/ip/address"));
  auto w = exec(put("/ip/address"));
  auto c = exec(get("/ip/route"));
  // The read ahead waits in the client; the write waits here, and the read
  // behind it keeps its place.
  ASSERT_EQ(client().open_calls(), 2u);
  client().reply(0, test::ok_response(json::array()));
  run();
  EXPECT_EQ(client().open_calls(), 1u);
  EXPECT_EQ(client().calls().back().req.path, "/ip/address");
  client().reply(0, test::ok_response(json::array()));
  run();
  // The connection is free: the write goes, and the read behind it is
  // handed ahead to follow it.
  ASSERT_EQ(client().open_calls(), 2u);
  EXPECT_EQ(client().calls()[2].req.method, "PUT");
  EXPECT_EQ(client().calls()[3].req.path, "/ip/route");
  client().reply(0, test::ok_response(json::object()));
  run();
  EXPECT_TRUE(w->has_value() && **w);
  EXPECT_FALSE(c->has_value());
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
  client().reply(0,
                 test::ok_response(json::array(
                   {{{".id", "*1"}, {"name", "ether1"}, {"type", "ether"}}})));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ((***a).body[0]["name"], "ether1");
}

TEST_F(device_actor_test,
       an_answer_of_the_wrong_shape_is_retried_until_the_true_one) {
  start();
  auto a = exec(get("/ip/route"));
  // The post-boot race: /system/resource's body for another menu.
  client().reply(0,
                 test::ok_response({{"uptime", "1m"}, {"version", "7.16.1"}}));
  run();
  EXPECT_FALSE(a->has_value());
  advance_time(100ms);
  ASSERT_EQ(client().calls().size(), 2u);
  json routes = json::array({{{".id", "*1"}, {"dst-address", "0.0.0.0/0"}}});
  client().reply(0, test::ok_response(routes));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ((***a).body, routes);
}

TEST_F(device_actor_test,
       a_wrong_shape_that_persists_fails_with_router_bad_answer) {
  settings.read_attempts = 3;
  settings.breaker_threshold = 1;
  start();
  auto a = exec(get("/system/clock"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client().open_calls(), 1u) << i;
    client().reply(0, test::ok_response(json::array()));
    run();
    advance_time(1s);
  }
  EXPECT_EQ(code_of(a), ec::router_bad_answer);
  EXPECT_EQ(client().calls().size(), 3u);
  // The router did answer: the breaker stays closed.
  exec(get("/system/identity"));
  EXPECT_EQ(client().open_calls(), 1u);
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

TEST_F(device_actor_test,
       router_errors_that_are_not_transient_are_not_retried) {
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

TEST_F(device_actor_test, each_watchdog_fires_at_its_own_deadline) {
  // The watchdogs share one timer: a request with a shorter deadline,
  // started later, must still fail at its own deadline, and the earlier
  // request at its own, not when the other one's fired.
  settings.request_timeout = 3s;
  settings.read_attempts = 1;
  start();
  auto a = exec(get("/interface"));
  advance_time(1s);
  auto quick = get("/ip/address");
  quick.timeout_ms = 1000;
  auto b = exec(quick);
  ASSERT_EQ(client().calls().size(), 2u);
  advance_time(2900ms); // 3.9 s: b's watchdog is due at 4 s (1 + 1 + 2)
  EXPECT_FALSE(a->has_value());
  EXPECT_FALSE(b->has_value());
  advance_time(100ms);
  EXPECT_EQ(code_of(b), ec::router_timeout);
  EXPECT_TRUE(client().calls()[1].cancelled);
  EXPECT_FALSE(a->has_value());
  EXPECT_FALSE(client().calls()[0].cancelled);
  advance_time(1s); // 5 s: a's (3 + 2)
  EXPECT_EQ(code_of(a), ec::router_timeout);
  EXPECT_TRUE(client().calls()[0].cancelled);
}

TEST_F(device_actor_test, an_answered_request_leaves_no_watchdog_behind) {
  settings.request_timeout = 3s;
  settings.read_attempts = 1;
  start();
  auto a = exec(get("/interface"));
  client().reply(0, test::ok_response(json::array()));
  run();
  ASSERT_TRUE(a->has_value() && **a);
  advance_time(4s);
  auto b = exec(get("/interface"));
  // a's watchdog (due at 5 s) must not fail b, which is due at 9 s.
  advance_time(4900ms);
  EXPECT_FALSE(b->has_value());
  EXPECT_FALSE(client().calls()[1].cancelled);
  advance_time(100ms);
  EXPECT_EQ(code_of(b), ec::router_timeout);
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

TEST_F(device_actor_test,
       update_fails_in_flight_writes_and_the_next_writer_uses_the_new_client) {
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

TEST_F(device_actor_test,
       breaker_half_opens_after_cooldown_and_closes_on_success) {
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
