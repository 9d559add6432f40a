// The device actor's backpressure under the testing scheduler: the bound
// counts calls (a caller's parallel GETs are one call), a burst of calls
// waits for the connections instead of failing, a waiting request gives up
// at its own deadline with a timeout, and a caller that goes away has its
// waiting requests dropped.

#include <algorithm>

#include "actors/device_ops.hpp"
#include "tests/actors/device_actor_fixture.hpp"

namespace rmcp {

using namespace device_test;

namespace {

/// What one calling actor got from its parallel GETs.
struct outcome {
  std::vector<json> bodies;
  caf::error err;
  bool done = false;
};

class device_queue_test : public device_actor_test {
protected:
  device_queue_test() {
    health = test::router_responder(std::make_shared<test::fake_router>());
  }

  /// Spawns one caller that GETs `paths` in parallel through device_ops,
  /// as a tool call does.
  std::shared_ptr<outcome> call(std::vector<std::string> paths,
                                caf::actor* handle = nullptr) {
    auto out = std::make_shared<outcome>();
    auto dev_ = dev;
    auto a = sys.spawn([out, dev_, paths](caf::event_based_actor* self) {
      device_ops::read_all(
        self, dev_, paths,
        [out](std::vector<json>& b) {
          out->bodies = b;
          out->done = true;
        },
        [out](caf::error err) {
          out->err = std::move(err);
          out->done = true;
        });
    });
    if (handle != nullptr)
      *handle = a;
    run();
    return out;
  }

  /// Answers the oldest open request as a router would.
  void answer_oldest() {
    for (auto& c : client().calls()) {
      if (c.finished)
        continue;
      auto result = health(c.req);
      ASSERT_TRUE(result && *result) << c.req.path;
      client().reply(0, std::move(**result));
      run();
      return;
    }
    FAIL() << "no open request";
  }

  test::responder health;
};

const std::vector<std::string> overview{"/system/resource", "/system/identity"};

} // namespace

TEST_F(device_queue_test,
       a_burst_of_two_get_calls_waits_and_every_call_succeeds) {
  settings.max_connections = 2;
  // As many calls as the bound: 128 requests, twice the bound in calls.
  settings.queue_size = 64;
  start();
  std::vector<std::shared_ptr<outcome>> calls;
  for (int i = 0; i < 64; ++i)
    calls.push_back(call(overview));
  size_t most_open = 0;
  size_t answered = 0;
  while (client().open_calls() > 0 && answered < 1000) {
    most_open = std::max(most_open, client().open_calls());
    answer_oldest();
    ++answered;
  }
  EXPECT_EQ(answered, 128u);
  // Two on the wire and one read ahead per connection (the client sends
  // those only as connections free: beast_client_test).
  EXPECT_EQ(most_open, 4u);
  EXPECT_EQ(client().calls().size(), 128u);
  for (size_t i = 0; i < calls.size(); ++i) {
    ASSERT_TRUE(calls[i]->done) << i;
    ASSERT_FALSE(calls[i]->err) << i << ": " << error_message(calls[i]->err);
    ASSERT_EQ(calls[i]->bodies.size(), 2u) << i;
    EXPECT_TRUE(calls[i]->bodies[0].contains("uptime")) << i;
    EXPECT_EQ(calls[i]->bodies[1]["name"], "MikroTik") << i;
  }
}

TEST_F(device_queue_test,
       a_call_past_the_bound_fails_with_queue_full_naming_it) {
  settings.max_connections = 1;
  settings.queue_size = 3;
  start();
  // Three calls of two GETs: six requests, three calls, all admitted.
  auto a = call(overview);
  auto b = call(overview);
  auto c = call(overview);
  auto d = call(overview);
  EXPECT_FALSE(a->done);
  EXPECT_FALSE(b->done);
  EXPECT_FALSE(c->done);
  ASSERT_TRUE(d->done);
  EXPECT_EQ(error_code_of(d->err), ec::queue_full);
  auto text = error_message(d->err);
  EXPECT_NE(text.find("device.queue_size = 3 calls"), std::string::npos)
    << text;
  EXPECT_NE(text.find("already serves 3 calls"), std::string::npos) << text;
  // The first call's two answers end it: its place goes to a new call.
  answer_oldest();
  answer_oldest();
  ASSERT_TRUE(a->done);
  EXPECT_FALSE(a->err) << error_message(a->err);
  auto e = call(overview);
  EXPECT_FALSE(e->done);
  EXPECT_EQ(error_code_of(call(overview)->err), ec::queue_full);
  for (int i = 0; i < 6; ++i)
    answer_oldest();
  EXPECT_TRUE(b->done && !b->err);
  EXPECT_TRUE(c->done && !c->err);
  EXPECT_TRUE(e->done && !e->err);
}

TEST_F(device_queue_test,
       a_waiting_request_past_its_deadline_fails_with_a_timeout) {
  settings.max_connections = 1;
  settings.read_attempts = 1;
  settings.request_timeout = 2s;
  start();
  auto busy = exec(get("/system/resource"));
  // Handed ahead to the client, it goes out when the connection frees.
  auto ahead = exec(get("/system/identity"));
  auto waits = exec(get("/system/resource"));
  // A shorter deadline of its own, admitted later, ends first.
  auto quick = get("/system/clock");
  quick.timeout_ms = 500;
  auto quick_answer = exec(quick);
  advance_time(499ms);
  EXPECT_FALSE(quick_answer->has_value());
  advance_time(1ms);
  EXPECT_EQ(code_of(quick_answer), ec::router_timeout);
  EXPECT_FALSE(waits->has_value());
  advance_time(1499ms);
  EXPECT_FALSE(waits->has_value());
  advance_time(1ms);
  ASSERT_EQ(code_of(waits), ec::router_timeout);
  auto text = error_message((*waits)->error());
  EXPECT_NE(text.find("waited 2000 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("it was not sent"), std::string::npos) << text;
  // Neither reached the client; the first is still in flight.
  ASSERT_EQ(client().calls().size(), 2u);
  EXPECT_EQ(client().calls()[0].req.path, "/system/resource");
  EXPECT_FALSE(busy->has_value());
  answer_oldest();
  EXPECT_TRUE(busy->has_value() && **busy);
  // A slot is free again: nothing expired is handed over.
  EXPECT_EQ(client().calls().size(), 2u);
  answer_oldest();
  EXPECT_TRUE(ahead->has_value() && **ahead);
  EXPECT_EQ(client().calls().size(), 2u);
}

TEST_F(device_queue_test, an_acquire_waits_for_the_lock_at_most_its_ttl) {
  start();
  auto first = acquire(5000);
  ASSERT_TRUE(first->has_value() && **first);
  auto second = acquire(1000);
  advance_time(999ms);
  EXPECT_FALSE(second->has_value());
  advance_time(1ms);
  EXPECT_EQ(code_of(second), ec::router_timeout);
  // The lock stays with the first lease, then goes to the next writer.
  auto third = acquire(30000);
  EXPECT_FALSE(third->has_value());
  caf::anon_send(dev, atom::release_v, ***first);
  run();
  EXPECT_TRUE(third->has_value() && **third);
}

TEST_F(device_queue_test, a_dead_callers_waiting_requests_are_dropped) {
  settings.max_connections = 1;
  settings.queue_size = 2;
  start();
  // One request on the wire, one handed ahead: b's wait here.
  auto a = call(overview);
  caf::actor b_handle;
  auto b = call({"/ip/route", "/interface"}, &b_handle);
  EXPECT_EQ(error_code_of(call(overview)->err), ec::queue_full);
  // The caller is killed (a tool call past its deadline or cancelled).
  caf::anon_send_exit(b_handle, caf::exit_reason::kill);
  run();
  // Its place is free: a new call is admitted.
  auto c = call({"/system/identity"});
  EXPECT_FALSE(c->done);
  answer_oldest();
  answer_oldest();
  ASSERT_TRUE(a->done);
  // The next request handed over is the new call's, not the dead one's.
  ASSERT_EQ(client().calls().size(), 3u);
  EXPECT_EQ(client().calls()[2].req.path, "/system/identity");
  answer_oldest();
  EXPECT_TRUE(c->done && !c->err);
  EXPECT_EQ(client().count("/ip/route"), 0u);
  EXPECT_EQ(client().count("/interface"), 0u);
  EXPECT_FALSE(b->done);
}

} // namespace rmcp
