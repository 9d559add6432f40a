#pragma once

// Rollouts: the coordinator that drives one executing plan across its
// devices, and the manager that holds the coordinators (one per process).
//
// A rollout is two state machines, each one table in
// actors/rollout_table.hpp (printed in docs/architecture.md): the run
// machine and one device machine per device. Their steps are the journal
// events:
//
//   batch 0 is the canary, then the plan's batches; management-path devices
//   (rollout.management_devices) were put last by the plan tool.
//   per batch:  batch-started
//     per device: read its state → device-snapshot (the rollback target)
//                 risky kind: deadman-arming, PUT a /system/scheduler job
//                   that restores the snapshot on the router and removes
//                   itself after rollout.deadman_delay
//                 device-applying → the kind's requests under a write
//                   lease → device-applied | device-apply-failed
//     wait rollout.gate_delay → gate-started → per device of the batch:
//       `(check)` must be healthy and the kind's compare(intended, state)
//       empty (rollout.gate_untouched: devices of later batches must be
//       healthy too)
//     passed: deadman-disarming (job removed) → gate-passed → pause →
//       next batch
//     failed: gate-failed → rollback (rollback_on_failure) or plan-failed
//   rollback: rollback-started → every device already touched, in reverse
//     order: device-rolling-back → restore(snapshot, now) → compare →
//     device-rolled-back | (risky, router unreachable) deadman-waiting,
//     then confirm that the router restored itself → device-rolled-back
//     (by dead-man) | device-rollback-failed → plan-rolled-back |
//     plan-failed
//
// `advance(event)` looks the event up in its machine's table and journals
// the next step through the plan store actor BEFORE the row's action starts
// (a snapshot is journaled after the read that produced it and before any
// write); plan and device states change only in those journal writes
// (check_transition). Each action does one asynchronous thing and feeds its
// outcome back as the next event. The coordinator looks at
// cancel_requested (set by `routeros-mcp plan cancel` or
// config_rollback_plan) at every step and treats the end of the apply call
// (notifications/cancelled) the same way: it rolls back what it applied. A
// cancel also ends a gate delay or pause at once: config_rollback_plan
// makes the manager send `(cancel)` to the coordinator, and a waiting
// coordinator re-reads its plan every rollout_settings::cancel_poll for
// cancels from the CLI (another process). On start the manager takes over
// plans left executing (rollout.on_restart: rollback or resume) or
// rolling_back (always rolled back), from their journal and device states:
// each device starts from the step its stored state stands for
// (takeover_step). In a cluster with a shared store each coordinator
// holds its plan's claim in etcd (actors/rollout_claims.hpp) and the
// manager polls for plans whose claim went with a lost node's lease.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/change_kind.hpp"
#include "protocol/fleet_actors.hpp"
#include "protocol/plan_actors.hpp"

namespace rmcp {

class metrics;

struct rollout_settings {
  /// Devices per batch after the canary (a plan's default).
  int64_t batch_size = 5;
  /// Most devices one plan may change (rollout.max_devices).
  int64_t max_devices = 50;
  /// Pause between batches (a plan's default).
  std::chrono::milliseconds pause{60000};
  /// Devices through which the others are reached: each goes into the last
  /// batch of a plan, alone.
  std::vector<std::string> management_devices;
  /// Wait after a batch's writes before its health gate.
  std::chrono::milliseconds gate_delay{5000};
  /// Dead-man revert: the router restores the snapshot this long after the
  /// job was armed unless the coordinator removed it.
  std::chrono::milliseconds deadman_delay{300000};
  /// Devices of one batch changed (and checked at its gate) at the same
  /// time; each device's own steps stay in order.
  int64_t parallel = 10;
  /// Also check the health of devices not yet changed at every gate.
  bool gate_untouched = false;
  /// On start, executing plans are resumed (true) or rolled back (false).
  bool resume_on_restart = false;
  /// After a dead-man wait: attempts to reach the router and their spacing.
  int confirm_attempts = 10;
  std::chrono::milliseconds confirm_interval{30000};
  /// While a coordinator waits (gate delay, pause), it re-reads its plan
  /// this often to see a cancel stored by another process.
  std::chrono::milliseconds cancel_poll{1000};
};

/// Finds a change kind by name; nullptr when unknown.
using change_kind_lookup = const change_kind* (*)(const std::string& name);

/// One transition of a coordinator's state machines (actors/rollout_table.hpp).
struct rollout_transition {
  std::string plan_id;
  /// The device whose machine moved; empty for the run machine.
  std::string device_id;
  /// The row taken: of rollout_tables::device_table when device_id is set,
  /// else of rollout_tables::run_table.
  size_t row = 0;
};

struct rollout_deps {
  plan_store_actor plans;
  fleet_actor fleet;
  change_kind_lookup kinds = nullptr;
  rollout_settings settings;
  /// Optional.
  std::shared_ptr<rmcp::metrics> metrics;
  /// Optional: sees every transition after its journal write (when the row
  /// journals) and before its action starts. Returning false stops the
  /// coordinator right there, as a crash would: nothing more is journaled
  /// or sent, and the plan is left for a takeover. Tests use it to walk the
  /// tables and to stop between a journal write and its action.
  std::function<bool(const rollout_transition&)> on_transition;
  /// Optional, a cluster node with the shared store: the coordinator
  /// claims (actors/rollout_claims.hpp). A plan is then run, rolled back
  /// or taken over only under this node's claim, and `(recover)` repeats
  /// every `takeover_poll`, so a survivor takes over the plans of a lost
  /// node once its lease, and with it its claims, is gone.
  caf::actor claims;
  std::chrono::milliseconds takeover_poll{1000};
};

/// Name of the dead-man scheduler job of `plan_id` on every router.
std::string deadman_job_name(const std::string& plan_id);

rollout_manager_actor spawn_rollout_manager(caf::actor_system& sys,
                                            rollout_deps deps);

} // namespace rmcp
