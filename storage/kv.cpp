#include "storage/kv.hpp"

#include <vector>

#include "protocol/error.hpp"

namespace rmcp::storage {

caf::expected<uint64_t> erase_prefix(write_txn& txn, std::string_view table,
                                     std::string_view prefix, uint64_t keep) {
  std::vector<std::string> keys;
  uint64_t seen = 0;
  auto err =
    txn.scan(table, prefix, [&](std::string_view key, std::string_view) {
      if (++seen > keep)
        keys.emplace_back(key);
      return true;
    });
  if (err)
    return err;
  for (auto& key : keys)
    if (auto erased = txn.erase(table, key); !erased)
      return erased.error();
  return keys.size();
}

caf::error write_atomically(kv_store& kv,
                            const std::function<caf::error(write_txn&)>& fn) {
  auto txn = kv.begin_write();
  if (!txn)
    return txn.error();
  if (auto err = fn(**txn))
    return err; // the destructor rolls back
  return (*txn)->commit();
}

caf::error check_key(std::string_view table, std::string_view key) {
  if (key.empty() || key.size() > max_key_size)
    return make_error(ec::store_failure,
                      "key of " + std::to_string(key.size())
                        + " bytes for table " + std::string{table}
                        + " (legal: 1.." + std::to_string(max_key_size) + ")");
  return caf::none;
}

caf::error unknown_table(std::string_view table) {
  return make_error(ec::store_failure,
                    "unknown table '" + std::string{table}
                      + "' (declare it in storage/tables.hpp)");
}

caf::error finished_transaction() {
  return make_error(ec::store_failure, "transaction used after commit");
}

} // namespace rmcp::storage
