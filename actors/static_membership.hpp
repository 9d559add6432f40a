#pragma once

// A fixed cluster membership for a single site or a test: the members are
// configured (`cluster.members`), nobody joins or leaves, and each node
// claims the devices that rendezvous hashing assigns to it. It follows the
// store's generation counter (as the fleet does) and sends the fleet
// `(cluster, view, owned)` at start and whenever the registry changes.
//
// Nothing confirms a claim: two nodes configured with different member
// lists could both claim a device. The etcd membership (leases and claim
// keys) is the one that guarantees a single owner; this one exists for
// clusters whose members are fixed and configured alike.

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "protocol/cluster.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp {

/// The devices of `records` that `view` assigns to `node_id`.
std::vector<std::string> assigned_to(const cluster_view& view,
                                     const std::string& node_id,
                                     const std::vector<device_record>& records);

/// Spawns the static membership of node `node_id`; it quits with the fleet.
caf::actor spawn_static_membership(caf::actor_system& sys, fleet_actor fleet,
                                   store_actor store, cluster_view view,
                                   std::string node_id,
                                   std::chrono::milliseconds poll_interval);

} // namespace rmcp
