#pragma once

// The fixture of the plan and rollout tests against the RouterOS simulator
// (rollout_test.cpp, rollout_deadman_test.cpp), on plan_harness: routers with the
// professional and routing flags, DNS/NTP plans, routes and dead-man jobs
// read back from the routers, a restart of the plan store and rollout
// manager over the same LMDB directory.

#include <chrono>
#include <string>
#include <vector>

#include "src/tools/change_kinds.hpp"
#include "storage/lmdb_store.hpp"
#include "tests/support/plan_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {

class rollout_test : public plan_harness {
protected:
  void start_pro(size_t routers) {
    plan_harness::start_pro(routers, &device_flags::allow_routing_writes);
  }

  json dns_of(size_t i) {
    return router_get(i, "/ip/dns").value("servers", "");
  }

  std::string plan_dns(json devices, size_t batch_size,
                       json servers = {"10.9.9.9", "10.9.9.8"}) {
    auto out =
      ok("config_plan_dns_ntp_rollout", {{"device_ids", std::move(devices)},
                                         {"dns_servers", std::move(servers)},
                                         {"ntp_servers", {"10.9.9.7"}},
                                         {"batch_size", batch_size}});
    EXPECT_EQ(out.value("state", ""), "pending");
    return out.value("plan_id", "");
  }

  json apply(const std::string& id, const std::string& token) {
    return ok("config_apply_dns_ntp_rollout",
              {{"plan_id", id}, {"approval_token", token}});
  }

  /// Static routes of router `i` to `dst`.
  std::vector<json> routes_to(size_t i, const std::string& dst) {
    std::vector<json> out;
    for (auto& r : router_get(i, "/ip/route"))
      if (r.value("dst-address", "") == dst)
        out.push_back(r);
    return out;
  }

  /// Advances the test clock in steps of `step` until request `id` is
  /// answered (at most `max` steps).
  json wait_result(int id, std::chrono::milliseconds step, int max) {
    for (int i = 0; i < max && result_of(id).is_null(); ++i)
      advance_time(step);
    return result_of(id);
  }

  /// Stops the plan store actor and the rollout manager (and so every
  /// coordinator) as a killed daemon would, then starts them again over a
  /// reopened LMDB environment and lets the manager take over.
  void restart_plans() {
    caf::anon_send_exit(rollouts, caf::exit_reason::kill);
    caf::anon_send_exit(plans, caf::exit_reason::kill);
    run();
    plans = plan_store_actor{};
    rollouts = rollout_manager_actor{};
    plan_db.reset();
    plan_kv.reset();
    open_lmdb();
    start_plans();
    caf::anon_send(rollouts, atom::recover_v);
    run();
  }

  void open_lmdb() {
    if (shared_kv) {
      plan_kv = shared_kv;
      return;
    }
    storage::lmdb_options o;
    o.path = dir / "store";
    auto kv = storage::lmdb_store::open(o);
    ASSERT_TRUE(kv) << error_message(kv.error());
    plan_kv = std::move(*kv);
  }

  temp_dir dir;
  /// When set, the plans live there (the cluster's shared store) instead
  /// of the LMDB in `dir`; a restart reopens the same.
  std::shared_ptr<storage::kv_store> shared_kv;

  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> out;
    auto log = plan_db->journal(id);
    EXPECT_TRUE(log);
    for (auto& s : *log)
      out.push_back(s.event);
    return out;
  }
};

} // namespace rmcp::test
