#pragma once

// The LMDB engine: one environment directory (data.mdb, lock.mdb), one named
// sub-database per table of the catalog, default synchronous commits (a
// committed transaction survives SIGKILL and power loss; a killed writer
// leaves the previous committed state).
//
// Several processes may open the same directory at once (the daemon and the
// admin CLI): LMDB serialises writers with a lock-file mutex and every new
// read transaction sees the latest commit of any process. One process must
// not open the same directory twice (LMDB's rule: POSIX locks are per
// process).
//
// LMDB reads through a shared memory map; each time the file has grown by
// 1 MiB the store drops its mapping of the file's pages (the page cache
// keeps them), so the process's resident set holds the pages it reads, not
// every page committed since it started (lmdb_store.cpp, release_map).

#include <cstdint>
#include <memory>
#include <string>

#include "storage/kv.hpp"

namespace rmcp::storage {

namespace defaults {

/// Upper bound of the store file (virtual address space, not disk).
constexpr uint64_t map_size_bytes = uint64_t{1} << 30;

} // namespace defaults

struct lmdb_options {
  /// Environment directory; created (mode 0700) when missing.
  std::string path;
  /// Memory map size; an existing larger environment keeps its size.
  uint64_t map_size_bytes = defaults::map_size_bytes;
};

class lmdb_store : public kv_store {
public:
  /// Opens (creating if needed) the environment and every catalog table.
  static caf::expected<std::shared_ptr<lmdb_store>>
  open(const lmdb_options& opts);

  ~lmdb_store() override;

  lmdb_store(const lmdb_store&) = delete;
  lmdb_store& operator=(const lmdb_store&) = delete;

  caf::expected<std::unique_ptr<read_txn>> begin_read() override;

  caf::expected<std::unique_ptr<write_txn>> begin_write() override;

  caf::expected<kv_info> info() override;

  struct impl;

private:
  explicit lmdb_store(std::unique_ptr<impl> ptr);

  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::storage
