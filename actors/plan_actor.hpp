#pragma once

// The plan store actor: owns a storage::plan_store (over the same kv store
// as the device store) and answers `plan_store_actor`
// (protocol/plan_actors.hpp). Detached in production like the store actor.
// Approvals and rejections run the rules of storage/plan_approvals.hpp;
// their audit records go to the store actor, the only writer of the audit
// trail.

#include <memory>

#include <caf/actor_system.hpp>

#include "protocol/fleet_actors.hpp"
#include "protocol/plan_actors.hpp"
#include "storage/plan_store.hpp"

namespace rmcp {

/// `audit` null: approve and reject are refused (unsupported), since
/// their decisions could not be audited.
plan_store_actor spawn_plan_actor(caf::actor_system& sys,
                                  std::shared_ptr<storage::plan_store> db,
                                  bool detached, store_actor audit = {});

} // namespace rmcp
