#pragma once

// The plan store actor: owns a storage::plan_store (over the same kv store
// as the device store) and answers `plan_store_actor`
// (protocol/plan_actors.hpp). Detached in production like the store actor.

#include <memory>

#include <caf/actor_system.hpp>

#include "protocol/plan_actors.hpp"
#include "storage/plan_store.hpp"

namespace rmcp {

plan_store_actor spawn_plan_actor(caf::actor_system& sys,
                                  std::shared_ptr<storage::plan_store> db,
                                  bool detached);

} // namespace rmcp
