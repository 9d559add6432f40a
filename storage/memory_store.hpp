#pragma once

// The in-memory twin of lmdb_store: same tables, same key limits, same
// transaction semantics (snapshot reads, atomic all-or-nothing writes), no
// file. For unit and actor tests, and for anything that needs a store that
// vanishes with the process.
//
// Concurrency: write transactions are exclusive and readers see committed
// data only (a shared lock held for the transaction's lifetime). Unlike LMDB,
// an open read transaction blocks writers, which is harmless while one actor
// owns the store.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "storage/kv.hpp"

namespace rmcp::storage {

class memory_store : public kv_store {
public:
  memory_store();
  ~memory_store() override;

  caf::expected<std::unique_ptr<read_txn>> begin_read() override;

  caf::expected<std::unique_ptr<write_txn>> begin_write() override;

  caf::expected<kv_info> info() override;

  /// Test seam: while set, every new transaction fails with store_failure
  /// and this message (a broken disk, a full map). nullopt heals the store.
  void inject_failure(std::optional<std::string> message);

  /// Test seam: write transactions committed so far.
  uint64_t commits() const;

  // -- implementation details (used by the transactions) --------------------

  using table_map = std::map<std::string, std::string, std::less<>>;
  struct state;

private:
  std::unique_ptr<state> state_;
};

/// A fresh memory store with every table of the catalog.
std::shared_ptr<memory_store> make_memory_store();

} // namespace rmcp::storage
