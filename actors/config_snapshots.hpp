#pragma once

// Periodic configuration snapshots with drift detection.
//
// One actor per daemon takes, for every device whose actor runs on this
// node (the fleet's `(cluster, devices)`: all managed devices without a
// cluster, the owned ones in a cluster), the same snapshot as the tool
// capture_config_snapshot (`/export terse`, secrets redacted, kind
// "config") every `interval`, jittered by ±10 % (deterministic per device
// id and round: see snapshot_delay).
//
//   - Only while the device's last health check said healthy: a due
//     snapshot of another device waits for the first poll after it is
//     healthy again.
//   - A failed snapshot (no handle, router error, store error) is logged
//     and counted; the device is due again one interval later. Every
//     request has a finite timeout and nothing blocks the actor.
//   - Drift: the new export is compared with the newest stored snapshot of
//     kind "config" (taken by this actor or by the tool) line by line,
//     comments (the export's date header) ignored. When they differ, a
//     record of kind "config-drift" (JSON: both snapshot ids, times, counts
//     and the first changed lines) is stored beside it, a `config-drift`
//     line is logged at warn and rmcp_config_drift_total{device} counts
//     it. Subscribers of `device://{id}/config` and
//     `device://{id}/config-drift` get resources/updated through the
//     notifier (also for a device's first snapshot). Drift includes the daemon's own changes (plans applied since the
//     previous snapshot); the audit trail tells them apart.
//
// Timers: one `(poll)` every poll period (interval / 10, between 1 s and
// 60 s) reads the device list and starts the snapshots that are due; a
// device seen for the first time is due after a deterministic fraction of
// the interval (at least a tenth), so a fleet does not export in lock-step
// after a restart.
//
// | message  | from                                                   |
// |----------|--------------------------------------------------------|
// | (poll)   | itself: the poll period elapsed                        |
//
// Metrics (families on the shared registry, defined here):
// rmcp_config_snapshots_total{device, outcome} (ok, failed),
// rmcp_config_drift_total{device}, rmcp_config_snapshot_timestamp_seconds
// {device} (the last successful snapshot; its age is time() - value).
// The series of a device that leaves the list are dropped.

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metrics.hpp"
#include "protocol/fleet_actors.hpp"
#include "protocol/mcp_actors.hpp"

namespace rmcp {

struct snapshot_settings {
  /// Between two snapshots of one device; 0 = no periodic snapshots.
  std::chrono::milliseconds interval{std::chrono::hours{1}};
  /// Deadline of the export request (a large configuration takes a while).
  std::chrono::milliseconds export_timeout{std::chrono::seconds{60}};
  /// Deadline of each fleet and store request.
  std::chrono::milliseconds request_timeout{std::chrono::seconds{10}};
};

struct snapshot_deps {
  fleet_actor fleet;
  store_actor store;
  /// Tells sessions about changed resources; may be null.
  notifier_actor notifier;
  /// May be null.
  metrics_ptr metrics;
  snapshot_settings settings;
};

using config_snapshot_actor = caf::typed_actor<caf::reacts_to<atom::poll>>;

/// Spawns the snapshot actor; it ends with the fleet (monitored). Null handle
/// when the interval is 0.
config_snapshot_actor spawn_config_snapshots(caf::actor_system& sys,
                                             snapshot_deps deps);

/// How long after round `round` device `id` is due again: `interval` scaled
/// by a factor in [0.9, 1.1] that depends only on the id and the round.
std::chrono::milliseconds snapshot_delay(const std::string& id, uint64_t round,
                                         std::chrono::milliseconds interval);

/// When a device first seen is due: a fraction in [0.1, 1) of `interval`
/// that depends only on the id (not at once: the health checks have run by
/// then, and a daemon restarted often does not export every time).
std::chrono::milliseconds
first_snapshot_delay(const std::string& id, std::chrono::milliseconds interval);

/// Between two polls of the device list: interval / 10 within [1 s, 60 s].
std::chrono::milliseconds
snapshot_poll_period(std::chrono::milliseconds interval);

} // namespace rmcp
