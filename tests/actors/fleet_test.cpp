// The fleet supervisor under the testing scheduler: loading, environments,
// handles (record, health and actor in one answer), reconcile on generation
// change and on (reload), restarts with backoff, and health fan-out.

#include "actors/fleet.hpp"

#include <map>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/error.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/ask.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"
#include "tests/support/health_recorder.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;
using test::answer;
using test::code_of;

class fleet_test : public test::actor_fixture {
protected:
  fleet_test() {
    factory = std::make_shared<test::fake_rest_factory>();
    router = std::make_shared<test::fake_router>();
    factory->answer = test::router_responder(router);
    data = std::make_shared<test::fake_store_data>();
    settings.environment = "lab";
    settings.poll_interval = 5s;
    settings.restart_base = 1s;
    settings.restart_max = 8s;
    settings.seed = 7;
    settings.device.health_checks = false;
    settings.device.seed = 7;
  }

  ~fleet_test() override {
    if (fleet)
      caf::anon_send_exit(fleet, caf::exit_reason::user_shutdown);
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run();
  }

  void add(const device_record& r, const std::string& password = "pw") {
    data->devices[r.id] = r;
    data->creds[r.id] = credential{r.username, password};
    ++data->generation;
  }

  void start() {
    store = test::spawn_fake_store(sys, data);
    fleet = spawn_fleet(sys, store, factory, settings, stats);
    run();
  }

  /// The device's actor from `(get, id, handle)`; the handle's
  /// `unavailable` reason as the error when it has none.
  answer<device_actor> lookup(const std::string& id) {
    auto h = handle(id);
    auto out = std::make_shared<std::optional<caf::expected<device_actor>>>();
    if (!h->has_value())
      return out;
    if (!**h)
      *out = (**h).error();
    else if ((**h)->unavailable)
      *out = (**h)->unavailable;
    else
      *out = (**h)->actor;
    return out;
  }

  answer<device_handle> handle(const std::string& id) {
    auto a =
      test::ask<device_handle>(sys, fleet, atom::get_v, id, atom::handle_v);
    run();
    return a;
  }

  answer<atom::ok> reload() {
    auto a = test::ask<atom::ok>(sys, fleet, atom::reload_v);
    run();
    return a;
  }

  /// Removes a device from the store, as the CLI does.
  void drop(const std::string& id) {
    data->devices.erase(id);
    data->creds.erase(id);
    ++data->generation;
  }

  std::vector<device_view> views() {
    auto a = test::ask<std::vector<device_view>>(sys, fleet, atom::get_v,
                                                 atom::devices_v);
    run();
    return a->has_value() && **a ? ***a : std::vector<device_view>{};
  }

  answer<health_sample> check(const std::string& id) {
    auto dev = lookup(id);
    auto a = test::ask<health_sample>(sys, ***dev, atom::check_v);
    run();
    return a;
  }

  std::shared_ptr<test::fake_rest_factory> factory;
  std::shared_ptr<test::fake_router> router;
  std::shared_ptr<test::fake_store_data> data;
  fleet_settings settings;
  metrics_ptr stats = std::make_shared<metrics>();
  store_actor store;
  fleet_actor fleet;
};

} // namespace

TEST_F(fleet_test, loads_the_registry_and_spawns_actors_for_its_environment) {
  add(test::test_device("b-lab"));
  add(test::test_device("a-lab"), "secret-a");
  add(test::test_device("c-prod", "prod"));
  start();
  EXPECT_EQ(factory->made("a-lab"), 1u);
  EXPECT_EQ(factory->made("b-lab"), 1u);
  EXPECT_EQ(factory->made("c-prod"), 0u);
  EXPECT_EQ(factory->client("a-lab")->endpoint().creds.password, "secret-a");
  auto all = views();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].record.id, "a-lab");
  EXPECT_EQ(all[1].record.id, "b-lab");
  EXPECT_EQ(all[2].record.id, "c-prod");
  EXPECT_EQ(all[2].last.status, device_status::unknown);
  auto a = lookup("a-lab");
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_EQ(code_of(lookup("c-prod")), ec::environment_mismatch);
  EXPECT_EQ(code_of(lookup("nope")), ec::device_not_found);
}

TEST_F(fleet_test, views_carry_the_last_health_sample) {
  add(test::test_device("r1"));
  start();
  ASSERT_TRUE(check("r1")->has_value());
  run();
  auto all = views();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].last.status, device_status::healthy);
  EXPECT_EQ(all[0].last.routeros_version, "7.16.1");
  auto one = test::ask<device_view>(sys, fleet, atom::get_v, std::string{"r1"},
                                    atom::view_v);
  run();
  ASSERT_TRUE(one->has_value() && **one);
  EXPECT_EQ((***one).last.identity, "MikroTik");
}

TEST_F(fleet_test, devices_added_by_another_process_appear_after_a_poll) {
  add(test::test_device("r1"));
  start();
  add(test::test_device("r2"));
  advance_time(4999ms);
  EXPECT_EQ(factory->made("r2"), 0u);
  advance_time(1ms);
  EXPECT_EQ(factory->made("r2"), 1u);
  auto r2 = lookup("r2");
  EXPECT_TRUE(r2->has_value() && **r2);
}

TEST_F(fleet_test, changed_records_update_the_device_and_removed_ones_stop) {
  add(test::test_device("r1"));
  add(test::test_device("r2"));
  start();
  auto changed = test::test_device("r1");
  changed.host = "127.0.0.9";
  add(changed, "new-password");
  data->devices.erase("r2");
  ++data->generation;
  advance_time(5s);
  ASSERT_EQ(factory->made("r1"), 2u);
  EXPECT_EQ(factory->client("r1")->endpoint().host, "127.0.0.9");
  EXPECT_EQ(factory->client("r1")->endpoint().creds.password, "new-password");
  EXPECT_TRUE(factory->client("r2")->closed());
  EXPECT_EQ(code_of(lookup("r2")), ec::device_not_found);
}

TEST_F(fleet_test, a_changed_password_alone_reaches_the_device) {
  add(test::test_device("r1"), "old");
  start();
  data->creds["r1"].password = "rotated";
  ++data->generation;
  advance_time(5s);
  ASSERT_EQ(factory->made("r1"), 2u);
  EXPECT_EQ(factory->client("r1")->endpoint().creds.password, "rotated");
}

TEST_F(fleet_test, a_device_without_credential_sends_nothing_to_its_router) {
  add(test::test_device("r1"), "pw");
  start();
  ASSERT_TRUE(check("r1")->has_value());
  auto sent = factory->client("r1")->calls().size();
  ASSERT_GT(sent, 0u);
  // The CLI moved the device: the store dropped the credential.
  auto moved = test::test_device("r1");
  moved.host = "127.0.0.9";
  data->devices["r1"] = moved;
  data->creds.erase("r1");
  ++data->generation;
  advance_time(5s);
  ASSERT_EQ(factory->made("r1"), 2u);
  auto dev = lookup("r1");
  rest_request req;
  req.path = "/ip/address";
  auto res = test::ask<rest_response>(sys, ***dev, atom::exec_v, req);
  run();
  EXPECT_EQ(code_of(res), ec::router_auth_failed);
  EXPECT_NE(error_message((*res)->error()).find("no stored credential"),
            std::string::npos);
  auto sample = check("r1");
  ASSERT_TRUE(sample->has_value());
  EXPECT_EQ((***sample).status, device_status::unreachable);
  EXPECT_EQ((***sample).error_kind, "router_auth_failed");
  EXPECT_TRUE(factory->client("r1")->calls().empty());
  // An operator enters the password again: requests flow.
  data->creds["r1"] = credential{"api", "new"};
  ++data->generation;
  advance_time(5s);
  auto healthy = check("r1");
  ASSERT_TRUE(healthy->has_value());
  EXPECT_EQ((***healthy).status, device_status::healthy);
  EXPECT_EQ(factory->client("r1")->endpoint().creds.password, "new");
}

TEST_F(fleet_test, moving_a_device_to_another_environment_stops_its_actor) {
  add(test::test_device("r1"));
  start();
  add(test::test_device("r1", "prod"));
  advance_time(5s);
  EXPECT_TRUE(factory->client("r1")->closed());
  EXPECT_EQ(code_of(lookup("r1")), ec::environment_mismatch);
}

TEST_F(fleet_test, a_handle_carries_record_health_and_actor_in_one_answer) {
  add(test::test_device("r1"));
  add(test::test_device("p1", "prod"));
  start();
  ASSERT_TRUE(check("r1")->has_value());
  run();
  auto h = handle("r1");
  ASSERT_TRUE(h->has_value() && **h) << error_message((*h)->error());
  EXPECT_EQ((***h).view.record.id, "r1");
  EXPECT_EQ((***h).view.last.status, device_status::healthy);
  EXPECT_FALSE((***h).unavailable);
  auto dev = lookup("r1");
  ASSERT_TRUE(dev->has_value() && **dev);
  EXPECT_EQ((***h).actor, ***dev);
  // Another environment: the record (for authorization), no actor, and
  // the reason tools report.
  auto prod = handle("p1");
  ASSERT_TRUE(prod->has_value() && **prod);
  EXPECT_EQ((***prod).view.record.environment, "prod");
  EXPECT_FALSE((***prod).actor);
  EXPECT_EQ(error_code_of((***prod).unavailable), ec::environment_mismatch);
  EXPECT_NE(error_message((***prod).unavailable).find("environment 'prod'"),
            std::string::npos);
  EXPECT_EQ(code_of(handle("nope")), ec::device_not_found);
  // A crashed actor is restarting: record and reason, no actor.
  caf::anon_send_exit(***dev, caf::exit_reason::kill);
  run();
  auto restarting = handle("r1");
  ASSERT_TRUE(restarting->has_value() && **restarting);
  EXPECT_FALSE((***restarting).actor);
  EXPECT_EQ(error_code_of((***restarting).unavailable), ec::circuit_open);
}

TEST_F(fleet_test, a_device_written_to_the_store_appears_at_reload) {
  start();
  add(test::test_device("new-1"), "pw1");
  auto ok = reload();
  ASSERT_TRUE(ok->has_value() && **ok) << error_message((*ok)->error());
  EXPECT_EQ(factory->made("new-1"), 1u);
  EXPECT_EQ(factory->client("new-1")->endpoint().creds.password, "pw1");
  // The poll sees the same generation: no second actor.
  advance_time(5s);
  EXPECT_EQ(factory->made("new-1"), 1u);
}

TEST_F(fleet_test, a_device_removed_from_the_store_is_stopped_at_reload) {
  add(test::test_device("r1"));
  start();
  drop("r1");
  auto ok = reload();
  ASSERT_TRUE(ok->has_value() && **ok);
  EXPECT_TRUE(factory->client("r1")->closed());
  EXPECT_EQ(code_of(lookup("r1")), ec::device_not_found);
  EXPECT_EQ(code_of(handle("r1")), ec::device_not_found);
}

TEST_F(fleet_test, a_reload_answers_the_store_error) {
  start();
  data->fail = true;
  EXPECT_EQ(code_of(reload()), ec::store_failure);
  data->fail = false;
  auto ok = reload();
  EXPECT_TRUE(ok->has_value() && **ok);
}

TEST_F(fleet_test, crashed_device_actor_is_restarted_with_capped_backoff) {
  add(test::test_device("r1"));
  start();
  std::vector<int64_t> waits;
  for (int crash = 0; crash < 5; ++crash) {
    auto dev = lookup("r1");
    ASSERT_TRUE(dev->has_value() && **dev);
    auto made = factory->made("r1");
    caf::anon_send_exit(***dev, caf::exit_reason::kill);
    run();
    EXPECT_EQ(code_of(lookup("r1")), ec::circuit_open);
    int64_t waited = 0;
    while (factory->made("r1") == made && waited < 60000) {
      advance_time(100ms);
      waited += 100;
    }
    waits.push_back(waited);
  }
  // Backoff d = min(8 s, 1 s · 2^n), waited in [d/2, d].
  const int64_t caps[] = {1000, 2000, 4000, 8000, 8000};
  for (size_t i = 0; i < waits.size(); ++i) {
    EXPECT_GE(waits[i], caps[i] / 2) << "restart " << i;
    EXPECT_LE(waits[i], caps[i] + 100) << "restart " << i;
  }
  auto dev = lookup("r1");
  EXPECT_TRUE(dev->has_value() && **dev);
}

TEST_F(fleet_test, health_changes_are_fanned_out_to_subscribers) {
  add(test::test_device("r1"));
  start();
  auto seen = std::make_shared<std::vector<health_sample>>();
  auto listener = test::spawn_health_recorder(sys, seen);
  caf::anon_send(fleet, atom::subscribe_v, listener);
  run();
  check("r1");
  run();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ(seen->back().status, device_status::healthy);
  // Same state again: not a change.
  check("r1");
  run();
  EXPECT_EQ(seen->size(), 1u);
  router->cpu_load = 97;
  check("r1");
  run();
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ(seen->back().status, device_status::degraded);
  caf::anon_send(fleet, atom::unsubscribe_v, listener);
  run();
  router->cpu_load = 1;
  check("r1");
  run();
  EXPECT_EQ(seen->size(), 2u);
  caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
  run();
}

TEST_F(fleet_test, health_and_rest_errors_reach_the_metrics) {
  add(test::test_device("r1"));
  start();
  check("r1");
  run();
  auto text = stats->render();
  EXPECT_NE(text.find(R"(rmcp_device_health{device="r1",state="healthy"} 1)"),
            std::string::npos);
  factory->client("r1")->set_responder(
    test::failing_responder(ec::router_timeout));
  check("r1");
  run();
  text = stats->render();
  EXPECT_NE(
    text.find(R"(rmcp_rest_errors_total{device="r1",kind="router_timeout"} 1)"),
    std::string::npos)
    << text;
  drop("r1");
  reload();
  EXPECT_EQ(stats->render().find(R"(rmcp_device_health{device="r1")"),
            std::string::npos);
}

TEST_F(fleet_test, without_a_rest_client_the_fleet_is_a_registry_only) {
  add(test::test_device("r1"));
  store = test::spawn_fake_store(sys, data);
  fleet = spawn_fleet(sys, store, nullptr, settings);
  run();
  ASSERT_EQ(views().size(), 1u);
  EXPECT_EQ(code_of(lookup("r1")), ec::unsupported);
  EXPECT_EQ(code_of(lookup("nope")), ec::device_not_found);
}

TEST_F(fleet_test, a_thousand_devices_check_their_health_spread_over_time) {
  constexpr int devices = 1000;
  for (int i = 0; i < devices; ++i)
    add(test::test_device("r" + std::to_string(i)));
  // Count first checks per second of simulated time.
  auto second = std::make_shared<int>(0);
  auto per_second = std::make_shared<std::map<int, int>>();
  auto healthy = test::router_responder(router);
  factory->answer = [=](const rest_request& req) {
    if (req.path == "/system/resource")
      ++(*per_second)[*second];
    return healthy(req);
  };
  settings.device.health_checks = true;
  settings.device.health_start_spread = 10s;
  start();
  for (*second = 0; *second < 10; ++*second)
    advance_time(1s);
  int total = 0;
  for (auto& [s, n] : *per_second) {
    total += n;
    // 100 per second on average; lock-step would put them all in one.
    EXPECT_LT(n, 200) << "second " << s;
  }
  EXPECT_EQ(total, devices);
  auto all = views();
  ASSERT_EQ(all.size(), static_cast<size_t>(devices));
  for (auto& v : all)
    ASSERT_EQ(v.last.status, device_status::healthy) << v.record.id;
  // The next round comes 60 s ± 10 % later, again spread out.
  per_second->clear();
  for (; *second < 80; ++*second)
    advance_time(1s);
  total = 0;
  for (auto& [s, n] : *per_second) {
    total += n;
    EXPECT_LT(n, 200) << "second " << s;
  }
  EXPECT_EQ(total, devices);
}

TEST_F(fleet_test, a_thousand_devices_load_in_one_store_request) {
  for (int i = 0; i < 1000; ++i)
    add(test::test_device("r" + std::to_string(i)), "pw-" + std::to_string(i));
  add(test::test_device("p1", "prod"));
  start();
  // Records and credentials in one snapshot; no request per device.
  EXPECT_EQ(data->registry_reads.load(), 1u);
  EXPECT_EQ(data->credential_reads.load(), 0u);
  EXPECT_EQ(views().size(), 1001u);
  EXPECT_EQ(factory->client("r999")->endpoint().creds.password, "pw-999");
  EXPECT_EQ(factory->made("p1"), 0u);
  // An unchanged generation loads nothing again.
  advance_time(settings.poll_interval);
  EXPECT_EQ(data->registry_reads.load(), 1u);
}

TEST_F(fleet_test, lookups_wait_for_the_first_load) {
  add(test::test_device("r1"));
  store = test::spawn_fake_store(sys, data);
  fleet = spawn_fleet(sys, store, factory, settings);
  // Ask before the fleet ran at all.
  auto a = test::ask<device_handle>(sys, fleet, atom::get_v, std::string{"r1"},
                                    atom::handle_v);
  run();
  ASSERT_TRUE(a->has_value() && **a);
  EXPECT_TRUE((**a)->actor);
}

TEST_F(fleet_test, store_failure_at_start_answers_lookups_and_recovers) {
  add(test::test_device("r1"));
  data->fail = true;
  start();
  // Not "no such device", and not an empty list: the registry is unknown.
  auto h = handle("r1");
  ASSERT_TRUE(h->has_value() && !**h);
  EXPECT_EQ(error_code_of((*h)->error()), ec::store_failure);
  EXPECT_NE(error_message((*h)->error()).find("device registry could not be"),
            std::string::npos)
    << error_message((*h)->error());
  auto all = test::ask<std::vector<device_view>>(sys, fleet, atom::get_v,
                                                 atom::devices_v);
  run();
  ASSERT_TRUE(all->has_value() && !**all);
  EXPECT_EQ(error_code_of((*all)->error()), ec::store_failure);
  // The next poll reads the registry again.
  data->fail = false;
  advance_time(5s);
  auto a = lookup("r1");
  EXPECT_TRUE(a->has_value() && **a);
  EXPECT_EQ(views().size(), 1u);
}

} // namespace rmcp
