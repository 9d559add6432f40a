// routeros-mcp-bench: what users feel, against the physical floor.
//
//   routeros-mcp-bench --binary build-release/routeros-mcp [--runs 3]
//                      [--requests 2000] [--markdown] [--skip-memory]
//                      [--only calls stdio fleet http rollout memory]
//                      [--set key=value ...]
//                      [--peer MikroMCP/dist/main.js] [--pin]
//
// Starts the RouterOS simulator in this process (HTTPS, pinned certificate)
// and the daemon as a child over stdio, then measures:
//   floor    raw REST round trip to one simulated router (synchronous Beast
//            client, TLS keep-alive): p50/p99 and the client's CPU per
//            GET; the CPU of one thread hand-off on this machine; and the
//            router's ceiling, GETs/s with 16 such clients in flight
//   calls    server CPU and voluntary context switches per call, p50,
//            calls/s and failed calls of echo, a one-GET and a two-GET
//            read on one router at 1, 16 and 64 in flight (store on
//            disk; three routers registered) and the RSS after them; with
//            --peer, the same for MikroMCP (its dist/main.js, run with
//            node, three routers configured) and the throughput ratios
//   stdio    tools/call get_system_overview at concurrency 1, 16 and 64
//            (round-robin over 64 routers): p50/p95/p99, calls/s, ratio of
//            p50 to the floor
//   fleet    check_connectivity of 1,000 routers, 64 calls in flight: time
//            for the whole fleet; fleet_read of get_system_overview over
//            the 1,000 routers, cold (the daemon's first call) and warm
//   HTTP     the same over Streamable HTTP (one keep-alive connection per
//            call in flight, one session)
//   rollout  DNS rollout plan and apply on 100 and 1,000 routers, zero pause
//   memory   daemon RSS with 0, 1,000 and 10,000 registered devices
// Every figure: a warm-up, then --runs runs; min and median are printed.
// --set passes settings to the daemons of the calls and fleet groups (to
// compare a change with its setting off, on the same build). --pin runs
// this process (client and simulator) on the last core and the servers it
// talks to over stdio on the others, so that a server's calls/s are what
// its own cores give.
// Not a test: bench/run builds Release and writes docs/benchmarks.md.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/machine.hpp"
#include "bench/mcp/daemons.hpp"
#include "bench/mcp/rest_floor.hpp"
#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "protocol/routeros.hpp"
#include "sim/fleet.hpp"
#include "src/app/store_setup.hpp"
#include "src/config/server_options.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;
using bench::bench_dir;
using bench::ceiling_run;
using bench::daemon_process;
using bench::floor_run;
using bench::http_daemon;
using bench::load_average;
using bench::machine_line;
using bench::register_devices;

// -- statistics ----------------------------------------------------------------

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i =
    static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

double median(std::vector<double> xs) {
  return percentile(std::move(xs), 50);
}

double minimum(const std::vector<double>& xs) {
  return xs.empty() ? 0 : *std::min_element(xs.begin(), xs.end());
}

/// One figure over several runs.
struct figure {
  std::string name;
  std::string unit;
  std::vector<double> runs;
  /// True when smaller is better (latency, time, memory).
  bool lower_better = true;
  /// The 1-minute load average when the figure was recorded.
  std::string load;

  double best() const {
    return lower_better ? minimum(runs)
                        : *std::max_element(runs.begin(), runs.end());
  }
};

std::vector<figure> results;

/// --set: settings of the daemons of the calls and fleet groups.
std::vector<std::string> daemon_sets;

void record(const std::string& name, const std::string& unit,
            std::vector<double> runs, bool lower_better = true) {
  std::ifstream loadavg{"/proc/loadavg"};
  std::string load;
  loadavg >> load;
  figure f{name, unit, std::move(runs), lower_better, load};
  std::fprintf(stderr, "%-48s best %10.1f  median %10.1f %s (load %s)\n",
               name.c_str(), f.best(), median(f.runs), unit.c_str(),
               load.c_str());
  results.push_back(std::move(f));
}

json overview_call(int i, size_t routers) {
  return {
    {"name", "get_system_overview"},
    {"arguments",
     {{"device_id", bench::device_id(static_cast<size_t>(i) % routers)}}}};
}

json check_call(int i) {
  return {
    {"name", "check_connectivity"},
    {"arguments", {{"device_id", bench::device_id(static_cast<size_t>(i))}}}};
}

/// DNS rollouts of `n` routers with zero pause (batches of 50 after the
/// canary): the plan (a live preview read from every router) and the apply
/// (from the call to the completed report), approved in between by the CLI.
/// The store is on disk: every journaled step waits for its commit.
void rollout_figures(const std::string& binary, const sim::fleet& routers,
                     const std::vector<uint16_t>& ports, size_t n, int runs) {
  using std::chrono::minutes;
  auto dir = bench_dir(true);
  device_flags flags;
  flags.allow_professional_workflows = true;
  register_devices(dir, n, ports, routers.fingerprint_sha256(), flags);
  std::vector<double> plan_ms, apply_ms;
  {
    // Zero pause and no settle time before each gate: what is left is the
    // daemon's and the routers' own work.
    daemon_process d{
      binary, dir, {"rollout.max_devices=1000", "rollout.gate_delay=0"}};
    json ids = json::array();
    for (size_t i = 0; i < n; ++i)
      ids.push_back(bench::device_id(i));
    auto ms_since = [](clock_type::time_point t0) {
      return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
        .count();
    };
    for (int r = 0; r <= runs; ++r) { // run 0 warms up
      json args{
        {"device_ids", ids},
        {"dns_servers", {"192.0.2." + std::to_string(r + 1), "198.51.100.53"}},
        {"batch_size", 50},
        {"pause_seconds", 0},
        {"description", "bench"}};
      auto t0 = clock_type::now();
      auto plan = d.call("config_plan_dns_ntp_rollout", args, minutes{10});
      auto planned = ms_since(t0);
      auto id = plan["plan_id"].get<std::string>();
      auto token = d.approve(id);
      auto t1 = clock_type::now();
      auto report =
        d.call("config_apply_dns_ntp_rollout",
               {{"plan_id", id}, {"approval_token", token}}, minutes{30});
      auto applied = ms_since(t1);
      if (report.value("state", "") != "completed")
        throw std::runtime_error("rollout of " + std::to_string(n)
                                 + " routers did not complete: "
                                 + report.dump());
      if (r > 0) {
        plan_ms.push_back(planned);
        apply_ms.push_back(applied);
      }
    }
  }
  std::filesystem::remove_all(dir);
  auto label = std::to_string(n) + " routers";
  record("rollout: plan DNS on " + label + " (live preview)", "ms", plan_ms);
  record("rollout: apply DNS on " + label + ", zero pause, to completed", "ms",
         apply_ms);
}

/// One tool call measured for its cost, under `name` in the figures.
struct probe {
  std::string name;
  std::string tool;
  json args;
};

/// Server CPU per call (all the server's threads: /proc/<pid>/task/*/
/// schedstat, divided by the calls answered), voluntary context switches
/// per call (the hand-offs between threads), p50, throughput and failed calls of
/// each probe at 1, 16 and 64 calls in flight, after a warm-up.
/// Failed calls are counted, not hidden. Returns the median throughput of
/// each probe per concurrency.
using rates_by_concurrency = std::map<int, double>;
std::vector<rates_by_concurrency> cost_figures(daemon_process& d,
                                               const std::string& prefix,
                                               const std::vector<probe>& probes,
                                               int runs, int requests) {
  std::vector<rates_by_concurrency> rates;
  for (auto& p : probes) {
    json params{{"name", p.tool}, {"arguments", p.args}};
    auto call = [&params](int) { return params; };
    double wall = 0;
    int errors = 0;
    d.load(16, 500, call, wall, errors); // warm-up
    auto& rate_at = rates.emplace_back();
    for (int c : {1, 16, 64}) {
      std::vector<double> cpu, switches, p50, rate, failed;
      for (int r = 0; r < runs; ++r) {
        auto cpu0 = d.cpu_seconds();
        auto switches0 = d.context_switches();
        auto lat = d.load(c, requests, call, wall, errors);
        auto answered = static_cast<double>(lat.size()) + errors;
        cpu.push_back((d.cpu_seconds() - cpu0) * 1e6 / answered);
        switches.push_back((d.context_switches() - switches0) / answered);
        p50.push_back(percentile(lat, 50));
        rate.push_back(static_cast<double>(lat.size()) / wall);
        failed.push_back(100.0 * errors / answered);
      }
      auto tag = prefix + p.name + " c=" + std::to_string(c);
      record(tag + " server CPU per call", "µs", cpu);
      record(tag + " voluntary context switches per call", "", switches);
      record(tag + " p50", "µs", p50);
      record(tag + " throughput", "calls/s", rate, false);
      record(tag + " failed calls", "%", failed);
      rate_at[c] = median(rate);
    }
  }
  return rates;
}

/// Where a server's resident pages are (daemon_process::memory).
void memory_figures(const std::string& who,
                    const daemon_process::memory_split& m) {
  record(who + " RSS: anonymous (heap, stacks)", "KiB", {m.anon});
  record(who + " RSS: executable's file pages", "KiB", {m.executable});
  record(who + " RSS: shared libraries' file pages", "KiB", {m.libraries});
  record(who + " RSS: other file pages (store map)", "KiB", {m.other_files});
  record(who + " RSS: of the code's pages, written (relocations)", "KiB",
         {m.code_dirty});
}

/// What one call costs the daemon: `echo` (the MCP layer alone),
/// `get_system_clock` (one GET) and `get_system_overview` (two GETs in
/// parallel), all on ONE router. The store is on disk (/var/tmp), as in a
/// real installation: the commits of the calls' audit records are part of
/// the cost. With `peer` (the dist/main.js of AliKarami/MikroMCP, built
/// with `npm ci && npx tsup`), the peer is measured in the same run against
/// the same simulated router over the same TLS, with the same client: its
/// `get_system_status` of the clock section (one GET) and of the resource
/// and identity sections (two GETs, which it reads one after the other);
/// then the throughput ratios.
void call_cost_figures(const std::string& binary, const sim::fleet& routers,
                       uint16_t port, int runs, int requests,
                       const std::string& peer) {
  auto dir = bench_dir(true);
  // Three routers registered (the calls go to the first): the RSS figure
  // is that of a small installation after it has served the calls.
  register_devices(dir, 3, {port}, routers.fingerprint_sha256());
  std::vector<rates_by_concurrency> ours;
  {
    daemon_process d{binary, dir, daemon_sets};
    auto device = json{{"device_id", bench::device_id(0)}};
    ours =
      cost_figures(d, "calls: ",
                   {{"echo", "echo", {{"message", "ping"}}},
                    {"get_system_clock", "get_system_clock", device},
                    {"get_system_overview", "get_system_overview", device}},
                   runs, requests);
    record("calls: daemon RSS after the calls, 3 routers", "KiB",
           {d.rss_kib().first});
    memory_figures("calls: daemon", d.memory());
  }
  if (!peer.empty()) {
    auto fingerprint = routers.fingerprint_sha256();
    fingerprint.erase(std::remove(fingerprint.begin(), fingerprint.end(), ':'),
                      fingerprint.end());
    std::ofstream yaml{dir + "/routers.yaml"};
    yaml << "routers:\n";
    for (int i = 0; i < 3; ++i)
      yaml << "  sim" << i << ":\n    host: \"127.0.0.1\"\n    port: " << port
           << "\n    tls:\n      enabled: true\n"
           << "      rejectUnauthorized: false\n"
           << "      fingerprint: \"" << fingerprint << "\"\n"
           << "    credentials:\n      source: \"env\"\n"
           << "      envPrefix: \"ROUTER_SIM" << i
           << "\"\n    rosVersion: \"7.16\"\n";
    yaml.close();
    daemon_process d{{"/usr/bin/env", "node", peer},
                     {{"MIKROMCP_CONFIG_PATH", dir + "/routers.yaml"},
                      {"MIKROMCP_DATA_DIR", dir + "/mikromcp"},
                      {"MIKROMCP_LOG_LEVEL", "warn"},
                      {"ROUTER_SIM0_USER", "admin"},
                      {"ROUTER_SIM0_PASS", "routeros-sim"},
                      {"ROUTER_SIM1_USER", "admin"},
                      {"ROUTER_SIM1_PASS", "routeros-sim"},
                      {"ROUTER_SIM2_USER", "admin"},
                      {"ROUTER_SIM2_PASS", "routeros-sim"}}};
    auto sections = [](json s) {
      return json{{"routerId", "sim0"}, {"sections", std::move(s)}};
    };
    auto theirs =
      cost_figures(d, "peer MikroMCP: ",
                   {{"get_system_status clock (one GET)", "get_system_status",
                     sections({"clock"})},
                    {"get_system_status resource, identity (two GETs)",
                     "get_system_status", sections({"resource", "identity"})}},
                   runs, requests);
    record("peer MikroMCP: RSS after the calls, 3 routers", "KiB",
           {d.rss_kib().first});
    memory_figures("peer MikroMCP:", d.memory());
    const char* what[] = {"one GET", "two GETs"};
    for (size_t i = 0; i < theirs.size(); ++i)
      for (auto& [c, rate] : theirs[i])
        record(std::string{"calls: throughput ratio routeros-mcp / MikroMCP, "}
                 + what[i] + " c=" + std::to_string(c),
               "×", {ours[i + 1][c] / rate}, false);
  }
  std::filesystem::remove_all(dir);
}

/// fleet_read of get_system_overview over every registered router (1,000
/// in `dir`): the first call of a fresh daemon (cold: device actors and TLS
/// connections are opened on the way) and the best of the next three
/// (warm), one daemon per run.
void fleet_read_figures(const std::string& binary, const std::string& dir,
                        int runs) {
  using std::chrono::minutes;
  std::vector<double> cold, warm;
  for (int r = 0; r < runs; ++r) {
    daemon_process d{binary, dir, daemon_sets};
    auto once = [&d] {
      auto t0 = clock_type::now();
      auto out =
        d.call("fleet_read", {{"tool", "get_system_overview"}}, minutes{5});
      if (out.value("succeeded", 0) != 1000) {
        // How many failed of each kind, and the first message of each.
        std::map<std::string, std::pair<int, std::string>> kinds;
        for (auto& r : out.value("results", json::array()))
          if (r.contains("error_kind")) {
            auto& k = kinds[r.value("error_kind", "")];
            if (k.first++ == 0)
              k.second = r.value("error", "");
          }
        std::string why;
        for (auto& [kind, k] : kinds)
          why +=
            "; " + std::to_string(k.first) + " " + kind + " (" + k.second + ")";
        throw std::runtime_error("fleet_read: "
                                 + out.value("failed", json{}).dump()
                                 + " of 1,000 routers failed" + why);
      }
      return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
        .count();
    };
    cold.push_back(once());
    double best = 1e12;
    for (int i = 0; i < 3; ++i)
      best = std::min(best, once());
    warm.push_back(best);
  }
  record("fleet: fleet_read get_system_overview, 1,000 routers, cold", "ms",
         cold);
  record("fleet: fleet_read get_system_overview, 1,000 routers, warm", "ms",
         warm);
}

/// get_system_overview latency and throughput at concurrency 1, 16, 64.
template <class Daemon>
void overview_figures(const std::string& transport, Daemon& d, int runs,
                      int requests, double floor_p50) {
  for (int c : {1, 16, 64}) {
    std::vector<double> p50, p95, p99, rate;
    for (int r = 0; r < runs; ++r) {
      double wall = 0;
      int errors = 0;
      auto lat = d.load(
        c, requests, [](int i) { return overview_call(i, 64); }, wall, errors);
      if (errors > 0)
        throw std::runtime_error(transport + ": " + std::to_string(errors)
                                 + " get_system_overview calls failed");
      p50.push_back(percentile(lat, 50));
      p95.push_back(percentile(lat, 95));
      p99.push_back(percentile(lat, 99));
      rate.push_back(static_cast<double>(lat.size()) / wall);
    }
    auto tag = transport + " get_system_overview c=" + std::to_string(c);
    record(tag + " p50", "µs", p50);
    record(tag + " p95", "µs", p95);
    record(tag + " p99", "µs", p99);
    record(tag + " throughput", "calls/s", rate, false);
    std::vector<double> ratio;
    for (auto x : p50)
      ratio.push_back(x / floor_p50);
    record(tag + " p50 / floor p50", "×", ratio);
  }
}

// -- markdown ----------------------------------------------------------------------

void print_markdown(int runs, const std::string& load_start) {
  std::printf("Machine: %s. %d runs per figure after a warm-up; best and "
              "median of the runs. Load average (1, 5, 15 minutes) at the "
              "start: %s; at the end: %s.\n\n",
              machine_line().c_str(), runs, load_start.c_str(),
              load_average().c_str());
  std::printf("| figure | best | median | unit | load |\n"
              "|---|---:|---:|---|---:|\n");
  for (auto& f : results)
    std::printf("| %s | %.1f | %.1f | %s | %s |\n", f.name.c_str(), f.best(),
                median(f.runs), f.unit.c_str(), f.load.c_str());
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mcp benchmarks"};
  std::string binary = "./routeros-mcp";
  int runs = 3;
  int requests = 2000;
  bool markdown = false;
  bool skip_memory = false;
  std::vector<std::string> only;
  std::string peer;
  bool pin = false;
  app.add_option("--binary", binary, "routeros-mcp executable")->required();
  app.add_option("--runs", runs, "Runs per figure (after a warm-up)")
    ->check(CLI::Range(1, 20));
  app.add_option("--requests", requests, "Calls per latency run")
    ->check(CLI::Range(100, 1000000));
  app
    .add_option("--peer", peer,
                "MikroMCP's dist/main.js: measure it beside us (group calls)")
    ->check(CLI::ExistingFile);
  app.add_flag("--markdown", markdown, "Print a Markdown table on stdout");
  app.add_option("--set", daemon_sets,
                 "key=value settings of the calls and fleet daemons");
  app.add_flag("--skip-memory", skip_memory,
               "Skip the RSS figures (registering 10,000 devices)");
  app
    .add_option("--only", only,
                "Measure only these groups (the floor is always measured)")
    ->check(
      CLI::IsMember({"calls", "stdio", "fleet", "http", "rollout", "memory"}));
  app.add_flag("--pin", pin,
               "Run this bench (client, simulator) on the last core and the "
               "stdio servers on the others");
  CLI11_PARSE(app, argc, argv);
  if (pin) {
    if (auto err = bench::pin_cores()) {
      std::fprintf(stderr, "--pin: %s\n", err);
      return 2;
    }
  }
  auto load_start = load_average();

  auto wanted = [&](const char* group) {
    return only.empty()
           || std::find(only.begin(), only.end(), group) != only.end();
  };
  try {
    std::fprintf(stderr, "machine: %s; load average %s\n",
                 machine_line().c_str(), load_start.c_str());
    sim::fleet_options so;
    so.routers = 1000;
    so.tls = true;
    so.io_threads = 1;
    so.seed = 7;
    sim::fleet routers{so};
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < routers.size(); ++i)
      ports.push_back(routers.port(i));

    // The floor.
    floor_run(ports[0], 200);
    std::vector<double> p50s, p99s, cpus, handoffs;
    for (int r = 0; r < runs; ++r) {
      double cpu = 0;
      auto lat = floor_run(ports[0], requests, &cpu);
      p50s.push_back(percentile(lat, 50));
      p99s.push_back(percentile(lat, 99));
      cpus.push_back(cpu);
      handoffs.push_back(bench::handoff_cpu_us(20000));
    }
    record("REST floor p50 (one router, TLS keep-alive)", "µs", p50s);
    record("REST floor p99", "µs", p99s);
    record("REST floor: the client's CPU per GET", "µs", cpus);
    record("thread hand-off CPU (two threads, condition variable)", "µs",
           handoffs);
    auto floor_p50 = minimum(p50s);
    std::vector<double> ceiling;
    for (int r = 0; r < runs; ++r)
      ceiling.push_back(ceiling_run(ports[0], 16, requests));
    record("REST ceiling, 16 in flight (one router, 16 keep-alive "
           "connections)",
           "GETs/s", ceiling, false);

    if (wanted("calls"))
      call_cost_figures(binary, routers, ports[0], runs, requests, peer);

    // tools/call over stdio, and the fleet sweep.
    auto dir = bench_dir();
    register_devices(dir, 1000, ports, routers.fingerprint_sha256());
    if (wanted("fleet"))
      fleet_read_figures(binary, dir, runs);
    if (wanted("stdio") || wanted("fleet")) {
      daemon_process d{binary, dir, daemon_sets};
      double wall = 0;
      int errors = 0;
      d.load(
        16, 500, [](int i) { return overview_call(i, 64); }, wall, errors);
      if (wanted("stdio"))
        overview_figures("stdio", d, runs, requests, floor_p50);
      std::vector<double> sweep;
      for (int r = 0; wanted("fleet") && r <= runs; ++r) {
        d.load(64, 1000, check_call, wall, errors);
        if (errors > 0)
          throw std::runtime_error(std::to_string(errors)
                                   + " check_connectivity calls failed");
        if (r > 0)
          sweep.push_back(wall * 1000.0);
      }
      if (wanted("fleet"))
        record("fleet: check_connectivity of 1,000 routers (64 in flight)",
               "ms", sweep);
    }
    if (wanted("http")) {
      http_daemon d{binary, dir};
      double wall = 0;
      int errors = 0;
      d.load(
        16, 500, [](int i) { return overview_call(i, 64); }, wall, errors);
      overview_figures("HTTP", d, runs, requests, floor_p50);
    }
    std::filesystem::remove_all(dir);

    for (size_t n : {size_t{100}, size_t{1000}})
      if (wanted("rollout"))
        rollout_figures(binary, routers, ports, n, runs);

    if (!skip_memory && wanted("memory")) {
      std::map<size_t, std::pair<double, double>> rss;
      for (size_t n : {size_t{0}, size_t{1000}, size_t{10000}}) {
        auto mdir = bench_dir();
        if (n > 0)
          register_devices(mdir, n, {1}, routers.fingerprint_sha256());
        {
          daemon_process d{binary, mdir};
          if (d.device_count() != static_cast<int64_t>(n))
            throw std::runtime_error("daemon did not load " + std::to_string(n)
                                     + " devices");
          rss[n] = d.rss_kib();
        }
        std::filesystem::remove_all(mdir);
        record("daemon RSS with " + std::to_string(n) + " devices", "KiB",
               {rss[n].first});
        record("daemon anonymous RSS with " + std::to_string(n) + " devices",
               "KiB", {rss[n].second});
      }
      record("per-device memory (anonymous RSS, 10,000 vs 0)", "KiB",
             {(rss[10000].second - rss[0].second) / 10000.0});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
    return 1;
  }
  if (markdown)
    print_markdown(runs, load_start);
  return 0;
}
