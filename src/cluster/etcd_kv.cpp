#include "src/cluster/etcd_kv.hpp"

#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "protocol/error.hpp"
#include "src/cluster/etcd_json.hpp"
#include "storage/tables.hpp"

namespace rmcp::cluster {

namespace {

using ms = std::chrono::milliseconds;

/// What every transaction of one store shares.
struct shared_state {
  etcd_kv_options opts;
  std::string base; // <prefix>/kv/
  std::string lock; // <prefix>/kv-lock

  std::string table_prefix(std::string_view table) const {
    return base + std::string{table} + "/";
  }

  std::string full(std::string_view table, std::string_view key) const {
    return table_prefix(table) + std::string{key};
  }

  caf::error failed(const std::string& what, const caf::error& why) const {
    return make_error(ec::store_failure, "shared store (" + opts.where + "): "
                                           + what + ": " + error_message(why));
  }

  /// Calls the client and waits for its answer (the client answers within
  /// its own deadline; `opts.timeout` is the backstop).
  template <class T, class Call>
  caf::expected<T> wait(const std::string& what, Call call) const {
    auto p = std::make_shared<std::promise<caf::expected<T>>>();
    auto f = p->get_future();
    call([p](caf::expected<T> r) { p->set_value(std::move(r)); });
    if (f.wait_for(opts.timeout) != std::future_status::ready)
      return make_error(ec::store_failure,
                        "shared store (" + opts.where + "): " + what
                          + ": etcd did not answer within "
                          + std::to_string(opts.timeout.count()) + " ms");
    auto r = f.get();
    if (!r)
      return failed(what, r.error());
    return r;
  }

  caf::expected<etcd_range> range(const etcd_range_query& q,
                                  const std::string& what) const {
    return wait<etcd_range>(
      what, [&](auto cb) { opts.client->range_at(q, std::move(cb)); });
  }
};

using state_ptr = std::shared_ptr<const shared_state>;

caf::error check_table(std::string_view table) {
  if (!storage::tables::is_known(table))
    return storage::unknown_table(table);
  return caf::none;
}

/// Reads at one revision: 0 until the first answer pins it.
class snapshot_reader {
public:
  snapshot_reader(state_ptr st, int64_t revision)
    : st_(std::move(st)), revision_(revision) {
    // nop
  }

  int64_t revision() const noexcept {
    return revision_;
  }

  /// A write transaction's reads: each key read and the mod revision it
  /// had (0: absent); `wide` once a range was scanned or counted.
  struct read_set {
    std::map<std::string, int64_t, std::less<>> keys;
    bool wide = false;
  };

  void track(read_set* reads) {
    reads_ = reads;
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) {
    if (auto err = check_table(table))
      return err;
    if (auto err = storage::check_key(table, key))
      return err;
    etcd_range_query q;
    q.key = st_->full(table, key);
    q.revision = revision_;
    auto r = st_->range(q, "reading " + std::string{table});
    if (!r)
      return r.error();
    pin(r->revision);
    if (reads_ != nullptr)
      reads_->keys[q.key] = r->kvs.empty() ? 0 : r->kvs.front().mod_revision;
    if (r->kvs.empty())
      return std::optional<std::string>{};
    return std::optional<std::string>{std::move(r->kvs.front().value)};
  }

  /// Visits the committed records of `table` under `prefix` in key order
  /// (keys without the table prefix), one page per call.
  caf::error scan(std::string_view table, std::string_view prefix,
                  const storage::record_visitor& visit) {
    if (auto err = check_table(table))
      return err;
    if (reads_ != nullptr)
      reads_->wide = true;
    auto tp = st_->table_prefix(table);
    etcd_range_query q;
    q.key = tp + std::string{prefix};
    q.range_end = prefix_end(q.key);
    q.limit = st_->opts.scan_page;
    for (;;) {
      q.revision = revision_;
      auto r = st_->range(q, "scanning " + std::string{table});
      if (!r)
        return r.error();
      pin(r->revision);
      for (auto& kv : r->kvs) {
        if (kv.key.compare(0, tp.size(), tp) != 0)
          return make_error(ec::store_failure,
                            "shared store (" + st_->opts.where
                              + "): etcd answered a key outside the range "
                                "of table "
                              + std::string{table});
        std::string_view key{kv.key};
        key.remove_prefix(tp.size());
        if (!visit(key, kv.value))
          return caf::none;
      }
      if (!r->more || r->kvs.empty())
        return caf::none;
      q.key = r->kvs.back().key + std::string(1, '\0');
    }
  }

  caf::expected<uint64_t> count(std::string_view table) {
    if (auto err = check_table(table))
      return err;
    if (reads_ != nullptr)
      reads_->wide = true;
    etcd_range_query q;
    q.key = st_->table_prefix(table);
    q.range_end = prefix_end(q.key);
    q.revision = revision_;
    q.count_only = true;
    auto r = st_->range(q, "counting " + std::string{table});
    if (!r)
      return r.error();
    pin(r->revision);
    return static_cast<uint64_t>(r->count);
  }

private:
  void pin(int64_t revision) {
    if (revision_ == 0)
      revision_ = revision;
  }

  state_ptr st_;
  int64_t revision_;
  read_set* reads_ = nullptr;
};

class etcd_read_txn : public storage::read_txn {
public:
  explicit etcd_read_txn(state_ptr st) : reader_(std::move(st), 0) {
    // nop
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    return reader_.get(table, key);
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const storage::record_visitor& visit) override {
    return reader_.scan(table, prefix, visit);
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    return reader_.count(table);
  }

private:
  snapshot_reader reader_;
};

std::string commit_id() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string out;
  auto n = gen();
  for (int i = 0; i < 16; ++i, n >>= 4)
    out += hex[n & 0xf];
  return out;
}

class etcd_write_txn : public storage::write_txn {
public:
  etcd_write_txn(state_ptr st, int64_t revision, int64_t lock_mod)
    : st_(st), reader_(std::move(st), revision), lock_mod_(lock_mod) {
    reader_.track(&reads_);
  }

  caf::error require_claim(std::string_view claim) override {
    if (done_)
      return storage::finished_transaction();
    if (claim.empty() || claim.front() == '/')
      return make_error(ec::store_failure,
                        "shared store (" + st_->opts.where
                          + "): a claim is a key under the cluster prefix, "
                            "got '"
                          + std::string{claim} + "'");
    claims_.insert(st_->opts.prefix + "/" + std::string{claim});
    return caf::none;
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    if (done_)
      return storage::finished_transaction();
    if (auto err = check_table(table))
      return err;
    if (auto err = storage::check_key(table, key))
      return err;
    if (auto i = changes_.find(st_->full(table, key)); i != changes_.end())
      return i->second;
    return reader_.get(table, key);
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const storage::record_visitor& visit) override {
    if (done_)
      return storage::finished_transaction();
    // The snapshot's records with this transaction's changes laid over.
    std::map<std::string, std::string, std::less<>> merged;
    if (auto err = reader_.scan(table, prefix,
                                [&](std::string_view k, std::string_view v) {
                                  merged.emplace(k, v);
                                  return true;
                                }))
      return err;
    auto tp = st_->table_prefix(table);
    auto lo = tp + std::string{prefix};
    for (auto i = changes_.lower_bound(lo);
         i != changes_.end() && i->first.compare(0, lo.size(), lo) == 0; ++i) {
      auto key = i->first.substr(tp.size());
      if (i->second)
        merged[key] = *i->second;
      else
        merged.erase(key);
    }
    for (auto& [k, v] : merged)
      if (!visit(k, v))
        break;
    return caf::none;
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    uint64_t n = 0;
    if (auto err = scan(table, "", [&n](std::string_view, std::string_view) {
          ++n;
          return true;
        }))
      return err;
    return n;
  }

  caf::error put(std::string_view table, std::string_view key,
                 std::string_view value) override {
    if (done_)
      return storage::finished_transaction();
    if (auto err = check_table(table))
      return err;
    if (auto err = storage::check_key(table, key))
      return err;
    changes_[st_->full(table, key)] = std::string{value};
    return caf::none;
  }

  caf::expected<bool> erase(std::string_view table,
                            std::string_view key) override {
    auto existing = get(table, key);
    if (!existing)
      return existing.error();
    changes_[st_->full(table, key)] = std::nullopt;
    return existing->has_value();
  }

  caf::error commit() override {
    if (done_)
      return storage::finished_transaction();
    done_ = true;
    if (changes_.empty())
      return caf::none;
    auto& opts = st_->opts;
    auto ops = changes_.size() + 1;
    if (ops > opts.max_txn_ops)
      return over_limit(std::to_string(ops) + " operations", opts.max_txn_ops,
                        "per etcd transaction (etcd --max-txn-ops)");
    etcd_txn t;
    int64_t lease = 0;
    if (!claims_.empty() && st_->opts.lease) {
      lease = st_->opts.lease->load();
      if (lease == 0)
        return claim_lost(*claims_.begin(), "this node holds no lease (it is "
                                            "out of the cluster)");
      for (auto& c : claims_)
        t.compare.push_back({etcd_compare::target::lease, c, lease});
    }
    // Single keys read: each unchanged; a range read, or more keys than
    // etcd takes compares: no commit since the snapshot at all.
    if (reads_.wide
        || reads_.keys.size() + t.compare.size() >= opts.max_txn_ops)
      t.compare.push_back({etcd_compare::target::mod, st_->lock, lock_mod_});
    else
      for (auto& [key, mod] : reads_.keys)
        t.compare.push_back({etcd_compare::target::mod, key, mod});
    // Base64 grows keys and values by 4/3; 64 bytes of JSON per operation.
    size_t bytes = 0;
    for (auto& [key, value] : changes_) {
      etcd_op op;
      op.what = value ? etcd_op::kind::put : etcd_op::kind::remove;
      op.key = key;
      if (value)
        op.value = *value;
      bytes += (op.key.size() + op.value.size()) * 4 / 3 + 64;
      t.success.push_back(std::move(op));
    }
    if (bytes > opts.max_request_bytes)
      return over_limit("about " + std::to_string(bytes) + " bytes",
                        opts.max_request_bytes,
                        "bytes per etcd request (etcd --max-request-bytes)");
    auto id = commit_id();
    t.success.push_back({etcd_op::kind::put, st_->lock, id, 0});
    auto r = st_->wait<etcd_txn_result>(
      "committing", [&](auto cb) { opts.client->txn(t, std::move(cb)); });
    if (!r)
      return settle_unknown(r.error(), id);
    if (!r->succeeded) {
      if (lease != 0)
        if (auto err = check_claims(lease))
          return err;
      return conflict();
    }
    return caf::none;
  }

private:
  /// A commit too large for etcd: refused whole, naming the limit.
  caf::error over_limit(const std::string& size, size_t limit,
                        const std::string& unit) const {
    return make_error(ec::store_failure, "shared store (" + st_->opts.where
                                           + "): a commit of " + size
                                           + " exceeds the limit of "
                                           + std::to_string(limit) + " " + unit
                                           + "; nothing was changed");
  }

  caf::error conflict() const {
    return make_error(ec::conflict,
                      "shared store (" + st_->opts.where
                        + "): another commit changed the shared state since "
                          "this transaction read it; nothing was changed, "
                          "retry");
  }

  caf::error claim_lost(const std::string& claim,
                        const std::string& why) const {
    return make_error(ec::store_failure,
                      "shared store (" + st_->opts.where
                        + "): this node no longer holds the claim " + claim
                        + " (" + why + "); nothing was changed");
  }

  /// After a failed compare: a claim that is not this node's any more is
  /// the reason (not to be retried); none when every claim still holds.
  caf::error check_claims(int64_t lease) const {
    for (auto& c : claims_) {
      etcd_range_query q;
      q.key = c;
      auto r = st_->range(q, "checking the claim " + c);
      if (!r)
        return r.error();
      if (r->kvs.empty())
        return claim_lost(c, "it is gone: this node's lease "
                               + std::to_string(lease) + " expired or was "
                               + "revoked");
      if (r->kvs.front().lease != lease)
        return claim_lost(
          c, "it is held under lease " + std::to_string(r->kvs.front().lease)
               + " by " + r->kvs.front().value + ", not this node's lease "
               + std::to_string(lease));
    }
    return caf::none;
  }

  /// The commit's answer was lost (etcd unreachable, a timeout): the lock
  /// says whether it was applied. Its value is this commit's id only if
  /// this commit was the last one; unchanged, nothing was applied.
  caf::error settle_unknown(const caf::error& why, const std::string& id) {
    etcd_range_query q;
    q.key = st_->lock;
    auto r = st_->range(q, "checking a commit whose answer was lost");
    if (r && !r->kvs.empty() && r->kvs.front().value == id)
      return caf::none;
    if (r && (r->kvs.empty() ? 0 : r->kvs.front().mod_revision) == lock_mod_)
      return make_error(ec::store_failure,
                        error_message(why) + "; nothing was changed");
    return make_error(ec::store_failure,
                      error_message(why)
                        + "; whether the commit was applied is unknown (etcd "
                          "did not answer): read the state again");
  }

  state_ptr st_;
  snapshot_reader reader_;
  int64_t lock_mod_;
  snapshot_reader::read_set reads_;
  /// Full etcd keys of the claims the commit requires.
  std::set<std::string> claims_;
  /// Full etcd key → new value, or nullopt for an erase.
  std::map<std::string, std::optional<std::string>, std::less<>> changes_;
  bool done_ = false;
};

class etcd_kv_store : public storage::kv_store {
public:
  explicit etcd_kv_store(state_ptr st) : st_(std::move(st)) {
    // nop
  }

  caf::expected<std::unique_ptr<storage::read_txn>> begin_read() override {
    return std::unique_ptr<storage::read_txn>{new etcd_read_txn(st_)};
  }

  caf::expected<std::unique_ptr<storage::write_txn>> begin_write() override {
    // The lock's mod revision at the snapshot the transaction reads.
    etcd_range_query q;
    q.key = st_->lock;
    auto r = st_->range(q, "beginning a write");
    if (!r)
      return r.error();
    auto lock_mod = r->kvs.empty() ? 0 : r->kvs.front().mod_revision;
    return std::unique_ptr<storage::write_txn>{
      new etcd_write_txn(st_, r->revision, lock_mod)};
  }

  caf::expected<storage::kv_info> info() override {
    storage::kv_info out;
    out.backend = "etcd";
    out.path = st_->opts.where;
    // etcd's size is etcd's own metric (etcd_mvcc_db_total_size_in_bytes).
    return out;
  }

private:
  state_ptr st_;
};

} // namespace

caf::expected<std::shared_ptr<storage::kv_store>>
make_etcd_kv_store(etcd_kv_options opts) {
  if (!opts.client)
    return make_error(ec::invalid_params, "shared store: no etcd client");
  if (opts.prefix.empty() || opts.prefix.back() == '/')
    return make_error(ec::invalid_params,
                      "shared store: the key prefix must be non-empty and not "
                      "end in '/' (cluster.prefix), got '"
                        + opts.prefix + "'");
  if (opts.scan_page <= 0)
    opts.scan_page = 500;
  if (opts.where.empty())
    opts.where = "etcd " + opts.prefix + "/kv/";
  auto st = std::make_shared<shared_state>();
  st->base = opts.prefix + "/kv/";
  st->lock = opts.prefix + "/kv-lock";
  st->opts = std::move(opts);
  return std::shared_ptr<storage::kv_store>{
    std::make_shared<etcd_kv_store>(std::move(st))};
}

} // namespace rmcp::cluster
