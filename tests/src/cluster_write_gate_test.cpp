// A cluster node that is out of the cluster (its membership says so: etcd
// lost, lease lapsed) refuses every call that changes anything — router
// writes, plans — with the retryable node_out_of_cluster, naming why, and
// the router sees nothing. Reads go on; a node in the cluster writes as
// before; a membership that does not answer counts as out. The membership
// is a scripted actor here; the real one against etcd is exercised by the
// cluster end-to-end tests.

#include <memory>

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

struct scripted_membership {
  cluster_status status;
  /// False: `(get, status)` is never answered.
  bool answers = true;
  size_t asked = 0;
};

membership_actor spawn_scripted(caf::actor_system& sys,
                                std::shared_ptr<scripted_membership> m) {
  return sys.spawn([m]() -> membership_actor::behavior_type {
    return {
      [m](atom::get, atom::status) -> caf::result<cluster_status> {
        ++m->asked;
        if (!m->answers)
          return caf::delegated<cluster_status>{};
        return m->status;
      },
      [](atom::suspend, bool) {},
      [](atom::stop) { return atom::ok_v; },
      [](atom::tick) {},
      [](atom::expire) {},
      [](atom::poll) {},
      [](atom::done, cluster_task&) {},
    };
  });
}

class cluster_write_gate_test : public test::sim_harness {
protected:
  cluster_write_gate_test() {
    scripted = std::make_shared<scripted_membership>();
    scripted->status.node_id = "node2";
    scripted->status.member = false;
    scripted->status.reason = "etcd unreachable since 6.1 s";
    membership = spawn_scripted(sys, scripted);
  }

  ~cluster_write_gate_test() override {
    caf::anon_send_exit(membership, caf::exit_reason::user_shutdown);
  }

  size_t router_writes(size_t i) {
    size_t n = 0;
    for (auto& r : sim_fleet->router(i).request_log())
      n += r.write ? 1 : 0;
    return n;
  }

  std::string identity_of(size_t i) {
    return router_get(i, "/system/identity").value("name", "");
  }

  std::shared_ptr<scripted_membership> scripted;
};

} // namespace

TEST_F(cluster_write_gate_test, a_node_out_of_the_cluster_refuses_writes) {
  start_writable();
  auto old = identity_of(0);
  auto res = call("set_system_identity", on(0, {{"identity", "core-x"}}));
  ASSERT_TRUE(res.value("isError", false)) << res.dump();
  EXPECT_EQ(res["_meta"]["error_kind"], "node_out_of_cluster") << res.dump();
  EXPECT_EQ(res["_meta"]["retryable"], true);
  auto text = res["content"][0].value("text", "");
  EXPECT_NE(text.find("set_system_identity"), std::string::npos) << text;
  EXPECT_NE(text.find("etcd unreachable since 6.1 s"), std::string::npos)
    << text;
  EXPECT_NE(text.find("another node"), std::string::npos) << text;
  EXPECT_EQ(scripted->asked, 1u);
  EXPECT_EQ(identity_of(0), old);
  EXPECT_EQ(router_writes(0), 0u);
  // The refusal is audited like any failed call.
  ASSERT_FALSE(data->audit.empty());
  EXPECT_EQ(data->audit.back().tool, "set_system_identity");
  EXPECT_EQ(data->audit.back().outcome, "error");
  EXPECT_NE(data->audit.back().error.find("out of the cluster"),
            std::string::npos);
}

TEST_F(cluster_write_gate_test, plans_are_refused_too) {
  start_writable(2);
  EXPECT_EQ(error_kind("config_plan_dns_ntp_rollout",
                       {{"device_ids", {"sim-0", "sim-1"}},
                        {"dns_servers", {"10.9.9.9"}},
                        {"ntp_servers", {"10.9.9.7"}},
                        {"batch_size", 1}}),
            "node_out_of_cluster");
  EXPECT_EQ(scripted->asked, 1u);
}

TEST_F(cluster_write_gate_test, reads_go_on_without_asking_the_membership) {
  start_writable();
  ok("list_devices", json::object());
  ok("get_system_overview", on(0));
  ok("service_health", json::object());
  EXPECT_EQ(scripted->asked, 0u);
}

TEST_F(cluster_write_gate_test, a_member_writes_as_before) {
  scripted->status.member = true;
  scripted->status.reason.clear();
  start_writable();
  auto out = ok("set_system_identity", on(0, {{"identity", "core-y"}}));
  EXPECT_EQ(out["changed"], true);
  EXPECT_EQ(identity_of(0), "core-y");
  EXPECT_EQ(scripted->asked, 1u);
}

TEST_F(cluster_write_gate_test,
       a_membership_that_does_not_answer_counts_as_out) {
  scripted->answers = false;
  start_writable();
  auto old = identity_of(0);
  call_async(77, "set_system_identity", on(0, {{"identity", "core-z"}}));
  EXPECT_TRUE(result_of(77).is_null());
  advance_time(std::chrono::seconds{2});
  auto res = result_of(77);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["_meta"]["error_kind"], "node_out_of_cluster") << res.dump();
  EXPECT_NE(res["content"][0].value("text", "").find("could not be confirmed"),
            std::string::npos)
    << res.dump();
  EXPECT_EQ(identity_of(0), old);
}

} // namespace rmcp
