#pragma once

// Opening the persistent store from the server options. The daemon
// (runtime::start) and the admin CLI call the same functions, so both
// resolve the same store directory and the same credential key.

#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/expected.hpp>

#include "src/config/server_options.hpp"
#include "storage/device_store.hpp"
#include "storage/key_source.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::app {

/// Where the key comes from under `opts`; reads ROUTEROS_MCP_ENCRYPTION_KEY
/// from the process environment.
storage::key_request key_request_of(const config::server_options& opts);

/// Store directory (`store.path`, default <data_dir>/store), map size and
/// retention limits from `opts`.
storage::store_settings store_settings_of(const config::server_options& opts);

/// Loads the credential key (generating it in lab when needed) and opens,
/// creating or upgrading, the LMDB store. On a cluster node with etcd
/// (`shared_store_mode`) the store is split (storage/split_store.hpp): the
/// registry, plans and API tokens in etcd under cluster.prefix, the rest in
/// LMDB; every node must then use the same credential key. Errors say what
/// to fix. `lease`: the node's live lease (the daemon's membership), which
/// the shared store compares for the commits that require a claim (a
/// plan's steps); null for a process that is no node (the admin CLI).
caf::expected<std::shared_ptr<storage::device_store>>
open_store(const config::server_options& opts,
           std::shared_ptr<std::atomic<int64_t>> lease = nullptr);

/// Loads the plan approval key (its own key: ROUTEROS_MCP_APPROVAL_KEY,
/// plans.approval_key_file, or in lab <data_dir>/approval.key, generated)
/// and opens the plan tables over `kv` (the store's table layer).
caf::expected<std::shared_ptr<storage::plan_store>>
open_plan_store(const config::server_options& opts,
                std::shared_ptr<storage::kv_store> kv);

} // namespace rmcp::app
