#pragma once

// The rollout as two state machines, each ONE table of (step, event) →
// (next step, journal?, action):
//
// - the run machine: the plan's batches, gates, rollback and end;
// - the device machine: one per device of the plan, from its snapshot to
//   applied, disarmed, rolled back (the dead-man steps included).
//
// A step is the name of the journal entry that records it (device-snapshot,
// gate-passed, …); `pending` and `idle` are the steps before anything was
// journaled. The coordinator (actors/detail/rollout_coordinator.hpp) looks
// up each event in its table, journals the next step through the plan store
// actor when the row says so, and only then starts the row's action. Each
// action does one asynchronous thing and feeds its outcome back as an
// event. A row that does not journal keeps the step: the action that
// follows needs nothing new written down (reading again, the next write of
// the same step).
//
// On a takeover (actors/rollout.cpp), each device starts from the step its
// stored state stands for (`takeover_step`): a device changed before the
// restart starts again from its snapshot, which stays the rollback target.
//
// docs/architecture.md prints both tables (`render_rollout_tables`); a test
// fails when that copy differs from this one.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rmcp {

struct plan_device;

// -- the device machine -------------------------------------------------------

enum class device_step : uint8_t {
  /// Nothing journaled yet (or its first read failed: no snapshot).
  pending,
  device_snapshot,
  deadman_arming,
  device_applying,
  device_applied,
  device_apply_failed,
  deadman_disarming,
  device_rolling_back,
  deadman_waiting,
  device_rolled_back,
  device_rollback_failed,
};

enum class device_event : uint8_t {
  /// Its batch reaches the device.
  begin,
  /// Its state was read.
  read,
  /// A step failed (message in the device's error); in a rollback: the
  /// router stays unreachable, or the kind has no dead-man.
  failed,
  /// The kind's plan: nothing to change.
  unchanged,
  /// The kind's plan: requests to write.
  changes,
  /// The kind's plan: requests of a risky kind (a dead-man job first).
  risky_changes,
  /// An old dead-man job of this plan is gone.
  cleared,
  /// The dead-man job is on the router.
  armed,
  /// The requests were written.
  written,
  /// Its batch passed its gate: the dead-man job goes.
  disarm,
  /// The dead-man job is removed.
  disarmed,
  /// The rollback reaches the device.
  roll_back,
  /// The router did not answer; its dead-man job may restore it.
  unreachable,
  /// A dead-man wait is over.
  wait_over,
  /// The state after the restore was read and compared.
  checked,
  /// The state equals the snapshot.
  restored,
  /// The state differs from the snapshot.
  differs,
};

enum class device_action : uint8_t {
  /// Finds the device and reads the kind's state → read | failed.
  read_state,
  /// Already applied (a resumed rollout): nothing to do.
  skip,
  /// The kind's requests for the snapshot → unchanged | changes |
  /// risky_changes | failed (also when the revert script cannot be built).
  plan_changes,
  /// Removes a dead-man job left by an earlier attempt → cleared | failed.
  clear_deadman,
  /// Writes the dead-man job → armed | failed.
  arm_deadman,
  /// Writes the kind's requests under one write lease → written | failed.
  write_changes,
  /// Reports the device applied; its batch goes on.
  report_applied,
  /// Adds the device to the gate failures; its batch stops starting devices.
  report_failure,
  /// Finds the device and removes its dead-man job → disarmed | failed.
  remove_deadman,
  /// Disarms the next device of the batch (the run machine's disarm_batch).
  disarm_next,
  /// Fails the gate of the batch: the job would undo a change that passed.
  disarm_failed,
  /// Finds the device and reads its state now → read | failed | unreachable.
  read_current,
  /// Writes the kind's restore of the snapshot → written | failed |
  /// unreachable.
  write_restore,
  /// Reads the state again and compares it with the snapshot → checked |
  /// failed | unreachable.
  read_back,
  /// Removes the dead-man job (risky kinds; a failure is ignored) →
  /// restored | differs.
  drop_deadman,
  /// Waits for the router's dead-man job (first attempt) or the next
  /// confirmation attempt → wait_over.
  wait_deadman,
  /// Reports the device's rollback; the rollback goes on with the next one.
  report_rollback,
};

struct device_row {
  device_step from;
  device_event event;
  device_step to;
  /// Journals `to` before the action starts.
  bool journal;
  device_action action;
};

// -- the run machine ----------------------------------------------------------

enum class run_step : uint8_t {
  /// Nothing journaled by this coordinator yet.
  idle,
  plan_resumed,
  batch_started,
  gate_started,
  gate_passed,
  gate_failed,
  rollback_started,
  plan_completed,
  plan_failed,
  plan_rolled_back,
};

enum class run_event : uint8_t {
  /// An approved apply starts the rollout.
  run,
  /// A takeover resumes an executing plan (rollout.on_restart: resume).
  resume,
  /// A rollback is wanted: a takeover (rolling back, or rollout.on_restart:
  /// rollback), or a failed gate of a plan that rolls back on failure.
  roll_back,
  /// The next batch may start.
  ready,
  /// A cancel was seen (cancel_requested, or the apply call ended).
  cancelled,
  /// Every batch passed its gate.
  no_batch_left,
  /// Every device of the batch is applied.
  devices_done,
  /// A device of the batch failed.
  device_failed,
  /// A gate delay or pause is over.
  wait_over,
  /// Every device checked at the gate is healthy and as intended.
  checks_passed,
  /// A check at the gate, or a disarm, failed.
  checks_failed,
  /// The batch's dead-man jobs are removed (none for a kind without).
  disarmed,
  /// A failed gate and a plan that does not roll back on failure.
  stop,
  /// Every device is back to its snapshot.
  all_restored,
  /// A device could not be rolled back.
  some_failed,
};

enum class run_action : uint8_t {
  /// Re-reads the plan (a cancel from another process) → ready |
  /// cancelled (a plan has at least one batch).
  open_first_batch,
  /// Moves to the next batch and re-reads the plan → ready | cancelled |
  /// no_batch_left.
  open_batch,
  /// Runs the device machines of the batch, rollout.parallel at a time →
  /// devices_done | device_failed | cancelled.
  change_devices,
  /// Waits rollout.gate_delay → wait_over | cancelled.
  await_gate,
  /// Checks the batch (and with gate_untouched the later ones) →
  /// checks_passed | checks_failed.
  check_gate,
  /// Removes the batch's dead-man jobs one device after the other →
  /// disarmed | checks_failed.
  disarm_batch,
  /// Reports the gate passed and waits the plan's pause before a batch
  /// with work left → wait_over.
  pause,
  /// rollback_on_failure → roll_back | stop.
  decide_failure,
  /// Runs the device machines of the touched devices in reverse order →
  /// all_restored | some_failed.
  roll_back_devices,
  /// Answers the callers with the report; the coordinator ends.
  finish,
};

struct run_row {
  run_step from;
  run_event event;
  run_step to;
  bool journal;
  run_action action;
};

// -- the tables ---------------------------------------------------------------

namespace rollout_tables {

using ds = device_step;
using de = device_event;
using da = device_action;
using rs = run_step;
using re = run_event;
using ra = run_action;
constexpr bool J = true;
constexpr bool keep = false;

inline constexpr std::array device_table = {
  // forward: snapshot, dead-man, apply
  device_row{ds::pending, de::begin, ds::pending, keep, da::read_state},
  device_row{ds::device_snapshot, de::begin, ds::device_snapshot, keep,
             da::read_state},
  device_row{ds::device_applied, de::begin, ds::device_applied, keep, da::skip},
  device_row{ds::pending, de::read, ds::device_snapshot, J, da::plan_changes},
  device_row{ds::device_snapshot, de::read, ds::device_snapshot, keep,
             da::plan_changes},
  device_row{ds::pending, de::failed, ds::device_apply_failed, J,
             da::report_failure},
  device_row{ds::device_snapshot, de::failed, ds::device_apply_failed, J,
             da::report_failure},
  device_row{ds::device_snapshot, de::unchanged, ds::device_applied, J,
             da::report_applied},
  device_row{ds::device_snapshot, de::changes, ds::device_applying, J,
             da::write_changes},
  device_row{ds::device_snapshot, de::risky_changes, ds::deadman_arming, J,
             da::clear_deadman},
  device_row{ds::deadman_arming, de::cleared, ds::deadman_arming, keep,
             da::arm_deadman},
  device_row{ds::deadman_arming, de::armed, ds::device_applying, J,
             da::write_changes},
  device_row{ds::deadman_arming, de::failed, ds::device_apply_failed, J,
             da::report_failure},
  device_row{ds::device_applying, de::written, ds::device_applied, J,
             da::report_applied},
  device_row{ds::device_applying, de::failed, ds::device_apply_failed, J,
             da::report_failure},
  // gate passed: disarm
  device_row{ds::device_applied, de::disarm, ds::deadman_disarming, J,
             da::remove_deadman},
  device_row{ds::deadman_disarming, de::disarmed, ds::deadman_disarming, keep,
             da::disarm_next},
  device_row{ds::deadman_disarming, de::failed, ds::deadman_disarming, keep,
             da::disarm_failed},
  // rollback: every touched device, in reverse order
  device_row{ds::pending, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::device_snapshot, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::device_applied, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::device_apply_failed, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::deadman_disarming, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::device_rolling_back, de::roll_back, ds::device_rolling_back, J,
             da::read_current},
  device_row{ds::device_rolling_back, de::read, ds::device_rolling_back, keep,
             da::write_restore},
  device_row{ds::device_rolling_back, de::written, ds::device_rolling_back,
             keep, da::read_back},
  device_row{ds::device_rolling_back, de::checked, ds::device_rolling_back,
             keep, da::drop_deadman},
  device_row{ds::device_rolling_back, de::restored, ds::device_rolled_back, J,
             da::report_rollback},
  device_row{ds::device_rolling_back, de::differs, ds::device_rollback_failed,
             J, da::report_rollback},
  device_row{ds::device_rolling_back, de::failed, ds::device_rollback_failed, J,
             da::report_rollback},
  device_row{ds::device_rolling_back, de::unreachable, ds::deadman_waiting, J,
             da::wait_deadman},
  // rollback after a dead-man wait: did the router restore itself?
  device_row{ds::deadman_waiting, de::wait_over, ds::deadman_waiting, keep,
             da::read_current},
  device_row{ds::deadman_waiting, de::read, ds::deadman_waiting, keep,
             da::write_restore},
  device_row{ds::deadman_waiting, de::written, ds::deadman_waiting, keep,
             da::read_back},
  device_row{ds::deadman_waiting, de::checked, ds::deadman_waiting, keep,
             da::drop_deadman},
  device_row{ds::deadman_waiting, de::restored, ds::device_rolled_back, J,
             da::report_rollback},
  device_row{ds::deadman_waiting, de::differs, ds::device_rollback_failed, J,
             da::report_rollback},
  device_row{ds::deadman_waiting, de::failed, ds::device_rollback_failed, J,
             da::report_rollback},
  device_row{ds::deadman_waiting, de::unreachable, ds::deadman_waiting, J,
             da::wait_deadman},
};

inline constexpr std::array run_table = {
  run_row{rs::idle, re::run, rs::idle, keep, ra::open_first_batch},
  run_row{rs::idle, re::resume, rs::plan_resumed, J, ra::open_first_batch},
  run_row{rs::idle, re::roll_back, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::idle, re::ready, rs::batch_started, J, ra::change_devices},
  run_row{rs::idle, re::cancelled, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::plan_resumed, re::ready, rs::batch_started, J,
          ra::change_devices},
  run_row{rs::plan_resumed, re::cancelled, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::batch_started, re::devices_done, rs::batch_started, keep,
          ra::await_gate},
  run_row{rs::batch_started, re::device_failed, rs::gate_failed, J,
          ra::decide_failure},
  run_row{rs::batch_started, re::cancelled, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::batch_started, re::wait_over, rs::gate_started, J,
          ra::check_gate},
  run_row{rs::gate_started, re::checks_passed, rs::gate_started, keep,
          ra::disarm_batch},
  run_row{rs::gate_started, re::checks_failed, rs::gate_failed, J,
          ra::decide_failure},
  run_row{rs::gate_started, re::disarmed, rs::gate_passed, J, ra::pause},
  run_row{rs::gate_passed, re::wait_over, rs::gate_passed, keep,
          ra::open_batch},
  run_row{rs::gate_passed, re::ready, rs::batch_started, J, ra::change_devices},
  run_row{rs::gate_passed, re::cancelled, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::gate_passed, re::no_batch_left, rs::plan_completed, J,
          ra::finish},
  run_row{rs::gate_failed, re::roll_back, rs::rollback_started, J,
          ra::roll_back_devices},
  run_row{rs::gate_failed, re::stop, rs::plan_failed, J, ra::finish},
  run_row{rs::rollback_started, re::all_restored, rs::plan_rolled_back, J,
          ra::finish},
  run_row{rs::rollback_started, re::some_failed, rs::plan_failed, J,
          ra::finish},
};

} // namespace rollout_tables

/// The row of (`from`, `e`); nullptr when the table has none.
const device_row* find_row(device_step from, device_event e);
const run_row* find_row(run_step from, run_event e);

/// The events an action can feed back (empty for actions that end a
/// device's part and hand over to the run machine).
std::vector<device_event> outcomes(device_action a);
std::vector<run_event> outcomes(run_action a);

/// Journal names of the steps (device-snapshot, …; "pending", "idle" for
/// the steps before any), and names of events and actions.
const char* to_string(device_step x);
const char* to_string(device_event x);
const char* to_string(device_action x);
const char* to_string(run_step x);
const char* to_string(run_event x);
const char* to_string(run_action x);

/// The stored device state a journaled step records ("snapshotted", …);
/// empty for steps that leave it as it was (the dead-man steps).
const char* device_state_of(device_step x);

/// The step a device starts from when a coordinator takes over its plan:
/// pending for a device without a snapshot, device_snapshot for one
/// changed (or failed) after its snapshot, else its stored state's step.
device_step takeover_step(const plan_device& d);

/// Both tables as Markdown (the copy in docs/architecture.md).
std::string render_rollout_tables();

} // namespace rmcp
