#pragma once

// The shared store engine: `storage::kv_store` over etcd, so the domain
// stores (devices, credentials, plans and their journal, API tokens) run
// unchanged on the cluster's shared state. Synchronous, like LMDB: each
// call waits for its etcd answer, with a deadline; it runs inside the
// detached store and plan store actors, which block on LMDB commits too.
//
// Layout: a record of table T under key K is the etcd key
// `<prefix>/kv/T/K` (K's bytes as they are; tables never contain '/', so a
// table is one etcd prefix and its keys sort bytewise like LMDB's).
//
// Transactions:
// - A read transaction reads at one etcd revision: its first call pins
//   the revision the answer was read at, later calls pass it, so every
//   read of the transaction sees the same snapshot (like an LMDB reader).
// - A write transaction pins a revision when it begins, together with the
//   mod revision of `<prefix>/kv-lock`. It reads at that revision, buffers
//   its puts and erases (its own reads see them) and commits them as ONE
//   etcd transaction (nothing is ever half applied) that rewrites kv-lock
//   and compares what the transaction read (optimistic concurrency):
//   * one that read only single keys compares each key's mod revision
//     with the one it read (0: the key was absent), so it commits unless
//     one of those keys changed since its snapshot: two nodes stepping
//     different plans do not collide;
//   * one that scanned or counted a table (a range, where a compare per
//     key cannot see a key created or deleted) compares kv-lock's mod
//     revision instead: it commits only if no commit at all happened
//     since its snapshot.
//   Either way a commit is as if the transaction had run alone at its
//   commit revision (serialisable, each commit linearizable in etcd). A
//   failed compare is `ec::conflict` ("retry"), which
//   `storage::write_atomically` retries a bounded number of times.
// - `require_claim(c)` adds "the claim `<prefix>/c` has this node's lease"
//   to the compare (the rollout claim of a plan step): a node that lost
//   the claim, or holds no lease, commits nothing (ec::store_failure
//   naming the claim).
// - A write transaction that changed nothing commits without a call.
//
// Limits: etcd refuses a transaction of more than --max-txn-ops operations
// (default 128) or a request of more than --max-request-bytes (1.5 MiB).
// The cluster's etcd must be started with the raised limits below
// (docs/cluster.md); a commit over them is refused here, before it is
// sent, with an error naming the limit.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/etcd_client.hpp"
#include "storage/kv.hpp"

namespace rmcp::cluster {

namespace defaults {

/// Operations per shared commit: a plan over rollout.max_devices (1000)
/// writes about one row per device; a key rotation rewrites every
/// credential of the fleet. etcd: --max-txn-ops 10000.
constexpr size_t etcd_max_txn_ops = 10000;

/// Bytes per shared commit request. etcd: --max-request-bytes 16777216.
constexpr size_t etcd_max_request_bytes = size_t{16} << 20;

} // namespace defaults

struct etcd_kv_options {
  etcd_client_ptr client;
  /// Root of the cluster's keys (cluster.prefix); records live under
  /// `<prefix>/kv/`, the commit lock is `<prefix>/kv-lock`.
  std::string prefix;
  /// Longest wait for one etcd answer (the client's own deadline is
  /// shorter; this is the backstop).
  std::chrono::milliseconds timeout{3000};
  size_t max_txn_ops = defaults::etcd_max_txn_ops;
  size_t max_request_bytes = defaults::etcd_max_request_bytes;
  /// Keys read per range call of a scan (pages at one revision).
  int64_t scan_page = 500;
  /// Names the store in messages and `info().path`.
  std::string where;
  /// The node's lease (the membership's live lease, 0 while out), which
  /// `require_claim` compares. Null in a process that is no cluster node
  /// (the admin CLI): claims are not checked there.
  std::shared_ptr<std::atomic<int64_t>> lease;
};

/// The engine. Fails when `client` is missing or the prefix is empty.
caf::expected<std::shared_ptr<storage::kv_store>>
make_etcd_kv_store(etcd_kv_options opts);

} // namespace rmcp::cluster
