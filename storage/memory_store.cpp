#include "storage/memory_store.hpp"

#include <vector>

#include "protocol/error.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

struct memory_store::state {
  std::shared_mutex mtx;
  std::map<std::string, table_map, std::less<>> tables;
  std::mutex failure_mtx;
  std::optional<std::string> failure;
};

namespace {

using state = memory_store::state;
using table_map = memory_store::table_map;

caf::error unknown_table(std::string_view table) {
  return make_error(ec::store_failure,
                    "unknown table '" + std::string{table}
                      + "' (declare it in storage/tables.hpp)");
}

/// Read operations shared by both transaction kinds; the caller holds a lock.
class memory_reader {
public:
  explicit memory_reader(state& st) : st_(st) {
    // nop
  }

  table_map* find(std::string_view table) {
    auto i = st_.tables.find(table);
    return i == st_.tables.end() ? nullptr : &i->second;
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) {
    auto* t = find(table);
    if (t == nullptr)
      return unknown_table(table);
    if (auto err = check_key(table, key))
      return err;
    auto i = t->find(key);
    if (i == t->end())
      return std::optional<std::string>{};
    return std::optional<std::string>{i->second};
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) {
    auto* t = find(table);
    if (t == nullptr)
      return unknown_table(table);
    for (auto i = t->lower_bound(prefix); i != t->end(); ++i) {
      if (i->first.compare(0, prefix.size(), prefix) != 0)
        break;
      if (!visit(i->first, i->second))
        break;
    }
    return caf::none;
  }

  caf::expected<uint64_t> count(std::string_view table) {
    auto* t = find(table);
    if (t == nullptr)
      return unknown_table(table);
    return static_cast<uint64_t>(t->size());
  }

protected:
  state& st_;
};

class memory_read_txn : public read_txn, private memory_reader {
public:
  explicit memory_read_txn(state& st) : memory_reader(st), lock_(st.mtx) {
    // nop
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    return memory_reader::get(table, key);
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) override {
    return memory_reader::scan(table, prefix, visit);
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    return memory_reader::count(table);
  }

private:
  std::shared_lock<std::shared_mutex> lock_;
};

/// Applies changes in place under the exclusive lock and keeps an undo log;
/// rollback replays it backwards.
class memory_write_txn : public write_txn, private memory_reader {
public:
  explicit memory_write_txn(state& st) : memory_reader(st), lock_(st.mtx) {
    // nop
  }

  ~memory_write_txn() override {
    if (lock_.owns_lock())
      rollback();
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    if (auto err = check_open())
      return err;
    return memory_reader::get(table, key);
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) override {
    if (auto err = check_open())
      return err;
    return memory_reader::scan(table, prefix, visit);
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    if (auto err = check_open())
      return err;
    return memory_reader::count(table);
  }

  caf::error put(std::string_view table, std::string_view key,
                 std::string_view value) override {
    if (auto err = check_open())
      return err;
    auto* t = find(table);
    if (t == nullptr)
      return unknown_table(table);
    if (auto err = check_key(table, key))
      return err;
    auto i = t->find(key);
    if (i == t->end()) {
      undo_.push_back({t, std::string{key}, std::nullopt});
      t->emplace(std::string{key}, std::string{value});
    } else {
      undo_.push_back({t, std::string{key}, i->second});
      i->second.assign(value.data(), value.size());
    }
    return caf::none;
  }

  caf::expected<bool> erase(std::string_view table,
                            std::string_view key) override {
    if (auto err = check_open())
      return err;
    auto* t = find(table);
    if (t == nullptr)
      return unknown_table(table);
    if (auto err = check_key(table, key))
      return err;
    auto i = t->find(key);
    if (i == t->end())
      return false;
    undo_.push_back({t, i->first, std::move(i->second)});
    t->erase(i);
    return true;
  }

  caf::error commit() override {
    if (auto err = check_open())
      return err;
    undo_.clear();
    lock_.unlock();
    return caf::none;
  }

private:
  struct undo_entry {
    table_map* table;
    std::string key;
    /// The value before the change; nullopt = the key did not exist.
    std::optional<std::string> before;
  };

  caf::error check_open() {
    if (!lock_.owns_lock())
      return make_error(ec::store_failure,
                        "write transaction used after commit");
    return caf::none;
  }

  void rollback() {
    for (auto i = undo_.rbegin(); i != undo_.rend(); ++i) {
      if (i->before)
        (*i->table)[i->key] = std::move(*i->before);
      else
        i->table->erase(i->key);
    }
    undo_.clear();
    lock_.unlock();
  }

  std::unique_lock<std::shared_mutex> lock_;
  std::vector<undo_entry> undo_;
};

} // namespace

memory_store::memory_store() : state_(std::make_unique<state>()) {
  for (auto name : tables::all)
    state_->tables.emplace(std::string{name}, table_map{});
}

memory_store::~memory_store() = default;

void memory_store::inject_failure(std::optional<std::string> message) {
  std::lock_guard<std::mutex> guard{state_->failure_mtx};
  state_->failure = std::move(message);
}

caf::expected<std::unique_ptr<read_txn>> memory_store::begin_read() {
  {
    std::lock_guard<std::mutex> guard{state_->failure_mtx};
    if (state_->failure)
      return make_error(ec::store_failure, *state_->failure);
  }
  return std::unique_ptr<read_txn>{new memory_read_txn(*state_)};
}

caf::expected<std::unique_ptr<write_txn>> memory_store::begin_write() {
  {
    std::lock_guard<std::mutex> guard{state_->failure_mtx};
    if (state_->failure)
      return make_error(ec::store_failure, *state_->failure);
  }
  return std::unique_ptr<write_txn>{new memory_write_txn(*state_)};
}

caf::expected<kv_info> memory_store::info() {
  kv_info result;
  result.backend = "memory";
  std::shared_lock<std::shared_mutex> lock{state_->mtx};
  for (auto& [_, t] : state_->tables)
    for (auto& [k, v] : t)
      result.used_bytes += k.size() + v.size();
  return result;
}

std::shared_ptr<memory_store> make_memory_store() {
  return std::make_shared<memory_store>();
}

} // namespace rmcp::storage
