#pragma once

// `routeros-mcp plan trace ID`: a rollout's timeline from the plan's
// journal and the audit trail, merged in time order. It answers who
// planned (creator, the planning call and its request id), who approved or
// rejected (the decision records), who applied (the apply call), each
// device's steps with their times (snapshot, apply, dead-man, gate,
// rollback) and how the plan ended; then one line per device: its final
// state, first and last step and how long it took.

#include <string>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/plan.hpp"

namespace rmcp::cli {

/// The trace as JSON: `plan` (id, kind, risk, state, created_by,
/// created_at, approved_by, approved_at, closed_by, reason), `timeline`
/// (entries {at, source: journal|audit, event, batch, device_id, who,
/// outcome, request_id, detail}, oldest first; journal steps before audit
/// records at the same millisecond) and `devices` ({device_id, state,
/// first_at, last_at, duration_ms, steps, error}). `audit` holds stored
/// audit records (JSON, as audit_log::since returns them); those of other
/// plans are ignored, and so are reads of this one (calls of tools other
/// than the plan's apply tool and its creating tool).
json plan_trace(const plan_record& plan, const std::vector<plan_step>& journal,
                const std::vector<json>& audit);

/// The trace as text for a terminal.
std::string render_plan_trace(const json& trace);

} // namespace rmcp::cli
