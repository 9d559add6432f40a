#pragma once

// The membership actor: this node's place in the cluster, kept in etcd.
//
// It holds an etcd lease (`lease_ttl`), renews it every third of the TTL,
// and puts `<prefix>/members/<node_id>` = {"host","port"} (the middleman
// endpoint it advertises) with that lease. It follows the members and the
// ownership claims under `<prefix>/` in rounds: read them at one
// revision, act, then wait on etcd's watch from the next revision (at most
// `watch_wait`, so registry changes, which etcd does not see, are noticed
// too). From the members it builds the view; a member counts only once it
// has been seen for `settle` (hysteresis: a node that (re)joins takes its
// share only then, so a flapping node moves no devices). For each device of
// the service's environment whose rendezvous owner in that view is this
// node, it claims `<prefix>/owners/<device_id>` = node_id with its lease in
// a transaction that succeeds only when the key does not exist; it deletes
// its claims (a transaction comparing the lease) of devices that are no
// longer its own. A claim of a lost node goes with that node's lease, and
// the next round claims the device. Because a claim is created only where
// none exists, two nodes never both hold one.
//
// Losing etcd: each confirmed keep-alive moves the lease deadline (the
// time the keep-alive was sent + 9/10 of the TTL, so this node gives up
// before etcd can expire the lease and let another node claim). Past it,
// the node is out: it tells the listener it owns nothing, stops its rounds
// and, on the next ticks, rejoins: first by renewing its old lease (etcd
// restarted: the lease and its claims may survive), else with a new one.
//
// Phases (a table: event → next phase, action):
//
//   out      ── tick ─────────────────────► joining  renew old lease or grant
//   joining  ── member key put ───────────► in       start rounds
//   joining  ── etcd failed ──────────────► out      (retry at the next tick)
//   in       ── tick ─────────────────────► in       keep-alive
//   in       ── deadline passed ──────────► out      listener: owns nothing
//   in       ── own member key gone ──────► out      (lease expired)
//   any      ── (stop) ───────────────────► stopping revoke the lease, quit
//
// `(suspend, true)` stops every etcd call of this node (a partition
// drill); `(suspend, false)` lets it rejoin.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/etcd_client.hpp"
#include "protocol/cluster_actors.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp {

/// The lease this node holds while it is in the cluster, 0 while out:
/// written by the membership actor, read by whoever claims keys with it
/// (the rollout claims, actors/rollout_claims.hpp).
using lease_cell = std::shared_ptr<std::atomic<int64_t>>;

struct membership_config {
  std::string node_id;
  /// Root of this cluster's keys, without a trailing slash.
  std::string prefix = "/routeros-mcp";
  /// The middleman endpoint this node advertises.
  std::string host;
  uint16_t port = 0;
  std::chrono::seconds lease_ttl{5};
  /// How long a member must have been in the view before it takes its
  /// share (2 s: a survivor that joined just before a loss still takes the
  /// lost node's devices within 5 s of the lease expiry).
  std::chrono::milliseconds settle{2000};
  /// The longest wait of a watch round.
  std::chrono::milliseconds watch_wait{1000};
  /// After a failed round, the pause before the next.
  std::chrono::milliseconds retry_delay{500};
  /// Only devices of this environment are claimed (empty: all).
  std::string environment;
  /// Optional: set to the lease while in, to 0 when out.
  lease_cell live_lease;
};

/// Spawns the membership actor. It reads the registry from `store`, talks
/// to etcd through `etcd` (it closes the client when it quits) and tells
/// `listener` about the view and the devices it owns.
membership_actor spawn_membership(caf::actor_system& sys, membership_config cfg,
                                  etcd_client_ptr etcd, store_actor store,
                                  cluster_listener_actor listener);

/// The etcd key of a member / of a device's ownership claim.
std::string member_key(const std::string& prefix, const std::string& node_id);
std::string owner_key(const std::string& prefix, const std::string& device_id);

} // namespace rmcp
