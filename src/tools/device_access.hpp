#pragma once

// The first step of every router tool: resolve the `device_id` argument to
// its device actor through the fleet, refuse devices of another environment
// and devices that lack the capability the tool needs; then talk to the
// router only through that actor. Tool files call `with_device` and
// `device_request` instead of repeating these checks.

#include <chrono>
#include <functional>
#include <string>

#include "actors/tool_call.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp::tools {

/// Deadline of a directory request to the fleet.
inline constexpr auto fleet_timeout = std::chrono::seconds{5};

/// Upper bound of one request to a device actor (the device's own request
/// timeout and retries, and the tool's deadline, are usually shorter).
inline constexpr auto device_timeout = std::chrono::seconds{120};

/// A device flag a tool needs besides the one its tier implies.
struct capability {
  bool device_flags::*flag = nullptr;
  /// Flag name for the error message, e.g. "allow_firewall_writes".
  const char* name = nullptr;
};

/// A resolved device: its registry record, last health and actor.
struct device_handle {
  device_view view;
  device_actor actor;
};

/// Resolves `call.args()["device_id"]`:
///   - unknown id → device_not_found;
///   - the device belongs to another environment → environment_mismatch;
///   - tier advanced needs `allow_advanced_writes`, tier professional needs
///     `allow_professional_workflows`, and `extra` (when set) its flag →
///     capability_denied naming the flag;
/// then runs `next`. On any failure the call fails with the error.
void with_device(tool_call& call, std::function<void(device_handle)> next,
                 capability extra = {});

/// Runs one REST request through the device actor; on failure the call
/// fails with the router error (router_*, circuit_open, queue_full, …).
void device_request(tool_call& call, const device_actor& dev,
                    rest_request req, std::function<void(rest_response&)> next);

/// Shorthand for a GET of `path`.
rest_request get_request(std::string path);

} // namespace rmcp::tools
