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
  std::atomic<uint64_t> commits{0};
};

namespace {

using state = memory_store::state;
using table_map = memory_store::table_map;

/// The read operations of both transaction kinds. `Lock` is held for the
/// transaction's lifetime (shared for readers, exclusive for the writer).
template <class Interface, class Lock>
class memory_txn : public Interface {
public:
  explicit memory_txn(state& st) : st_(st), lock_(st.mtx) {
    // nop
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    auto t = usable_table(table, key);
    if (!t)
      return t.error();
    auto i = (*t)->find(key);
    if (i == (*t)->end())
      return std::optional<std::string>{};
    return std::optional<std::string>{i->second};
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) override {
    auto t = usable_table(table);
    if (!t)
      return t.error();
    for (auto i = (*t)->lower_bound(prefix); i != (*t)->end(); ++i) {
      if (i->first.compare(0, prefix.size(), prefix) != 0)
        break;
      if (!visit(i->first, i->second))
        break;
    }
    return caf::none;
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    auto t = usable_table(table);
    if (!t)
      return t.error();
    return static_cast<uint64_t>((*t)->size());
  }

protected:
  /// The table, or an error when it is unknown or the transaction finished.
  caf::expected<table_map*> usable_table(std::string_view table) {
    if (!lock_.owns_lock())
      return finished_transaction();
    auto i = st_.tables.find(table);
    if (i == st_.tables.end())
      return unknown_table(table);
    return &i->second;
  }

  /// Like usable_table(table), and checks `key` against the key limits.
  caf::expected<table_map*> usable_table(std::string_view table,
                                         std::string_view key) {
    if (auto err = check_key(table, key))
      return err;
    return usable_table(table);
  }

  state& st_;
  Lock lock_;
};

using memory_read_txn =
  memory_txn<read_txn, std::shared_lock<std::shared_mutex>>;

/// Applies changes in place under the exclusive lock and keeps an undo log;
/// rollback replays it backwards.
class memory_write_txn
  : public memory_txn<write_txn, std::unique_lock<std::shared_mutex>> {
public:
  using memory_txn::memory_txn;

  ~memory_write_txn() override {
    if (lock_.owns_lock())
      rollback();
  }

  caf::error put(std::string_view table, std::string_view key,
                 std::string_view value) override {
    auto t = usable_table(table, key);
    if (!t)
      return t.error();
    auto i = (*t)->find(key);
    if (i == (*t)->end()) {
      undo_.push_back({*t, std::string{key}, std::nullopt});
      (*t)->emplace(std::string{key}, std::string{value});
    } else {
      undo_.push_back({*t, std::string{key}, i->second});
      i->second.assign(value.data(), value.size());
    }
    return caf::none;
  }

  caf::expected<bool> erase(std::string_view table,
                            std::string_view key) override {
    auto t = usable_table(table, key);
    if (!t)
      return t.error();
    auto i = (*t)->find(key);
    if (i == (*t)->end())
      return false;
    undo_.push_back({*t, i->first, std::move(i->second)});
    (*t)->erase(i);
    return true;
  }

  caf::error commit() override {
    if (!lock_.owns_lock())
      return finished_transaction();
    undo_.clear();
    ++st_.commits;
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

uint64_t memory_store::commits() const {
  return state_->commits.load();
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
