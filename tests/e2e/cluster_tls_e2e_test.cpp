// End-to-end: TLS between the nodes (cluster.tls.*), through the real
// binaries. The test makes two CAs with the openssl CLI: the cluster's,
// which signs node1's and node2's certificates, and another, which signs
// node3's (a node of another cluster pointed at the same etcd). node1 and
// node2 serve each other's devices over mutual TLS, over the one connection
// node1 made; node3 is refused in the handshake both ways, and each side
// says so in its log and its /health, while the calls for node3's devices
// fail with device_moving (retryable).
// A node whose certificate its CA did not sign is refused at start, naming
// the key.
//
// Real time (etcd's leases): every wait polls a condition with a deadline.

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/cli_run.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cluster_world.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

constexpr size_t routers = 30;

/// Runs the openssl CLI; its stderr when it failed, else empty.
std::string openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  child_process p{args};
  auto code = p.wait(30s);
  if (code && *code == 0)
    return {};
  return "openssl " + args[1] + " failed: " + p.stderr_text();
}

/// A CA (`name`.pem, `name`.key) and certificates it signs, in `dir`.
struct test_ca {
  std::string dir;
  std::string name;

  std::string pem() const {
    return dir + "/" + name + ".pem";
  }

  std::string make() const {
    return openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    dir + "/" + name + ".key", "-out", pem(), "-days", "1",
                    "-subj", "/CN=" + name});
  }

  /// `node`.pem and `node`.key, signed by this CA.
  std::string sign(const std::string& node) const {
    auto base = dir + "/" + node;
    if (auto err = openssl({"req", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                            base + ".key", "-out", base + ".csr", "-subj",
                            "/CN=" + node});
        !err.empty())
      return err;
    return openssl({"x509", "-req", "-in", base + ".csr", "-CA", pem(),
                    "-CAkey", dir + "/" + name + ".key", "-CAcreateserial",
                    "-out", base + ".pem", "-days", "1"});
  }
};

class cluster_tls_e2e : public ::testing::Test {
protected:
  cluster_tls_e2e() {
    cluster_world_options o;
    o.binary = RMCP_BINARY_PATH;
    o.routers = routers;
    o.nodes = 3;
    o.lease_ttl = "3s";
    o.settle = "1s";
    // node3 belongs to another cluster: its certificate and its CA are
    // the other CA's.
    o.node_sets = [this](size_t k) -> std::vector<std::string> {
      auto node = "node" + std::to_string(k + 1);
      const auto& ca = k == 2 ? rogue : cluster;
      return {"cluster.tls.ca=" + ca.pem(),
              "cluster.tls.cert=" + certs.path() + "/" + node + ".pem",
              "cluster.tls.key=" + certs.path() + "/" + node + ".key"};
    };
    world = std::make_unique<cluster_world>(o);
  }

  void SetUp() override {
    for (auto* ca : {&cluster, &rogue})
      ASSERT_EQ(ca->make(), "");
    ASSERT_EQ(cluster.sign("node1"), "");
    ASSERT_EQ(cluster.sign("node2"), "");
    ASSERT_EQ(rogue.sign("node3"), "");
    auto err = world->start();
    ASSERT_TRUE(err.empty()) << err;
    ASSERT_TRUE(cluster_world::eventually([&] { return world->formed(); }, 60s))
      << "the cluster did not form\n"
      << world->health(0).second.dump() << "\n"
      << world->log(0);
  }

  /// On a failure, each node's connection events (the lines naming a
  /// member's connection), which say why a call did not get through.
  void TearDown() override {
    if (!HasFailure())
      return;
    for (size_t k = 0; k < world->nodes.size(); ++k) {
      std::istringstream log{world->log(k)};
      std::string line, events;
      while (std::getline(log, line))
        if (line.find("cluster-") != std::string::npos)
          events += line + "\n";
      std::cerr << world->nodes[k].id << " connection events:\n" << events;
    }
  }

  /// A router owned by node `k` (per etcd).
  size_t router_of(size_t k) {
    auto claims = world->owners();
    for (size_t i = 0; i < routers; ++i)
      if (claims[cluster_world::device(i)] == world->nodes[k].id)
        return i;
    ADD_FAILURE() << "node" << k + 1 << " owns no router";
    return 0;
  }

  /// checks.cluster.peers of node k's /health.
  json peers(size_t k) {
    auto report = world->health(k).second;
    return report.is_object()
             ? report["checks"]["cluster"].value("peers", json::object())
             : json::object();
  }

  bool connected(size_t k, const std::string& peer) {
    auto p = peers(k);
    return p.contains(peer) && p[peer].value("connected", false);
  }

  temp_dir certs;
  test_ca cluster{certs.path(), "cluster-ca"};
  test_ca rogue{certs.path(), "other-ca"};
  std::unique_ptr<cluster_world> world;
};

TEST_F(cluster_tls_e2e, members_of_the_ca_connect_and_another_cas_is_refused) {
  // node1 and node2 reach each other over TLS and serve each other's
  // devices.
  for (size_t k : {0u, 1u}) {
    auto other = k == 0 ? 1u : 0u;
    auto i = router_of(other);
    auto answer = world->call_until_settled(
      k, "get_system_overview", {{"device_id", cluster_world::device(i)}}, 20s);
    EXPECT_EQ(error_kind(answer), "") << answer.dump();
    EXPECT_FALSE(answer.value("isError", false)) << answer.dump();
  }
  EXPECT_TRUE(cluster_world::eventually(
    [&] { return connected(0, "node2") && connected(1, "node1"); }, 10s))
    << peers(0).dump();
  // One connection for the pair, made by node1 (its id sorts lower), and
  // never lost while both run.
  EXPECT_EQ(peers(0)["node2"].value("direction", ""), "outgoing");
  EXPECT_EQ(peers(1)["node1"].value("direction", ""), "incoming");
  for (size_t k : {0u, 1u})
    EXPECT_EQ(world->log(k).find("cluster-member-lost"), std::string::npos)
      << world->log(k);
  EXPECT_EQ(world->health(0).second["checks"]["cluster"].value("transport", ""),
            "tls");

  // node3's certificate is refused by node1 and node2, and theirs by node3:
  // each side reports it, and node3's devices are not reachable from here.
  auto refused = [&](size_t k, const std::string& peer) {
    auto p = peers(k);
    return p.contains(peer) && !p[peer].value("connected", true)
           && p[peer].value("error", "").find("TLS") != std::string::npos;
  };
  EXPECT_TRUE(cluster_world::eventually(
    [&] {
      return refused(0, "node3") && refused(1, "node3") && refused(2, "node1")
             && refused(2, "node2");
    },
    20s))
    << peers(0).dump() << "\n"
    << peers(2).dump();
  // node1 connects to node3 and fails the handshake; node3 waits for
  // node1 and node2 to connect (their ids sort lower) and says they did not.
  for (auto [k, event] :
       {std::pair<size_t, const char*>{0, "cluster-connect-failed"},
        {2, "cluster-member-not-connected"}}) {
    auto log = world->log(k);
    EXPECT_NE(log.find(event), std::string::npos) << log;
    EXPECT_NE(log.find("cluster.tls.ca"), std::string::npos) << log;
  }
  auto i = router_of(2);
  auto answer = world->call(0, "get_system_overview",
                            {{"device_id", cluster_world::device(i)}});
  EXPECT_EQ(error_kind(answer), "device_moving") << answer.dump();
  EXPECT_EQ(world->requests(i), 0u);
}

TEST(cluster_tls_config, a_certificate_its_ca_did_not_sign_is_refused) {
  temp_dir certs;
  test_ca cluster{certs.path(), "cluster-ca"};
  test_ca rogue{certs.path(), "other-ca"};
  ASSERT_EQ(cluster.make(), "");
  ASSERT_EQ(rogue.make(), "");
  ASSERT_EQ(rogue.sign("node-c"), "");
  temp_dir data;
  auto base =
    std::vector<std::string>{"--set", "cluster.node_id=node-c",
                             "--set", "cluster.listen=127.0.0.1:0",
                             "--set", "cluster.members=node-c@127.0.0.1:7401"};
  auto run = [&](std::vector<std::string> tls) {
    auto args = base;
    for (auto& s : tls) {
      args.push_back("--set");
      args.push_back(s);
    }
    args.insert(args.end(), {"serve", "--stdio"});
    return run_cli(data.path(), args, {});
  };
  auto cert = "cluster.tls.cert=" + certs.path() + "/node-c.pem";
  auto key = "cluster.tls.key=" + certs.path() + "/node-c.key";
  auto o = run({"cluster.tls.ca=" + cluster.pem(), cert, key});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("cluster.tls.cert"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("not a valid certificate of the cluster CA"),
            std::string::npos)
    << o.err;
  // All three or none.
  o = run({cert, key});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("cluster.tls.ca: missing"), std::string::npos) << o.err;
  // A key that is not the certificate's.
  o = run({"cluster.tls.ca=" + rogue.pem(), cert,
           "cluster.tls.key=" + certs.path() + "/other-ca.key"});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("does not match"), std::string::npos) << o.err;
}

} // namespace

} // namespace rmcp
