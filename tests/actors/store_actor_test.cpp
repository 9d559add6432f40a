// The store actor: every handler of `store_actor` on the deterministic
// scheduler with the memory twin, and one integration run on LMDB with the
// real scheduler and a detached actor, as the runtime spawns it.

#include "actors/store_actor.hpp"

#include <optional>
#include <set>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/memory_store.hpp"
#include "storage/schema.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

storage::credential_key key() {
  return *storage::credential_key::parse(std::string(64, '7'));
}

device_record device(const std::string& id) {
  device_record rec;
  rec.id = id;
  rec.name = id;
  rec.host = "192.0.2.10";
  rec.username = "api";
  return rec;
}

health_sample sample(const std::string& id, int64_t ts) {
  health_sample s;
  s.device_id = id;
  s.timestamp = ts;
  return s;
}

class store_actor_test : public test::actor_fixture {
protected:
  store_actor_test() {
    mem = storage::make_memory_store();
    auto db = storage::open_device_store(mem, "memory", key());
    EXPECT_TRUE(db);
    store = spawn_store_actor(sys, *db, false);
    run();
  }

  ~store_actor_test() override {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run();
  }

  template <class T>
  using answer = std::shared_ptr<std::optional<caf::expected<T>>>;

  /// Sends one request from a new short-lived actor once the system runs;
  /// the answer lands in the returned slot.
  template <class T, class... Ts>
  answer<T> send_request(Ts... xs) {
    auto result = std::make_shared<std::optional<caf::expected<T>>>();
    sys.spawn([=, s{store}](caf::event_based_actor* self) {
      self->request(s, std::chrono::seconds{5}, xs...)
        .then([result](T& x) { *result = std::move(x); },
              [result](caf::error& err) { *result = std::move(err); });
    });
    return result;
  }

  template <class T>
  static caf::expected<T> take(const answer<T>& slot) {
    if (!slot->has_value())
      return make_error(ec::internal_error, "no answer");
    return std::move(**slot);
  }

  /// Sends one request, runs the system and returns the answer.
  template <class T, class... Ts>
  caf::expected<T> ask(Ts... xs) {
    auto slot = send_request<T>(xs...);
    run();
    return take(slot);
  }

  caf::error ask_ok(device_record rec, credential cred) {
    auto r = ask<atom::ok>(atom::put_v, std::move(rec), std::move(cred));
    return r ? caf::error{} : r.error();
  }

  std::shared_ptr<storage::memory_store> mem;
  store_actor store;
};

TEST_F(store_actor_test, a_registered_device_is_listed_with_its_credential) {
  ASSERT_FALSE(ask_ok(device("edge-01"), {"api", "pw"}));
  auto all = ask<std::vector<device_record>>(atom::get_v, atom::devices_v);
  ASSERT_TRUE(all) << error_message(all.error());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, "edge-01");
  auto cred =
    ask<credential>(atom::get_v, atom::credential_v, std::string{"edge-01"});
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->password, "pw");
}

TEST_F(store_actor_test,
       put_device_alone_and_put_credential_are_separate_steps) {
  ASSERT_TRUE(ask<atom::ok>(atom::put_v, device("r1")));
  auto missing =
    ask<credential>(atom::get_v, atom::credential_v, std::string{"r1"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_code_of(missing.error()), ec::device_not_found);
  ASSERT_TRUE(
    ask<atom::ok>(atom::put_v, std::string{"r1"}, credential{"api", "later"}));
  EXPECT_EQ(ask<credential>(atom::get_v, atom::credential_v, std::string{"r1"})
              ->password,
            "later");
}

TEST_F(store_actor_test, remove_answers_ok_then_device_not_found) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  EXPECT_TRUE(
    ask<atom::ok>(atom::remove_v, atom::devices_v, std::string{"r1"}));
  auto again =
    ask<atom::ok>(atom::remove_v, atom::devices_v, std::string{"r1"});
  ASSERT_FALSE(again);
  EXPECT_EQ(error_code_of(again.error()), ec::device_not_found);
  EXPECT_TRUE(
    ask<std::vector<device_record>>(atom::get_v, atom::devices_v)->empty());
}

TEST_F(store_actor_test, the_generation_grows_with_every_device_change) {
  auto g0 = ask<uint64_t>(atom::get_v, atom::generation_v);
  ASSERT_TRUE(g0);
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  auto g1 = ask<uint64_t>(atom::get_v, atom::generation_v);
  ASSERT_TRUE(g1);
  EXPECT_GT(*g1, *g0);
  ASSERT_TRUE(
    ask<atom::ok>(atom::remove_v, atom::devices_v, std::string{"r1"}));
  EXPECT_GT(*ask<uint64_t>(atom::get_v, atom::generation_v), *g1);
}

TEST_F(store_actor_test, health_is_answered_newest_first_up_to_the_limit) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  for (int64_t ts : {1, 3, 2}) {
    auto s = sample("r1", ts);
    s.status = device_status::healthy;
    ASSERT_TRUE(ask<atom::ok>(atom::put_v, s));
  }
  auto two = ask<std::vector<health_sample>>(atom::get_v, atom::health_v,
                                             std::string{"r1"}, uint32_t{2});
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].timestamp, 3);
  EXPECT_EQ((*two)[1].timestamp, 2);
  EXPECT_EQ((*two)[0].status, device_status::healthy);
}

TEST_F(store_actor_test, queued_health_samples_are_written_in_one_transaction) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  ASSERT_FALSE(ask_ok(device("r2"), {"api", "pw"}));
  std::vector<answer<atom::ok>> answers;
  auto commits_before = mem->commits();
  for (int64_t ts = 1; ts <= 4; ++ts)
    answers.push_back(send_request<atom::ok>(
      atom::put_v, sample(ts % 2 == 0 ? "r1" : "r2", ts)));
  answers.push_back(send_request<atom::ok>(atom::put_v, sample("ghost", 5)));
  run(); // all five requests are queued before the store runs
  EXPECT_EQ(mem->commits(), commits_before + 1);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(take(answers[i])) << i;
  auto ghost = take(answers[4]);
  ASSERT_FALSE(ghost);
  EXPECT_EQ(error_code_of(ghost.error()), ec::device_not_found);
  EXPECT_EQ(ask<std::vector<health_sample>>(atom::get_v, atom::health_v,
                                            std::string{"r1"}, uint32_t{0})
              ->size(),
            2u);
}

TEST_F(store_actor_test, a_read_queued_behind_a_health_sample_sees_it) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  // Both requests reach the mailbox before the store runs: the read comes
  // before the store's own (flush).
  auto put = send_request<atom::ok>(atom::put_v, sample("r1", 42));
  auto got = send_request<std::vector<health_sample>>(
    atom::get_v, atom::health_v, std::string{"r1"}, uint32_t{0});
  run();
  EXPECT_TRUE(take(put));
  auto samples = take(got);
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 1u);
  EXPECT_EQ((*samples)[0].timestamp, 42);
}

TEST_F(store_actor_test, a_failing_store_fails_every_buffered_health_sample) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  mem->inject_failure("injected: disk full");
  auto put = ask<atom::ok>(atom::put_v, sample("r1", 1));
  ASSERT_FALSE(put);
  EXPECT_EQ(error_code_of(put.error()), ec::store_failure);
}

TEST_F(store_actor_test,
       a_snapshot_put_answers_its_id_and_the_newest_is_returned) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  snapshot_record s;
  s.device_id = "r1";
  s.kind = "config";
  s.timestamp = 10;
  s.content = "/system identity set name=r1";
  auto id = ask<std::string>(atom::put_v, s);
  ASSERT_TRUE(id) << error_message(id.error());
  EXPECT_EQ(id->rfind("snap-", 0), 0u);
  auto got = ask<snapshot_record>(atom::get_v, atom::snapshot_v,
                                  std::string{"r1"}, std::string{"config"});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, *id);
  EXPECT_EQ(got->content, s.content);
  EXPECT_EQ(got->sha256.size(), 64u);
  auto none = ask<snapshot_record>(atom::get_v, atom::snapshot_v,
                                   std::string{"r1"}, std::string{"dhcp"});
  ASSERT_FALSE(none);
  EXPECT_EQ(error_code_of(none.error()), ec::resource_not_found);
}

TEST_F(store_actor_test, audit_records_are_appended_and_read_newest_first) {
  audit_record rec;
  rec.actor = "alice";
  rec.tool = "set_system_identity";
  rec.device_id = "r1";
  rec.outcome = "applied";
  rec.after = {{"identity", "x"}};
  auto first = ask<uint64_t>(atom::put_v, rec);
  ASSERT_TRUE(first) << error_message(first.error());
  EXPECT_EQ(*first, 1u);
  rec.device_id = "r2";
  auto second = ask<uint64_t>(atom::put_v, rec);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 2u);
  auto of_r1 = ask<std::vector<audit_record>>(atom::get_v, atom::audit_v,
                                              std::string{"r1"}, uint32_t{0});
  ASSERT_TRUE(of_r1) << error_message(of_r1.error());
  ASSERT_EQ(of_r1->size(), 1u);
  EXPECT_EQ((*of_r1)[0].after["identity"], "x");
  EXPECT_GT((*of_r1)[0].timestamp, 0);
  auto all = ask<std::vector<audit_record>>(atom::get_v, atom::audit_v,
                                            std::string{}, uint32_t{0});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].seq, 2u);
}

TEST_F(store_actor_test, audit_bursts_are_appended_in_one_chained_commit) {
  std::vector<answer<uint64_t>> answers;
  auto commits_before = mem->commits();
  for (int i = 0; i < 5; ++i) {
    audit_record rec;
    rec.kind = audit_kind::call;
    rec.actor = "alice";
    rec.tool = "t" + std::to_string(i);
    rec.outcome = "ok";
    answers.push_back(send_request<uint64_t>(atom::put_v, rec));
  }
  run();
  EXPECT_EQ(mem->commits(), commits_before + 1);
  std::set<uint64_t> seqs;
  for (auto& a : answers) {
    auto seq = take(a);
    ASSERT_TRUE(seq) << error_message(seq.error());
    seqs.insert(*seq);
  }
  EXPECT_EQ(seqs, (std::set<uint64_t>{1, 2, 3, 4, 5}));
  storage::audit_log log{mem};
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->records, 5u);
}

TEST_F(store_actor_test, status_probes_the_store) {
  ASSERT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
  auto st = ask<store_status>(atom::get_v, atom::status_v);
  ASSERT_TRUE(st) << error_message(st.error());
  EXPECT_EQ(st->backend, "memory");
  EXPECT_EQ(st->devices, 1u);
  EXPECT_EQ(st->schema_version, storage::current_schema().version);
}

TEST_F(store_actor_test,
       a_failing_store_answers_store_failure_and_the_actor_survives) {
  mem->inject_failure("injected: disk unavailable");
  auto st = ask<store_status>(atom::get_v, atom::status_v);
  ASSERT_FALSE(st);
  EXPECT_EQ(error_code_of(st.error()), ec::store_failure);
  EXPECT_NE(error_message(st.error()).find("disk unavailable"),
            std::string::npos);
  auto put = ask_ok(device("r1"), {"api", "pw"});
  EXPECT_EQ(error_code_of(put), ec::store_failure);
  mem->inject_failure(std::nullopt);
  EXPECT_TRUE(ask<store_status>(atom::get_v, atom::status_v));
  EXPECT_FALSE(ask_ok(device("r1"), {"api", "pw"}));
}

// -- LMDB, real scheduler, detached actor ----------------------------------------

struct real_config : caf::actor_system_config {
  real_config() {
    add_rmcp_types(*this);
    set("scheduler.max-threads", size_t{2});
    set("logger.verbosity", caf::atom("quiet"));
  }
};

TEST(store_actor_lmdb,
     a_detached_store_actor_persists_and_releases_the_environment) {
  test::temp_dir dir;
  storage::store_settings settings;
  settings.path = dir / "store";
  settings.map_size_bytes = uint64_t{32} << 20;
  {
    real_config cfg;
    caf::actor_system sys{cfg};
    auto db = storage::open_lmdb_device_store(settings, key());
    ASSERT_TRUE(db) << error_message(db.error());
    auto store = spawn_store_actor(sys, std::move(*db), true);
    caf::scoped_actor self{sys};
    auto timeout = std::chrono::seconds{10};
    bool ok = false;
    self
      ->request(store, timeout, atom::put_v, device("edge-01"),
                credential{"api", "pw"})
      .receive([&](atom::ok) { ok = true; },
               [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
    ASSERT_TRUE(ok);
    self->request(store, timeout, atom::get_v, atom::status_v)
      .receive(
        [&](store_status& st) {
          EXPECT_EQ(st.backend, "lmdb");
          EXPECT_EQ(st.path, settings.path);
          EXPECT_EQ(st.devices, 1u);
          EXPECT_EQ(st.map_bytes, settings.map_size_bytes);
          EXPECT_GT(st.used_bytes, 0u);
          EXPECT_GT(st.probe_ms, 0.0);
        },
        [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  // The actor system is gone, so is the environment: this process may open
  // it again (LMDB forbids two handles in one process).
  auto db = storage::open_lmdb_device_store(settings, key());
  ASSERT_TRUE(db) << error_message(db.error());
  auto cred = (*db)->get_credential("edge-01");
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->password, "pw");
}

} // namespace

} // namespace rmcp
