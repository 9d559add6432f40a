#pragma once

// The two paths every plan/apply tool pair takes, whatever the change kind
// (actors/change_kind.hpp):
//
//   create_plan: kind.validate(args) → the devices from the fleet → pre-checks
//     (every device exists, belongs to the service's
//     environment, allows professional workflows and the kind's flag, is not
//     unreachable; degraded is a warning; kind.min_devices..rollout.max_devices
//     devices) →
//     risk → a live preview per device (current state read through its device
//     actor vs intended; a device the kind refuses fails the plan) → batches
//     (canary first, management devices last) → a pending plan in the plan
//     store. The answer has the plan id and preview, never a token: a person
//     approves with `routeros-mcp plan approve`.
//   apply_plan: the caller's scope must hold every device of the plan
//     (with_plan); the plan must be of a kind this tool applies; the devices
//     are checked again (environment, flags, still in the creator's scope);
//     the approval token is checked and consumed (start: approved → executing); the rollout manager runs it and
//     the answer is the rollout report. Progress goes to the caller.
//     A plan made with hand_to_apply is applied without a token, by its
//     creator only: the call waits (approval_wait_seconds, 600 by default,
//     at most 3600) until an approver approves it (console, admin
//     endpoint, CLI) and the plan store hands the approval over; a
//     rejection ends the call with the reason, no decision in time with a
//     retryable tool_timeout.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/change_kind.hpp"
#include "actors/tool_call.hpp"

namespace rmcp::tools {

void create_plan(tool_call& call, const change_kind& kind);

void apply_plan(tool_call& call);

/// Reads plan `id` and the fleet and hands both to `next` when the caller
/// may act on the plan (authz::authorize_plan: every device of the plan in
/// the caller's device scope). Otherwise the call fails forbidden; for a
/// scoped caller an unknown plan fails the same way, so a refusal never
/// tells whether a plan exists. Every tool taking a plan_id goes through
/// here.
void with_plan(
  tool_call& call, const std::string& id,
  std::function<void(plan_record&, std::vector<device_view>&)> next);

/// Output schema of the plan tools and of the apply tools.
json plan_created_schema();
json rollout_report_schema();

/// inputSchema properties shared by the plan tools (device_ids, batch_size,
/// pause_seconds, description), for `min` to 1,000 devices (the service
/// allows rollout.max_devices, 50 by default).
#define RMCP_PLAN_PROPS(min)                                                   \
  R"("device_ids":{"type":"array","minItems":)" #min                           \
  R"(,"maxItems":1000,"uniqueItems":true,"items":{"type":"string"},)"          \
  R"("description":"Device ids."},)"                                           \
  R"("batch_size":{"type":"integer","minimum":1,"maximum":50,)"                \
  R"("description":"Per batch after the canary."},)"                           \
  R"("pause_seconds":{"type":"integer","minimum":0,"maximum":3600,)"           \
  R"("description":"Between batches."},)"                                      \
  R"("description":{"type":"string","maxLength":500,)"                         \
  R"("description":"Why, for the approver."},)"                                \
  R"("hand_to_apply":{"type":"boolean",)"                                      \
  R"("description":"Approval goes to your apply call; no token."})"

/// The plan_id property of the apply and status tools.
#define RMCP_PLAN_ID_PROP                                                      \
  R"("plan_id":{"type":"string","pattern":"^plan-[0-9]{14}-[0-9a-f]{8}$",)"    \
  R"("description":"From a plan tool."})"

/// inputSchema of the apply tools (plan_id, approval_token or, for a plan
/// made with hand_to_apply, approval_wait_seconds).
#define RMCP_APPLY_SCHEMA                                                      \
  R"({"type":"object","properties":{)" RMCP_PLAN_ID_PROP R"(,)"                \
  R"("approval_token":{"type":"string","minLength":1,"maxLength":200,)"        \
  R"("description":"From the human approver."},)"                              \
  R"("approval_wait_seconds":{"type":"integer","minimum":1,"maximum":3600,)"   \
  R"("description":"hand_to_apply: how long to wait."}},)"                     \
  R"("required":["plan_id"],"additionalProperties":false})"

/// How long an apply without a token waits for the approval of a plan
/// made with hand_to_apply, unless approval_wait_seconds says otherwise.
inline constexpr int64_t default_approval_wait_s = 600;

/// Deadline of an apply tool: it waits for the whole rollout, pauses
/// included.
inline constexpr int64_t apply_tool_timeout_ms = 24 * 3600 * 1000;

} // namespace rmcp::tools
