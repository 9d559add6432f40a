#pragma once

// The cluster side of the runtime: with `cluster.node_id` set, a membership
// actor joins the cluster in etcd (docs/cluster.md) and is registered in
// the actor system's registry under "cluster", where /health finds it.
// Without it nothing starts and the daemon is a single node.

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "protocol/cluster_actors.hpp"
#include "protocol/fleet_actors.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::app {

/// Starts the membership actor when `opts` configure a cluster node; it
/// tells `listener` (the fleet) the view and the devices this node owns.
/// An error names the key that is missing or wrong.
caf::error start_cluster(caf::actor_system& sys,
                         const config::server_options& opts, store_actor store,
                         cluster_listener_actor listener);

/// This node's membership actor, or null for a single node.
membership_actor cluster_of(caf::actor_system& sys);

/// Leaves the cluster: the membership actor revokes its lease (its claims
/// go with it, so the others take over at once) and quits.
void stop_cluster(caf::actor_system& sys);

} // namespace rmcp::app
