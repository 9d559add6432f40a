#include "actors/request_timeout.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/detail/simple_actor_clock.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "tests/support/actor_fixture.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

/// What the requester heard: answers and errors, in order.
struct heard {
  std::vector<int32_t> answers;
  std::vector<caf::error> errors;
};

/// Answers `x` with `x`, or keeps the promise of a negative `x` until
/// `"release"` arrives (then answers it late).
caf::behavior server(caf::event_based_actor* self) {
  auto kept = std::make_shared<std::vector<caf::response_promise>>();
  return {
    [self, kept](int32_t x) -> caf::result<int32_t> {
      if (x >= 0)
        return x;
      kept->push_back(self->make_response_promise());
      return caf::delegated<int32_t>{};
    },
    [kept](const std::string&) {
      for (auto& p : *kept)
        p.deliver(int32_t{7});
      kept->clear();
    },
  };
}

struct requester_state {
  std::shared_ptr<request_deadlines> deadlines =
    std::make_shared<request_deadlines>(1s);
};

/// `(x, timeout_ms)` asks the server for `x` within `timeout_ms`.
caf::behavior requester(caf::stateful_actor<requester_state>* self,
                        caf::actor srv, std::shared_ptr<heard> log) {
  return {
    [self, srv, log](int32_t x, int32_t timeout_ms) {
      request_within(self, self->state.deadlines, srv,
                     std::chrono::milliseconds{timeout_ms}, x)
        .then([log](int32_t y) { log->answers.push_back(y); },
              [log](caf::error& err) { log->errors.push_back(err); });
    },
  };
}

class request_deadlines_test : public test::actor_fixture {
protected:
  request_deadlines_test() {
    log = std::make_shared<heard>();
    srv = sys.spawn(server);
    req = sys.spawn(requester, srv, log);
    run();
    deadlines = caf::actor_cast<caf::stateful_actor<requester_state>*>(req)
                  ->state.deadlines;
  }

  ~request_deadlines_test() override {
    caf::anon_send_exit(req, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(srv, caf::exit_reason::user_shutdown);
    run();
  }

  void ask(int32_t x, std::chrono::milliseconds timeout) {
    caf::anon_send(req, x, static_cast<int32_t>(timeout.count()));
    run();
  }

  /// Entries of CAF's clock that belong to the requester.
  size_t clock_entries() {
    const auto& lookup = sched.clock().actor_lookup();
    auto range = lookup.equal_range(req.id());
    return static_cast<size_t>(std::distance(range.first, range.second));
  }

  size_t timeouts() const {
    size_t n = 0;
    for (auto& err : log->errors)
      if (err == caf::sec::request_timeout)
        ++n;
    return n;
  }

  std::shared_ptr<heard> log;
  caf::actor srv;
  caf::actor req;
  std::shared_ptr<request_deadlines> deadlines;
};

} // namespace

TEST_F(request_deadlines_test, an_unanswered_request_fails_at_its_deadline) {
  ask(-1, 5s);
  EXPECT_EQ(deadlines->pending(), 1u);
  advance_time(4900ms);
  EXPECT_TRUE(log->errors.empty());
  advance_time(100ms);
  ASSERT_EQ(log->errors.size(), 1u);
  EXPECT_EQ(log->errors.front(), caf::sec::request_timeout);
  EXPECT_EQ(deadlines->pending(), 0u);
  // Nothing pending: the sweep is not armed again.
  EXPECT_EQ(deadlines->armed(), 0u);
  EXPECT_EQ(clock_entries(), 0u);
}

TEST_F(request_deadlines_test, an_answered_request_never_times_out) {
  ask(3, 5s);
  ASSERT_EQ(log->answers, std::vector<int32_t>{3});
  EXPECT_EQ(deadlines->pending(), 0u);
  // The sweep armed for it fires once, finds nothing and disarms.
  EXPECT_EQ(deadlines->armed(), 1u);
  advance_time(1min);
  EXPECT_TRUE(log->errors.empty());
  EXPECT_EQ(deadlines->sweeps_run(), 1u);
  EXPECT_EQ(deadlines->armed(), 0u);
  EXPECT_EQ(clock_entries(), 0u);
}

TEST_F(request_deadlines_test, requests_put_one_sweep_into_the_clock) {
  // CAF's own request timeouts would be 100 entries of the timer thread.
  for (int32_t i = 0; i < 50; ++i)
    ask(i, 5s);
  for (int32_t i = 0; i < 50; ++i)
    ask(-1, 5s);
  EXPECT_EQ(log->answers.size(), 50u);
  EXPECT_EQ(deadlines->pending(), 50u);
  EXPECT_EQ(clock_entries(), 1u);
  advance_time(5s);
  EXPECT_EQ(timeouts(), 50u);
  EXPECT_EQ(deadlines->pending(), 0u);
  EXPECT_EQ(clock_entries(), 0u);
}

TEST_F(request_deadlines_test, a_late_answer_after_the_timeout_is_dropped) {
  ask(-1, 2s);
  advance_time(2s);
  ASSERT_EQ(timeouts(), 1u);
  caf::anon_send(srv, std::string{"release"});
  run();
  EXPECT_TRUE(log->answers.empty());
  EXPECT_EQ(log->errors.size(), 1u);
  // The requester goes on working.
  ask(4, 2s);
  EXPECT_EQ(log->answers, std::vector<int32_t>{4});
}

TEST_F(request_deadlines_test, an_answer_just_before_the_sweep_wins) {
  ask(-1, 2s);
  caf::anon_send(srv, std::string{"release"});
  run();
  EXPECT_EQ(log->answers, std::vector<int32_t>{7});
  advance_time(10s);
  EXPECT_TRUE(log->errors.empty());
}

TEST_F(request_deadlines_test, later_deadlines_fail_within_the_granularity) {
  ask(-1, 5s);
  advance_time(500ms);
  ask(-1, 5s); // due at 5.5 s: the sweep at 5 s arms the next at 6 s
  advance_time(4500ms);
  EXPECT_EQ(timeouts(), 1u);
  advance_time(900ms);
  EXPECT_EQ(timeouts(), 1u);
  advance_time(100ms);
  EXPECT_EQ(timeouts(), 2u);
  EXPECT_EQ(deadlines->armed(), 0u);
  EXPECT_EQ(deadlines->sweeps_run(), 2u);
}

TEST_F(request_deadlines_test, a_shorter_deadline_arms_an_earlier_sweep) {
  ask(-1, 30s);
  ask(-1, 2s);
  EXPECT_EQ(deadlines->armed(), 2u);
  advance_time(2s);
  EXPECT_EQ(timeouts(), 1u);
  EXPECT_EQ(deadlines->pending(), 1u);
  advance_time(28s);
  EXPECT_EQ(timeouts(), 2u);
  EXPECT_EQ(deadlines->armed(), 0u);
  EXPECT_EQ(clock_entries(), 0u);
}

TEST_F(request_deadlines_test, quitting_drops_every_note) {
  ask(-1, 5s);
  ask(-2, 5s);
  EXPECT_EQ(deadlines->pending(), 2u);
  caf::anon_send_exit(req, caf::exit_reason::user_shutdown);
  run();
  EXPECT_EQ(deadlines->pending(), 0u);
  EXPECT_TRUE(log->errors.empty());
}

} // namespace rmcp
