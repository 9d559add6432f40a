// service_health reports the store: its status probe when it answers, and a
// degraded service with a problem text when it fails, is gone or is nearly
// full.

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/notifier.hpp"
#include "actors/store_actor.hpp"
#include "actors/tool_call.hpp"
#include "protocol/error.hpp"
#include "src/app/runtime.hpp"
#include "storage/memory_store.hpp"
#include "storage/schema.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

storage::credential_key key() {
  return *storage::credential_key::parse(std::string(64, '5'));
}

class service_health_test : public test::actor_fixture {
protected:
  service_health_test() {
    auto tools = app::build_tools();
    EXPECT_TRUE(tools);
    registry = *tools;
    svc = std::make_shared<services>();
    svc->system = &sys;
    svc->tools = registry;
    svc->notifier = spawn_notifier(sys);
    mem = storage::make_memory_store();
    use_store(*storage::open_device_store(mem, "memory", key()));
  }

  ~service_health_test() override {
    caf::anon_send_exit(svc->notifier, caf::exit_reason::user_shutdown);
    if (svc->store)
      caf::anon_send_exit(svc->store, caf::exit_reason::user_shutdown);
    run();
  }

  void use_store(std::shared_ptr<storage::device_store> db) {
    if (svc->store)
      caf::anon_send_exit(svc->store, caf::exit_reason::user_shutdown);
    svc->store = spawn_store_actor(sys, std::move(db), false);
    run();
  }

  /// Runs service_health and returns its structuredContent.
  json health() {
    auto result = std::make_shared<json>();
    tool_call_setup setup;
    setup.tool = registry->find("service_health");
    setup.arguments = json::object();
    setup.svc = svc;
    setup.version = "2025-11-25";
    sys.spawn([setup, result](caf::event_based_actor* self) {
      auto call = spawn_tool_call(self, setup);
      self->request(call, std::chrono::seconds{10}, atom::run_v)
        .then([result](json& x) { *result = std::move(x); },
              [result](caf::error& err) {
                *result = {{"error", error_message(err)}};
              });
    });
    run();
    EXPECT_FALSE(result->contains("error")) << result->dump();
    EXPECT_EQ(result->value("isError", false), false) << result->dump();
    return (*result)["structuredContent"];
  }

  bool has_problem(const json& report, const std::string& text) {
    for (auto& p : report["problems"])
      if (p.get<std::string>().find(text) != std::string::npos)
        return true;
    return false;
  }

  std::shared_ptr<const tool_registry> registry;
  std::shared_ptr<services> svc;
  std::shared_ptr<storage::memory_store> mem;
};

TEST_F(service_health_test, a_healthy_store_is_reported_with_its_probe) {
  device_record rec;
  rec.id = "r1";
  caf::anon_send(svc->store, atom::put_v, rec);
  run();
  auto report = health();
  EXPECT_EQ(report["status"], "ok") << report.dump();
  EXPECT_EQ(report["problems"], json::array());
  EXPECT_EQ(report["store"]["status"], "ok");
  EXPECT_EQ(report["store"]["backend"], "memory");
  EXPECT_EQ(report["store"]["devices"], 1);
  EXPECT_EQ(report["store"]["schema_version"],
            storage::current_schema().version);
}

TEST_F(service_health_test, a_failing_store_makes_the_service_degraded) {
  mem->inject_failure("injected: read error");
  auto report = health();
  EXPECT_EQ(report["status"], "degraded");
  EXPECT_EQ(report["store"]["status"], "failed");
  EXPECT_NE(report["store"]["error"].get<std::string>().find("read error"),
            std::string::npos);
  EXPECT_TRUE(has_problem(report, "the store did not answer its probe"))
    << report.dump();
}

TEST_F(service_health_test,
       a_store_actor_that_is_gone_makes_the_service_degraded) {
  caf::anon_send_exit(svc->store, caf::exit_reason::kill);
  run();
  auto report = health();
  EXPECT_EQ(report["status"], "degraded");
  EXPECT_EQ(report["store"]["status"], "failed");
}

TEST_F(service_health_test, a_missing_store_makes_the_service_degraded) {
  caf::anon_send_exit(svc->store, caf::exit_reason::user_shutdown);
  svc->store = nullptr;
  run();
  auto report = health();
  EXPECT_EQ(report["status"], "degraded");
  EXPECT_EQ(report["store"]["status"], "absent");
  EXPECT_TRUE(has_problem(report, "not running"));
}

TEST_F(service_health_test, a_nearly_full_store_asks_for_a_larger_map) {
  test::temp_dir dir;
  storage::store_settings settings;
  settings.path = dir / "store";
  settings.map_size_bytes = uint64_t{4} << 20;
  auto db = storage::open_lmdb_device_store(settings, key());
  ASSERT_TRUE(db) << error_message(db.error());
  device_record rec;
  rec.id = "r1";
  ASSERT_FALSE((*db)->put_device(rec));
  snapshot_record big;
  big.device_id = "r1";
  big.kind = "config";
  big.content = std::string(3800 * 1024, 'x');
  auto put = (*db)->put_snapshot(big);
  ASSERT_TRUE(put) << error_message(put.error());
  use_store(std::move(*db));
  auto report = health();
  EXPECT_EQ(report["status"], "degraded") << report.dump();
  EXPECT_EQ(report["store"]["status"], "ok");
  EXPECT_TRUE(has_problem(report, "raise store.map_size_mib")) << report.dump();
}

} // namespace

} // namespace rmcp
