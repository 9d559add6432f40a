#pragma once

// tool_harness over the RouterOS simulator: `start_with(n)` starts n
// simulated routers (seed 42), registers them as devices sim-0 … sim-(n-1)
// of environment lab and runs the tools against them through the device
// actors (tests/support/sim_rest_client.hpp).

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim/fleet.hpp"
#include "tests/support/sim_rest_client.hpp"
#include "tests/support/tool_harness.hpp"

namespace rmcp::test {

class sim_harness : public tool_harness {
protected:
  /// `passwords` overrides the password registered for a router index;
  /// `flags` is given to every device.
  void start_with(size_t routers, std::map<size_t, std::string> passwords = {},
                  device_flags flags = {}) {
    sim::fleet_options opts;
    opts.routers = routers;
    opts.seed = 42;
    opts.overrides = sim_overrides;
    sim_fleet = std::make_unique<sim::fleet>(opts);
    for (auto& info : sim_fleet->routers()) {
      auto id = "sim-" + std::to_string(info.index);
      auto r = test_device(id);
      r.port = info.port;
      r.username = sim_fleet->username();
      r.flags = flags;
      auto pw = passwords.count(info.index) ? passwords[info.index]
                                            : std::string{"routeros-sim"};
      if (customize)
        customize(info.index, r, pw);
      add_device(r, pw);
    }
    client_factory = std::make_shared<sim_rest_factory>(*sim_fleet);
    start();
  }

  /// Calls a tool that must succeed; returns its structuredContent.
  json ok(const std::string& tool, json args) {
    auto res = call(tool, std::move(args));
    EXPECT_FALSE(res.value("isError", false)) << tool << ": " << res.dump();
    EXPECT_TRUE(res.contains("structuredContent"))
      << tool << ": " << res.dump();
    return res.value("structuredContent", json::object());
  }

  /// Calls a tool that must fail; returns the error kind.
  std::string error_kind(const std::string& tool, json args) {
    auto res = call(tool, std::move(args));
    EXPECT_TRUE(res.value("isError", false)) << tool << ": " << res.dump();
    return res.value("_meta", json::object()).value("error_kind", "");
  }

  /// Arguments {"device_id": "sim-<i>"} plus `more`.
  static json on(size_t i, json more = json::object()) {
    json a{{"device_id", "sim-" + std::to_string(i)}};
    a.update(more);
    return a;
  }

  /// Starts routers whose devices allow advanced writes.
  void start_writable(size_t routers = 1) {
    device_flags flags;
    flags.allow_advanced_writes = true;
    start_with(routers, {}, flags);
  }

  /// A raw request to simulated router `index` (no faults, no auth).
  json router_get(size_t index, const std::string& path) {
    auto out = sim_fleet->router(index).request("GET", "/rest" + path);
    return parse_json(out.body).value_or(json{});
  }

  /// Board, version or identity of single routers (set before start_with).
  std::map<size_t, sim::router_overrides> sim_overrides;

  /// Changes a device's registration (record, password) before start.
  std::function<void(size_t, device_record&, std::string&)> customize;

  std::unique_ptr<sim::fleet> sim_fleet;
};

} // namespace rmcp::test
