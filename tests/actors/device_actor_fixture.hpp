#pragma once

// The device actor under the testing scheduler with a scripted REST client
// and a fake store: the fixture of device_actor_test.cpp and
// device_checks_test.cpp.

#include "actors/device_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/error.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/ask.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"
#include "tests/support/health_recorder.hpp"

namespace rmcp {

namespace device_test {

using namespace std::chrono_literals;
using test::answer;
using test::code_of;

inline rest_request get(const std::string& path) {
  rest_request req;
  req.path = path;
  return req;
}

inline rest_request put(const std::string& path, uint64_t lease = 0) {
  rest_request req;
  req.method = "PUT";
  req.path = path;
  req.body = {{"address", "10.0.0.1/24"}};
  req.lease = lease;
  return req;
}

class device_actor_test : public test::actor_fixture {
protected:
  device_actor_test() {
    factory = std::make_shared<test::fake_rest_factory>();
    settings.health_checks = false;
    settings.seed = 42;
    settings.retry_base = 100ms;
    settings.retry_max = 1000ms;
  }

  ~device_actor_test() override {
    if (dev)
      caf::anon_send_exit(dev, caf::exit_reason::user_shutdown);
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    if (listener)
      caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
    run();
  }

  void start(device_record record = test::test_device("r1")) {
    device_setup setup;
    setup.record = std::move(record);
    setup.creds = credential{"api", "secret"};
    setup.factory = factory;
    setup.settings = settings;
    store_data = std::make_shared<test::fake_store_data>();
    store = test::spawn_fake_store(sys, store_data);
    samples = std::make_shared<std::vector<health_sample>>();
    listener = test::spawn_health_recorder(sys, samples);
    setup.store = store;
    setup.listener = listener;
    dev = spawn_device(sys, std::move(setup));
    run();
  }

  test::fake_rest_client& client() {
    return *factory->client("r1");
  }

  answer<rest_response> exec(rest_request req) {
    auto a = test::ask<rest_response>(sys, dev, atom::exec_v, std::move(req));
    run();
    return a;
  }

  answer<uint64_t> acquire(int64_t ttl_ms) {
    auto a = test::ask<uint64_t>(sys, dev, atom::acquire_v, ttl_ms);
    run();
    return a;
  }

  answer<health_sample> check() {
    auto a = test::ask<health_sample>(sys, dev, atom::check_v);
    run();
    return a;
  }

  /// Moves time in 1 s steps and returns the second of each health check
  /// until `count` checks happened; calls `turn` after the `at`-th check.
  std::vector<int64_t> check_times(size_t at, const std::function<void()>& turn,
                                   size_t count) {
    std::vector<int64_t> result;
    size_t seen = 0;
    for (int64_t t = 1; t < 10000 && result.size() < count; ++t) {
      advance_time(1s);
      auto now = client().count("/system/resource");
      if (now == seen)
        continue;
      seen = now;
      result.push_back(t);
      if (result.size() == at)
        turn();
    }
    return result;
  }

  std::shared_ptr<test::fake_rest_factory> factory;
  device_settings settings;
  std::shared_ptr<test::fake_store_data> store_data;
  std::shared_ptr<std::vector<health_sample>> samples;
  store_actor store;
  health_listener_actor listener;
  device_actor dev;
};

} // namespace device_test

} // namespace rmcp
