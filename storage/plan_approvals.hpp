#pragma once

// Deciding on plans as an identity: the one set of rules for the admin CLI
// (`plan approve|reject`, its own store handle) and the daemon's plan store
// actor (`(approve|reject, …)`, sent by POST /admin/plans/{id}/approve and
// /reject):
//
// - only the roles approver and admin approve or reject;
// - only plans whose every device is in the decider's device scope
//   (authz::authorize_plan; an unknown plan is refused alike to a scoped
//   decider);
// - never the plan's creator (compared without the "cli:" prefix, so the
//   same person cannot approve from the CLI what they created over MCP;
//   on the CLI both the login name and the `--as` claim count, so a claim
//   does not hide the creator), unless plans.allow_self_approval;
// - every decision, also a refused one, yields one audit record (kind
//   approval, tool plan_approval; the `--as` claim as argument `as`),
//   handed to the desk's audit sink. The CLI appends it at once; the plan
//   store actor hands it to the store actor, the daemon's only writer of
//   the audit trail.

#include <functional>
#include <string>

#include <caf/expected.hpp>

#include "protocol/audit.hpp"
#include "protocol/identity.hpp"
#include "protocol/plan.hpp"
#include "storage/audit_log.hpp"
#include "storage/kv.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::storage {

/// Receives the audit record of every decision.
using audit_sink = std::function<void(audit_record)>;

/// A sink that appends to `trail` at once (logs a failed append).
audit_sink append_to(audit_log& trail);

/// Where decisions look and what they write: the plans, the store whose
/// device records (tags, environment) the scope check reads, and the sink
/// of the decisions' audit records.
struct plan_desk {
  plan_store& plans;
  kv_store& registry;
  audit_sink audit;
};

/// True for the roles that decide on plans.
bool may_decide_plans(const identity& who);

/// The name a decision is recorded under: the subject, and the claim of
/// `--as` after it ("cli:ops as alice").
std::string decider_name(const identity& who);

/// An approval: the plan as approved and its token (shown once).
struct plan_approval {
  plan_record plan;
  std::string token;
};

/// Approves plan `id` as `who`. forbidden for another role, a plan outside
/// a scoped identity's device scope (or unknown to it) or the creator; the
/// plan store's errors otherwise (plan_not_found, plan_state_invalid).
caf::expected<plan_approval>
approve_plan(const plan_desk& desk, const identity& who, const std::string& id);

/// Rejects (cancels) plan `id` as `who` with `reason`; same refusals as
/// approve_plan except that the creator may reject their own plan.
caf::expected<plan_record> reject_plan(const plan_desk& desk,
                                       const identity& who,
                                       const std::string& id,
                                       const std::string& reason);

} // namespace rmcp::storage
