#pragma once

// Operational HTTP endpoints next to MCP:
//
// | route              | answer                                              |
// |--------------------|-----------------------------------------------------|
// | GET /health/live   | 200 while the process serves HTTP (no actor hop)    |
// | GET /health,       | readiness: the store actor, the fleet and the       |
// | GET /health/ready  | session registry answer a probe within 2 s each and |
// |                    | the actor system runs; 200 ready, 503 not ready,    |
// |                    | JSON report of every check                          |
// | GET /metrics       | Prometheus text format (actors/metrics.hpp)         |

#include <functional>

#include "actors/services.hpp"
#include "protocol/json.hpp"
#include "src/transport/http_channel.hpp"
#include "src/transport/http_message.hpp"

namespace rmcp::app {

/// Runs the readiness checks in a short-lived actor and calls `done`
/// (from an actor thread) with the verdict and the report.
void probe_readiness(services_ptr svc,
                     std::function<void(bool ready, json report)> done);

/// Handles /health, /health/live, /health/ready and /metrics; false for any
/// other path.
bool handle_ops(services_ptr svc, transport::http_request& req,
                const transport::channel_ptr& ch);

} // namespace rmcp::app
