// The store's memory map stays small while its file grows. LMDB reads
// through a shared memory map, and the kernel's fault-around maps the
// cached pages next to each page a transaction reads; the pages commits
// append were just written, so they are cached, and without lmdb_store
// releasing its mapping every page committed since the start stayed
// resident (the audit trail of every call, in the daemon).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/tables.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

namespace tables = storage::tables;

/// Resident KiB of this process's mappings of `file` (/proc/self/smaps).
uint64_t mapped_kib(const std::string& file) {
  std::ifstream in{"/proc/self/smaps"};
  std::string line;
  bool ours = false;
  uint64_t kib = 0;
  while (std::getline(in, line)) {
    std::istringstream words{line};
    std::string first;
    words >> first;
    if (first.empty())
      continue;
    if (first.back() != ':') {
      // A mapping's first line: address range, perms, offset, device,
      // inode, path.
      ours = line.size() >= file.size()
             && line.compare(line.size() - file.size(), file.size(), file) == 0;
      continue;
    }
    uint64_t value = 0;
    if (ours && first == "Rss:" && words >> value)
      kib += value;
  }
  return kib;
}

std::string seq_key(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu",
                static_cast<unsigned long long>(seq));
  return buf;
}

} // namespace

TEST(lmdb_map, pages_committed_long_ago_do_not_stay_mapped) {
  test::temp_dir dir;
  storage::lmdb_options opts;
  opts.path = dir / "store";
  opts.map_size_bytes = uint64_t{64} << 20;
  auto kv = storage::lmdb_store::open(opts);
  ASSERT_TRUE(kv) << error_message(kv.error());
  auto file = (std::filesystem::canonical(opts.path) / "data.mdb").string();
  // About 8 MiB appended in 200 commits, each reading back its newest
  // record through the map as the audit trail's next append does.
  std::string value(3000, 'a');
  uint64_t seq = 0;
  for (int c = 0; c < 200; ++c) {
    auto txn = (*kv)->begin_write();
    ASSERT_TRUE(txn) << error_message(txn.error());
    for (int i = 0; i < 14; ++i)
      ASSERT_FALSE((*txn)->put(tables::audit, seq_key(++seq), value));
    ASSERT_FALSE((*txn)->commit());
    auto read = (*kv)->begin_read();
    ASSERT_TRUE(read) << error_message(read.error());
    auto got = (*read)->get(tables::audit, seq_key(seq));
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(**got, value);
  }
  auto info = (*kv)->info();
  ASSERT_TRUE(info) << error_message(info.error());
  ASSERT_GT(info->used_bytes, uint64_t{8} << 20);
  // At most the growth since the last release (1 MiB) and the windows
  // around the tables' upper pages; without the release, the whole file.
  auto resident = mapped_kib(file);
  EXPECT_LT(resident, uint64_t{2048})
    << "KiB of " << file << " mapped; the file uses " << info->used_bytes / 1024
    << " KiB";
  // Everything is still there: the pages were unmapped, not lost.
  auto read = (*kv)->begin_read();
  ASSERT_TRUE(read) << error_message(read.error());
  uint64_t records = 0;
  ASSERT_FALSE(
    (*read)->scan(tables::audit, "", [&](std::string_view, std::string_view v) {
      records += v == value ? 1 : 0;
      return true;
    }));
  EXPECT_EQ(records, seq);
}

} // namespace rmcp
