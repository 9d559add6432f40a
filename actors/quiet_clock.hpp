#pragma once

// CAF's timer thread without an event for every actor that ends.
//
// CAF 0.17.6 pushes a `cancel_timeouts` event to its timer thread (and wakes
// it) whenever any actor ends, whether the actor ever set a timeout or not
// (`local_actor::cleanup`). A tool call's actor sets none (the session keeps
// its deadline) and ends with each call, so this was one wake of the timer
// thread per call (docs/benchmarks.md, "CAF's timer thread off the per-call
// path"). The quiet clock sits in front of CAF's own: it passes every event
// on, remembering which actors set a timeout, and drops the end-of-actor
// event of an actor that never did (there is nothing in CAF's clock to
// cancel for it). Installed as the scheduler module of the work-stealing
// coordinator (CAF's default policy; `scheduler.policy` is then ignored),
// whose workers run CAF's loop without its per-resume logger bookkeeping
// (quiet_clock.cpp: a dynamic_cast and two thread-local writes per resumed
// actor, for the labels of CAF log lines this daemon switches off).

#include <cstdint>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

namespace rmcp {

/// Makes the actor system built from `cfg` use the quiet clock.
void use_quiet_clock(caf::actor_system_config& cfg);

/// What the quiet clock did with the end-of-actor events so far.
struct quiet_clock_counts {
  /// Passed on to CAF's clock: the actor had set a timeout.
  uint64_t passed = 0;
  /// Dropped: the actor never set one.
  uint64_t dropped = 0;
};

/// The counts of `sys`'s quiet clock; all zero when it has none.
quiet_clock_counts quiet_clock_counts_of(caf::actor_system& sys);

} // namespace rmcp
