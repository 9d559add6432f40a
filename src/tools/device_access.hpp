#pragma once

// The first step of every router tool: resolve the `device_id` argument to
// its device through the device-access service (actors/device_ops.hpp: one
// fleet round trip, or none when the session already looked the device up
// to authorize a device-scoped caller), refuse devices of another
// environment and devices that lack the capability the tool needs; then
// talk to the router only through its actor. Tool files call `with_device`,
// `device_request` and `read_all` instead of repeating these checks; the
// request builders (get_request, post_request, ...) are in
// protocol/routeros.hpp.

#include <functional>
#include <string>
#include <vector>

#include "actors/device_ops.hpp"
#include "actors/tool_call.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp::tools {

/// Deadline of a directory request to the fleet.
using device_ops::fleet_timeout;

/// Upper bound of one request to a device actor (the device's own request
/// timeout and retries, and the tool's deadline, are usually shorter).
using device_ops::device_timeout;

/// A device flag a tool needs besides the one its tier implies.
struct capability {
  /// Its name and what it allows come from device_flag_table.
  bool device_flags::*flag = nullptr;
};

/// The checks every router tool makes on the device's record, in order:
///   - the device belongs to another environment → environment_mismatch;
///   - tier advanced needs `allow_advanced_writes`, tier professional needs
///     `allow_professional_workflows`, and `extra` (when set) its flag →
///     capability_denied naming the flag.
caf::error check_access(const tool_call& call, const device_record& r,
                        const capability& extra = {});

/// Resolves `call.args()["device_id"]` (unknown id → device_not_found),
/// makes the checks of `check_access`, then those of the fleet (actor
/// restarting → circuit_open), then runs `next` with the device's record,
/// last health and actor. On any failure the call fails with the error.
void with_device(tool_call& call, std::function<void(device_handle)> next,
                 capability extra = {});

/// Runs one REST request through the device actor; on failure the call
/// fails with the router error (router_*, circuit_open, queue_full, …).
void device_request(tool_call& call, const device_actor& dev, rest_request req,
                    std::function<void(rest_response&)> next);

/// GETs several paths in parallel through the device actor and hands the
/// bodies (in order) to `next`; the first failure fails the call.
void read_all(tool_call& call, const device_actor& dev,
              std::vector<std::string> paths,
              std::function<void(std::vector<json>&)> next);

} // namespace rmcp::tools
