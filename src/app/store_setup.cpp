#include "src/app/store_setup.hpp"

#include <cstdlib>
#include <optional>

#include "protocol/log.hpp"

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

caf::expected<std::shared_ptr<storage::device_store>>
open_store(const config::server_options& opts) {
  auto key = storage::load_credential_key(key_request_of(opts));
  if (!key)
    return key.error();
  auto settings = store_settings_of(opts);
  auto db = storage::open_lmdb_device_store(settings, key->key);
  if (!db)
    return db.error();
  log::store()->info("store-opened path={} key_source=\"{}\" key_id={}",
                     settings.path, key->source, key->key.id());
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
  log::rollout()->info("plan-store-opened approval_key_source=\"{}\" "
                       "key_id={} self_approval={}",
                       key->source, key->key.id(), popts.allow_self_approval);
  return std::make_shared<storage::plan_store>(std::move(kv),
                                               std::move(key->key), popts);
}

} // namespace rmcp::app
