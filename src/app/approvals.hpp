#pragma once

// Plan approval bound to identities, for the admin CLI (`plan approve`) and
// the HTTP admin endpoint (POST /admin/plans/{id}/approve):
//
// - only the roles approver and admin approve or reject;
// - only plans whose every device is in the decider's device scope
//   (authz::authorize_plan; an unknown plan is refused alike to a scoped
//   decider);
// - never the plan's creator (compared without the "cli:" prefix, so the
//   same person cannot approve from the CLI what they created over MCP;
//   on the CLI both the login name and the `--as` claim count, so a claim
//   does not hide the creator), unless plans.allow_self_approval;
// - every decision, also a refused one, is appended to the audit trail
//   (with the `--as` claim as argument `as`).

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "protocol/identity.hpp"
#include "storage/audit_log.hpp"
#include "storage/kv.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::app {

/// Where approvals look: the plans, the audit trail, and the store whose
/// device records (tags, environment) the scope check reads.
struct plan_desk {
  storage::plan_store& plans;
  storage::audit_log& audit;
  storage::kv_store& registry;
};

/// True for the roles that decide on plans.
bool may_decide_plans(const identity& who);

/// The name a decision is recorded under: the subject, and the claim of
/// `--as` after it ("cli:ops as alice").
std::string decider_name(const identity& who);

/// Approves plan `id` as `who`; returns the approval token (shown once).
/// forbidden for another role, a plan outside a scoped identity's device
/// scope (or unknown to it) or the creator; the plan store's errors
/// otherwise.
caf::expected<std::string> approve_plan(const plan_desk& desk,
                                        const identity& who,
                                        const std::string& id);

/// Rejects (cancels) plan `id` as `who` with `reason`.
caf::expected<plan_record> reject_plan(const plan_desk& desk,
                                       const identity& who,
                                       const std::string& id,
                                       const std::string& reason);

} // namespace rmcp::app
