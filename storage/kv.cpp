#include "storage/kv.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
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
  caf::error last;
  for (int attempt = 0; attempt < max_commit_attempts; ++attempt) {
    if (attempt > 0) {
      // Jittered backoff: the writers that collided do not collide again
      // in lockstep. The caller is a detached store actor (it blocks on
      // commits anyway).
      thread_local std::minstd_rand gen{std::random_device{}()};
      auto cap = 2 << std::min(attempt, 6);
      std::this_thread::sleep_for(std::chrono::milliseconds{
        1 + static_cast<int>(gen() % static_cast<unsigned>(cap))});
    }
    auto txn = kv.begin_write();
    if (!txn)
      return txn.error();
    if (auto err = fn(**txn))
      return err; // the destructor rolls back
    last = (*txn)->commit();
    if (!last || error_code_of(last) != ec::conflict)
      return last;
  }
  return make_error(ec::store_busy,
                    error_message(last) + " (gave up after "
                      + std::to_string(max_commit_attempts)
                      + " attempts: the shared store is busy; retry later)");
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
