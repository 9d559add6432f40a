#pragma once

// A kv_store made of two: each table (for `meta`, each key) lives in either
// the `local` engine (a node's LMDB) or the `shared` one (the cluster's
// etcd, src/cluster/etcd_kv.hpp). Domain stores run on it unchanged; the
// routing is data (`cluster_routes`).
//
// Transactions open the engines they touch, lazily: a read of devices only
// reads etcd, a health append only writes LMDB. A write transaction that
// touched both commits the shared part first, then the local part:
// - the shared commit fails (a conflict, etcd away): the local part is
//   rolled back, nothing changed anywhere (and `write_atomically` retries
//   a conflict);
// - the process dies or LMDB fails between the two: the shared change
//   stands, the local one is lost. Local rows written beside shared ones
//   are derived (the health history and snapshots of a removed device,
//   audit records) and the domain stores read local rows only for devices
//   the shared registry names, so what can be left is harmless: stale
//   history of a device that is gone, or a missing audit line, which the
//   error returned to the caller reports.
// Records of a table found in the engine it is not routed to (an LMDB
// store from before the node joined a cluster) are invisible.

#include <functional>
#include <memory>
#include <string_view>

#include "storage/kv.hpp"

namespace rmcp::storage {

/// Where a table lives.
enum class table_home { local, shared, by_key };

struct split_routes {
  /// The home of each table; tables not named are local.
  std::function<table_home(std::string_view table)> table;
  /// For a `by_key` table: true when `key` is shared.
  std::function<bool(std::string_view table, std::string_view key)> key;
};

/// The cluster's routing: devices, credentials, the device generation
/// (meta/generation) and the id of the credential key
/// (meta/credential_key_id), plans and all their tables are shared;
/// health, snapshots, audit, API tokens and the rest of meta (the local
/// schema version, the audit chain head) are local. API tokens stay local
/// because HTTP authentication reads them synchronously on the transport's
/// I/O thread for every request: over etcd an etcd outage would stall
/// every transport of the node.
const split_routes& cluster_routes();

class split_store : public kv_store {
public:
  split_store(std::shared_ptr<kv_store> local, std::shared_ptr<kv_store> shared,
              split_routes routes = cluster_routes());

  caf::expected<std::unique_ptr<read_txn>> begin_read() override;

  caf::expected<std::unique_ptr<write_txn>> begin_write() override;

  /// The local engine's info, backend "<local>+<shared>".
  caf::expected<kv_info> info() override;

  struct parts {
    std::shared_ptr<kv_store> local;
    std::shared_ptr<kv_store> shared;
    split_routes routes;
  };

private:
  std::shared_ptr<const parts> parts_;
};

} // namespace rmcp::storage
