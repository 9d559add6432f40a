#pragma once

// The rollout coordinator (actors/rollout.hpp): its state, the two
// `advance` functions of its state machines (actors/rollout_table.hpp) and
// their actions, declared once and defined in four files by concern:
//   rollout_machine.cpp      start, advance, the journal entries of the
//                            steps and the run machine's actions;
//   rollout_actions.cpp      the device machine's actions (through
//                            actors/device_ops.hpp) and the gate's checks;
//   rollout_coordinator.cpp  plumbing (journal, fan-out, cancel state), the
//                            report and the actor behavior;
//   rollout_waits.cpp        progress notifications, waits and cancels.
// The manager that holds the coordinators is in rollout.cpp. Internal to
// actors/.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/rollout.hpp"
#include "actors/rollout_table.hpp"

namespace rmcp::detail {

/// Deadline of a plan store request (an LMDB commit).
inline constexpr auto store_timeout = std::chrono::seconds{30};

/// How long a device's write lease lasts while the kind's requests run.
inline constexpr int64_t lease_ttl_ms = 60'000;

/// Upper bound of a whole rollout run for its requesters.
inline constexpr auto run_timeout = std::chrono::seconds{48 * 3600};

/// Extra wait after the dead-man's due time before looking again.
inline constexpr auto deadman_margin = std::chrono::seconds{10};

/// A takeover looks its devices up again this often while some are moving.
inline constexpr auto owner_poll = std::chrono::milliseconds{250};

/// A cluster takeover waits at most this long for the plan's devices to
/// have owners again (the lost node's devices move when its claims go).
inline constexpr auto takeover_settle = std::chrono::seconds{15};

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

  /// One device's machine: its step and what its actions found out.
  struct device_run {
    std::string id;
    device_step step = device_step::pending;
    /// Batch of the forward steps (-1 in a rollback).
    int32_t batch = -1;
    /// The device as found by the last read_state / read_current (one
    /// fleet round trip: record, health, actor).
    device_handle ctx;
    /// The state read last.
    json current;
    /// The kind's requests (forward) or its restore (rollback).
    std::vector<rest_request> requests;
    /// The dead-man job's script (risky kinds).
    std::string deadman_script;
    /// What failed last (a failure's journal detail and report); in a
    /// rollback after the read back: the difference to the snapshot.
    std::string error;
    /// Rollback: attempts after a dead-man wait, the wait, and whether the
    /// router restored itself (nothing left to write after a wait).
    int attempt = 0;
    std::chrono::milliseconds wait{0};
    bool by_router = false;
    /// Forward: its slot in the batch's fan-out.
    std::function<void()> done;
  };

  // the run machine
  run_step step = run_step::idle;
  /// The batch being opened, changed or gated.
  size_t batch_index = 0;
  std::map<std::string, device_run> runs;
  std::vector<std::string> gate_failures;
  /// Devices to roll back, in order, and the next one.
  std::vector<std::string> targets;
  size_t target_index = 0;
  /// The next device of the batch to disarm.
  size_t disarm_index = 0;
  /// Why the rollback about to be journaled starts.
  std::string rollback_reason;
  std::string halt_reason;

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

  /// A takeover in a cluster (deps.claims): the node that was lost owned
  /// some of the plan's devices, and they are re-homed at the moment its
  /// claims go, so the first lookups of the survivor that claimed the plan
  /// may answer `device_moving`. Looks every device up and, while any
  /// answers `device_moving`, waits `owner_poll` and looks again, `left`
  /// more times at most (takeover_settle); then runs `next`
  /// (a device still moving then fails like an unreachable one).
  void await_owners(int left, std::function<void()> next);

  /// The start of a loaded plan: run, resume or roll back.
  void start_run();

  /// `(poll, seq)`: re-reads the plan during wait `seq`.
  void on_poll(uint64_t seq);

  /// `(cancel)`: a cancel was stored in this process; re-reads the plan.
  void on_cancel();

  /// Takes the cancel fields of a fresh read of the plan and ends a forward
  /// wait when a cancel is wanted.
  void take_cancel(const plan_record& fresh);

  /// Ends the forward wait in progress now when a cancel is wanted.
  void interrupt_wait();

  /// The request context of the rollout's router requests.
  request_context context() const {
    return request_context{{}, plan_id};
  }

  plan_step make_step(std::string event, int32_t batch = -1,
                      std::string device_id = {});

  /// Journals `st` (with its state changes), logs it, then runs `next`.
  /// A journal failure stops the coordinator: nothing is done that is not
  /// journaled; the plan stays as it is and is taken over at the next start.
  void journal(plan_step st, std::function<void()> next);

  /// The `rollout-step` log line of a journaled step (plan_id, step,
  /// batch, device_id, states, seq, error when the step carries one) and
  /// its count in the metrics.
  void log_step(const plan_step& st) const;

  void abort(caf::error err);

  bool cancel_wanted() const;

  std::string cancel_reason() const;

  /// Removes the dead-man job of this plan from a router (none: fine).
  void remove_deadman(const device_actor& dev,
                      std::function<void(caf::error)> done);

  /// device_ops::write_all under a lease of lease_ttl_ms; `done` gets
  /// none or the first failure.
  void write(const device_actor& dev, std::vector<rest_request> reqs,
             std::function<void(caf::error)> done);

  // -- the machines -------------------------------------------------------------

  /// Loads the plan and feeds the run machine its first event.
  void start();

  /// Takes the loaded plan: each device's step (takeover_step) and the run
  /// machine's first event.
  void loaded(plan_record rec);

  /// Looks up (step, e) in the run table, journals the next step when the
  /// row says so, then starts the row's action.
  void advance(run_event e);

  /// The same for device `id`'s machine.
  void advance(const std::string& id, device_event e);

  /// Tells the observer (tests); false: stop here, as a crash would.
  bool observe(const std::string& device_id, size_t row);

  /// The journal entry of run step `to` (reached by `e`).
  plan_step entry(run_step to, run_event e);

  /// The journal entry of device `d`'s step `to` (reached by `e`).
  plan_step entry(const device_run& d, device_step to, device_event e);

  void act(run_action a);

  void act(device_run& d, device_action a);

  device_run& run_of(const std::string& id);

  /// Feeds `failed` with `what` as the device's error.
  void fail_device(const std::string& id, const std::string& what);

  /// In a rollback: `unreachable` (wait, then try the restore again) while
  /// attempts are left and either the router's dead-man job may still
  /// restore it (a risky kind) or the failure is transient (`is_retryable`:
  /// 5xx, timeout, unreachable, breaker open); else `failed`.
  void rollback_error(const std::string& id, const caf::error& err);

  // -- run actions ----------------------------------------------------------------

  /// Devices changed at the same time within a batch (rollout.parallel).
  size_t parallel() const;

  void open_batch();
  /// Re-reads the plan before batch `batch_index` (a cancel from another
  /// process) → ready | cancelled.
  void open_batch_read();
  void change_devices();
  void await_gate();
  void check_gate();
  void disarm_batch();
  void pause();
  void decide_failure();
  void roll_back_devices();

  /// Starts the rollback of the next target, or ends the rollback.
  void roll_back_next();

  /// Disarms the next device of the batch, or ends the disarming.
  void disarm_next();

  /// True when every device of batch `b` is applied already.
  bool batch_applied(size_t b);

  /// Checks one device at a gate (health; read-back if it was changed),
  /// adding to gate_failures what fails; then `done`.
  void gate_check(const std::string& id, bool was_changed,
                  std::function<void()> done);

  /// The read-back of a gate check: the kind's state must be as intended.
  void gate_read_back(const std::string& id, const device_handle& dev,
                      std::function<void(const std::string&)> bad,
                      std::function<void()> done);

  // -- device actions -------------------------------------------------------------

  void read_state(device_run& d);
  /// Finds device `id` and reads the kind's state into its run → read; the
  /// error and its message go to `failed` (`read_prefix` before the message
  /// when the device was found but its state could not be read).
  void find_and_read(
    const std::string& id, std::string read_prefix,
    std::function<void(const caf::error&, const std::string&)> failed);
  void plan_changes(device_run& d);
  void clear_deadman(device_run& d);
  void arm_deadman(device_run& d);
  void write_changes(device_run& d);
  void remove_deadman(device_run& d);
  void read_current(device_run& d);
  void write_restore(device_run& d);
  void read_back(device_run& d);
  void drop_deadman(device_run& d);
  void wait_deadman(device_run& d);

  /// Ends the device's part of its batch (its fan-out slot).
  void end_forward(device_run& d);

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
