#pragma once

// The metrics facade: every Prometheus family of the daemon, declared once,
// with one method per event so call sites stay one line and label sets stay
// consistent.
//
// One instance is owned by the runtime and reachable as `services::metrics`
// (null in unit tests that do not care; callers check). prometheus-cpp's
// metrics are thread-safe, so any actor or I/O thread may call the methods
// directly: no actor hop on hot paths. `render()` produces the Prometheus
// text exposition format served at `GET /metrics`.
//
// | family                             | type      | labels           |
// |------------------------------------|-----------|------------------|
// | rmcp_build_info                    | gauge = 1 | version          |
// | rmcp_tool_calls_total              | counter   | tool, outcome    |
// | rmcp_tool_call_duration_seconds    | histogram | tool             |
// | rmcp_sessions_open                 | gauge     | transport        |
// | rmcp_http_requests_total           | counter   | endpoint, status |
// | rmcp_http_rejections_total         | counter   | reason           |
// | rmcp_device_health                 | gauge 0/1 | device, state    |
// | rmcp_rest_errors_total             | counter   | device, kind     |
// | rmcp_rollouts                      | gauge     | state            |
// | rmcp_rollout_transitions_total     | counter   | state            |
// | rmcp_rollout_steps_total           | counter   | kind, outcome    |
// | rmcp_rest_request_duration_seconds | histogram | device, outcome  |
// | rmcp_device_cpu_percent            | gauge     | device           |
// | rmcp_device_memory_used_bytes      | gauge     | device           |
// | rmcp_device_memory_total_bytes     | gauge     | device           |
// | rmcp_device_uptime_seconds         | gauge     | device           |
// | rmcp_audit_queue_depth             | gauge     | (none)           |
//
// Label values must come from bounded sets (tool names from the frozen
// registry, device ids from the inventory, enum names); never put
// client-chosen text into a label.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/device.hpp"
#include "protocol/error.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace rmcp {

/// Outcome label values of rmcp_tool_calls_total.
namespace tool_outcome {
/// The tool delivered a result without isError.
inline constexpr std::string_view ok = "ok";
/// The tool (or its argument validation) delivered an isError result.
inline constexpr std::string_view error = "error";
/// The call hit its deadline.
inline constexpr std::string_view timeout = "timeout";
/// The client cancelled the call.
inline constexpr std::string_view cancelled = "cancelled";
/// The authorization refused the call (it never ran).
inline constexpr std::string_view denied = "denied";
} // namespace tool_outcome

class metrics {
public:
  metrics();
  ~metrics();

  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  // -- tools --------------------------------------------------------------------

  /// One finished tools/call of a registered tool.
  void tool_call_finished(const std::string& tool, std::string_view outcome,
                          std::chrono::duration<double> latency);

  // -- sessions and HTTP --------------------------------------------------------

  /// An MCP session started / ended on `transport` (stdio, http, sse).
  void session_opened(const std::string& transport);
  void session_closed(const std::string& transport);

  /// One answered HTTP request; `endpoint` is a fixed route name (mcp, sse,
  /// messages, health, metrics, other).
  void http_request(std::string_view endpoint, unsigned status);

  /// One HTTP request refused by a safety check; `reason` is one of host,
  /// origin, body_limit, header_limit, rate_limit, session_limit,
  /// unauthenticated (no, malformed or refused bearer token).
  void http_rejected(std::string_view reason);

  // -- fleet (device actors, REST client, rollouts) -----------------------------

  /// Sets rmcp_device_health{device, state} to 1 for `state` and to 0 for
  /// the other states of that device.
  void device_health(const std::string& device, device_status state);

  /// A health check's answer: rmcp_device_health as `device_health`, and
  /// the CPU, memory and uptime gauges of the device (kept at their last
  /// values while it is unreachable).
  void device_sample(const health_sample& sample);

  /// Drops every health series of a device that left the inventory. Call
  /// it from the same actor that calls device_health (the fleet), never
  /// concurrently for the same device.
  void device_removed(const std::string& device);

  /// One failed REST request to a router; `kind` is the error code
  /// (router_timeout, router_unreachable, ...).
  void rest_error(const std::string& device, ec kind);

  /// One REST request to a router answered (`outcome` "ok") or failed
  /// (`outcome` the error code's name), with its round trip.
  void rest_request(const std::string& device, std::string_view outcome,
                    std::chrono::duration<double> latency);

  /// One journaled rollout step: `kind` the plan's change kind, `outcome`
  /// the step's event (device-applied, device-apply-failed, gate-passed,
  /// ...).
  void rollout_step(std::string_view kind, std::string_view outcome);

  /// Audit records waiting in the store actor's buffer for their commit.
  void audit_queue_depth(size_t n);

  /// A rollout moved from state `from` to `to` (names of the rollout state
  /// machine). `from` empty: a new rollout; `to` empty: forgotten (pruned).
  /// Keeps rmcp_rollouts{state} = rollouts currently in each state and
  /// counts entries into each state in rmcp_rollout_transitions_total.
  void rollout_transition(std::string_view from, std::string_view to);

  // -- exposition -----------------------------------------------------------------

  /// Every family in the Prometheus text format (version 0.0.4).
  std::string render() const;

  /// The underlying registry, for families defined elsewhere.
  prometheus::Registry& registry() noexcept;

  /// Content-Type of `render()`.
  static constexpr std::string_view content_type =
    "text/plain; version=0.0.4; charset=utf-8";

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

using metrics_ptr = std::shared_ptr<metrics>;

} // namespace rmcp
