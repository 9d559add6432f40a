#pragma once

// The fixture of the in-process HTTP tests: the real runtime (store, fleet,
// notifier) over a temporary data directory, and the real HTTP front end on
// an ephemeral loopback port, drained and stopped after each test.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "src/app/http_frontend.hpp"
#include "src/app/runtime.hpp"
#include "src/config/options_table.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {

/// What an MCP client over Streamable HTTP accepts.
inline constexpr const char* accept_both =
  "application/json, text/event-stream";

class http_daemon : public ::testing::Test {
protected:
  /// Starts the daemon with health checks off and the options `sets`
  /// (key, value) on top.
  void start(std::vector<std::pair<std::string, std::string>> sets = {}) {
    config::server_options opts;
    opts.data_dir = dir.path();
    opts.http_listen = "127.0.0.1:0";
    opts.fleet.device.health_checks = false;
    for (auto& [key, value] : sets)
      ASSERT_FALSE(config::set_option(opts, key, value, "test"));
    rt = std::make_unique<app::runtime>(opts);
    ASSERT_FALSE(rt->start("http"));
    http = std::make_unique<app::http_frontend>(*rt);
    ASSERT_FALSE(http->start());
    port = http->port();
  }

  void TearDown() override {
    if (http) {
      http->begin_drain();
      wait_until([&] { return http->sessions() == 0; });
      http->stop();
    }
    if (rt)
      rt->stop();
  }

  /// Waits (bounded) for a condition that other threads make true.
  template <class Pred>
  bool wait_until(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    return true;
  }

  temp_dir dir;
  std::unique_ptr<app::runtime> rt;
  std::unique_ptr<app::http_frontend> http;
  uint16_t port = 0;
};

} // namespace rmcp::test
