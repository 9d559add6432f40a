#pragma once

// Who coordinates a rollout in a cluster with a shared store: the node
// holding `<prefix>/rollouts/<plan_id>` = its node id, with its membership
// lease. Like a device ownership claim (actors/membership.hpp), the key is
// created only where none exists, so two nodes never coordinate one plan,
// and it goes with its holder's lease: when a node is lost, the survivors'
// next takeover poll (the rollout manager's periodic `(recover)`) claims
// its plans and takes them over from the shared journal (rollout.on_restart).
//
// The claimer is a detached actor (its etcd calls wait for their answers,
// with deadlines); the rollout manager asks it:
//
//   (acquire, plan, plan_id) → bool   claimed now or already ours: true;
//                                     held by another node: false; this
//                                     node not in the cluster (no lease) or
//                                     etcd failing: an error
//   (release, plan, plan_id)          deletes the claim if it is ours

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/etcd_client.hpp"
#include "actors/membership.hpp"

namespace rmcp {

struct rollout_claims_config {
  std::string node_id;
  /// Root of the cluster's keys, without a trailing slash.
  std::string prefix;
  /// Longest wait for an etcd answer.
  std::chrono::milliseconds timeout{3000};
};

/// The etcd key of a rollout's coordinator claim.
std::string rollout_claim_key(const std::string& prefix,
                              const std::string& plan_id);

/// Detached unless `detached` is false (tests on CAF's test scheduler,
/// where the blocking etcd calls run on the test's thread).
caf::actor spawn_rollout_claimer(caf::actor_system& sys,
                                 rollout_claims_config cfg,
                                 etcd_client_ptr etcd, lease_cell lease,
                                 bool detached = true);

} // namespace rmcp
