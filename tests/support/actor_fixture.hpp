#pragma once

// Deterministic actor tests: an actor system on CAF's testing scheduler.
// Nothing runs until the test calls run(); time moves only with
// advance_time(). No threads, no sleeps.

#include <chrono>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <gtest/gtest.h>

#include "protocol/caf_setup.hpp"

namespace rmcp::test {

class actor_fixture : public ::testing::Test {
protected:
  struct test_config : caf::actor_system_config {
    test_config() {
      add_rmcp_types(*this);
      set("scheduler.policy", caf::atom("testing"));
      set("logger.verbosity", caf::atom("quiet"));
      set("middleman.network-backend", caf::atom("testing"));
    }
  };

  actor_fixture()
    : sys(cfg),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    // nop
  }

  /// Runs every pending job.
  size_t run() {
    return sched.run();
  }

  /// Moves the clock forward, fires due timeouts and runs what they cause.
  void advance_time(std::chrono::milliseconds dt) {
    sched.advance_time(dt);
    run();
  }

  test_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
};

} // namespace rmcp::test
