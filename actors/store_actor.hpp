#pragma once

// The store actor: the only owner of the persistent store (a
// storage::device_store over LMDB or the in-memory twin) in a process. It
// implements `store_actor` (protocol/fleet_actors.hpp); every handler is one
// store call (one transaction) and answers its result or an rmcp::ec error.
//
// Key state: the device store. Stores are synchronous (an LMDB commit waits
// for the disk), so the runtime spawns the actor detached, on its own
// thread, where a slow fsync never stalls the scheduler's workers.

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "actors/metrics.hpp"
#include "protocol/fleet_actors.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"

namespace rmcp {

/// The store actor's handle with its batched audit class: `store_actor`
/// (protocol/fleet_actors.hpp) plus
///
/// | message                       | reply                                   |
/// |-------------------------------|-----------------------------------------|
/// | (put, audit, audit_record)    | none: a read's record, kept in order    |
/// |                               | with every other record but committed   |
/// |                               | in batches (store_audit_settings: by    |
/// |                               | time or count, with the next durable    |
/// |                               | record, before any (get, audit), on a   |
/// |                               | regular exit); a crash loses at most    |
/// |                               | the records not yet written             |
/// | (put, audit, records)         | none: reads a session held back while   |
/// |                               | its other calls ran (audit_reads);      |
/// |                               | written with the next group commit      |
///
/// `(put, audit_record)` stays the durable class: answered with the record's
/// sequence number once it (and every record before it) is committed.
/// The session holds a `store_actor` and sends the batched class with
/// `audit_read` below; every store in this process (the LMDB one and the
/// tests' fake) handles both.
using batching_store_actor = store_actor::extend<
  caf::reacts_to<atom::put, atom::audit, audit_record>,
  caf::reacts_to<atom::put, atom::audit, std::vector<audit_record>>>;

/// Sends `rec` to `store` as the record of a read (batched, unanswered).
void audit_read(const store_actor& store, audit_record rec);

/// Sends the records of reads a caller held back (in their order) to
/// `store`, to be written with its next group commit (unanswered).
void audit_reads(const store_actor& store, std::vector<audit_record> recs);

/// When the audit records of reads, `(put, audit, audit_record)`, are
/// committed. Every other record is committed before its caller hears back.
struct store_audit_settings {
  /// A read's record is written at the latest this long after it arrived
  /// (0: with the next group commit, as soon as the mailbox is drained).
  std::chrono::milliseconds read_flush_interval{50};
  /// ... or as soon as this many records wait.
  size_t read_batch = 256;
  /// Where the number of buffered records goes (rmcp_audit_queue_depth);
  /// may be null.
  metrics_ptr metrics;
};

/// Spawns the store actor owning `db`. `detached` gives it its own thread
/// (production); tests on the deterministic scheduler pass false.
store_actor spawn_store_actor(caf::actor_system& sys,
                              std::shared_ptr<storage::device_store> db,
                              bool detached, store_audit_settings audit = {});

} // namespace rmcp
