#pragma once

// The cluster's engines as typed-test parameters: the etcd engine alone
// and the split store (LMDB + etcd, storage/split_store.hpp). The storage
// suites compiled with RMCP_TEST_SHARED_ENGINES (rmcp_shared_store_tests)
// run over them exactly as over LMDB and the memory twin. One private etcd
// serves the whole test binary; every engine lives under its own prefix.

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/cluster/etcd_http_client.hpp"
#include "src/cluster/etcd_kv.hpp"
#include "storage/kv.hpp"
#include "storage/split_store.hpp"
#include "tests/support/etcd_server.hpp"

namespace rmcp::test {

/// The binary's etcd, started on first use and killed at exit.
inline etcd_server& shared_etcd() {
  static etcd_server server;
  return server;
}

/// A key prefix no other engine of this run uses.
inline std::string fresh_prefix() {
  static std::atomic<int> n{0};
  return "/test-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

/// A client of the binary's etcd.
inline etcd_client_ptr shared_etcd_client() {
  auto& etcd = shared_etcd();
  if (!etcd.ready())
    return nullptr;
  cluster::etcd_settings es;
  es.endpoints = {etcd.endpoint()};
  auto client = cluster::make_etcd_client(es);
  return client ? *client : nullptr;
}

/// The etcd engine over `prefix`; with `lease`, a node's engine, which
/// commits a step only under its plan's rollout claim held with that lease.
inline std::shared_ptr<storage::kv_store>
open_etcd_kv(etcd_client_ptr client, const std::string& prefix,
             std::shared_ptr<std::atomic<int64_t>> lease = nullptr) {
  if (!client) {
    ADD_FAILURE() << "no etcd: " << shared_etcd().log();
    return nullptr;
  }
  cluster::etcd_kv_options opts;
  opts.client = std::move(client);
  opts.prefix = prefix;
  opts.where = "etcd " + prefix + "/kv/";
  opts.lease = std::move(lease);
  auto kv = cluster::make_etcd_kv_store(std::move(opts));
  if (!kv) {
    ADD_FAILURE() << error_message(kv.error());
    return nullptr;
  }
  return *kv;
}

struct etcd_engine {
  static constexpr const char* backend = "etcd";
  static constexpr bool persists = true;
  /// etcd's size is its own metric: info() reports none.
  static constexpr bool measures_size = false;

  std::shared_ptr<storage::kv_store> open() {
    if (!client)
      client = shared_etcd_client();
    if (!store)
      store = open_etcd_kv(client, prefix);
    return store;
  }

  /// Drops this handle; the next open() sees the same keys.
  void close() {
    store.reset();
  }

  std::string where() const {
    return "etcd " + prefix + "/kv/";
  }

  std::string prefix = fresh_prefix();
  etcd_client_ptr client;
  std::shared_ptr<storage::kv_store> store;
};

struct split_engine {
  static constexpr const char* backend = "lmdb+etcd";
  static constexpr bool persists = true;
  /// Only LMDB's part is measured.
  static constexpr bool measures_size = false;

  std::shared_ptr<storage::kv_store> open() {
    if (!store) {
      auto local = lmdb.open();
      auto shared = etcd.open();
      if (!local || !shared)
        return nullptr;
      store = std::make_shared<storage::split_store>(local, shared);
    }
    return store;
  }

  void close() {
    store.reset();
    lmdb.close();
    etcd.close();
  }

  std::string where() const {
    return lmdb.where();
  }

  lmdb_engine lmdb;
  etcd_engine etcd;
  std::shared_ptr<storage::kv_store> store;
};

} // namespace rmcp::test
