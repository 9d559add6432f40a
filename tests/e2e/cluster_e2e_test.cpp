// End-to-end: the built routeros-mcp as a cluster node against a private
// etcd. It joins (its member key appears), /health reports the membership,
// says 503 while etcd is gone and 200 once it is back, and SIGTERM leaves
// the cluster (the lease is revoked: the member key goes at once). Without
// cluster keys, /health has no cluster check (a single node as before).

#include <signal.h>

#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "protocol/json_parse.hpp"
#include "storage/encoding.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

const std::string binary = RMCP_BINARY_PATH;

/// GET /health: the status code and the parsed report.
std::pair<unsigned, json> health(uint16_t port) {
  auto reply = http_exchange(port, "GET", "/health", {}, {}, 5s);
  auto parsed = parse_json_bounded(reply.body);
  return {reply.status, parsed ? *parsed : json{}};
}

/// The keys under `prefix` in etcd (read through its JSON gateway).
json etcd_keys(const etcd_server& etcd, const std::string& prefix) {
  std::string end = prefix;
  end.back() = static_cast<char>(end.back() + 1);
  json body{{"key", storage::to_base64(prefix)},
            {"range_end", storage::to_base64(end)}};
  auto reply =
    http_exchange(etcd.client_port(), "POST", "/v3/kv/range",
                  {{"Content-Type", "application/json"}}, body.dump(), 5s);
  auto parsed = parse_json_bounded(reply.body);
  if (reply.status != 200 || !parsed)
    return json{{"error", reply.status}};
  return parsed->value("kvs", json::array());
}

bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

} // namespace

TEST(cluster_e2e, node_joins_reports_membership_in_health_and_leaves) {
  etcd_server etcd;
  ASSERT_TRUE(etcd.ready());
  temp_dir data;
  auto node =
    launch_http(data, {"cluster.node_id=n1", "cluster.etcd=" + etcd.endpoint(),
                       "cluster.listen=127.0.0.1:0", "cluster.prefix=/e2e",
                       "cluster.lease_ttl=2s", "cluster.settle=0"});
  ASSERT_NE(node.port, 0);
  // Ready (200) only once it is in its own view, not when its member key
  // is put.
  ASSERT_TRUE(eventually(
    [&] {
      auto [status, report] = health(node.port);
      auto& c = report["checks"]["cluster"];
      if (status == 200)
        EXPECT_EQ(c["members"].size(), 1u) << report.dump();
      else if (c["member"] == true)
        EXPECT_EQ(c["status"], "joining") << report.dump();
      return status == 200 && c["member"] == true;
    },
    10s))
    << dump_json(health(node.port).second) << node.process->stderr_text();
  auto report = health(node.port).second;
  EXPECT_EQ(report["checks"]["cluster"]["node_id"], "n1");
  EXPECT_EQ(report["checks"]["cluster"]["members"], json::array({"n1"}));
  auto member = etcd_keys(etcd, "/e2e/members/");
  ASSERT_EQ(member.size(), 1u) << member.dump();
  auto value = storage::from_base64(member[0].value("value", std::string{}));
  ASSERT_TRUE(value);
  // Port 0 asked, so the key must name the port the kernel picked (a fixed
  // port would collide with any other run on the machine).
  auto endpoint = parse_json_bounded(*value);
  ASSERT_TRUE(endpoint) << *value;
  EXPECT_EQ(endpoint->value("host", std::string{}), "127.0.0.1") << *value;
  EXPECT_GT(endpoint->value("port", 0), 0) << *value;
  // etcd gone: the node is out, and /health says so with 503.
  etcd.kill();
  ASSERT_TRUE(eventually(
    [&] {
      auto [status, report] = health(node.port);
      return status == 503 && report["checks"]["cluster"]["status"] == "out";
    },
    10s))
    << dump_json(health(node.port).second);
  EXPECT_FALSE(health(node.port)
                 .second["checks"]["cluster"]
                 .value("reason", std::string{})
                 .empty());
  // etcd back: the node rejoins.
  ASSERT_TRUE(etcd.restart());
  ASSERT_TRUE(eventually([&] { return health(node.port).first == 200; }, 15s))
    << dump_json(health(node.port).second);
  // SIGTERM: the lease is revoked, the member key goes at once.
  node.process->kill(SIGTERM);
  EXPECT_EQ(node.process->wait(), 0) << node.process->stderr_text();
  EXPECT_EQ(etcd_keys(etcd, "/e2e/members/"), json::array());
}

TEST(cluster_e2e, single_node_has_no_cluster_check) {
  temp_dir data;
  auto node = launch_http(data, {});
  ASSERT_NE(node.port, 0);
  auto [status, report] = health(node.port);
  EXPECT_EQ(status, 200u);
  EXPECT_FALSE(report["checks"].contains("cluster"));
  node.process->kill(SIGTERM);
  EXPECT_EQ(node.process->wait(), 0);
}

TEST(cluster_e2e, cluster_node_without_etcd_endpoints_is_refused) {
  temp_dir data;
  child_process server{{binary, "--data-dir", data.path(), "serve", "--http",
                        "--listen", "127.0.0.1:0", "--set",
                        "cluster.node_id=n1", "--set",
                        "cluster.listen=127.0.0.1:0"}};
  auto code = server.wait();
  ASSERT_TRUE(code);
  EXPECT_NE(*code, 0);
  EXPECT_NE(server.stderr_text().find("cluster.etcd"), std::string::npos)
    << server.stderr_text();
}

} // namespace rmcp
