#pragma once

// The one path every single-device write tool takes: the tool only says
// what state it reads, how it plans a change from that state (refusing it
// when a guard fails) and which requests apply the plan; `run_write` does the rest the same way for every tool:
//
//   dry_run: read → plan → answer planned_changes; the router is not touched
//   otherwise:
//     acquire a write lease from the device actor (no other writer runs
//     until it is released or expires) → read the state before → plan
//     (guard refusal: release, fail, nothing written) → no change planned:
//     release, answer changed=false → apply the requests in order under the
//     lease → read the state after → release → append an audit record
//     (who, tool, device, arguments, before, after, outcome) through the
//     store actor → answer changed=true with before/after and audit_seq.
//   A failed write still reads the state after it (RouterOS may have
//   applied a change that answered 400), records outcome "failed" and then
//   fails the call with the router error.
//
// Environment and capability checks happen before, in with_device.

#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/tool_call.hpp"
#include "src/tools/device_access.hpp"

/// The `dry_run` property of every write tool's inputSchema.
#define RMCP_DRY_RUN_PROP                                                      \
  R"("dry_run":{"type":"boolean","default":false,)"                            \
  R"("description":"Only report planned_changes; change nothing."})"

namespace rmcp::tools {

/// What a write tool plans from the current state.
struct write_plan {
  /// What would change, for the caller (e.g. {"identity": {"from": "a",
  /// "to": "b"}}).
  json changes = json::object();
  /// Requests that apply the plan, in order; empty = nothing to do.
  std::vector<rest_request> requests;
  std::vector<std::string> warnings;
};

struct write_spec {
  /// Paths read (GET) for the state, before and after the change.
  std::vector<std::string> reads;
  /// Typed state from the bodies of `reads` (in order).
  std::function<json(std::vector<json>& bodies)> state;
  /// The plan from the state before; an error is a guard's refusal.
  std::function<caf::expected<write_plan>(const json& before)> plan;
  /// Adds tool-specific fields to the result from the answers of the
  /// applied requests (e.g. the id of a created entry). Optional.
  std::function<void(const std::vector<rest_response>& replies, json& out)>
    report;
  /// One line for the text content, e.g. "identity: a -> b".
  std::function<std::string(const json& out)> summary;
};

/// Runs the write flow described above for the resolved device.
void run_write(tool_call& call, const device_handle& dev, write_spec spec);

/// outputSchema shared by the write tools, plus `extra` properties.
json write_output_schema(json extra = json::object());

/// {"from": before, "to": after}.
json change(json from, json to);

} // namespace rmcp::tools
