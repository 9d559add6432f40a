#pragma once

// The console's live stream (GET /ui/api/events, Server-Sent Events), fed
// by the same sources as MCP's resource updates and log notifications:
//
// - `health`: a device's health changed (the fleet's health listeners,
//   like resources/updated of device://{id}/health); data is the sample.
// - `plan`: a rollout moved (the notifier's log records of the rollout
//   logger name the plan: the stream joins the notifier like an MCP
//   session at level info); data is {plan, journal}, re-read from the plan
//   store, so every step, gate result and rollback shows without a reload.
//
// The log records arrive only while the daemon logs at info or lower;
// so that the view moves at any level, the stream also reads the plan list
// every 2 s and sends every plan that is moving (approved, executing,
// rolling back) or changed since the stream opened, when it differs from
// what the client last got (state, journal position, update time).
//
// One actor per stream, typed as an MCP session so the notifier and the
// fleet can address it; it serves only the caller's device scope and ends
// when the client goes away or the service stops. While a plan is being
// re-read, further records of it mark it dirty and one more read follows,
// so a burst of steps costs at most two reads.

#include <atomic>
#include <memory>

#include "actors/services.hpp"
#include "protocol/identity.hpp"
#include "src/transport/http_channel.hpp"

namespace rmcp::console {

/// Opens the stream on `ch` (503 when `open` already counts `max` streams).
void open_event_stream(services_ptr svc, identity who,
                       transport::channel_ptr ch,
                       std::shared_ptr<std::atomic<size_t>> open, size_t max);

/// The plan id a rollout log line names ("" when none).
std::string plan_id_of_log(const std::string& text);

} // namespace rmcp::console
