#pragma once

// Plans: a change to several routers that a person approves before it runs.
// The record, its states, and the ONE function that
// decides which state changes are legal (`check_transition`); everything
// that moves a plan (storage/plan_store.*) goes through it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>

#include "protocol/identity.hpp"
#include "protocol/json.hpp"

namespace rmcp {

/// The legal state changes:
///   pending → approved | cancelled
///   approved → executing | cancelled
///   executing → completed | failed | cancelled | rolling_back
///   rolling_back → rolled_back | failed
/// completed, failed, cancelled and rolled_back are terminal.
enum class plan_state : uint8_t {
  pending,
  approved,
  executing,
  completed,
  failed,
  cancelled,
  rolling_back,
  rolled_back,
};

std::string to_string(plan_state x);

/// Parses a state name; false for an unknown one.
bool from_string(std::string_view text, plan_state& x);

/// True for completed, failed, cancelled and rolled_back.
bool is_terminal(plan_state x);

/// none when `from → to` is legal; plan_state_invalid naming both states and
/// the plan otherwise. The only place that knows the state machine.
caf::error check_transition(const std::string& plan_id, plan_state from,
                            plan_state to);

/// What one device of a plan went through (its rollout state and the
/// values before the change, for the rollback).
struct plan_device {
  std::string id;
  /// pending, snapshotted, applying, applied, apply_failed, rolling_back,
  /// rolled_back, rollback_failed.
  std::string state = "pending";
  /// Current settings read at snapshot time (the rollback target).
  json before = json::object();
  /// Last error text, if any.
  std::string error;
};

/// One stored plan.
struct plan_record {
  /// plan-<yyyymmddhhmmss>-<8 hex>.
  std::string id;
  /// The change kind, e.g. "dns_ntp".
  std::string kind;
  /// Tool that created it and the tool that applies it.
  std::string tool;
  std::string apply_tool;
  plan_state state = plan_state::pending;
  /// Identity subject of the creator (MCP caller).
  std::string created_by;
  /// The creator's device scope: an apply refuses devices that left it.
  /// `creator_scope_known` is false for plans stored before scopes were
  /// recorded; only identities without a device scope may act on those
  /// (authz::authorize_plan).
  device_scope creator_scope;
  bool creator_scope_known = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string description;
  /// low, medium or high.
  std::string risk;
  std::string environment;
  /// The operation's parameters (hashed into approval tokens).
  json params = json::object();
  /// Per-device preview computed from live router state at creation.
  json preview = json::array();
  /// Warnings of the pre-checks.
  std::vector<std::string> warnings;
  /// Rollout order: batch 0 is the canary.
  std::vector<std::vector<std::string>> batches;
  int64_t pause_ms = 0;
  bool rollback_on_failure = true;
  /// Per device, in plan order.
  std::vector<plan_device> devices;
  /// Approval (empty until approved).
  std::string approved_by;
  int64_t approved_at = 0;
  int64_t approval_expires_at = 0;
  /// Random part bound into the token; a new approval makes old tokens
  /// mismatch.
  std::string approval_nonce;
  /// Set when an apply consumed the token (single use).
  bool token_used = false;
  /// Made with `hand_to_apply`: its approval yields no token; it is handed
  /// inside the daemon to an apply call of the creator made without one
  /// (waiting for it, or coming later while the approval is valid).
  bool hand_to_apply = false;
  /// Who rejected or cancelled it, and why.
  std::string closed_by;
  std::string reason;
  /// Set while executing by `plan cancel` or config_rollback_plan: the
  /// rollout coordinator sees it at its next step and rolls back.
  bool cancel_requested = false;
  /// Journal entries written so far (the next sequence number).
  uint64_t journal_seq = 0;
};

/// One journaled rollout step: written before the step is taken.
struct plan_step {
  std::string plan_id;
  /// Stable event id: plan-created, plan-approved, plan-rejected,
  /// plan-executing, batch-started, device-snapshot, device-applying,
  /// device-applied, device-apply-failed, gate-started, gate-passed,
  /// gate-failed, rollback-started, device-rolling-back, device-rolled-back,
  /// device-rollback-failed, plan-completed, plan-failed, plan-rolled-back;
  /// also cancel-requested, plan-cancelled, deadman-arming, deadman-disarming,
  /// deadman-waiting, plan-resumed (actors/rollout.hpp).
  std::string event;
  /// -1 when the step belongs to no batch.
  int32_t batch = -1;
  std::string device_id;
  /// Empty, or the plan state this step moves the plan to.
  std::string to_state;
  /// Empty, or the device state this step records.
  std::string device_state;
  /// Event details (snapshot values, errors, outcome).
  json detail = json::object();
  /// Filled in by the store.
  uint64_t seq = 0;
  int64_t timestamp = 0;
};

/// The plan store's answer to a journaled step, `(put, plan_step)`: the step
/// as written (seq and timestamp filled in) and the plan-level fields that
/// another writer may have changed since the caller last read the plan (a
/// cancel from the CLI in another process). The caller, which holds the
/// whole plan, applies the step to its copy with `apply_step`: the store
/// never sends the whole plan back per step.
struct step_receipt {
  plan_step step;
  plan_state state = plan_state::pending;
  bool cancel_requested = false;
  std::string closed_by;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_device& x) {
  return f(caf::meta::type_name("plan_device"), x.id, x.state, x.before,
           x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_record& x) {
  return f(caf::meta::type_name("plan_record"), x.id, x.kind, x.tool,
           x.apply_tool, x.state, x.created_by, x.creator_scope,
           x.creator_scope_known, x.created_at, x.updated_at, x.description,
           x.risk, x.environment, x.params, x.preview, x.warnings, x.batches,
           x.pause_ms, x.rollback_on_failure, x.devices, x.approved_by,
           x.approved_at, x.approval_expires_at, x.approval_nonce, x.token_used,
           x.hand_to_apply, x.closed_by, x.reason, x.cancel_requested,
           x.journal_seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_step& x) {
  return f(caf::meta::type_name("plan_step"), x.plan_id, x.event, x.batch,
           x.device_id, x.to_state, x.device_state, x.detail, x.seq,
           x.timestamp);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, step_receipt& x) {
  return f(caf::meta::type_name("step_receipt"), x.step, x.state,
           x.cancel_requested, x.closed_by, x.reason);
}

/// The device entry of `id`, or nullptr.
plan_device* find_device(plan_record& plan, const std::string& id);

/// The ids of the plan's devices, in plan order.
std::vector<std::string> device_ids(const plan_record& plan);

/// Applies what `st` records to `plan`: its plan state (a legal transition
/// only, see check_transition) and its device's state, snapshot (`before`
/// in the detail) and error. invalid_arguments for an unknown state name or
/// a device the plan does not have; `plan` is unchanged on error. The one
/// place that knows what a step changes, used by the plan store and by the
/// rollout coordinator on its own copy.
caf::error apply_step(plan_record& plan, const plan_step& st);

/// Takes the store's receipt into a plan to which `apply_step` was applied:
/// journal position, update time, and the cancel request of other writers.
void apply_receipt(plan_record& plan, const step_receipt& r);

/// JSON views (stored form and reports). Approval tokens are never part of
/// a plan: only the nonce and expiry are.
json to_json(const plan_device& x);
json to_json(const plan_record& x);
json to_json(const plan_step& x);
bool from_json(const json& j, plan_device& x);
bool from_json(const json& j, plan_record& x);
bool from_json(const json& j, plan_step& x);

} // namespace rmcp
