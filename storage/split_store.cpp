#include "storage/split_store.hpp"

#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include "protocol/error.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

using parts_ptr = std::shared_ptr<const split_store::parts>;

/// Shared by the read and the write transaction: which engine a record
/// lives in, and that engine's transaction, opened on first use.
template <class Base, class Txn>
class split_txn : public Base {
public:
  explicit split_txn(parts_ptr p) : p_(std::move(p)) {
    // nop
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    auto t = side(shared(table, key));
    if (!t)
      return t.error();
    return (*t)->get(table, key);
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) override {
    auto home = p_->routes.table(table);
    if (home != table_home::by_key) {
      auto t = side(home == table_home::shared);
      if (!t)
        return t.error();
      return (*t)->scan(table, prefix, visit);
    }
    // Both engines, each record from the engine it is routed to, merged
    // in key order.
    std::map<std::string, std::string, std::less<>> merged;
    for (bool from_shared : {false, true}) {
      auto t = side(from_shared);
      if (!t)
        return t.error();
      auto err =
        (*t)->scan(table, prefix, [&](std::string_view k, std::string_view v) {
          if (p_->routes.key(table, k) == from_shared)
            merged.emplace(k, v);
          return true;
        });
      if (err)
        return err;
    }
    for (auto& [k, v] : merged)
      if (!visit(k, v))
        break;
    return caf::none;
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    auto home = p_->routes.table(table);
    if (home != table_home::by_key) {
      auto t = side(home == table_home::shared);
      if (!t)
        return t.error();
      return (*t)->count(table);
    }
    uint64_t n = 0;
    auto err = scan(table, "", [&n](std::string_view, std::string_view) {
      ++n;
      return true;
    });
    if (err)
      return err;
    return n;
  }

protected:
  bool shared(std::string_view table, std::string_view key) const {
    switch (p_->routes.table(table)) {
      case table_home::shared:
        return true;
      case table_home::by_key:
        return p_->routes.key(table, key);
      default:
        return false;
    }
  }

  /// The transaction of one engine, begun when first needed.
  caf::expected<Txn*> side(bool of_shared) {
    if (done_)
      return finished_transaction();
    auto& slot = of_shared ? shared_ : local_;
    if (!slot) {
      auto& kv = of_shared ? *p_->shared : *p_->local;
      auto t = begin(kv);
      if (!t)
        return t.error();
      slot = std::move(*t);
    }
    return slot.get();
  }

  static caf::expected<std::unique_ptr<Txn>> begin(kv_store& kv) {
    if constexpr (std::is_same_v<Txn, write_txn>)
      return kv.begin_write();
    else
      return kv.begin_read();
  }

  parts_ptr p_;
  std::unique_ptr<Txn> local_;
  std::unique_ptr<Txn> shared_;
  bool done_ = false;
};

using split_read = split_txn<read_txn, read_txn>;

class split_write : public split_txn<write_txn, write_txn> {
public:
  using split_txn::split_txn;

  caf::error put(std::string_view table, std::string_view key,
                 std::string_view value) override {
    auto t = side(shared(table, key));
    if (!t)
      return t.error();
    return (*t)->put(table, key, value);
  }

  caf::expected<bool> erase(std::string_view table,
                            std::string_view key) override {
    auto t = side(shared(table, key));
    if (!t)
      return t.error();
    return (*t)->erase(table, key);
  }

  caf::error require_claim(std::string_view claim) override {
    // Claims are the shared engine's: its part of the commit carries it.
    auto t = side(true);
    if (!t)
      return t.error();
    return (*t)->require_claim(claim);
  }

  caf::error commit() override {
    if (done_)
      return finished_transaction();
    done_ = true;
    // Shared first: when it fails, the local part is dropped with the
    // transaction and nothing changed anywhere.
    if (shared_)
      if (auto err = shared_->commit())
        return err;
    if (local_)
      if (auto err = local_->commit())
        return make_error(error_code_of(err),
                          shared_ ? "the shared part of the change was "
                                    "committed, the local part failed: "
                                      + error_message(err)
                                  : error_message(err));
    return caf::none;
  }
};

bool is_shared_table(std::string_view table) {
  namespace t = tables;
  for (auto s : {t::devices, t::credentials, t::plans, t::plan_journal,
                 t::plan_devices, t::plan_previews, t::plan_status})
    if (s == table)
      return true;
  return false;
}

} // namespace

const split_routes& cluster_routes() {
  static const split_routes routes{
    [](std::string_view table) {
      if (table == tables::meta)
        return table_home::by_key;
      return is_shared_table(table) ? table_home::shared : table_home::local;
    },
    // meta: the generation counts changes of the shared registry and the
    // credential key id names the key of its credentials, so both are
    // shared with it; the schema version and the audit chain head describe
    // the node's own LMDB.
    [](std::string_view, std::string_view key) {
      return key == "generation" || key == "credential_key_id";
    },
  };
  return routes;
}

split_store::split_store(std::shared_ptr<kv_store> local,
                         std::shared_ptr<kv_store> shared, split_routes routes)
  : parts_(std::make_shared<const parts>(
    parts{std::move(local), std::move(shared), std::move(routes)})) {
  // nop
}

caf::expected<std::unique_ptr<read_txn>> split_store::begin_read() {
  return std::unique_ptr<read_txn>{new split_read(parts_)};
}

caf::expected<std::unique_ptr<write_txn>> split_store::begin_write() {
  return std::unique_ptr<write_txn>{new split_write(parts_)};
}

caf::expected<kv_info> split_store::info() {
  auto local = parts_->local->info();
  if (!local)
    return local.error();
  auto shared = parts_->shared->info();
  if (!shared)
    return shared.error();
  local->backend += "+" + shared->backend;
  return local;
}

} // namespace rmcp::storage
