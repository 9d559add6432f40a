#pragma once

// The store actor: the only owner of the persistent store (a
// storage::device_store over LMDB or the in-memory twin) in a process. It
// implements `store_actor` (protocol/fleet_actors.hpp); every handler is one
// store call (one transaction) and answers its result or an rmcp::ec error.
//
// Key state: the device store. Stores are synchronous (an LMDB commit waits
// for the disk), so the runtime spawns the actor detached, on its own
// thread, where a slow fsync never stalls the scheduler's workers.

#include <memory>

#include <caf/actor_system.hpp>

#include "protocol/fleet_actors.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"

namespace rmcp {

/// Spawns the store actor owning `db`. `detached` gives it its own thread
/// (production); tests on the deterministic scheduler pass false.
store_actor spawn_store_actor(caf::actor_system& sys,
                              std::shared_ptr<storage::device_store> db,
                              bool detached);

} // namespace rmcp
