#pragma once

// The fleet supervisor and directory (protocol and message table:
// `fleet_actor` in protocol/fleet_actors.hpp).
//
// Key state: one entry per registered device, sorted by id — its record,
// credential, last health sample, and (for devices of the service's
// environment) its device actor, monitored. A crashed device actor is
// restarted after a capped, jittered exponential backoff (the counter resets
// once an actor has run for `stable_after`); meanwhile lookups fail with
// circuit_open. The fleet never writes the store: the admin CLI (another
// process) and the registry tools do. The store's generation counter is
// polled every `poll_interval`; a change, or a `(reload)`, triggers a
// reconcile: new records spawn actors, changed ones are sent (update),
// vanished ones are stopped. Health samples arrive from
// the device actors after every check; listeners get the ones that change
// status, version, board or identity.
//
// Cluster mode (actors/fleet_cluster.hpp): device actors run only for the
// devices this node has claimed; lookups of the others are answered by
// their owner's fleet, over CAF's middleman.

#include <chrono>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/device_actor.hpp"
#include "actors/fleet_cluster.hpp"
#include "actors/rest_client.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp {

struct fleet_settings {
  /// The service environment: only its devices get actors.
  std::string environment = "lab";
  /// How often the store's generation counter is read.
  std::chrono::milliseconds poll_interval{5000};
  /// Restart backoff of a crashed device actor: d = min(max, base · 2^n),
  /// waited in [d/2, d].
  std::chrono::milliseconds restart_base{1000};
  std::chrono::milliseconds restart_max{60000};
  /// An actor that ran this long before crashing starts over at `base`.
  std::chrono::milliseconds stable_after{300000};
  /// Deadline of every store request.
  std::chrono::milliseconds store_timeout{10000};
  /// Policy handed to every device actor.
  device_settings device;
  /// Seed of the restart jitter; 0 = random.
  uint64_t seed = 0;
  /// Cluster mode (keys cluster.*): off while `cluster.node_id` is empty.
  cluster_settings cluster;
};

/// Spawns the fleet; it loads the registry from `store` at once. `metrics`
/// (may be null) receives device health and REST errors. Without a
/// `factory` the fleet is a registry only: it lists devices but spawns no
/// device actors, and lookups answer `unsupported`.
fleet_actor spawn_fleet(caf::actor_system& sys, store_actor store,
                        rest_client_factory_ptr factory,
                        fleet_settings settings, metrics_ptr metrics = nullptr);

/// True when a listener should hear about `now` given the previous sample.
bool is_health_change(const health_sample& before, const health_sample& now);

} // namespace rmcp
