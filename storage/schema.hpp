#pragma once

// Schema version, upgrade path and the generation counter (table `meta`).
//
// The store records the version of its layout. Opening runs `upgrade`: a
// fresh store is stamped with the current version; an older one runs the
// registered migrations in order inside one write transaction (all or
// nothing); a newer one is refused with a message saying so. A store with
// records but no version is version 0.
//
// The generation counter counts changes to devices and credentials, in any
// process that shares the store; the daemon's fleet polls it to notice
// changes made by the admin CLI.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "storage/kv.hpp"

namespace rmcp::storage {

/// One step of the upgrade path: from version `from` to `from + 1`.
struct migration {
  uint32_t from = 0;
  /// What it changes, for the log.
  std::string description;
  std::function<caf::error(write_txn&)> apply;
};

struct schema {
  uint32_t version = 0;
  /// Every step from the oldest supported version, in any order.
  std::vector<migration> migrations;
};

/// The layout this build writes: version 2 (devices, credentials, health,
/// snapshots, meta, audit, plans; JSON records; the audit trail is
/// hash-chained). Version 1 stores are upgraded by chaining their audit
/// records.
const schema& current_schema();

/// The layout of the cluster's shared tables in etcd (split_store.hpp:
/// devices, credentials, the generation, plans and their tables, API
/// tokens), recorded by its own meta/schema_version under the cluster's
/// prefix: version 1, the JSON records of `current_schema` version 2. Each
/// node's LMDB keeps its own version (`current_schema`).
const schema& shared_schema();

/// Brings the store to `target.version`; returns the version found. `where`
/// names the store in messages (its path, or "memory").
caf::expected<uint32_t> upgrade(kv_store& kv, const schema& target,
                                const std::string& where);

/// The stored schema version; 0 when none is recorded.
caf::expected<uint32_t> read_schema_version(read_txn& txn);

/// The device generation counter; 0 for a fresh store.
caf::expected<uint64_t> read_generation(read_txn& txn);

/// Increments the generation counter within `txn`.
caf::error bump_generation(write_txn& txn);

} // namespace rmcp::storage
