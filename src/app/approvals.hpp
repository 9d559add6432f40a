#pragma once

// Plan approval bound to identities, for the admin CLI (`plan approve`) and
// the HTTP admin endpoint (POST /admin/plans/{id}/approve):
//
// - only the roles approver and admin approve or reject;
// - never the plan's creator (compared without the "cli:" prefix, so the
//   same person cannot approve from the CLI what they created over MCP),
//   unless plans.allow_self_approval;
// - every decision, also a refused one, is appended to the audit trail.

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "protocol/identity.hpp"
#include "storage/audit_log.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::app {

/// True for the roles that decide on plans.
bool may_decide_plans(const identity& who);

/// Approves plan `id` as `who`; returns the approval token (shown once).
/// forbidden for another role or the creator; the plan store's errors
/// otherwise.
caf::expected<std::string> approve_plan(storage::plan_store& plans,
                                        storage::audit_log& audit,
                                        const identity& who,
                                        const std::string& id);

/// Rejects (cancels) plan `id` as `who` with `reason`.
caf::expected<plan_record> reject_plan(storage::plan_store& plans,
                                       storage::audit_log& audit,
                                       const identity& who,
                                       const std::string& id,
                                       const std::string& reason);

} // namespace rmcp::app
