#pragma once

// The cluster side of the runtime: with `cluster.node_id` set, a membership
// actor joins the cluster in etcd (docs/cluster.md) and is registered in
// the actor system's registry under "cluster", where /health finds it.
// Without it nothing starts and the daemon is a single node.

#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "actors/membership.hpp"
#include "protocol/cluster_actors.hpp"
#include "protocol/fleet_actors.hpp"
#include "src/config/server_options.hpp"

namespace rmcp::app {

/// The etcd endpoints of `cluster.etcd` (comma or space separated).
std::vector<std::string> etcd_endpoints_of(const config::server_options& opts);

/// `cluster.prefix` without trailing '/'.
std::string cluster_prefix_of(const config::server_options& opts);

/// True when the registry, plans and API tokens live in etcd: a cluster
/// node (`cluster.node_id`) with etcd (`cluster.etcd`). A static
/// membership (`cluster.members`) keeps every node's LMDB.
bool shared_store_mode(const config::server_options& opts);

/// Starts the membership actor when `opts` configure a cluster node; it
/// tells `listener` (the fleet) the view and the devices this node owns.
/// An error names the key that is missing or wrong.
/// `lease`, when given, holds the membership's lease while in (for the
/// rollout claims).
caf::error start_cluster(caf::actor_system& sys,
                         const config::server_options& opts, store_actor store,
                         cluster_listener_actor listener,
                         lease_cell lease = nullptr);

/// On a shared-store node (`shared_store_mode`), the rollout claimer
/// (actors/rollout_claims.hpp) claiming with `lease`; else a null actor.
caf::expected<caf::actor> spawn_claims(caf::actor_system& sys,
                                       const config::server_options& opts,
                                       lease_cell lease);

/// This node's membership actor, or null for a single node.
membership_actor cluster_of(caf::actor_system& sys);

/// Leaves the cluster: the membership actor revokes its lease (its claims
/// go with it, so the others take over at once) and quits.
void stop_cluster(caf::actor_system& sys);

} // namespace rmcp::app
