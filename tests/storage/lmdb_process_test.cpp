// LMDB across processes: a change made by another process (the admin CLI)
// is visible to a long-lived handle (the daemon) through the generation
// counter, and a writer killed with SIGKILL at random moments loses no
// acknowledged record and leaves a store that opens and scans cleanly.

#include <signal.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/device_store.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/tables.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

namespace tables = storage::tables;

const std::string writer = RMCP_STORE_WRITER_PATH;

storage::credential_key writer_key() {
  return *storage::credential_key::parse(std::string(64, 'd'));
}

storage::store_settings settings_for(const std::string& path) {
  storage::store_settings s;
  s.path = path;
  s.map_size_bytes = uint64_t{64} << 20;
  return s;
}

TEST(lmdb_process,
     a_device_added_by_another_process_bumps_the_generation_seen_here) {
  test::temp_dir dir;
  auto path = dir / "store";
  auto db = storage::open_lmdb_device_store(settings_for(path), writer_key());
  ASSERT_TRUE(db) << error_message(db.error());
  EXPECT_EQ((*db)->generation(), uint64_t{0});
  for (uint64_t n = 1; n <= 2; ++n) {
    auto id = "ext-" + std::to_string(n);
    test::child_process cli{{writer, "put-device", path, id}};
    auto printed = cli.read_line();
    ASSERT_EQ(cli.wait(), 0) << cli.stderr_text();
    ASSERT_TRUE(printed);
    EXPECT_EQ(*printed, std::to_string(n));
    // The handle opened before the other process wrote sees its commit.
    EXPECT_EQ((*db)->generation(), n);
    auto rec = (*db)->device(id);
    ASSERT_TRUE(rec) << error_message(rec.error());
    EXPECT_EQ((*db)->get_credential(id)->password, "pw-" + id);
  }
  EXPECT_EQ((*db)->devices()->size(), 2u);
}

/// What the parent knows about the writer's devices: present or absent for
/// every id whose last change was acknowledged; ids whose fate depends on
/// an unacknowledged change are left out.
class churn_model {
public:
  void ack(long i) {
    state_["d-" + std::to_string(i)] = true;
    if (i % 5 == 0 && i >= 4)
      state_["d-" + std::to_string(i - 4)] = false;
    last_ = i;
    ++acked_;
  }

  /// The writer died during index last + 1: forget what it may have touched.
  void lose_in_flight() {
    auto next = last_ + 1;
    state_.erase("d-" + std::to_string(next));
    if (next % 5 == 0 && next >= 4)
      state_.erase("d-" + std::to_string(next - 4));
  }

  long next_start() const {
    return last_ + 2; // index last + 1 is uncertain: never reuse it
  }

  const std::map<std::string, bool>& state() const {
    return state_;
  }

  uint64_t acked() const {
    return acked_;
  }

private:
  std::map<std::string, bool> state_;
  long last_ = -1;
  uint64_t acked_ = 0;
};

/// Reopens the store and checks every acknowledged record and every table.
void verify_store(const std::string& path, const churn_model& model) {
  storage::lmdb_options opts;
  opts.path = path;
  opts.map_size_bytes = uint64_t{64} << 20;
  auto kv = storage::lmdb_store::open(opts);
  ASSERT_TRUE(kv) << error_message(kv.error());
  auto db = storage::open_device_store(*kv, path, writer_key());
  ASSERT_TRUE(db) << error_message(db.error());
  auto devices = (*db)->devices();
  ASSERT_TRUE(devices) << error_message(devices.error());
  std::set<std::string> present;
  for (auto& rec : *devices)
    present.insert(rec.id);
  for (auto& [id, want] : model.state())
    EXPECT_EQ(present.count(id) > 0, want) << id;
  for (auto& id : present) {
    auto cred = (*db)->get_credential(id);
    ASSERT_TRUE(cred) << id << ": " << error_message(cred.error());
    EXPECT_EQ(cred->password, "pw-" + id);
    auto index = std::stol(id.substr(2));
    auto certain = model.state().count(id) > 0;
    auto health = (*db)->health(id, 0);
    ASSERT_TRUE(health) << error_message(health.error());
    if (certain) {
      EXPECT_EQ(health->size(), 1u) << id;
    }
    auto snaps = (*db)->snapshots(id, "config");
    ASSERT_TRUE(snaps) << error_message(snaps.error());
    if (certain) {
      EXPECT_EQ(snaps->size(), index % 3 == 0 ? 1u : 0u) << id;
    }
    for (auto& snap : *snaps)
      EXPECT_EQ(snap.content.size(), 2048u);
  }
  // Every record of every table belongs to a present device: removals were
  // atomic.
  auto txn = (*kv)->begin_read();
  ASSERT_TRUE(txn);
  for (auto table : {tables::credentials, tables::health, tables::snapshots}) {
    auto err =
      (*txn)->scan(table, "", [&](std::string_view key, std::string_view) {
        auto owner = std::string{key.substr(0, key.find('\0'))};
        EXPECT_EQ(present.count(owner), 1u) << table << " orphan of " << owner;
        return true;
      });
    EXPECT_FALSE(err) << error_message(err);
  }
  auto generation = (*db)->generation();
  ASSERT_TRUE(generation);
  EXPECT_GE(*generation, model.acked());
}

TEST(lmdb_process, sigkill_at_random_moments_loses_no_acknowledged_record) {
  test::temp_dir dir;
  auto path = dir / "store";
  auto seed = std::random_device{}();
  std::mt19937 rng{seed};
  SCOPED_TRACE("seed " + std::to_string(seed));
  churn_model model;
  constexpr int rounds = 6;
  for (int round = 0; round < rounds; ++round) {
    test::child_process w{
      {writer, "churn", path, std::to_string(model.next_start())}};
    auto target = std::uniform_int_distribution<int>{1, 25}(rng);
    for (int n = 0; n < target; ++n) {
      auto line = w.read_line();
      ASSERT_TRUE(line) << "writer stopped: " << w.stderr_text();
      ASSERT_EQ(line->rfind("ack ", 0), 0u) << *line;
      model.ack(std::stol(line->substr(4)));
    }
    // Not waiting for anything: the pause only moves the kill to a random
    // point inside the writer's next transactions.
    std::this_thread::sleep_for(std::chrono::microseconds{
      std::uniform_int_distribution<int>{0, 3000}(rng)});
    w.kill(SIGKILL);
    // Acknowledgements printed before the kill still count.
    auto rest = w.drain_stdout();
    for (size_t pos = 0; pos < rest.size();) {
      auto nl = rest.find('\n', pos);
      if (nl == std::string::npos)
        break; // a torn last line is not an acknowledgement
      model.ack(std::stol(rest.substr(pos + 4, nl - pos - 4)));
      pos = nl + 1;
    }
    auto status = w.wait();
    EXPECT_NE(status, 0) << "the writer exited by itself: " << w.stderr_text();
    model.lose_in_flight();
    verify_store(path, model);
    if (HasFatalFailure())
      return;
  }
  EXPECT_GE(model.acked(), static_cast<uint64_t>(rounds));
}

} // namespace

} // namespace rmcp
