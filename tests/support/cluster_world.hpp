#pragma once

// A whole cluster from the real binaries, for the cluster end-to-end tests
// and the cluster benchmarks: a private etcd, the RouterOS simulator with N
// routers (in process, plain HTTP), and K `routeros-mcp serve --http` nodes
// on loopback. Each node reaches etcd through its own `tcp_relay`, so a
// test can take etcd away from one node alone (a partition). The registry
// is written once with `routeros-mcp device add` and copied to every node's
// data dir (each node has its own store).
//
// Every wait polls a condition against a deadline; nothing here sleeps to
// synchronise.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/json.hpp"
#include "sim/fleet.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/tcp_relay.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {

struct cluster_world_options {
  /// The built routeros-mcp.
  std::string binary;
  size_t routers = 300;
  size_t nodes = 3;
  std::string lease_ttl = "3s";
  std::string settle = "1s";
  /// Key prefix in etcd.
  std::string prefix = "/e2e";
  /// Further `--set key=value` options of every node.
  std::vector<std::string> sets;
  /// Further `--set key=value` options of node k alone (e.g. its TLS
  /// certificate); none when empty.
  std::function<std::vector<std::string>(size_t k)> node_sets;
  /// Further flags of every `device add` (e.g. --allow-professional-workflows).
  std::vector<std::string> device_flags;
};

/// One node: its data dir, process, ports and etcd relay.
struct cluster_node {
  std::string id;
  std::unique_ptr<temp_dir> data;
  std::unique_ptr<child_process> process;
  std::unique_ptr<tcp_relay> relay;
  uint16_t http_port = 0;
  /// The MCP session on this node (opened on first use).
  std::string session;
  int next_id = 1;
};

class cluster_world {
public:
  explicit cluster_world(cluster_world_options opts);
  ~cluster_world();

  cluster_world(const cluster_world&) = delete;
  cluster_world& operator=(const cluster_world&) = delete;

  /// `prepare()`, then starts every node. Empty on success, else what
  /// failed.
  std::string start();

  /// Starts the simulator and registers its routers in every node's data
  /// dir; starts no node. Empty on success, else what failed.
  std::string prepare();

  /// Starts node `k` (again) on its data dir and ports; empty on success.
  std::string start_node(size_t k);

  /// SIGKILL of node `k`: no goodbye, its lease runs out in etcd.
  void kill_node(size_t k);

  /// True while node `k`'s process runs.
  bool running(size_t k) const;

  /// Polls `pred` every 50 ms until it holds or `limit` passed.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds limit);

  /// True once every running node is a member with a view of every running
  /// node, and every device has an owner among them (in etcd).
  bool formed();

  /// GET /health of node `k`: status code and report (null when none).
  std::pair<unsigned, json> health(size_t k);

  /// The ownership claims in etcd: device id → node id.
  std::map<std::string, std::string> owners();

  /// Replays every change of the owners prefix since revision 1: a claim is
  /// created, or deleted, never re-put under another lease while it exists
  /// (that would be two owners at once). Empty when it held, else the
  /// first violation; `events` gets how many changes were replayed.
  std::string claims_never_overlapped(size_t* events = nullptr);

  /// The value of etcd key `key` (without the prefix: "rollouts/p-1"), or
  /// nullopt when it is absent or etcd did not answer.
  std::optional<std::string> etcd_value(const std::string& key);

  /// `routeros-mcp` run to its end as node `k`'s admin CLI (its data dir
  /// and cluster settings, the shared store): exit code, stdout, stderr.
  struct cli_outcome {
    int code = -1;
    std::string out;
    std::string err;
  };
  cli_outcome cli(size_t k, const std::vector<std::string>& args);

  /// tools/call through node `k`: the CallToolResult (a JSON-RPC error
  /// object, or {"transport_error": ...} when the node did not answer).
  json call(size_t k, const std::string& tool, json args,
            std::chrono::milliseconds timeout = std::chrono::seconds{40});

  /// `call` until the answer is not a retryable error, or `limit` passed;
  /// the last answer.
  json call_until_settled(size_t k, const std::string& tool, json args,
                          std::chrono::milliseconds limit);

  /// Device id of router `i` ("sim-<i>").
  static std::string device(size_t i);

  /// How many requests router `i` saw, and how many of them were writes.
  size_t requests(size_t i);
  size_t writes(size_t i);

  /// A node's log (stderr) for failure messages.
  std::string log(size_t k) const;

  /// Resident set size of node `k` in KiB (from /proc), 0 if unknown.
  size_t rss_kib(size_t k) const;

  const cluster_world_options& options() const noexcept {
    return opts_;
  }

  etcd_server etcd;
  std::unique_ptr<sim::fleet> sims;
  std::vector<cluster_node> nodes;

private:
  std::string register_routers();
  json rpc(size_t k, const std::string& method, json params,
           std::chrono::milliseconds timeout);

  cluster_world_options opts_;
};

/// The error kind of a CallToolResult ("" when it is not an error).
std::string error_kind(const json& result);

} // namespace rmcp::test
