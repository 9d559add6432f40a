#include "storage/schema.hpp"

#include <algorithm>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "protocol/log.hpp"
#include "storage/audit_log.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

constexpr std::string_view version_key = "schema_version";
constexpr std::string_view generation_key = "generation";

/// Reads an unsigned counter stored as a JSON number.
caf::expected<uint64_t> read_counter(read_txn& txn, std::string_view key) {
  auto raw = txn.get(tables::meta, key);
  if (!raw)
    return raw.error();
  if (!*raw)
    return uint64_t{0};
  auto doc = parse_json(**raw);
  if (!doc || !doc->is_number_unsigned())
    return make_error(ec::store_failure, "corrupt record meta/"
                                           + std::string{key}
                                           + ": not an unsigned number");
  return doc->get<uint64_t>();
}

caf::error write_counter(write_txn& txn, std::string_view key, uint64_t value) {
  return txn.put(tables::meta, key, std::to_string(value));
}

/// True when no table other than meta holds a record.
caf::expected<bool> is_empty(read_txn& txn) {
  for (auto table : tables::all) {
    if (table == tables::meta)
      continue;
    auto n = txn.count(table);
    if (!n)
      return n.error();
    if (*n > 0)
      return false;
  }
  return true;
}

} // namespace

const schema& current_schema() {
  static const schema instance{
    2,
    {{1, "hash-chain the audit trail (prev_hash, hash, meta/audit_head)",
      [](write_txn& txn) { return rechain_audit(txn); }}}};
  return instance;
}

const schema& shared_schema() {
  static const schema instance{1, {}};
  return instance;
}

caf::expected<uint32_t> read_schema_version(read_txn& txn) {
  auto v = read_counter(txn, version_key);
  if (!v)
    return v.error();
  return static_cast<uint32_t>(*v);
}

caf::expected<uint64_t> read_generation(read_txn& txn) {
  return read_counter(txn, generation_key);
}

caf::error bump_generation(write_txn& txn) {
  auto g = read_counter(txn, generation_key);
  if (!g)
    return g.error();
  return write_counter(txn, generation_key, *g + 1);
}

caf::expected<uint32_t> upgrade(kv_store& kv, const schema& target,
                                const std::string& where) {
  auto txn = kv.begin_write();
  if (!txn)
    return txn.error();
  auto found = read_schema_version(**txn);
  if (!found)
    return found.error();
  if (*found == 0) {
    auto empty = is_empty(**txn);
    if (!empty)
      return empty.error();
    if (*empty) {
      if (auto err = write_counter(**txn, version_key, target.version))
        return err;
      if (auto err = (*txn)->commit())
        return err;
      log::info(log::store(), "store-created",
                {{"store", where}, {"schema_version", target.version}});
      return target.version;
    }
  }
  if (*found > target.version)
    return make_error(
      ec::store_failure,
      "the store at " + where + " has schema version " + std::to_string(*found)
        + ", newer than this build supports (" + std::to_string(target.version)
        + "): run a newer routeros-mcp or point store.path "
          "elsewhere");
  if (*found == target.version)
    return *found;
  for (auto v = *found; v < target.version; ++v) {
    auto step = std::find_if(target.migrations.begin(), target.migrations.end(),
                             [v](const migration& m) { return m.from == v; });
    if (step == target.migrations.end())
      return make_error(ec::store_failure,
                        "the store at " + where + " has schema version "
                          + std::to_string(*found)
                          + " and this build has no migration from version "
                          + std::to_string(v)
                          + "; it was not written by a supported "
                            "routeros-mcp");
    if (auto err = step->apply(**txn))
      return make_error(ec::store_failure,
                        "migration of the store at " + where + " from version "
                          + std::to_string(v) + " to " + std::to_string(v + 1)
                          + " (" + step->description
                          + ") failed; nothing was changed: "
                          + error_message(err));
    log::info(log::store(), "store-migration-applied",
              {{"store", where},
               {"from", v},
               {"to", v + 1},
               {"what", step->description}});
  }
  if (auto err = write_counter(**txn, version_key, target.version))
    return err;
  if (auto err = (*txn)->commit())
    return err;
  log::info(log::store(), "store-upgraded",
            {{"store", where}, {"from", *found}, {"to", target.version}});
  return *found;
}

} // namespace rmcp::storage
