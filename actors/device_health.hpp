#pragma once

// Health semantics of a device:
// how one /system/resource answer becomes a status, and when the next
// check is due. Pure functions, unit-tested on their own; the device actor
// adds jitter and runs the timer.
//
//   status       rule                                  next interval
//   healthy      cpu and memory ≤ 75 %                 unchanged; every 10th
//                                                      healthy check in a row
//                                                      ×1.5, capped at 300 s
//   degraded     cpu or memory > 75 % (warning) or     base: 60 s, 30 s for
//                > 90 % (critical issue)               `critical` devices
//   unreachable  the check failed                      60 s, doubling while it
//                                                      stays unreachable, up
//                                                      to 960 s

#include <chrono>
#include <cstdint>

#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "protocol/routeros.hpp"
#include "protocol/system_resource.hpp"

namespace rmcp::health {

/// Above this CPU or memory usage a device is degraded (warning).
inline constexpr double warning_percent = 75;
/// Above this it is degraded with a critical issue.
inline constexpr double critical_percent = 90;

/// Fills status, cpu, memory, uptime, version, board and issues of `out`
/// from a successful /system/resource answer.
void evaluate(const system_resource& res, health_sample& out);

/// Wall-clock time in milliseconds since the epoch (sample timestamps).
int64_t unix_ms_now();

/// Fills `out` from the outcome of one GET /system/resource: `evaluate` on
/// success; on a failed request or an unparsable answer, status
/// unreachable (degraded for router_bad_answer: the router answered, but
/// another menu's body), the error kind and its message as the issue.
void evaluate_answer(const caf::expected<rest_response>& answer,
                     health_sample& out);

struct schedule_settings {
  /// Base interval; `critical` devices use half of it (60 s → 30 s).
  std::chrono::milliseconds base{60000};
  /// Longest interval of a healthy device.
  std::chrono::milliseconds healthy_max{300000};
  /// Longest interval of an unreachable device.
  std::chrono::milliseconds unreachable_max{960000};
  /// Healthy checks in a row before the interval grows.
  uint32_t streak = 10;
};

/// The adaptive state of one device's timer.
struct schedule {
  /// 0 = not yet scheduled.
  std::chrono::milliseconds interval{0};
  uint32_t healthy_streak = 0;
  device_status last = device_status::unknown;
};

/// Records a check's outcome and returns the interval until the next check
/// (before jitter). `unknown` (no check happened, e.g. the device was busy)
/// keeps the current interval.
std::chrono::milliseconds next_interval(schedule& s, device_status status,
                                        bool critical,
                                        const schedule_settings& cfg);

} // namespace rmcp::health
