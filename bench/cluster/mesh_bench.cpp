// routeros-mesh-bench: what routing through a non-owner node costs.
//
//   routeros-mesh-bench [--requests 2000] [--runs 3] [--markdown]
//
// Two cluster nodes in this process, each an actor system with its
// middleman on loopback and a fleet over an in-process RouterOS simulator
// (requests handed to the simulator's REST engine without HTTP, so the
// figure is the cluster's share, not the router's). A static view gives
// each node its rendezvous share. One call is the path of a read tool
// without the MCP session: the fleet lookup `(get, id, handle)`, then
// `(exec, GET /system/resource)` through the handle's device actor, one
// call at a time. Through the owner both stay in one process; through the
// other node the lookup is forwarded to the owner's fleet and the exec goes
// to the owner's device actor through the middleman (two TCP round trips).
// A warm-up, then --runs runs; the median run's p50/p95/p99 are printed.
// Not a test: bench/run writes the figures into docs/benchmarks.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/fleet.hpp"
#include "actors/static_membership.hpp"
#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "sim/fleet.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"
#include "tests/support/sim_rest_client.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;

constexpr auto timeout = std::chrono::seconds{10};

struct node {
  std::string id;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  store_actor store;
  fleet_actor fleet;
  uint16_t port = 0;
};

struct figures {
  double p50 = 0, p95 = 0, p99 = 0;
  size_t failed = 0;
};

double percentile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

/// `n` calls for `device` through `via`; latencies in microseconds.
figures measure(node& via, const std::string& device, size_t n) {
  caf::scoped_actor self{*via.sys};
  std::vector<double> us;
  us.reserve(n);
  figures f;
  for (size_t i = 0; i < n; ++i) {
    auto start = clock_type::now();
    device_actor dev;
    self->request(via.fleet, timeout, atom::get_v, device, atom::handle_v)
      .receive([&](device_handle& h) { dev = h.actor; },
               [&](caf::error&) { ++f.failed; });
    if (!dev)
      continue;
    self->request(dev, timeout, atom::exec_v, get_request("/system/resource"))
      .receive(
        [&](rest_response&) {
          us.push_back(
            std::chrono::duration<double, std::micro>(clock_type::now() - start)
              .count());
        },
        [&](caf::error&) { ++f.failed; });
  }
  if (us.empty())
    return f;
  f.p50 = percentile(us, 0.50);
  f.p95 = percentile(us, 0.95);
  f.p99 = percentile(us, 0.99);
  return f;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mesh-bench"};
  size_t requests = 2000;
  size_t runs = 3;
  bool markdown = false;
  app.add_option("--requests", requests, "Calls per run");
  app.add_option("--runs", runs, "Runs (median reported)");
  app.add_flag("--markdown", markdown, "Print a markdown table");
  CLI11_PARSE(app, argc, argv);

  sim::fleet_options so;
  so.routers = 8;
  so.seed = 42;
  sim::fleet sims{so};
  auto factory = std::make_shared<test::sim_rest_factory>(sims);
  std::vector<std::unique_ptr<node>> nodes;
  for (auto id : {"node-a", "node-b"}) {
    auto n = std::make_unique<node>();
    n->id = id;
    add_rmcp_types(n->cfg);
    n->cfg.load<caf::io::middleman>();
    n->cfg.set("logger.verbosity", caf::atom("quiet"));
    n->cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{0});
    n->sys = std::make_unique<caf::actor_system>(n->cfg);
    auto data = std::make_shared<test::fake_store_data>();
    for (auto& info : sims.routers()) {
      auto r = test::test_device("sim-" + std::to_string(info.index));
      r.port = info.port;
      r.username = sims.username();
      data->devices[r.id] = r;
      data->creds[r.id] = credential{r.username, "routeros-sim"};
    }
    data->generation = 1;
    n->store = test::spawn_fake_store(*n->sys, data);
    fleet_settings fs;
    fs.device.health_checks = false;
    fs.poll_interval = std::chrono::minutes{10};
    fs.cluster.node_id = id;
    n->fleet = spawn_fleet(*n->sys, n->store, factory, fs);
    auto port = n->sys->middleman().publish(n->fleet, 0, "127.0.0.1");
    if (!port) {
      std::cerr << "publish failed: " << n->sys->render(port.error()) << "\n";
      return 1;
    }
    n->port = *port;
    nodes.push_back(std::move(n));
  }
  cluster_view view;
  view.revision = 1;
  for (auto& n : nodes)
    view.members.push_back({n->id, "127.0.0.1", n->port});
  std::vector<device_record> records;
  for (auto& info : sims.routers()) {
    auto r = test::test_device("sim-" + std::to_string(info.index));
    records.push_back(r);
  }
  for (auto& n : nodes) {
    caf::scoped_actor self{*n->sys};
    self->send(n->fleet, atom::cluster_v, view,
               assigned_to(view, n->id, records));
  }
  // A device of node-b: node-b is the owner, node-a the other node.
  std::string device;
  for (auto& r : records)
    if (owner_of(view, r.id)->node_id == "node-b") {
      device = r.id;
      break;
    }
  auto& owner = *nodes[1];
  auto& other = *nodes[0];
  measure(owner, device, requests / 4);
  measure(other, device, requests / 4);
  std::vector<figures> mine, routed;
  for (size_t r = 0; r < runs; ++r) {
    mine.push_back(measure(owner, device, requests));
    routed.push_back(measure(other, device, requests));
  }
  auto median = [](std::vector<figures> v) {
    std::sort(v.begin(), v.end(),
              [](const figures& a, const figures& b) { return a.p50 < b.p50; });
    return v[v.size() / 2];
  };
  auto a = median(mine);
  auto b = median(routed);
  if (markdown) {
    std::printf("| path (lookup + one read, 1 in flight) | p50 µs | p95 µs | "
                "p99 µs | failed |\n|---|---|---|---|---|\n");
    std::printf("| through the owner | %.0f | %.0f | %.0f | %zu |\n", a.p50,
                a.p95, a.p99, a.failed);
    std::printf("| through another node | %.0f | %.0f | %.0f | %zu |\n", b.p50,
                b.p95, b.p99, b.failed);
    std::printf("\nRouting overhead (p50): %.0f µs per call.\n", b.p50 - a.p50);
  } else {
    std::printf("owner p50=%.0fus p95=%.0fus p99=%.0fus failed=%zu\n", a.p50,
                a.p95, a.p99, a.failed);
    std::printf("other p50=%.0fus p95=%.0fus p99=%.0fus failed=%zu\n", b.p50,
                b.p95, b.p99, b.failed);
  }
  for (auto& n : nodes) {
    caf::anon_send_exit(n->fleet, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(n->store, caf::exit_reason::user_shutdown);
  }
  nodes.clear();
  return 0;
}
