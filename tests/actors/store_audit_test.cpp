// The store actor's audit durability classes: a read's record, `(put, audit,
// record)`, is committed in a batch (by time, by count, with the next
// durable record, before `(get, audit)`), while `(put, record)` is answered
// only after the commit that holds it. Deterministic scheduler with the
// memory twin, and a real crash (a child process that ends without any
// clean-up) over LMDB: what survives, and the chain still verifies.

#include "actors/store_actor.hpp"

#include <cstdlib>
#include <optional>

#include <sys/wait.h>
#include <unistd.h>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

storage::credential_key key() {
  return *storage::credential_key::parse(std::string(64, '7'));
}

audit_record record(const std::string& tool, const char* kind) {
  audit_record rec;
  rec.kind = kind;
  rec.actor = "alice";
  rec.tool = tool;
  rec.outcome = "ok";
  return rec;
}

/// The tools of the stored records, oldest first, and the chain's verdict.
struct trail {
  std::vector<std::string> tools;
  storage::audit_verdict verdict;
};

trail read_trail(std::shared_ptr<storage::kv_store> kv) {
  trail out;
  storage::audit_log log{std::move(kv)};
  auto all = log.recent("", 0);
  EXPECT_TRUE(all);
  if (all)
    for (auto i = all->rbegin(); i != all->rend(); ++i)
      out.tools.push_back(i->tool);
  auto v = log.verify();
  EXPECT_TRUE(v);
  if (v)
    out.verdict = *v;
  return out;
}

class store_audit_test : public test::actor_fixture {
protected:
  void start(store_audit_settings settings) {
    mem = storage::make_memory_store();
    auto db = storage::open_device_store(mem, "memory", key());
    ASSERT_TRUE(db);
    store = spawn_store_actor(sys, *db, false, settings);
    run();
    base_commits = mem->commits();
  }

  ~store_audit_test() override {
    if (store) {
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
      run();
    }
  }

  void put_read(const std::string& tool) {
    caf::anon_send(caf::actor_cast<batching_store_actor>(store), atom::put_v,
                   atom::audit_v, record(tool, audit_kind::call));
  }

  /// Sends a durable record; the sequence number lands in the slot.
  std::shared_ptr<std::optional<uint64_t>> put_durable(const std::string& tool,
                                                       const char* kind) {
    auto slot = std::make_shared<std::optional<uint64_t>>();
    sys.spawn([=, s{store}](caf::event_based_actor* self) {
      self->request(s, 5s, atom::put_v, record(tool, kind))
        .then([slot](uint64_t seq) { *slot = seq; },
              [](caf::error& err) { ADD_FAILURE() << error_message(err); });
    });
    return slot;
  }

  uint64_t commits() const {
    return mem->commits() - base_commits;
  }

  std::shared_ptr<storage::memory_store> mem;
  store_actor store;
  uint64_t base_commits = 0;
};

TEST_F(store_audit_test, reads_wait_for_the_interval_then_share_one_commit) {
  store_audit_settings s;
  s.read_flush_interval = 50ms;
  s.read_batch = 100;
  start(s);
  put_read("get_system_clock");
  put_read("get_interfaces");
  put_read("get_routes");
  run();
  EXPECT_EQ(commits(), 0u);
  advance_time(49ms);
  EXPECT_EQ(commits(), 0u);
  advance_time(1ms);
  EXPECT_EQ(commits(), 1u);
  auto t = read_trail(mem);
  EXPECT_EQ(t.tools, (std::vector<std::string>{
                       "get_system_clock", "get_interfaces", "get_routes"}));
  EXPECT_TRUE(t.verdict.ok) << t.verdict.problem;
  EXPECT_EQ(t.verdict.records, 3u);
}

TEST_F(store_audit_test, a_full_batch_of_reads_is_committed_at_once) {
  store_audit_settings s;
  s.read_flush_interval = 10s;
  s.read_batch = 4;
  start(s);
  for (int i = 0; i < 6; ++i)
    put_read("read-" + std::to_string(i));
  run();
  EXPECT_EQ(commits(), 1u);
  EXPECT_EQ(read_trail(mem).tools.size(), 4u);
  advance_time(10s);
  EXPECT_EQ(commits(), 2u);
  EXPECT_EQ(read_trail(mem).tools.size(), 6u);
}

TEST_F(store_audit_test,
       a_durable_record_is_answered_after_one_commit_with_the_reads_before_it) {
  start({});
  put_read("read-1");
  put_read("read-2");
  auto seq = put_durable("set_system_identity", audit_kind::change);
  run();
  ASSERT_TRUE(seq->has_value());
  EXPECT_EQ(**seq, 3u);
  EXPECT_EQ(commits(), 1u);
  auto t = read_trail(mem);
  EXPECT_EQ(t.tools, (std::vector<std::string>{"read-1", "read-2",
                                               "set_system_identity"}));
  EXPECT_TRUE(t.verdict.ok) << t.verdict.problem;
}

TEST_F(store_audit_test,
       reads_a_session_held_back_go_with_the_next_commit_in_their_order) {
  store_audit_settings s;
  s.read_flush_interval = 10s;
  s.read_batch = 100;
  start(s);
  put_read("read-1");
  audit_reads(store, {record("held-1", audit_kind::call),
                      record("held-2", audit_kind::call)});
  run();
  // No wait for the interval: the session held them back already.
  EXPECT_EQ(commits(), 1u);
  auto t = read_trail(mem);
  EXPECT_EQ(t.tools, (std::vector<std::string>{"read-1", "held-1", "held-2"}));
  EXPECT_TRUE(t.verdict.ok) << t.verdict.problem;
  // A single read afterwards waits for the interval again.
  put_read("read-2");
  run();
  EXPECT_EQ(commits(), 1u);
  advance_time(10s);
  EXPECT_EQ(commits(), 2u);
}

TEST_F(store_audit_test, reading_the_trail_shows_reads_not_yet_committed) {
  start({});
  put_read("read-1");
  run();
  EXPECT_EQ(commits(), 0u);
  auto slot = std::make_shared<std::vector<audit_record>>();
  sys.spawn([slot, s{store}](caf::event_based_actor* self) {
    self->request(s, 5s, atom::get_v, atom::audit_v, std::string{}, uint32_t{0})
      .then([slot](std::vector<audit_record>& xs) { *slot = std::move(xs); },
            [](caf::error& err) { ADD_FAILURE() << error_message(err); });
  });
  run();
  ASSERT_EQ(slot->size(), 1u);
  EXPECT_EQ((*slot)[0].tool, "read-1");
  EXPECT_GT((*slot)[0].timestamp, 0);
}

TEST_F(store_audit_test, a_regular_exit_commits_the_waiting_reads) {
  store_audit_settings s;
  s.read_flush_interval = 10s;
  start(s);
  put_read("read-1");
  run();
  EXPECT_EQ(commits(), 0u);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  store = nullptr;
  run();
  EXPECT_EQ(read_trail(mem).tools, (std::vector<std::string>{"read-1"}));
}

TEST_F(store_audit_test, interval_zero_commits_reads_once_the_mailbox_drains) {
  store_audit_settings s;
  s.read_flush_interval = 0ms;
  start(s);
  put_read("read-1");
  put_read("read-2");
  run();
  EXPECT_EQ(commits(), 1u);
  EXPECT_EQ(read_trail(mem).tools.size(), 2u);
}

// -- a real crash over LMDB ------------------------------------------------------

/// Exit codes of the crashing child: where it went wrong.
enum child_status : int {
  child_ok = 0,
  child_open_failed = 2,
  child_unanswered = 3,
};

/// In a fresh process: reads r1, r2, the durable change w (answered), reads
/// r3, r4; then the process ends at once, as a crash would (no exit
/// handler, no destructors, the LMDB environment never closed).
[[noreturn]] void crash_after_writes(const storage::store_settings& settings) {
  struct config : caf::actor_system_config {
    config() {
      add_rmcp_types(*this);
      set("scheduler.policy", caf::atom("testing"));
      set("logger.verbosity", caf::atom("quiet"));
    }
  };
  auto* cfg = new config;
  auto* sys = new caf::actor_system{*cfg};
  auto& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  auto db = storage::open_lmdb_device_store(settings, key());
  if (!db)
    std::_Exit(child_open_failed);
  store_audit_settings s;
  s.read_flush_interval = 10s;
  auto store = caf::actor_cast<batching_store_actor>(
    spawn_store_actor(*sys, std::move(*db), false, s));
  sched.run();
  caf::anon_send(store, atom::put_v, atom::audit_v,
                 record("r1", audit_kind::call));
  caf::anon_send(store, atom::put_v, atom::audit_v,
                 record("r2", audit_kind::call));
  auto answered = std::make_shared<bool>(false);
  sys->spawn([answered, store](caf::event_based_actor* self) {
    self
      ->request(caf::actor_cast<store_actor>(store), 5s, atom::put_v,
                record("w", audit_kind::change))
      .then([answered](uint64_t) { *answered = true; });
  });
  sched.run();
  caf::anon_send(store, atom::put_v, atom::audit_v,
                 record("r3", audit_kind::call));
  caf::anon_send(store, atom::put_v, atom::audit_v,
                 record("r4", audit_kind::call));
  sched.run();
  std::_Exit(*answered ? child_ok : child_unanswered);
}

TEST(store_audit_crash,
     a_crash_loses_only_the_reads_after_the_last_commit_and_verify_passes) {
  test::temp_dir dir;
  storage::store_settings settings;
  settings.path = dir / "store";
  settings.map_size_bytes = uint64_t{32} << 20;
  auto pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0)
    crash_after_writes(settings);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), child_ok);
  auto db = storage::open_lmdb_device_store(settings, key());
  ASSERT_TRUE(db) << error_message(db.error());
  auto t = read_trail((*db)->kv());
  // The durable change and the reads before it share its commit; the reads
  // after it were still waiting for their batch.
  EXPECT_EQ(t.tools, (std::vector<std::string>{"r1", "r2", "w"}));
  EXPECT_TRUE(t.verdict.ok) << t.verdict.problem;
  EXPECT_EQ(t.verdict.records, 3u);
  EXPECT_EQ(t.verdict.head_seq, 3u);
}

} // namespace

} // namespace rmcp
