#pragma once

// Shared helpers of the simulator tests: a fleet with fast simulated time,
// a client per router and JSON parsing.

#include <memory>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "sim/fleet.hpp"

namespace rmcp::sim::test {

using json = nlohmann::json;

inline json parse(const std::string& body) {
  return json::parse(body, nullptr, false);
}

/// Options of a small, fast fleet: simulated waits 1000x shorter, a short
/// session limit.
inline fleet_options fast_options(std::size_t routers = 1) {
  fleet_options o;
  o.routers = routers;
  o.time_scale = 0.001;
  o.session_limit_ms = 300;
  return o;
}

class sim_test : public ::testing::Test {
protected:
  void start(fleet_options o) {
    fleet_ = std::make_unique<fleet>(std::move(o));
    client_ = std::make_unique<http_client>(fleet_->port(0));
  }
  void start() {
    start(fast_options());
  }

  http_response call(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::string& content_type = "application/json") {
    return client_->request(method, target, body, content_type);
  }
  json call_json(const std::string& method, const std::string& target,
                 const std::string& body = {}) {
    return parse(call(method, target, body).body);
  }

  std::unique_ptr<fleet> fleet_;
  std::unique_ptr<http_client> client_;
};

} // namespace rmcp::sim::test
