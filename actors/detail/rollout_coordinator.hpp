#pragma once

// The rollout coordinator (actors/rollout.hpp): its state and its steps,
// declared once and defined in three files by concern:
//   rollout_coordinator.cpp  plumbing (journal, device access), the run:
//                            start, batches, devices, dead-man arming, the
//                            report, and the actor behavior;
//   rollout_gate.cpp         health gates, disarming, and rollback;
//   rollout_waits.cpp        progress notifications, waits and cancels.
// The manager that holds the coordinators is in rollout.cpp. Internal to
// actors/.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/rollout.hpp"

namespace rmcp::detail {

/// Deadline of a plan store request (an LMDB commit).
inline constexpr auto store_timeout = std::chrono::seconds{30};

/// Deadline of a fleet lookup.
inline constexpr auto fleet_timeout = std::chrono::seconds{5};

/// Upper bound of one device request (the device's own timeouts are
/// shorter).
inline constexpr auto device_timeout = std::chrono::seconds{120};

/// How long a device's write lease lasts while the kind's requests run.
inline constexpr int64_t lease_ttl_ms = 60'000;

/// Upper bound of a whole rollout run for its requesters.
inline constexpr auto run_timeout = std::chrono::seconds{48 * 3600};

/// Extra wait after the dead-man's due time before looking again.
inline constexpr auto deadman_margin = std::chrono::seconds{10};

enum class run_mode { run, resume, rollback };

inline const char* to_string(run_mode m) {
  switch (m) {
    case run_mode::run:
      return "run";
    case run_mode::resume:
      return "resume";
    case run_mode::rollback:
      return "rollback";
  }
  return "?";
}

/// "HH:MM:SS" (RouterOS time value) of a duration.
std::string ros_time(std::chrono::milliseconds d);

rest_request make_request(const char* method, std::string path,
                          json body = nullptr);

/// True for device states in which the router may have been changed.
bool touched(const std::string& device_state);

/// Runs `one(i, done)` for each i in [0, n), at most `limit` at a time;
/// each calls `done` exactly once (maybe before it returns). No new `one`
/// starts once `stop()` is true. `all` runs once, when every started one is
/// done.
void fan_out(size_t n, size_t limit,
             std::function<void(size_t, std::function<void()>)> one,
             std::function<bool()> stop, std::function<void()> all);

struct coordinator {
  static inline const char* name = "rmcp.rollout";

  rollout_actor::pointer self = nullptr;
  rollout_deps deps;
  std::string plan_id;
  run_mode mode = run_mode::run;

  plan_record plan;
  const change_kind* kind = nullptr;
  std::vector<caf::typed_response_promise<json>> waiters;
  bool started = false;
  bool finished = false;
  bool rolling_back = false;
  /// The apply call ended before the rollout (cancelled, disconnected).
  bool caller_gone = false;
  caf::actor_addr caller;

  // progress: one notification per step, `progress` counts them (strictly
  // increasing, as MCP requires), `total` is the number of steps known so
  // far (devices + gates + the end; re-counted when a rollback starts)
  mcp_session_actor session;
  std::string request_key;
  json progress_token;
  double progress_sent = 0;
  double progress_total = 0;

  // waits: one at a time; `wait_seq` numbers them so that a late tick or
  // poll of an earlier wait is ignored
  uint64_t wait_seq = 0;
  std::function<void()> on_tick;
  /// The wait in progress is a gate delay or a pause (not a dead-man
  /// wait): a cancel ends it at once.
  bool forward_wait = false;

  // the batch under way
  std::vector<std::string> gate_failures;
  /// Devices to roll back, in order.
  std::vector<std::string> targets;
  std::string halt_reason;

  struct device_ctx {
    device_record record;
    device_actor actor;
  };

  // -- plumbing ---------------------------------------------------------------

  /// Sends one progress notification (when the caller gave a token).
  void progress(const std::string& message);

  /// Sets the expected number of progress steps to those sent plus `more`.
  void expect_steps(size_t more);

  /// Runs `next` after `d`. A forward wait (gate delay, pause) ends early
  /// when a cancel is seen: one stored in this process arrives as
  /// `(cancel)`, one from another process (`routeros-mcp plan cancel`) is
  /// found by re-reading the plan every `settings.cancel_poll`. A dead-man
  /// wait is part of a rollback, which is what a cancel asks for: it runs
  /// to its end.
  void wait(std::chrono::milliseconds d, std::function<void()> next,
            bool forward);

  void on_wait_over(uint64_t seq);

  /// `(poll, seq)`: re-reads the plan during wait `seq`.
  void on_poll(uint64_t seq);

  /// `(cancel)`: a cancel was stored in this process; re-reads the plan.
  void on_cancel();

  /// Takes the cancel fields of a fresh read of the plan and ends a forward
  /// wait when a cancel is wanted.
  void take_cancel(const plan_record& fresh);

  /// Ends the forward wait in progress now when a cancel is wanted.
  void interrupt_wait();

  plan_step make_step(std::string event, int32_t batch = -1,
                      std::string device_id = {});

  /// Journals `st` (with its state changes), logs it, then runs `next`.
  /// A journal failure stops the coordinator: nothing is done that is not
  /// journaled; the plan stays as it is and is taken over at the next start.
  void journal(plan_step st, std::function<void()> next);

  void abort(caf::error err);

  bool cancel_wanted() const;

  std::string cancel_reason() const;

  void with_device(const std::string& id, std::function<void(device_ctx)> ok,
                   std::function<void(caf::error)> fail);

  /// GETs the kind's reads and hands the state to `ok`.
  void read_state(const device_actor& dev, std::function<void(json)> ok,
                  std::function<void(caf::error)> fail);

  /// Runs `reqs` in order under one write lease.
  void write_all(const device_actor& dev, std::vector<rest_request> reqs,
                 std::function<void(caf::error)> done);

  void write_next(const device_actor& dev,
                  std::shared_ptr<std::vector<rest_request>> reqs, size_t i,
                  uint64_t lease, std::function<void(caf::error)> done);

  /// Removes the dead-man job of this plan from a router (none: fine).
  void remove_deadman(const device_actor& dev,
                      std::function<void(caf::error)> done);

  // -- start --------------------------------------------------------------------

  void start();

  // -- forward ------------------------------------------------------------------

  /// Devices changed at the same time within a batch (rollout.parallel).
  size_t parallel() const;

  void batch(size_t b);

  /// Changes the devices of batch `b`, `parallel()` at a time; then its gate
  /// (or its failure, or the rollback a cancel asks for).
  void devices(size_t b);

  /// Snapshot, dead-man (risky kinds), apply and journal device `i` of
  /// batch `b`; `done` when it is applied or failed (a failure is added to
  /// gate_failures).
  void device(size_t b, size_t i, std::function<void()> done);

  void arm_deadman(int32_t ib, const std::string& id, const device_ctx& dev,
                   const json& snapshot, std::function<void()> apply,
                   std::function<void(const std::string&)> failed);

  void after_batch(size_t b);

  /// True when every device of batch `b` is applied already.
  bool batch_applied(size_t b);

  void gate(size_t b);

  /// Checks one device at a gate (health; read-back if it was changed),
  /// adding to gate_failures what fails; then `done`.
  void gate_check(const std::string& id, bool was_changed,
                  std::function<void()> done);

  void gate_done(size_t b);

  /// Removes the dead-man jobs of batch `b` (from device `i` on).
  void disarm(size_t b, size_t i, std::function<void()> done);

  void gate_failed(size_t b);

  // -- rollback -----------------------------------------------------------------

  void rollback(std::string reason);

  void roll_back_device(size_t k);

  /// One attempt to bring device `id` back to its snapshot. `attempt` > 0:
  /// after a dead-man wait.
  void restore(size_t k, const std::string& id, int attempt);

  void finish_rollback();

  // -- end ------------------------------------------------------------------------

  json report() const;

  void finish();
};

/// `caller`: the apply call, monitored while the rollout runs (its end
/// cancels the rollout); null for rollbacks and takeovers.
rollout_actor::behavior_type
coordinator_impl(rollout_actor::stateful_pointer<coordinator> self,
                 rollout_deps deps, std::string plan_id, run_mode mode,
                 caf::strong_actor_ptr caller);

} // namespace rmcp::detail
