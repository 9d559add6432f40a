#include "storage/lmdb_store.hpp"

#include <lmdb.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/files.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

struct lmdb_store::impl {
  MDB_env* env = nullptr;
  std::string path;
  std::map<std::string, MDB_dbi, std::less<>> dbis;
  /// Guards `map` against LMDB moving the map (adopting a size another
  /// process set) while release_map drops its pages.
  std::mutex map_mtx;
  /// This process's memory map of data.mdb (LMDB does not expose it);
  /// null when it cannot be found (then nothing is released).
  void* map = nullptr;
  /// File size, in pages, when the map's pages were last released.
  std::atomic<uint64_t> released_at{0};

  ~impl() {
    if (env != nullptr)
      mdb_env_close(env);
  }

  caf::error fail(int rc, std::string_view what) const {
    std::string text = "lmdb " + std::string{what} + " failed for the store at "
                       + path + ": " + mdb_strerror(rc);
    if (rc == MDB_MAP_FULL) {
      MDB_envinfo info;
      mdb_env_info(env, &info);
      text += " (map size " + std::to_string(info.me_mapsize >> 20)
              + " MiB; raise store.map_size_mib)";
    }
    return make_error(ec::store_failure, std::move(text));
  }

  caf::expected<MDB_dbi> dbi(std::string_view table) const {
    auto i = dbis.find(table);
    if (i == dbis.end())
      return unknown_table(table);
    return i->second;
  }

  /// Begins a transaction; adopts a map grown by another process.
  caf::expected<MDB_txn*> begin(unsigned flags) {
    MDB_txn* txn = nullptr;
    auto rc = mdb_txn_begin(env, nullptr, flags, &txn);
    if (rc == MDB_MAP_RESIZED) {
      log::info(log::store(), "store-map-resized", {{"path", path}});
      std::lock_guard<std::mutex> guard{map_mtx};
      if (auto rc2 = mdb_env_set_mapsize(env, 0); rc2 != 0)
        return fail(rc2, "adopting the new map size");
      map = find_map();
      rc = mdb_txn_begin(env, nullptr, flags, &txn);
    }
    if (rc != 0)
      return fail(rc, "transaction begin");
    return txn;
  }

  /// The start of this process's mapping of data.mdb (mdb_env_info's
  /// me_mapaddr is null unless the map is fixed): the line of
  /// /proc/self/maps with the file's inode, offset 0, a shared read-only
  /// mapping ("r--s": LMDB without MDB_WRITEMAP) and the map's exact size.
  /// Anything else is never taken for it, so release_map cannot drop the
  /// pages of another mapping.
  void* find_map() const {
    mdb_filehandle_t fd;
    struct stat st;
    MDB_envinfo info;
    if (mdb_env_get_fd(env, &fd) != 0 || ::fstat(fd, &st) != 0
        || mdb_env_info(env, &info) != 0)
      return nullptr;
    std::ifstream maps{"/proc/self/maps"};
    std::string line;
    while (std::getline(maps, line)) {
      std::istringstream in{line};
      std::string range, perms, offset, dev;
      unsigned long long inode = 0;
      if (!(in >> range >> perms >> offset >> dev >> inode)
          || inode != static_cast<unsigned long long>(st.st_ino)
          || perms != "r--s" || std::strtoull(offset.c_str(), nullptr, 16) != 0)
        continue;
      char* rest = nullptr;
      auto begin = std::strtoull(range.c_str(), &rest, 16);
      if (rest == nullptr || *rest != '-')
        continue;
      auto end = std::strtoull(rest + 1, nullptr, 16);
      if (end > begin && end - begin == info.me_mapsize)
        return reinterpret_cast<void*>(begin);
    }
    return nullptr;
  }

  /// Drops this process's mapping of the store file's pages each time the
  /// file has grown by `release_step_pages` since the last time. LMDB reads
  /// through a shared read-only memory map, and the kernel's fault-around
  /// maps the cached pages next to each page a transaction reads (64 KiB
  /// windows). The pages every commit appends (the audit trail, mostly)
  /// were just written, so they are cached, and the reads of the tables'
  /// newest pages at the end of the file map them, read or not: the
  /// resident set grew with the file (0.5-0.7 KiB per audited call) though
  /// nothing reads the old pages again. MADV_DONTNEED on a shared file
  /// mapping drops only the page table entries: the page cache keeps the
  /// data (clean pages the kernel may reclaim), nothing is lost, and a
  /// reader in any thread that touches a page again takes a minor fault,
  /// so it is safe while other transactions run.
  void release_map() {
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0)
      return;
    auto used = static_cast<uint64_t>(info.me_last_pgno) + 1;
    auto last = released_at.load(std::memory_order_relaxed);
    if (used < last + release_step_pages
        || !released_at.compare_exchange_strong(last, used))
      return;
    std::lock_guard<std::mutex> guard{map_mtx};
    if (map != nullptr)
      ::madvise(map, std::min<uint64_t>(used * st.ms_psize, info.me_mapsize),
                MADV_DONTNEED);
  }

  /// 1 MiB of 4 KiB pages: a release costs one madvise and a few dozen
  /// minor faults of the tables' upper pages afterwards, about once per
  /// 1,500 audited calls.
  static constexpr uint64_t release_step_pages = 256;
};

namespace {

MDB_val to_val(std::string_view x) {
  return MDB_val{x.size(), const_cast<char*>(x.data())};
}

std::string_view from_val(const MDB_val& x) {
  return {static_cast<const char*>(x.mv_data), x.mv_size};
}

/// The read operations of both transaction kinds.
template <class Interface>
class lmdb_txn : public Interface {
public:
  lmdb_txn(lmdb_store::impl& env, MDB_txn* txn) : env_(env), txn_(txn) {
    // nop
  }

  caf::expected<std::optional<std::string>> get(std::string_view table,
                                                std::string_view key) override {
    auto dbi = usable_dbi(table, key);
    if (!dbi)
      return dbi.error();
    auto k = to_val(key);
    MDB_val v;
    auto rc = mdb_get(txn_, *dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
      return std::optional<std::string>{};
    if (rc != 0)
      return env_.fail(rc, "get");
    return std::optional<std::string>{std::string{from_val(v)}};
  }

  caf::error scan(std::string_view table, std::string_view prefix,
                  const record_visitor& visit) override {
    auto dbi = usable_dbi(table);
    if (!dbi)
      return dbi.error();
    MDB_cursor* cur = nullptr;
    if (auto rc = mdb_cursor_open(txn_, *dbi, &cur); rc != 0)
      return env_.fail(rc, "cursor open");
    auto k = to_val(prefix);
    MDB_val v;
    auto rc =
      mdb_cursor_get(cur, &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
    while (rc == 0) {
      auto key = from_val(k);
      if (key.substr(0, prefix.size()) != prefix)
        break;
      if (!visit(key, from_val(v)))
        break;
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
      return env_.fail(rc, "cursor scan");
    return caf::none;
  }

  caf::expected<uint64_t> count(std::string_view table) override {
    auto dbi = usable_dbi(table);
    if (!dbi)
      return dbi.error();
    MDB_stat st;
    if (auto rc = mdb_stat(txn_, *dbi, &st); rc != 0)
      return env_.fail(rc, "stat");
    return static_cast<uint64_t>(st.ms_entries);
  }

protected:
  /// The handle of `table`, or an error when the table is unknown or the
  /// transaction is finished.
  caf::expected<MDB_dbi> usable_dbi(std::string_view table) const {
    if (txn_ == nullptr)
      return finished_transaction();
    return env_.dbi(table);
  }

  /// Like usable_dbi(table), and checks `key` against the key limits.
  caf::expected<MDB_dbi> usable_dbi(std::string_view table,
                                    std::string_view key) const {
    if (auto err = check_key(table, key))
      return err;
    return usable_dbi(table);
  }

  lmdb_store::impl& env_;
  MDB_txn* txn_;
};

class lmdb_read_txn : public lmdb_txn<read_txn> {
public:
  using lmdb_txn::lmdb_txn;

  ~lmdb_read_txn() override {
    mdb_txn_abort(txn_);
  }
};

class lmdb_write_txn : public lmdb_txn<write_txn> {
public:
  using lmdb_txn::lmdb_txn;

  ~lmdb_write_txn() override {
    if (txn_ != nullptr)
      mdb_txn_abort(txn_);
  }

  caf::error put(std::string_view table, std::string_view key,
                 std::string_view value) override {
    auto dbi = usable_dbi(table, key);
    if (!dbi)
      return dbi.error();
    auto k = to_val(key);
    auto v = to_val(value);
    if (auto rc = mdb_put(txn_, *dbi, &k, &v, 0); rc != 0)
      return env_.fail(rc, "put");
    return caf::none;
  }

  caf::expected<bool> erase(std::string_view table,
                            std::string_view key) override {
    auto dbi = usable_dbi(table, key);
    if (!dbi)
      return dbi.error();
    auto k = to_val(key);
    auto rc = mdb_del(txn_, *dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND)
      return false;
    if (rc != 0)
      return env_.fail(rc, "delete");
    return true;
  }

  caf::error commit() override {
    if (txn_ == nullptr)
      return finished_transaction();
    auto rc = mdb_txn_commit(txn_);
    txn_ = nullptr; // freed by LMDB whatever the outcome
    if (rc != 0)
      return env_.fail(rc, "commit");
    env_.release_map();
    return caf::none;
  }
};

} // namespace

lmdb_store::lmdb_store(std::unique_ptr<impl> ptr) : impl_(std::move(ptr)) {
  // nop
}

lmdb_store::~lmdb_store() = default;

caf::expected<std::shared_ptr<lmdb_store>>
lmdb_store::open(const lmdb_options& opts) {
  if (opts.path.empty())
    return make_error(ec::store_failure, "the store path is empty");
  if (auto why = create_private_directory(opts.path))
    return make_error(ec::store_failure, "cannot create the store directory "
                                           + opts.path + ": " + *why);
  auto st = std::make_unique<impl>();
  st->path = opts.path;
  if (auto rc = mdb_env_create(&st->env); rc != 0) {
    st->env = nullptr;
    return st->fail(rc, "environment create");
  }
  if (auto rc = mdb_env_set_maxdbs(st->env, 64); rc != 0)
    return st->fail(rc, "set max tables");
  if (auto rc = mdb_env_set_mapsize(st->env, opts.map_size_bytes); rc != 0)
    return st->fail(rc, "set map size");
  if (auto rc = mdb_env_open(st->env, opts.path.c_str(), MDB_NOTLS, 0600);
      rc != 0)
    return st->fail(rc, "open");
  st->map = st->find_map();
  int dead = 0;
  mdb_reader_check(st->env, &dead);
  if (dead > 0)
    log::info(log::store(), "store-stale-readers-cleared",
              {{"path", opts.path}, {"count", dead}});
  auto txn = st->begin(0);
  if (!txn)
    return txn.error();
  for (auto name : tables::all) {
    MDB_dbi dbi = 0;
    std::string cname{name};
    if (auto rc = mdb_dbi_open(*txn, cname.c_str(), MDB_CREATE, &dbi);
        rc != 0) {
      mdb_txn_abort(*txn);
      return st->fail(rc, "open table " + cname);
    }
    st->dbis.emplace(std::move(cname), dbi);
  }
  if (auto rc = mdb_txn_commit(*txn); rc != 0)
    return st->fail(rc, "table creation commit");
  return std::shared_ptr<lmdb_store>{new lmdb_store(std::move(st))};
}

caf::expected<std::unique_ptr<read_txn>> lmdb_store::begin_read() {
  auto txn = impl_->begin(MDB_RDONLY);
  if (!txn)
    return txn.error();
  return std::unique_ptr<read_txn>{new lmdb_read_txn(*impl_, *txn)};
}

caf::expected<std::unique_ptr<write_txn>> lmdb_store::begin_write() {
  auto txn = impl_->begin(0);
  if (!txn)
    return txn.error();
  return std::unique_ptr<write_txn>{new lmdb_write_txn(*impl_, *txn)};
}

caf::expected<kv_info> lmdb_store::info() {
  MDB_envinfo info;
  if (auto rc = mdb_env_info(impl_->env, &info); rc != 0)
    return impl_->fail(rc, "env info");
  MDB_stat st;
  if (auto rc = mdb_env_stat(impl_->env, &st); rc != 0)
    return impl_->fail(rc, "env stat");
  kv_info result;
  result.backend = "lmdb";
  result.path = impl_->path;
  result.used_bytes =
    (static_cast<uint64_t>(info.me_last_pgno) + 1) * st.ms_psize;
  result.map_bytes = info.me_mapsize;
  return result;
}

} // namespace rmcp::storage
