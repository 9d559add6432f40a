#include "src/app/store_setup.hpp"

#include <cstdlib>
#include <optional>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "src/app/cluster_setup.hpp"
#include "src/cluster/etcd_http_client.hpp"
#include "src/cluster/etcd_kv.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/split_store.hpp"
#include "storage/tables.hpp"

namespace rmcp::app {

storage::key_request key_request_of(const config::server_options& opts) {
  storage::key_request req;
  req.environment = opts.environment;
  req.key_file = opts.store_key_file;
  req.data_dir = opts.data_dir;
  if (const char* value = std::getenv("ROUTEROS_MCP_ENCRYPTION_KEY"))
    req.env_key = value;
  return req;
}

storage::store_settings store_settings_of(const config::server_options& opts) {
  storage::store_settings s;
  s.path = opts.store_path.empty() ? opts.data_dir + "/store" : opts.store_path;
  s.map_size_bytes = static_cast<uint64_t>(opts.store_map_size_mib) << 20;
  s.health_history = static_cast<uint32_t>(opts.store_health_history);
  s.snapshot_retention = static_cast<uint32_t>(opts.store_snapshot_retention);
  return s;
}

namespace {

/// Every node decrypts the credentials every other node stored, so all use
/// one key: the first node records its key's id in the shared meta table,
/// and a node with another key is refused before it stores anything.
caf::error check_cluster_key(storage::kv_store& shared,
                             const storage::credential_key& key,
                             const std::string& where) {
  constexpr std::string_view id_key = "credential_key_id";
  return storage::write_atomically(
    shared, [&](storage::write_txn& txn) -> caf::error {
      auto found = txn.get(storage::tables::meta, id_key);
      if (!found)
        return found.error();
      if (!*found)
        return txn.put(storage::tables::meta, id_key, key.id());
      if (**found != key.id())
        return make_error(
          ec::invalid_params,
          "this node's credential key (id " + key.id()
            + ") is not the cluster's (id " + **found + ", recorded in " + where
            + "): every node of a cluster must use the same key "
              "(ROUTEROS_MCP_ENCRYPTION_KEY or store.key_file)");
      return caf::none;
    });
}

/// The node's LMDB for local tables, etcd for the shared ones: each part
/// brought to its own schema first (a node joining a cluster whose etcd
/// holds devices has an empty LMDB, which is not an old store).
caf::expected<std::shared_ptr<storage::device_store>> open_split_store(
  const config::server_options& opts, const storage::store_settings& settings,
  storage::credential_key key, std::shared_ptr<std::atomic<int64_t>> lease) {
  storage::lmdb_options lopts;
  lopts.path = settings.path;
  lopts.map_size_bytes = settings.map_size_bytes;
  auto local = storage::lmdb_store::open(lopts);
  if (!local)
    return local.error();
  if (auto v =
        storage::upgrade(**local, storage::current_schema(), settings.path);
      !v)
    return v.error();
  cluster::etcd_settings es;
  es.endpoints = etcd_endpoints_of(opts);
  auto client = cluster::make_etcd_client(es);
  if (!client)
    return client.error();
  cluster::etcd_kv_options kopts;
  kopts.client = std::move(*client);
  kopts.prefix = cluster_prefix_of(opts);
  kopts.where = "etcd " + opts.cluster_etcd + " " + kopts.prefix + "/kv/";
  kopts.lease = std::move(lease);
  auto where = kopts.where;
  auto shared = cluster::make_etcd_kv_store(std::move(kopts));
  if (!shared)
    return shared.error();
  if (auto v = storage::upgrade(**shared, storage::shared_schema(), where); !v)
    return v.error();
  if (auto err = check_cluster_key(**shared, key, where))
    return err;
  storage::device_store_options dopts;
  dopts.health_history = settings.health_history;
  dopts.snapshot_retention = settings.snapshot_retention;
  auto split = std::make_shared<storage::split_store>(std::move(*local),
                                                      std::move(*shared));
  return storage::open_device_store(std::move(split),
                                    settings.path + " + " + where,
                                    std::move(key), std::move(dopts));
}

} // namespace

caf::expected<std::shared_ptr<storage::device_store>>
open_store(const config::server_options& opts,
           std::shared_ptr<std::atomic<int64_t>> lease) {
  auto key = storage::load_credential_key(key_request_of(opts));
  if (!key)
    return key.error();
  auto settings = store_settings_of(opts);
  auto db = shared_store_mode(opts)
              ? open_split_store(opts, settings, key->key, std::move(lease))
              : storage::open_lmdb_device_store(settings, key->key);
  if (!db)
    return db.error();
  log::info(log::store(), "store-opened",
            {{"path", settings.path},
             {"shared", shared_store_mode(opts) ? opts.cluster_etcd : "no"},
             {"key_source", key->source},
             {"key_id", key->key.id()}});
  return db;
}

caf::expected<std::shared_ptr<storage::plan_store>>
open_plan_store(const config::server_options& opts,
                std::shared_ptr<storage::kv_store> kv) {
  std::optional<std::string> env_key;
  if (const char* value = std::getenv("ROUTEROS_MCP_APPROVAL_KEY"))
    env_key = value;
  auto key = storage::load_credential_key(storage::approval_key_request(
    opts.environment, opts.plans_approval_key_file, opts.data_dir, env_key));
  if (!key)
    return key.error();
  storage::plan_store_options popts;
  popts.allow_self_approval = opts.plans_allow_self_approval;
  popts.approval_ttl_ms = opts.plans_approval_ttl.count();
  log::info(log::rollout(), "plan-store-opened",
            {{"approval_key_source", key->source},
             {"key_id", key->key.id()},
             {"self_approval", popts.allow_self_approval}});
  return std::make_shared<storage::plan_store>(std::move(kv),
                                               std::move(key->key), popts);
}

} // namespace rmcp::app
