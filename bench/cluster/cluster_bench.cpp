// routeros-cluster-bench: a three-node cluster of the real binaries (a
// private etcd, the in-process RouterOS simulator, `routeros-mcp serve
// --http` nodes; tests/support/cluster_world.hpp) measured from outside.
//
//   routeros-cluster-bench rehome [--reps 10] [--routers 300]
//   routeros-cluster-bench scale  [--routers 3000]
//   common: [--binary build/routeros-mcp] [--lease-ttl 5s] [--settle 2s]
//
// rehome: per repetition, node r mod 3 is killed with SIGKILL while it owns
// devices; the time from the kill to the first successful
// get_system_overview of one of its devices through a survivor (retrying
// every 50 ms while the answer is retryable) is one sample. The node is
// started again and the cluster re-forms (its share settled back) before
// the next repetition. Prints min / median / max.
//
// scale: start-up of three nodes over `--routers` registered routers (from
// the node processes' start to every device owned, per etcd), then a
// fleet-wide read through one node (list_devices, which merges every
// node's view, and fleet_read of get_system_overview over every device in
// calls of 1,000), then each node's resident set size.
//
// Not a test: the figures go into docs/benchmarks.md by hand, with the
// machine's load at the time.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/machine.hpp"
#include "tests/support/cluster_world.hpp"

namespace {

using namespace rmcp;
using namespace rmcp::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using bench::load_average;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
    .count();
}

/// The start of an answer, for a figure that came out wrong.
std::string brief(const json& answer) {
  auto text = answer.dump();
  return text.size() > 600 ? text.substr(0, 600) + "..." : text;
}

bool form(cluster_world& w, std::chrono::milliseconds limit) {
  return cluster_world::eventually([&] { return w.formed(); }, limit);
}

std::vector<size_t> owned_by(cluster_world& w, size_t k, size_t routers) {
  std::vector<size_t> out;
  auto claims = w.owners();
  for (size_t i = 0; i < routers; ++i)
    if (claims[cluster_world::device(i)] == w.nodes[k].id)
      out.push_back(i);
  return out;
}

int rehome(cluster_world& w, size_t reps, size_t routers) {
  std::vector<double> samples;
  for (size_t r = 0; r < reps; ++r) {
    auto victim = r % w.nodes.size();
    auto survivor = (victim + 1) % w.nodes.size();
    auto mine = owned_by(w, victim, routers);
    if (mine.empty()) {
      std::cerr << "node " << w.nodes[victim].id << " owns nothing\n";
      return 1;
    }
    auto id = cluster_world::device(mine[r % mine.size()]);
    // Warm: the survivor is connected to the victim and has served calls.
    w.call_until_settled(survivor, "get_system_overview", {{"device_id", id}},
                         10s);
    w.kill_node(victim);
    auto t0 = clock_type::now();
    auto res = w.call_until_settled(survivor, "get_system_overview",
                                    {{"device_id", id}}, 60s);
    auto took = ms_since(t0);
    if (res.value("isError", false) || res.contains("transport_error")) {
      std::cerr << "no answer within 60 s: " << res.dump() << "\n";
      return 1;
    }
    samples.push_back(took);
    std::printf("rep %zu: killed %s, %s through %s after %.0f ms\n", r + 1,
                w.nodes[victim].id.c_str(), id.c_str(),
                w.nodes[survivor].id.c_str(), took);
    std::fflush(stdout);
    if (auto err = w.start_node(victim); !err.empty()) {
      std::cerr << err << "\n";
      return 1;
    }
    if (!cluster_world::eventually(
          [&] { return w.formed() && !owned_by(w, victim, routers).empty(); },
          60s)) {
      std::cerr << "the cluster did not re-form\n";
      return 1;
    }
  }
  std::sort(samples.begin(), samples.end());
  auto median =
    samples.size() % 2 == 1
      ? samples[samples.size() / 2]
      : (samples[samples.size() / 2 - 1] + samples[samples.size() / 2]) / 2;
  std::printf("re-home after kill -9 (lease TTL %s, %zu reps): min %.0f ms, "
              "median %.0f ms, max %.0f ms (load %s)\n",
              w.options().lease_ttl.c_str(), samples.size(), samples.front(),
              median, samples.back(), load_average().c_str());
  return 0;
}

int scale(cluster_world& w, size_t routers) {
  auto t0 = clock_type::now();
  for (size_t k = 0; k < w.nodes.size(); ++k)
    if (auto err = w.start_node(k); !err.empty()) {
      std::cerr << err << "\n";
      return 1;
    }
  if (!form(w, 300s)) {
    std::cerr << "the cluster did not form within 300 s\n"
              << w.health(0).second.dump() << "\n";
    return 1;
  }
  std::printf("start-up to all %zu devices owned: %.0f ms (load %s)\n", routers,
              ms_since(t0), load_average().c_str());
  auto t1 = clock_type::now();
  auto list = w.call(0, "list_devices", json::object());
  auto listed = list.value("structuredContent", json::object())
                  .value("devices", json::array())
                  .size();
  if (listed == 0)
    std::cerr << "list_devices answered: " << brief(list) << "\n";
  std::printf("list_devices through node1: %zu devices in %.0f ms\n", listed,
              ms_since(t1));
  auto t2 = clock_type::now();
  size_t ok = 0;
  for (size_t first = 0; first < routers; first += 1000) {
    json ids = json::array();
    for (size_t i = first; i < std::min(routers, first + 1000); ++i)
      ids.push_back(cluster_world::device(i));
    auto res = w.call(0, "fleet_read",
                      {{"tool", "get_system_overview"}, {"device_ids", ids}});
    auto out = res.value("structuredContent", json::object());
    ok += out.value("succeeded", size_t{0});
    if (!out.contains("succeeded")) {
      std::cerr << "fleet_read answered: " << brief(res) << "\n";
      continue;
    }
    // The first failure of each kind says why.
    std::map<std::string, size_t> kinds;
    for (auto& r : out.value("results", json::array()))
      if (!r.value("ok", false) && kinds[r.value("error_kind", "")]++ == 0)
        std::cerr << "fleet_read: " << brief(r) << "\n";
    for (auto& [kind, n] : kinds)
      std::cerr << "fleet_read: " << n << " failed with '" << kind << "'\n";
  }
  std::printf("fleet_read get_system_overview of all %zu through node1: %zu "
              "ok in %.0f ms (load %s)\n",
              routers, ok, ms_since(t2), load_average().c_str());
  for (size_t k = 0; k < w.nodes.size(); ++k)
    std::printf("%s: RSS %.1f MiB, %zu devices owned\n", w.nodes[k].id.c_str(),
                w.rss_kib(k) / 1024.0, owned_by(w, k, routers).size());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-cluster-bench: a three-node cluster measured"};
  cluster_world_options o;
  o.binary = "build/routeros-mcp";
  o.lease_ttl = "5s";
  o.settle = "2s";
  o.prefix = "/bench";
  size_t reps = 10;
  size_t routers = 0;
  app.add_option("--binary", o.binary, "The routeros-mcp to run");
  app.add_option("--lease-ttl", o.lease_ttl, "cluster.lease_ttl of the nodes");
  app.add_option("--settle", o.settle, "cluster.settle of the nodes");
  app.add_option("--routers", routers, "Simulated routers (all registered)");
  auto* re = app.add_subcommand("rehome", "Re-home time after kill -9");
  re->add_option("--reps", reps, "Repetitions");
  auto* sc = app.add_subcommand("scale", "Start-up, fleet read, RSS");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  o.routers = routers != 0 ? routers : (sc->parsed() ? 3000 : 300);
  cluster_world w{o};
  auto err = sc->parsed() ? w.prepare() : w.start();
  if (!err.empty()) {
    std::cerr << err << "\n";
    return 1;
  }
  if (re->parsed()) {
    if (!form(w, 120s)) {
      std::cerr << "the cluster did not form\n";
      return 1;
    }
    return rehome(w, reps, o.routers);
  }
  return scale(w, o.routers);
}
