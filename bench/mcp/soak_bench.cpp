// routeros-soak: the daemon under router faults and a long mixed load.
//
//   routeros-soak --binary build-release/routeros-mcp [--calls 10000]
//                 [--routers 100] [--http-clients 12] [--stdio-clients 4]
//                 [--seed 1] [--rss-bound-mib 32] [--markdown]
//
// Starts --routers simulated routers (HTTPS, pinned certificate) in this
// process, one daemon serving Streamable HTTP (--http-clients sessions and
// the rollouts) and one daemon over stdio per stdio client, each on a store
// of its own with every router registered. After a warm-up without faults
// (check_connectivity of every router through every daemon) it measures
// each daemon's RSS and open file descriptors, then turns the faults on:
// 2 ms latency + up to 20 ms jitter, 5 % 500 answers, 1 % dropped
// connections, 0.2 % requests never answered (the daemon's request timeout
// is 2 s), and every 300 ms a reboot (1 s) or a credential change (undone
// 2 s later) of a random router. --calls mixed tool calls (reads, fleet
// reads, writes, dry runs, unknown devices) go out from the clients, one
// at a time each, while two DNS rollouts on 10 routers each run at once,
// again and again, on the HTTP daemon (approved by the CLI). Then the
// faults stop, the warm-up runs again and RSS and descriptors are measured
// a second time; the daemons are stopped gracefully.
// The soak fails (exit 1) when a daemon died or did not exit 0, a call got
// no answer, a failed call carried no per-device error class (or
// internal_error), a rollout ended other than completed or rolled back,
// RSS grew by more than --rss-bound-mib, or descriptors by more than one
// per router beyond the warm-up's (device.max_connections is 2).
// Not a test: bench/soak builds Release and runs it.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/mcp/daemons.hpp"
#include "bench/mcp/soak_clients.hpp"
#include "bench/mcp/soak_tally.hpp"
#include "sim/fleet.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t rollout_size = 10;
using bench::tally;

// -- the calls -------------------------------------------------------------------

/// Call i of the mix; writes only on routers outside the rollouts.
json make_call(std::mt19937_64& rng, int i, size_t routers) {
  auto any = [&] { return bench::device_id(rng() % routers); };
  auto writable = [&] {
    return bench::device_id(rng() % (routers - 2 * rollout_size));
  };
  auto dev = [](std::string id) { return json{{"device_id", std::move(id)}}; };
  auto w = static_cast<int>(rng() % 100);
  auto tag = std::to_string(i);
  auto call = [](const char* tool, json args) {
    return json{{"name", tool}, {"arguments", std::move(args)}};
  };
  if (w < 30)
    return call("get_system_overview", dev(any()));
  if (w < 40)
    return call("check_connectivity", dev(any()));
  if (w < 48)
    return call("list_interfaces", dev(any()));
  if (w < 55)
    return call("get_dns_status", dev(any()));
  if (w < 60)
    return call("get_system_clock", dev(any()));
  if (w < 65)
    return call("list_ip_addresses", dev(any()));
  if (w < 70)
    return call("device_health", dev(any()));
  if (w < 75) {
    json ids = json::array();
    for (size_t k = 0; k < 5; ++k)
      ids.push_back(bench::device_id((rng() % (routers / 5)) * 5 + k));
    return call("fleet_read",
                {{"tool", "get_system_clock"}, {"device_ids", ids}});
  }
  if (w < 78)
    return call("list_devices", json::object());
  if (w < 88)
    return call("set_system_identity",
                {{"device_id", writable()}, {"identity", "soak-" + tag}});
  if (w < 93)
    return call("update_interface_comment", {{"device_id", writable()},
                                             {"interface", "ether1"},
                                             {"comment", "soak " + tag}});
  if (w < 98)
    return call("update_dns_servers",
                {{"device_id", writable()},
                 {"dns_servers", {"192.0.2." + std::to_string(i % 200 + 1)}},
                 {"dry_run", true}});
  return call("get_system_overview", dev("r99999"));
}

// -- the daemons -------------------------------------------------------------------

std::vector<std::string> common_sets() {
  return {"device.request_timeout=2s", "device.health_interval=5s",
          "rollout.gate_delay=1s",     "rollout.max_devices=100",
          "http.rate_limit=100000",    "http.rate_burst=100000",
          "http.role=admin",           "http.max_sessions=64",
          "server.toolsets=all"};
}

std::vector<std::string> daemon_argv(const std::string& binary,
                                     const std::string& dir,
                                     std::vector<std::string> tail) {
  std::vector<std::string> argv{binary, "--data-dir", dir, "--log-level",
                                "warn"};
  for (auto& s : common_sets()) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

/// The HTTP daemon as a child; its port from the ports file.
struct http_server {
  http_server(const std::string& binary, const std::string& dir)
    : proc(daemon_argv(binary, dir,
                       {"--set", "http.ports_file=" + dir + "/http.port",
                        "serve", "--http", "--listen", "127.0.0.1:0"})) {
    for (int i = 0; i < 600 && port == 0; ++i) {
      std::ifstream in{dir + "/http.port"};
      std::string line;
      if (std::getline(in, line) && line.rfind("http=", 0) == 0)
        port = static_cast<uint16_t>(std::stoi(line.substr(5)));
      else
        std::this_thread::sleep_for(milliseconds{100});
    }
    if (port == 0)
      throw std::runtime_error("the HTTP daemon did not report its port: "
                               + proc.stderr_text());
  }
  test::child_process proc;
  uint16_t port = 0;
};

struct usage {
  double rss_kib = 0;
  int fds = 0;
};

usage usage_of(pid_t pid) {
  return {bench::process_rss_kib(pid), bench::process_fds(pid)};
}

// -- rollouts ------------------------------------------------------------------------

/// Rollouts on routers [first, first + rollout_size) until `stop`, at least
/// one: plan (retried while the faults refuse it), CLI approval, apply.
void rollouts(const std::string& binary, const std::string& dir, uint16_t port,
              size_t first, std::atomic<bool>& stop, tally& t) {
  bench::http_client c{port, seconds{900}};
  for (int round = 0; round == 0 || !stop; ++round) {
    json ids = json::array();
    for (size_t k = 0; k < rollout_size; ++k)
      ids.push_back(bench::device_id(first + k));
    json args{
      {"device_ids", ids},
      {"dns_servers",
       {"192.0.2." + std::to_string(first + round % 100), "198.51.100.53"}},
      {"batch_size", 5},
      {"pause_seconds", 0},
      {"description", "soak"}};
    auto plan =
      c.call({{"name", "config_plan_dns_ntp_rollout"}, {"arguments", args}});
    json r =
      plan ? plan->second.value("result", json::object()) : json::object();
    if (!plan || r.value("isError", false) || plan->second.contains("error")) {
      std::lock_guard<std::mutex> g{t.mu};
      ++t.plan_refusals[plan ? r.value("_meta", json::object())
                                 .value("error_kind", "jsonrpc")
                             : "no answer"];
      std::this_thread::sleep_for(milliseconds{500});
      round -= 1; // a refused plan is no rollout
      if (stop && round < -20)
        return;
      continue;
    }
    auto id = r.value("structuredContent", json::object()).value("plan_id", "");
    test::child_process cli({binary, "--data-dir", dir, "--log-level", "warn",
                             "plan", "approve", id, "--as", "soak-approver",
                             "--json"});
    auto token = parse_json(cli.drain_stdout(seconds{60}))
                   .value_or(json::object())
                   .value("approval_token", "");
    cli.wait(seconds{60});
    auto applied =
      c.call({{"name", "config_apply_dns_ntp_rollout"},
              {"arguments", {{"plan_id", id}, {"approval_token", token}}}});
    std::string state = "no answer";
    if (applied) {
      auto ar = applied->second.value("result", json::object());
      state =
        ar.value("isError", false)
          ? "apply failed: "
              + ar.value("_meta", json::object()).value("error_kind", "")
          : ar.value("structuredContent", json::object()).value("state", "?");
    }
    std::lock_guard<std::mutex> g{t.mu};
    ++t.rollouts[state];
    if (state != "completed" && state != "rolled_back")
      t.problems.push_back(
        "rollout " + id + " ended " + state + ": "
        + (applied ? applied->second.dump().substr(0, 600) : std::string{}));
  }
}

// -- chaos ---------------------------------------------------------------------------

/// Every 300 ms a reboot or a credential change of a random router, until
/// `stop`; then every credential is put back.
void chaos(sim::fleet& f, std::atomic<bool>& stop, uint64_t seed, tally& t) {
  std::mt19937_64 rng{seed};
  std::map<size_t, clock_type::time_point> rotated;
  while (!stop) {
    std::this_thread::sleep_for(milliseconds{300});
    auto now = clock_type::now();
    for (auto it = rotated.begin(); it != rotated.end();)
      if (it->second <= now) {
        f.router(it->first).set_credentials("admin", "routeros-sim");
        it = rotated.erase(it);
      } else {
        ++it;
      }
    auto r = rng() % f.size();
    std::lock_guard<std::mutex> g{t.mu};
    if (rng() % 2 == 0) {
      f.router(r).reboot(seconds{20}); // 1 s of real time at scale 0.05
      ++t.chaos["reboots"];
    } else if (!rotated.count(r)) {
      f.router(r).set_credentials("admin", "soak-rotated");
      rotated[r] = now + seconds{2};
      ++t.chaos["credential changes"];
    }
  }
  for (auto& [r, when] : rotated)
    f.router(r).set_credentials("admin", "routeros-sim");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mcp fault soak"};
  std::string binary;
  int calls = 10000;
  size_t routers = 100;
  int http_clients = 12;
  int stdio_clients = 4;
  uint64_t seed = 1;
  double rss_bound_mib = 32;
  bool markdown = false;
  app.add_option("--binary", binary, "routeros-mcp executable")->required();
  app.add_option("--calls", calls, "Tool calls in all")
    ->check(CLI::Range(100, 10000000));
  app.add_option("--routers", routers, "Simulated routers")
    ->check(CLI::Range(30, 1000));
  app.add_option("--http-clients", http_clients, "Sessions over HTTP")
    ->check(CLI::Range(0, 64));
  app.add_option("--stdio-clients", stdio_clients, "Daemons over stdio")
    ->check(CLI::Range(0, 16));
  app.add_option("--seed", seed, "Seed of the calls and the chaos");
  app.add_option("--rss-bound-mib", rss_bound_mib,
                 "Largest RSS growth allowed per daemon");
  app.add_flag("--markdown", markdown, "Print Markdown tables on stdout");
  CLI11_PARSE(app, argc, argv);
  if (http_clients + stdio_clients < 1) {
    std::fprintf(stderr, "routeros-soak: no clients\n");
    return 2;
  }

  tally t;
  std::vector<std::string> dirs;
  std::map<std::string, std::pair<usage, usage>> use; // daemon → before, after
  std::map<std::string, int> exits;
  double load_s = 0;
  try {
    sim::fleet_options so;
    so.routers = routers;
    so.tls = true;
    so.io_threads = 2;
    so.seed = seed;
    so.time_scale = 0.05;
    // Fixed ports below the kernel's ephemeral range: a rebooting router's
    // port is then never handed to one of the daemons' outgoing
    // connections meanwhile (which would keep the router off the network
    // for as long as that connection lives).
    std::unique_ptr<sim::fleet> fleet_ptr;
    for (int attempt = 0; !fleet_ptr; ++attempt) {
      so.base_port =
        static_cast<uint16_t>(20000 + (seed * 7919 + attempt * 1009) % 10000);
      try {
        fleet_ptr = std::make_unique<sim::fleet>(so);
      } catch (const std::exception& e) {
        if (attempt == 10)
          throw;
      }
    }
    auto& f = *fleet_ptr;
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < f.size(); ++i)
      ports.push_back(f.port(i));
    device_flags flags;
    flags.allow_advanced_writes = true;
    flags.allow_professional_workflows = true;
    auto new_store = [&] {
      dirs.push_back(bench::bench_dir(true));
      bench::register_devices(dirs.back(), routers, ports,
                              f.fingerprint_sha256(), flags);
      return dirs.back();
    };

    auto http_dir = new_store();
    http_server server{binary, http_dir};
    std::vector<std::unique_ptr<bench::stdio_client>> stdio;
    for (int i = 0; i < stdio_clients; ++i)
      stdio.push_back(std::make_unique<bench::stdio_client>(
        daemon_argv(binary, new_store(), {"serve", "--stdio"})));
    std::vector<std::unique_ptr<bench::http_client>> http;
    for (int i = 0; i < http_clients; ++i)
      http.push_back(
        std::make_unique<bench::http_client>(server.port, seconds{120}));
    auto warm_http =
      http.empty()
        ? std::make_unique<bench::http_client>(server.port, seconds{120})
        : nullptr;
    auto& http0 = http.empty() ? *warm_http : *http[0];

    // Every router once through every daemon: connections open, tables
    // materialised, before the first measurement and the second.
    auto warm_up = [&] {
      std::vector<std::thread> ts;
      ts.emplace_back([&] {
        for (size_t r = 0; r < routers; ++r)
          http0.call({{"name", "check_connectivity"},
                      {"arguments", {{"device_id", bench::device_id(r)}}}});
      });
      for (auto& c : stdio)
        ts.emplace_back([&, c = c.get()] {
          for (size_t r = 0; r < routers; ++r)
            c->call({{"name", "check_connectivity"},
                     {"arguments", {{"device_id", bench::device_id(r)}}}},
                    seconds{120});
        });
      for (auto& th : ts)
        th.join();
    };
    auto measure = [&](bool after) {
      auto put = [&](const std::string& name, pid_t pid) {
        auto& slot = use[name];
        (after ? slot.second : slot.first) = usage_of(pid);
      };
      put("HTTP daemon", server.proc.pid());
      for (size_t i = 0; i < stdio.size(); ++i)
        put("stdio daemon " + std::to_string(i + 1), stdio[i]->pid());
    };
    warm_up();
    measure(false);

    sim::fault_config faults;
    faults.latency_ms = 2;
    faults.jitter_ms = 20;
    faults.error_rate = 0.05;
    faults.drop_rate = 0.01;
    faults.timeout_rate = 0.002;
    for (size_t r = 0; r < routers; ++r)
      f.router(r).set_faults(faults);

    std::atomic<bool> stop{false};
    std::thread chaos_thread{[&] { chaos(f, stop, seed, t); }};
    std::vector<std::thread> rollout_threads;
    for (size_t k = 0; k < 2; ++k)
      rollout_threads.emplace_back([&, k] {
        rollouts(binary, http_dir, server.port,
                 routers - (2 - k) * rollout_size, stop, t);
      });

    std::atomic<int> next{0};
    auto t0 = clock_type::now();
    std::vector<std::thread> clients;
    auto loop = [&](auto&& one, uint64_t s) {
      std::mt19937_64 rng{s};
      for (int i = next++; i < calls; i = next++) {
        auto params = make_call(rng, i, routers);
        try {
          if (auto msg = one(params))
            count(t, params["name"], *msg);
          else
            t.problem("no answer to " + params.dump());
        } catch (const std::exception& e) {
          t.problem("unreadable answer to " + params.dump() + ": " + e.what());
        }
      }
    };
    for (size_t k = 0; k < http.size(); ++k)
      clients.emplace_back([&, k] {
        loop(
          [&](const json& p) -> std::optional<json> {
            auto res = http[k]->call(p);
            if (res && res->first != 200)
              t.problem("HTTP " + std::to_string(res->first) + " for "
                        + p.dump());
            if (!res || res->first != 200)
              return std::nullopt;
            return res->second;
          },
          seed * 1000 + k);
      });
    for (size_t k = 0; k < stdio.size(); ++k)
      clients.emplace_back([&, k] {
        loop([&](const json& p) { return stdio[k]->call(p, seconds{120}); },
             seed * 1000 + 100 + k);
      });
    for (auto& c : clients)
      c.join();
    load_s = std::chrono::duration<double>(clock_type::now() - t0).count();
    stop = true;
    chaos_thread.join();
    for (auto& th : rollout_threads)
      th.join();

    for (size_t r = 0; r < routers; ++r)
      f.router(r).set_faults({});
    for (int i = 0; i < 100; ++i) {
      bool up = true;
      for (size_t r = 0; r < routers; ++r)
        up = up && f.router(r).is_up();
      if (up)
        break;
      std::this_thread::sleep_for(milliseconds{100});
    }
    warm_up();
    measure(true);

    exits["HTTP daemon"] = -2;
    if (::kill(server.proc.pid(), 0) == 0) {
      server.proc.kill(SIGTERM);
      exits["HTTP daemon"] = server.proc.wait(seconds{60}).value_or(-1);
    }
    for (size_t i = 0; i < stdio.size(); ++i)
      exits["stdio daemon " + std::to_string(i + 1)] = stdio[i]->stop();
  } catch (const std::exception& e) {
    t.problem(std::string{"soak aborted: "} + e.what());
  }
  for (auto& d : dirs)
    std::filesystem::remove_all(d);

  for (auto& [name, code] : exits)
    if (code != 0)
      t.problem(name + " exited with " + std::to_string(code)
                + (code == -2 ? " (it had died)" : ""));
  for (auto& [name, u] : use) {
    auto grew = (u.second.rss_kib - u.first.rss_kib) / 1024.0;
    if (grew > rss_bound_mib)
      t.problem(name + " RSS grew by " + std::to_string(grew) + " MiB");
    if (u.second.fds > u.first.fds + static_cast<int>(routers))
      t.problem(name + " holds " + std::to_string(u.second.fds)
                + " descriptors, " + std::to_string(u.first.fds)
                + " after the warm-up");
  }
  for (auto& [state, n] : t.rollouts)
    if (state != "completed" && state != "rolled_back")
      t.problem(std::to_string(n) + " rollouts ended " + state);

  int failed = 0;
  for (auto& [cls, n] : t.failed)
    failed += n;
  auto join = [](const std::map<std::string, int>& m) {
    std::string out;
    for (auto& [k, v] : m)
      out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
    return out.empty() ? std::string{"none"} : out;
  };
  std::fprintf(stderr,
               "%d calls answered in %.1f s (%d failed); failed by class: %s; "
               "per-device errors in fleet_read: %s; rollouts: %s; refused "
               "plans: %s; chaos: %s\n",
               t.answered, load_s, failed, join(t.failed).c_str(),
               join(t.fleet_devices).c_str(), join(t.rollouts).c_str(),
               join(t.plan_refusals).c_str(), join(t.chaos).c_str());
  for (auto& [name, u] : use)
    std::fprintf(stderr, "%s: RSS %.1f → %.1f MiB, descriptors %d → %d\n",
                 name.c_str(), u.first.rss_kib / 1024, u.second.rss_kib / 1024,
                 u.first.fds, u.second.fds);
  for (auto& p : t.problems)
    std::fprintf(stderr, "PROBLEM: %s\n", p.c_str());

  if (markdown) {
    std::printf("| figure | value |\n|---|---|\n");
    std::printf("| routers / clients | %zu / %d over HTTP (one daemon), %d "
                "over stdio (a daemon each) |\n",
                routers, http_clients, stdio_clients);
    std::printf("| calls answered / sent | %d / %d in %.0f s |\n", t.answered,
                calls, load_s);
    std::printf("| calls failed, each with its error class | %d |\n", failed);
    std::printf("| failed calls by class | %s |\n", join(t.failed).c_str());
    std::printf("| per-device errors inside fleet_read results | %s |\n",
                join(t.fleet_devices).c_str());
    std::printf("| rollouts (two at once, 10 routers each) | %s |\n",
                join(t.rollouts).c_str());
    std::printf("| plan calls refused by router faults (retried) | %s |\n",
                join(t.plan_refusals).c_str());
    std::printf("| reboots / credential changes | %d / %d |\n",
                t.chaos["reboots"], t.chaos["credential changes"]);
    for (auto& [name, u] : use)
      std::printf("| %s: RSS before → after (bound +%.0f MiB); descriptors "
                  "before → after (bound +%zu) | %.1f → %.1f MiB; %d → %d |\n",
                  name.c_str(), rss_bound_mib, routers, u.first.rss_kib / 1024,
                  u.second.rss_kib / 1024, u.first.fds, u.second.fds);
    std::string ends;
    for (auto& [name, code] : exits)
      ends += (ends.empty() ? "" : ", ") + std::to_string(code);
    std::printf(
      "| daemon crashes / exit codes after the graceful stop | %d / "
      "%s |\n",
      static_cast<int>(std::count_if(exits.begin(), exits.end(),
                                     [](auto& e) { return e.second == -2; })),
      ends.c_str());
    std::printf("| problems | %zu |\n", t.problems.size());
  }
  return t.problems.empty() ? 0 : 1;
}
