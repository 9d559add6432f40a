#pragma once

// The kv engines as typed-test parameters: every storage suite runs
// against LMDB (in a temporary directory) and the in-memory twin; compiled
// with RMCP_TEST_SHARED_ENGINES, against the cluster's etcd engine and the
// split store instead (tests/storage/shared_engines.hpp).

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/credential_cipher.hpp"
#include "storage/kv.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {

struct memory_engine {
  static constexpr const char* backend = "memory";
  static constexpr bool persists = false;
  static constexpr bool measures_size = true;

  std::shared_ptr<storage::kv_store> open() {
    if (!store)
      store = storage::make_memory_store();
    return store;
  }

  /// Drops this handle; the next open() starts empty (memory does not
  /// persist).
  void close() {
    store.reset();
  }

  std::string where() const {
    return "memory";
  }

  std::shared_ptr<storage::memory_store> store;
};

struct lmdb_engine {
  static constexpr const char* backend = "lmdb";
  static constexpr bool persists = true;
  static constexpr bool measures_size = true;

  std::shared_ptr<storage::kv_store> open() {
    if (!store) {
      storage::lmdb_options opts;
      opts.path = dir / "store";
      opts.map_size_bytes = uint64_t{64} << 20;
      auto opened = storage::lmdb_store::open(opts);
      if (!opened) {
        ADD_FAILURE() << "cannot open LMDB: " << error_message(opened.error());
        return nullptr;
      }
      store = *opened;
    }
    return store;
  }

  /// Closes the environment; the next open() reopens the same files.
  void close() {
    store.reset();
  }

  std::string where() const {
    return dir / "store";
  }

  temp_dir dir;
  std::shared_ptr<storage::lmdb_store> store;
};

} // namespace rmcp::test

#ifdef RMCP_TEST_SHARED_ENGINES
#include "tests/storage/shared_engines.hpp"
#endif

namespace rmcp::test {

#ifdef RMCP_TEST_SHARED_ENGINES
using engines = ::testing::Types<etcd_engine, split_engine>;
#else
using engines = ::testing::Types<memory_engine, lmdb_engine>;
#endif

/// Names the typed-test instances "memory" and "lmdb".
struct engine_names {
  template <class T>
  static std::string GetName(int) {
    return T::backend;
  }
};

/// A fixed test key (never a real one).
inline storage::credential_key test_key(char digit = 'a') {
  return *storage::credential_key::parse(std::string(64, digit));
}

} // namespace rmcp::test
