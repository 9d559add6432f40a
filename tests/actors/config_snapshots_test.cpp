// Periodic configuration snapshots under the testing scheduler: a real
// fleet (fake REST clients) and a real store actor over the in-memory
// store, so the schedule, the health gate, drift and retention are the
// daemon's own.

#include "actors/config_snapshots.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/fleet.hpp"
#include "actors/store_actor.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/fake_rest_client.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

constexpr auto interval = std::chrono::milliseconds{10min};

storage::credential_key key() {
  return *storage::credential_key::parse(std::string(64, '7'));
}

class config_snapshots_test : public test::actor_fixture {
protected:
  config_snapshots_test() {
    factory = std::make_shared<test::fake_rest_factory>();
    router = std::make_shared<test::fake_router>();
    config = std::make_shared<std::string>(export_text("ntp1"));
    export_fails = std::make_shared<bool>(false);
    busy = std::make_shared<test::fake_router>();
    busy->cpu_load = 95;
    factory->answer = answering(router);
    // r2 answers everything but is degraded (CPU 95 %); r3 never answers.
    factory->per_device["r2"] = answering(busy);
    factory->per_device["r3"] = test::failing_responder(ec::router_unreachable);
    settings.environment = "lab";
    settings.poll_interval = 5s;
    settings.seed = 7;
    settings.device.seed = 7;
    settings.device.health_checks = true;
    settings.device.health_start_spread = 1s;
    settings.device.read_attempts = 1;
    stats = std::make_shared<metrics>();
  }

  ~config_snapshots_test() override {
    if (snaps)
      caf::anon_send_exit(snaps, caf::exit_reason::user_shutdown);
    if (fleet)
      caf::anon_send_exit(fleet, caf::exit_reason::user_shutdown);
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run();
  }

  /// A router that answers health checks like `r` and exports `*config`
  /// (or fails the export while `*export_fails`).
  test::responder answering(std::shared_ptr<test::fake_router> r) {
    auto health = test::router_responder(std::move(r));
    return [health, cfg{config}, fails{export_fails}](const rest_request& req)
             -> std::optional<caf::expected<rest_response>> {
      if (req.method == "POST" && req.path == "/execute") {
        if (*fails)
          return caf::expected<rest_response>{
            make_error(ec::router_server_error, "export failed")};
        return test::ok_response({{"ret", *cfg}});
      }
      return health(req);
    };
  }

  /// An export with a header comment that changes on every export.
  static std::string export_text(const std::string& ntp, int minute = 0) {
    return "# 2026-12-06 20:" + std::to_string(10 + minute)
           + ":00 by RouterOS 7.16.1\r\n# software id = ABCD-1234\n"
             "/system ntp client servers\nadd address="
           + ntp + ".example.net\n/ip dns\nset servers=192.0.2.53\n";
  }

  void start(uint32_t retention = 5) {
    storage::device_store_options opts;
    opts.snapshot_retention = retention;
    auto opened = storage::open_device_store(storage::make_memory_store(),
                                             "memory", key(), opts);
    ASSERT_TRUE(opened);
    db = *opened;
    for (auto id : {"r1", "r2", "r3"}) {
      auto rec = test::test_device(id);
      ASSERT_FALSE(db->put_device(rec, credential{"api", "pw"}));
    }
    store = spawn_store_actor(sys, db, false);
    fleet = spawn_fleet(sys, store, factory, settings, stats);
    run();
    snapshot_deps deps;
    deps.fleet = fleet;
    deps.store = store;
    deps.metrics = stats;
    deps.settings.interval = interval;
    deps.notifier = recording_notifier();
    snaps = spawn_config_snapshots(sys, deps);
    run();
  }

  /// Moves the clock forward in steps of one poll period.
  void advance(std::chrono::milliseconds total) {
    for (auto t = 0ms; t < total; t += 1s)
      advance_time(1s);
  }

  /// Moves the clock forward second by second until `done` holds; false
  /// when `limit` passed first.
  bool wait_for(const std::function<bool()>& done,
                std::chrono::milliseconds limit) {
    for (auto t = 0ms; t < limit; t += 1s) {
      if (done())
        return true;
      advance_time(1s);
    }
    return done();
  }

  size_t stored(const std::string& id, const std::string& kind) {
    auto all = db->snapshots(id, kind);
    return all ? all->size() : 0;
  }

  /// A notifier that only records the resource updates it is told of.
  notifier_actor recording_notifier() {
    return sys.spawn([seen{updates}]() -> notifier_actor::behavior_type {
      return {
        [](atom::join, mcp_session_actor) {},
        [](atom::leave, mcp_session_actor) {},
        [](atom::level, mcp_session_actor, int32_t) {},
        [](atom::log, int32_t, std::string&, std::string&) {},
        [seen](atom::update, std::string& uri) { seen->push_back(uri); },
        [](atom::count) -> uint64_t { return 0; },
      };
    });
  }

  size_t updates_of(const std::string& uri) const {
    return static_cast<size_t>(
      std::count(updates->begin(), updates->end(), uri));
  }

  size_t exports(const std::string& id) {
    auto c = factory->client(id);
    return c ? c->count("/execute") : 0;
  }

  std::shared_ptr<test::fake_rest_factory> factory;
  std::shared_ptr<test::fake_router> router;
  std::shared_ptr<test::fake_router> busy;
  std::shared_ptr<std::string> config;
  std::shared_ptr<bool> export_fails;
  std::shared_ptr<std::vector<std::string>> updates =
    std::make_shared<std::vector<std::string>>();
  fleet_settings settings;
  metrics_ptr stats;
  std::shared_ptr<storage::device_store> db;
  store_actor store;
  fleet_actor fleet;
  config_snapshot_actor snaps;
};

TEST(config_snapshot_schedule, delays_are_jittered_per_device_and_round) {
  std::set<int64_t> seen;
  for (auto id : {"r1", "r2", "core-1", "edge-77"}) {
    auto first = first_snapshot_delay(id, interval);
    EXPECT_GE(first, interval / 10) << id;
    EXPECT_LT(first, interval) << id;
    EXPECT_EQ(first, first_snapshot_delay(id, interval)) << id;
    for (uint64_t round = 0; round < 50; ++round) {
      auto d = snapshot_delay(id, round, interval);
      EXPECT_GE(d, interval * 9 / 10) << id << " round " << round;
      EXPECT_LE(d, interval * 11 / 10) << id << " round " << round;
      EXPECT_EQ(d, snapshot_delay(id, round, interval));
      seen.insert(d.count());
    }
  }
  // Not one fixed interval: the jitter differs between devices and rounds.
  EXPECT_GT(seen.size(), 150u);
  EXPECT_EQ(snapshot_poll_period(interval), 60s);
  EXPECT_EQ(snapshot_poll_period(5s), 1s);
  EXPECT_EQ(snapshot_poll_period(24h), 60s);
}

TEST_F(config_snapshots_test, an_interval_of_zero_starts_nothing) {
  start();
  snapshot_deps deps;
  deps.fleet = fleet;
  deps.store = store;
  deps.settings.interval = 0ms;
  EXPECT_FALSE(spawn_config_snapshots(sys, deps));
}

TEST_F(config_snapshots_test, taken_on_schedule_for_healthy_devices_only) {
  start();
  auto first = first_snapshot_delay("r1", interval);
  // Nothing before the device's first due time.
  advance(first - 2s);
  EXPECT_EQ(exports("r1"), 0u);
  EXPECT_EQ(stored("r1", "config"), 0u);
  // Due, picked up by the next poll (at most one poll period later).
  advance(62s);
  EXPECT_EQ(exports("r1"), 1u);
  EXPECT_EQ(stored("r1", "config"), 1u);
  // The next one about one interval later, not before 0.9 of it.
  advance(interval * 9 / 10 - 62s);
  EXPECT_EQ(stored("r1", "config"), 1u);
  advance(interval * 2 / 10 + 122s);
  EXPECT_EQ(stored("r1", "config"), 2u);
  // The degraded and the unreachable device were never exported, however
  // long they were due.
  for (auto id : {"r2", "r3"}) {
    EXPECT_EQ(exports(id), 0u) << id;
    EXPECT_EQ(stored(id, "config"), 0u) << id;
  }
  // Only the header comment changed: no drift.
  EXPECT_EQ(stored("r1", "config-drift"), 0u);
  auto text = stats->render();
  EXPECT_NE(
    text.find(R"(rmcp_config_snapshots_total{device="r1",outcome="ok"} 2)"),
    std::string::npos)
    << text;
  EXPECT_NE(text.find(R"(rmcp_config_snapshot_timestamp_seconds{device="r1"})"),
            std::string::npos);
  EXPECT_EQ(text.find(R"(rmcp_config_drift_total{device="r1"})"),
            std::string::npos);
  // Healthy again: its overdue snapshot follows the next health check.
  busy->cpu_load = 5;
  EXPECT_TRUE(wait_for([this] { return stored("r2", "config") == 1; }, 400s));
  EXPECT_EQ(exports("r3"), 0u);
}

TEST_F(config_snapshots_test, an_out_of_band_change_is_drift) {
  start();
  auto snapshots = [this](size_t n) {
    return [this, n] { return stored("r1", "config") == n; };
  };
  ASSERT_TRUE(wait_for(snapshots(1), interval + 62s));
  run();
  // The first snapshot is news to subscribers of the configuration.
  EXPECT_EQ(updates_of("device://r1/config"), 1u);
  EXPECT_EQ(updates_of("device://r1/config-drift"), 1u);
  // Someone changes the router behind the daemon's back.
  *config = export_text("ntp2", 5);
  ASSERT_TRUE(wait_for(snapshots(2), interval * 11 / 10 + 62s));
  run();
  ASSERT_EQ(stored("r1", "config-drift"), 1u);
  // Drift: a resource update for both, after the drift record is stored.
  EXPECT_EQ(updates_of("device://r1/config"), 2u);
  EXPECT_EQ(updates_of("device://r1/config-drift"), 2u);
  auto drift = db->latest_snapshot("r1", "config-drift");
  ASSERT_TRUE(drift);
  auto summary = nlohmann::json::parse(drift->content);
  auto newest = db->latest_snapshot("r1", "config");
  ASSERT_TRUE(newest);
  EXPECT_EQ(summary["snapshot_id"], newest->id);
  EXPECT_EQ(summary["lines_added"], 1);
  EXPECT_EQ(summary["lines_removed"], 1);
  EXPECT_EQ(summary["added"][0], "add address=ntp2.example.net");
  EXPECT_EQ(summary["removed"][0], "add address=ntp1.example.net");
  auto text = stats->render();
  EXPECT_NE(text.find(R"(rmcp_config_drift_total{device="r1"} 1)"),
            std::string::npos)
    << text;
  // Unchanged since (only the header's date moved): no second record.
  *config = export_text("ntp2", 9);
  ASSERT_TRUE(wait_for(snapshots(3), interval * 11 / 10 + 62s));
  run();
  EXPECT_EQ(stored("r1", "config-drift"), 1u);
  EXPECT_EQ(updates_of("device://r1/config"), 2u);
  EXPECT_EQ(updates_of("device://r1/config-drift"), 2u);
}

TEST_F(config_snapshots_test, a_failed_export_is_retried_at_the_next_interval) {
  start();
  *export_fails = true;
  ASSERT_TRUE(wait_for([this] { return exports("r1") == 1; }, interval + 62s));
  run();
  EXPECT_EQ(stored("r1", "config"), 0u);
  EXPECT_NE(stats->render().find(
              R"(rmcp_config_snapshots_total{device="r1",outcome="failed"} 1)"),
            std::string::npos);
  // Not retried at the next poll: one interval later.
  *export_fails = false;
  advance(interval * 8 / 10);
  EXPECT_EQ(exports("r1"), 1u);
  ASSERT_TRUE(wait_for([this] { return stored("r1", "config") == 1; },
                       interval * 3 / 10 + 62s));
  EXPECT_EQ(exports("r1"), 2u);
}

TEST_F(config_snapshots_test, retention_still_applies) {
  start(3);
  for (size_t i = 0; i < 6; ++i) {
    *config = export_text("ntp" + std::to_string(i));
    ASSERT_TRUE(wait_for([this, i] { return exports("r1") == i + 1; },
                         interval * 11 / 10 + 62s));
    run();
  }
  // Six snapshots, five of them drift: the store keeps the newest three
  // of each.
  EXPECT_EQ(stored("r1", "config-drift"), 3u);
  auto kept = db->snapshots("r1", "config");
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NE((*kept)[i].content.find("ntp" + std::to_string(5 - i) + "."),
              std::string::npos)
      << i;
}

} // namespace

} // namespace rmcp
