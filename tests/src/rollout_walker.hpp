#pragma once

// Rollouts against the RouterOS simulator whose coordinators report every
// transition of their state tables (actors/rollout_table.hpp) and can be
// stopped right after a journal write, as a crash there would stop them
// (rollout_walk_test.cpp, rollout_crash_test.cpp).

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "actors/rollout_table.hpp"
#include "tests/src/rollout_fixture.hpp"
#include "tests/support/fake_rest_client.hpp"

namespace rmcp::test {

using namespace std::chrono_literals;

/// A row of the device table (true) or of the run table (false).
using edge = std::pair<bool, size_t>;

inline std::string describe(const edge& e) {
  auto show = [](auto& r) {
    return std::string{to_string(r.from)} + " × " + to_string(r.event) + " → "
           + to_string(r.to);
  };
  return e.first ? "device " + show(rollout_tables::device_table[e.second])
                 : "run " + show(rollout_tables::run_table[e.second]);
}

/// The journal step a row writes, or "" for a row that writes none.
inline std::string journaled(const edge& e) {
  if (e.first) {
    auto& r = rollout_tables::device_table[e.second];
    return r.journal ? to_string(r.to) : "";
  }
  auto& r = rollout_tables::run_table[e.second];
  return r.journal ? to_string(r.to) : "";
}

/// Writes of the devices in `devices` are answered 200 without reaching
/// the router (a router that accepts a write and keeps its old state).
class swallowing_client : public rest_client {
public:
  swallowing_client(std::shared_ptr<rest_client> inner, std::string device,
                    std::shared_ptr<std::set<std::string>> devices)
    : inner_(std::move(inner)), device_(std::move(device)),
      devices_(std::move(devices)) {}

  uint64_t async_request(const rest_request& req,
                         std::chrono::milliseconds timeout,
                         callback done) override {
    if (req.method != "GET" && devices_->count(device_)) {
      done(ok_response(json::object()));
      return 0;
    }
    return inner_->async_request(req, timeout, std::move(done));
  }

  void cancel(uint64_t id) override {
    inner_->cancel(id);
  }

  void close() override {
    inner_->close();
  }

private:
  std::shared_ptr<rest_client> inner_;
  std::string device_;
  std::shared_ptr<std::set<std::string>> devices_;
};

class swallowing_factory : public rest_client_factory {
public:
  swallowing_factory(rest_client_factory_ptr inner,
                     std::shared_ptr<std::set<std::string>> devices)
    : inner_(std::move(inner)), devices_(std::move(devices)) {}

  std::shared_ptr<rest_client> make(const rest_endpoint& ep) override {
    return std::make_shared<swallowing_client>(inner_->make(ep), ep.device_id,
                                               devices_);
  }

private:
  rest_client_factory_ptr inner_;
  std::shared_ptr<std::set<std::string>> devices_;
};

/// One rollout against simulated routers whose coordinators report every
/// transition: `walked` collects the rows taken, `on_row` runs at each,
/// and the first row that journals `crash_step` stops the coordinator.
class walker : public rollout_test {
public:
  void TestBody() override {}

  using rollout_test::advance_time;
  using rollout_test::deadman_jobs;
  using rollout_test::dns_of;
  using rollout_test::plan_db;
  using rollout_test::rollout_cfg;
  using rollout_test::sim_fleet;
  // For the cluster takeover (rollout_takeover_test.cpp).
  using rollout_test::events;
  using rollout_test::result_of;
  using rollout_test::rollout_claims;
  using rollout_test::rollouts;
  using rollout_test::shared_kv;
  using rollout_test::sys;
  using rollout_test::wait_result;

  std::set<edge>* walked = nullptr;
  std::function<void(const edge&)> on_row;
  std::string crash_step;
  /// Journal writes of crash_step to let pass before the stop.
  int crash_skip = 0;
  bool crashed = false;
  /// Devices whose writes are swallowed (swallowing_client).
  std::shared_ptr<std::set<std::string>> swallowed =
    std::make_shared<std::set<std::string>>();
  std::string id;

  /// `routers` simulated routers that allow professional workflows and
  /// routing writes, with an LMDB plan store (restartable).
  void start(size_t routers) {
    open_lmdb();
    rollout_observer = [this](const rollout_transition& t) {
      edge e{!t.device_id.empty(), t.row};
      if (walked)
        walked->insert(e);
      if (on_row)
        on_row(e);
      if (!crashed && !crash_step.empty() && journaled(e) == crash_step
          && crash_skip-- == 0) {
        crashed = true;
        return false;
      }
      return true;
    };
    sim::fleet_options opts;
    opts.routers = routers;
    opts.seed = 42;
    sim_fleet = std::make_unique<sim::fleet>(opts);
    device_flags flags;
    flags.allow_professional_workflows = true;
    flags.allow_routing_writes = true;
    for (auto& info : sim_fleet->routers()) {
      auto r = test_device("sim-" + std::to_string(info.index));
      r.port = info.port;
      r.username = sim_fleet->username();
      r.flags = flags;
      add_device(r, "routeros-sim");
    }
    client_factory = std::make_shared<swallowing_factory>(
      std::make_shared<sim_rest_factory>(*sim_fleet), swallowed);
    tool_harness::start();
  }

  void faults(size_t i, std::function<void(sim::fault_config&)> f) {
    sim_fleet->router(i).update_faults(std::move(f));
  }

  /// A DNS/NTP plan of routers 0 … n-1 in batches of one after the canary.
  void plan_dns_of(size_t n, json servers = {"10.9.9.9", "10.9.9.8"}) {
    id = plan_dns(ids(0, n), 1, std::move(servers));
  }

  /// A route plan (risky: dead-man jobs) of routers 0 … n-1.
  void plan_route_of(size_t n) {
    id = ok("plan_add_static_route", {{"device_ids", ids(0, n)},
                                      {"dst_address", "10.66.0.0/16"},
                                      {"gateway", "10.155.0.254"},
                                      {"batch_size", 1}})
           .value("plan_id", "");
  }

  /// Approves and starts the apply of the plan (answer in result_of(800)).
  void apply_async() {
    auto tool = plan_db->get(id)->apply_tool;
    call_async(800, tool, {{"plan_id", id}, {"approval_token", approve(id)}});
  }

  /// Advances the test clock by `dt` until the plan is final.
  plan_record settle(std::chrono::milliseconds dt = 1s, int steps = 900) {
    for (int i = 0; i < steps; ++i) {
      auto p = plan_db->get(id);
      if (p && is_terminal(p->state))
        break;
      advance_time(dt);
    }
    return *plan_db->get(id);
  }

  /// Restarts the plan store and the rollout manager, which take the plan
  /// over (resumed or rolled back); the coordinator is watched as before
  /// and stopped again only at `next_crash`.
  void take_over(bool resume, const std::string& next_crash = {}) {
    crash_step = next_crash;
    crash_skip = 0;
    crashed = false;
    rollout_cfg.resume_on_restart = resume;
    restart_plans();
  }

  std::string state_of(const plan_record& p, size_t i) {
    auto* d =
      find_device(const_cast<plan_record&>(p), "sim-" + std::to_string(i));
    return d ? d->state : "missing";
  }

  size_t routes(size_t i) {
    return routes_to(i, "10.66.0.0/16").size();
  }
};

/// Runs `scenario` on a fresh walker that records into `walked`.
inline void walk(std::set<edge>& walked,
                 const std::function<void(walker&)>& scenario) {
  walker w;
  w.walked = &walked;
  scenario(w);
}

/// A route rollout of three routers stopped at the first journal of
/// `step`, then taken over (stopped again at `next_crash`, if given);
/// `setup` runs before the apply, `after` between the stop and the
/// takeover.
inline void crash_routes(walker& w, const std::string& step, bool resume,
                         std::function<void(walker&)> after = nullptr,
                         const std::string& next_crash = {},
                         std::function<void(walker&)> setup = nullptr) {
  w.start(3);
  w.plan_route_of(3);
  if (setup)
    setup(w);
  w.crash_step = step;
  w.apply_async();
  w.settle(1s, 5);
  ASSERT_TRUE(w.crashed) << step;
  if (after)
    after(w);
  w.take_over(resume, next_crash);
}

} // namespace rmcp::test
