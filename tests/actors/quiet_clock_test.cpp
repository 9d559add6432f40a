// The quiet clock (actors/quiet_clock.hpp) in a real actor system: actors
// that set no timeout end without an event to CAF's timer thread, while
// request timeouts, delayed messages and the end of an actor that set a
// timeout work as with CAF's own clock.

#include "actors/quiet_clock.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"

namespace rmcp {
namespace {

using namespace std::chrono_literals;

struct quiet_config : caf::actor_system_config {
  quiet_config() {
    add_rmcp_types(*this);
    use_quiet_clock(*this);
  }
};

class quiet_clock_test : public ::testing::Test {
protected:
  /// Waits (at most 10 s) until `a` ended.
  void await_end(const caf::actor& a) {
    caf::scoped_actor self{sys};
    self->monitor(a);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; },
                  caf::after(10s) >> [] {});
    EXPECT_TRUE(down) << "the actor did not end within 10 s";
  }

  /// The counts once `done` holds for them (at most 10 s). CAF tells an
  /// actor's monitors of its end before it hands the end to the clock, so
  /// the counts can lag the down message by a moment.
  template <class Predicate>
  quiet_clock_counts counts_once(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto counts = quiet_clock_counts_of(sys);
    while (!done(counts) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
      counts = quiet_clock_counts_of(sys);
    }
    return counts;
  }

  quiet_config cfg;
  caf::actor_system sys{cfg};
};

TEST_F(quiet_clock_test, actors_without_timeouts_end_without_an_event) {
  auto before = quiet_clock_counts_of(sys);
  std::vector<caf::actor> actors;
  for (int i = 0; i < 100; ++i)
    actors.push_back(sys.spawn([](caf::event_based_actor* self) {
      return caf::behavior{[self](int32_t) { self->quit(); }};
    }));
  for (auto& a : actors) {
    caf::anon_send(a, int32_t{1});
    await_end(a);
  }
  auto after = counts_once([&](const quiet_clock_counts& c) {
    return c.dropped - before.dropped >= 100;
  });
  EXPECT_GE(after.dropped - before.dropped, 100u);
  EXPECT_EQ(after.passed, before.passed);
}

TEST_F(quiet_clock_test, request_timeouts_and_delayed_messages_still_fire) {
  auto before = quiet_clock_counts_of(sys);
  // Never answers.
  auto silent = sys.spawn([](caf::event_based_actor*) {
    return caf::behavior{[](int32_t) -> caf::result<int32_t> {
      return caf::delegated<int32_t>{};
    }};
  });
  auto asker = sys.spawn([silent](caf::event_based_actor* self) {
    self->request(silent, 20ms, int32_t{1})
      .then([self](int32_t) { self->quit(); },
            [self](caf::error& err) {
              // The timeout, then a delayed message, then the end.
              EXPECT_EQ(err, caf::sec::request_timeout);
              self->delayed_send(self, 10ms, std::string{"later"});
            });
    return caf::behavior{[self](const std::string& text) {
      EXPECT_EQ(text, "later");
      self->quit();
    }};
  });
  await_end(asker);
  // The asker had set a timeout: its end went to CAF's clock.
  auto after = counts_once(
    [&](const quiet_clock_counts& c) { return c.passed > before.passed; });
  EXPECT_EQ(after.passed - before.passed, 1u);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
  await_end(silent);
}

TEST(quiet_clock_absent, a_system_without_it_counts_nothing) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto counts = quiet_clock_counts_of(sys);
  EXPECT_EQ(counts.passed, 0u);
  EXPECT_EQ(counts.dropped, 0u);
}

} // namespace
} // namespace rmcp
