#pragma once

// The table layer every store is built on: named tables of byte-string keys
// and values, read in snapshot transactions and changed in atomic write
// transactions. Engines: `lmdb_store` (one LMDB named sub-database per
// table), `memory_store` (its in-memory twin for tests), the cluster's
// shared etcd engine (src/cluster/etcd_kv.hpp) and `split_store`
// (storage/split_store.hpp), which routes each table to one of two.
// Domain stores (`device_store`, later plans, tokens, audit) are written once
// against this interface, so both engines behave alike by construction.
//
// Rules shared by both engines (the memory twin enforces LMDB's limits):
// - tables are declared up front (`tables::all` in storage/tables.hpp);
//   naming an undeclared table is a store_failure;
// - keys are 1..511 bytes and sort bytewise; values are arbitrary bytes;
// - a thread holds at most one transaction at a time;
// - a write transaction not committed is rolled back when destroyed, and a
//   committed one is durable (LMDB: synchronous commit).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace rmcp::storage {

/// Longest key LMDB accepts with its default page size.
constexpr size_t max_key_size = 511;

/// Receives one record of a scan; returns false to stop the scan.
using record_visitor =
  std::function<bool(std::string_view key, std::string_view value)>;

/// A consistent snapshot of every table.
class read_txn {
public:
  virtual ~read_txn() = default;

  /// The value stored under `key`, or nullopt when there is none.
  virtual caf::expected<std::optional<std::string>>
  get(std::string_view table, std::string_view key) = 0;

  /// Visits every record whose key starts with `prefix` (all records for an
  /// empty prefix) in ascending bytewise key order.
  virtual caf::error scan(std::string_view table, std::string_view prefix,
                          const record_visitor& visit) = 0;

  /// Number of records in `table`.
  virtual caf::expected<uint64_t> count(std::string_view table) = 0;
};

/// A read transaction that can also change tables. Nothing is visible to
/// other transactions until `commit` succeeds; destroying an uncommitted
/// transaction discards every change (an atomic batch). A commit may be
// refused with ec::conflict (the shared engine, src/cluster/etcd_kv.hpp,
// when another writer changed what the transaction read since it began);
// nothing is changed then.
class write_txn : public read_txn {
public:
  /// Inserts or replaces the record under `key`.
  virtual caf::error put(std::string_view table, std::string_view key,
                         std::string_view value) = 0;

  /// Removes the record under `key`; returns whether there was one.
  virtual caf::expected<bool> erase(std::string_view table,
                                    std::string_view key) = 0;

  /// Makes every change visible and durable at once. The transaction is
  /// finished afterwards, whatever the outcome.
  virtual caf::error commit() = 0;

  /// Makes the commit conditional on this node still holding the cluster
  /// claim `claim` (a key under the cluster's prefix held with the node's
  /// lease, e.g. "rollouts/<plan_id>"). The shared engine compares the
  /// claim's lease inside its commit, so a node that lost it (its lease
  /// expired, it was partitioned, another node took the claim over)
  /// changes nothing: the commit fails with ec::store_failure naming the
  /// claim. Engines without claims (LMDB, memory: a single node) ignore it.
  virtual caf::error require_claim(std::string_view claim) {
    (void)claim;
    return caf::none;
  }
};

/// Size and location of a store, for status reports.
struct kv_info {
  /// "lmdb", "memory", "etcd" or, split, "lmdb+etcd".
  std::string backend;
  /// Environment directory; empty for memory.
  std::string path;
  /// Bytes in use (LMDB: pages up to the last used one).
  uint64_t used_bytes = 0;
  /// Size of the memory map, the store's upper bound (0 = unbounded).
  uint64_t map_bytes = 0;
};

/// An engine: hands out transactions.
class kv_store {
public:
  virtual ~kv_store() = default;

  virtual caf::expected<std::unique_ptr<read_txn>> begin_read() = 0;

  virtual caf::expected<std::unique_ptr<write_txn>> begin_write() = 0;

  virtual caf::expected<kv_info> info() = 0;
};

/// Removes the records of `table` whose key starts with `prefix`, except
/// the first `keep` in key order; returns how many were removed.
caf::expected<uint64_t> erase_prefix(write_txn& txn, std::string_view table,
                                     std::string_view prefix,
                                     uint64_t keep = 0);

/// Attempts of `write_atomically` when commits conflict.
constexpr int max_commit_attempts = 8;

/// Runs `fn` in a fresh write transaction and commits it when `fn` returns no
/// error; otherwise rolls back and returns `fn`'s error. A commit refused as
/// `ec::conflict` (the shared etcd engine: another node committed since this
/// transaction read) runs `fn` again in a new transaction, at most
/// `max_commit_attempts` times in all, after a short jittered backoff; then
/// it answers ec::store_busy (retryable: nothing was changed). So `fn` must
/// be repeatable: it may only assign the results it hands out, not
/// accumulate into them.
caf::error write_atomically(kv_store& kv,
                            const std::function<caf::error(write_txn&)>& fn);

// -- for engines ------------------------------------------------------------------

/// Validates a key against the engines' common limits.
caf::error check_key(std::string_view table, std::string_view key);

/// The error for a table missing from the catalog.
caf::error unknown_table(std::string_view table);

/// The error for using a transaction after its commit.
caf::error finished_transaction();

} // namespace rmcp::storage
