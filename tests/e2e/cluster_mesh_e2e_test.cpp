// End-to-end: two daemons configured as one cluster with a static member
// list (cluster.members), each with its own store holding the same
// registry, over simulated routers on TLS. A tool call through either node
// reaches the right router, with as many requests as through its owner
// (none twice); the other node's routers see nothing.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

constexpr size_t routers = 4;

class cluster_mesh_e2e : public ::testing::Test {
protected:
  cluster_mesh_e2e() {
    sim::fleet_options o;
    o.routers = routers;
    o.tls = true;
    sims = std::make_unique<sim::fleet>(o);
    ports[0] = free_loopback_port();
    ports[1] = free_loopback_port();
  }

  void register_all(const temp_dir& data) {
    for (size_t i = 0; i < routers; ++i) {
      auto o = run_cli(data.path(),
                       {"device", "add", "sim-" + std::to_string(i), "--host",
                        "127.0.0.1", "--port", std::to_string(sims->port(i)),
                        "--username", "admin", "--fingerprint",
                        sims->fingerprint_sha256()},
                       {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
      ASSERT_EQ(o.code, 0) << o.err;
    }
  }

  std::string members() const {
    return "node-a@127.0.0.1:" + std::to_string(ports[0])
           + ",node-b@127.0.0.1:" + std::to_string(ports[1]);
  }

  std::unique_ptr<child_process> serve(size_t k, const temp_dir& data) {
    std::string id = k == 0 ? "node-a" : "node-b";
    auto server = std::make_unique<child_process>(
      std::vector<std::string>{
        binary, "--set", "device.health_checks=false", "--set",
        "cluster.node_id=" + id, "--set",
        "cluster.listen=127.0.0.1:" + std::to_string(ports[k]), "--set",
        "cluster.members=" + members(), "serve", "--stdio"},
      std::map<std::string, std::string>{
        {"ROUTEROS_MCP_DATA_DIR", data.path()}});
    handshake(*server);
    return server;
  }

  /// get_system_overview of router `i` through `server`; a device_moving
  /// answer (the other node not connected yet) is retried, as a client
  /// retries a retryable error, for up to 10 s.
  json overview(child_process& server, size_t i) {
    json res;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto answer =
        request(server, ++next_id, "tools/call",
                {{"name", "get_system_overview"},
                 {"arguments", {{"device_id", "sim-" + std::to_string(i)}}}});
      res = answer["result"];
      if (res.value("_meta", json::object()).value("error_kind", "")
          != "device_moving")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    return res;
  }

  std::vector<uint64_t> counts() {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < routers; ++i)
      out.push_back(sims->router(i).stats().requests);
    return out;
  }

  std::unique_ptr<sim::fleet> sims;
  uint16_t ports[2] = {0, 0};
  int next_id = 100;
};

} // namespace

TEST_F(cluster_mesh_e2e, a_tool_call_through_either_node_reaches_its_router) {
  temp_dir data_a;
  temp_dir data_b;
  register_all(data_a);
  register_all(data_b);
  auto a = serve(0, data_a);
  auto b = serve(1, data_b);
  std::vector<uint64_t> per_call(routers, 0);
  for (size_t i = 0; i < routers; ++i) {
    for (auto* node : {a.get(), b.get()}) {
      auto before = counts();
      auto res = overview(*node, i);
      ASSERT_FALSE(res.value("isError", false)) << res.dump();
      ASSERT_TRUE(res.contains("structuredContent")) << res.dump();
      EXPECT_EQ(res["structuredContent"]["identity"],
                sims->routers()[i].identity)
        << res.dump();
      auto after = counts();
      auto mine = after[i] - before[i];
      EXPECT_GT(mine, 0u);
      // The same requests whichever node is asked: none sent twice.
      if (per_call[i] == 0)
        per_call[i] = mine;
      EXPECT_EQ(mine, per_call[i]) << "router " << i;
      for (size_t k = 0; k < routers; ++k) {
        if (k == i)
          continue;
        EXPECT_EQ(after[k], before[k]) << "router " << k;
      }
    }
  }
  for (auto* node : {a.get(), b.get()}) {
    node->close_stdin();
    EXPECT_EQ(node->wait(), 0) << node->stderr_text();
  }
}

TEST(cluster_mesh_config, a_node_missing_from_the_members_is_refused) {
  temp_dir data;
  auto o = run_cli(
    data.path(),
    {"--set", "cluster.node_id=node-c", "--set", "cluster.listen=127.0.0.1:0",
     "--set", "cluster.members=node-a@127.0.0.1:7401", "serve", "--stdio"},
    {});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("cluster.members"), std::string::npos) << o.err;
}

TEST(cluster_mesh_config, a_node_needs_exactly_one_source_of_members) {
  temp_dir data;
  for (auto& extra : std::vector<std::vector<std::string>>{
         {},
         {"--set", "cluster.etcd=127.0.0.1:1", "--set",
          "cluster.members=node-c@127.0.0.1:7401"}}) {
    std::vector<std::string> args{"--set", "cluster.node_id=node-c", "--set",
                                  "cluster.listen=127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"serve", "--stdio"});
    auto o = run_cli(data.path(), args, {});
    EXPECT_NE(o.code, 0);
    EXPECT_NE(o.err.find("exactly one"), std::string::npos) << o.err;
  }
}

} // namespace rmcp
