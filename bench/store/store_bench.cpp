// routeros-store-bench: latency of the LMDB store on this machine: device
// records, health samples, plans and their journal, the audit trail.
//
//   routeros-store-bench [--path DIR] [--devices 1000] [--runs 3] [--markdown]
//
// A warm-up pass, then --runs passes, each on a fresh store. Every write is
// a synchronous LMDB commit, so the figures are bounded by the disk's fsync
// latency. Prints one line per measurement and pass on stderr and, with
// --markdown, one table row per figure (operations per second, best and
// median pass; p50 and p99 of the median pass's operations) on stdout. Not
// a test: bench/run puts the table into docs/benchmarks.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"
#include "storage/plan_store.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;

/// One pass's result of one measurement.
struct pass_result {
  double ops_per_s;
  double p50_us;
  double p99_us;
};

/// Every figure's results over the measured passes, in the order measured.
std::vector<std::pair<std::string, std::vector<pass_result>>> figures;

/// Whether the current pass is measured (false during the warm-up).
bool measured = false;

/// Runs `fn(i)` for i in [0, n), prints throughput and latency and, in a
/// measured pass, keeps them under `what`.
bool measure(const std::string& what, int n,
             const std::function<caf::error(int)>& fn) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(n));
  auto start = clock_type::now();
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    if (auto err = fn(i)) {
      std::fprintf(stderr, "%s failed: %s\n", what.c_str(),
                   error_message(err).c_str());
      return false;
    }
    us.push_back(
      std::chrono::duration<double, std::micro>(clock_type::now() - t0)
        .count());
  }
  auto total = std::chrono::duration<double>(clock_type::now() - start).count();
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))];
  };
  pass_result r{n / total, pct(0.5), pct(0.99)};
  std::fprintf(stderr,
               "%s%-46s %7d ops %10.0f ops/s  p50 %8.1f  p99 %8.1f us\n",
               measured ? "" : "(warm-up) ", what.c_str(), n, r.ops_per_s,
               r.p50_us, r.p99_us);
  if (measured) {
    auto it = std::find_if(figures.begin(), figures.end(),
                           [&](auto& f) { return f.first == what; });
    if (it == figures.end())
      it = figures.insert(figures.end(), {what, {}});
    it->second.push_back(r);
  }
  return true;
}

/// The table: ops/s of the best and the median pass, and the latency
/// percentiles of the median pass (by ops/s).
void print_markdown(int runs) {
  std::printf("%d passes on a fresh store after a warm-up pass; latency of "
              "the median pass.\n\n",
              runs);
  std::printf("| store figure | best | median | unit | p50 µs | p99 µs |\n"
              "|---|---:|---:|---|---:|---:|\n");
  for (auto& [name, passes] : figures) {
    auto sorted = passes;
    std::sort(sorted.begin(), sorted.end(),
              [](auto& x, auto& y) { return x.ops_per_s > y.ops_per_s; });
    auto& mid = sorted[sorted.size() / 2];
    std::printf("| %s | %.0f | %.0f | ops/s | %.1f | %.1f |\n", name.c_str(),
                sorted.front().ops_per_s, mid.ops_per_s, mid.p50_us,
                mid.p99_us);
  }
}

/// A pending plan over `devices` registered devices (ids dev-0 …).
plan_record plan_over(int index, int devices) {
  plan_record p;
  p.id = "plan-bench-" + std::to_string(index);
  p.kind = "dns_ntp";
  p.tool = "config_plan_dns_ntp_rollout";
  p.apply_tool = "config_apply_dns_ntp_rollout";
  p.created_by = "bench";
  p.risk = "medium";
  p.environment = "lab";
  p.params = {{"dns_servers", {"192.0.2.53", "198.51.100.53"}}};
  std::vector<std::string> batch;
  for (int d = 0; d < devices; ++d) {
    plan_device dev;
    dev.id = "dev-" + std::to_string(d);
    p.devices.push_back(dev);
    batch.push_back(dev.id);
    // A preview entry of the size the DNS/NTP kind writes.
    p.preview.push_back({{"device_id", dev.id},
                         {"current",
                          {{"dns_servers", {"192.0.2.1", "192.0.2.2"}},
                           {"ntp_servers", {"192.0.2.123"}}}},
                         {"intended",
                          {{"dns_servers", {"192.0.2.53", "198.51.100.53"}},
                           {"ntp_servers", {"192.0.2.123"}}}},
                         {"requests", 2},
                         {"warnings", json::array()}});
  }
  p.batches.push_back(batch);
  return p;
}

template <class T>
caf::error error_of(const caf::expected<T>& x) {
  return x ? caf::error{} : x.error();
}

health_sample sample(int device, int64_t ts) {
  health_sample s;
  s.device_id = "dev-" + std::to_string(device);
  s.timestamp = ts;
  s.status = device_status::healthy;
  s.cpu_percent = 12.5;
  s.routeros_version = "7.15.2";
  s.issues = {"none"};
  return s;
}

/// A rollout step of device `d` of plan `plan-bench-<p>`.
plan_step bench_step(int p, int d, const char* event, const char* state) {
  plan_step st;
  st.plan_id = "plan-bench-" + std::to_string(p);
  st.event = event;
  st.batch = 0;
  st.device_id = "dev-" + std::to_string(d);
  st.device_state = state;
  st.detail = {{"servers", "192.0.2.1"}};
  return st;
}

/// One pass over a fresh store at `path`: every measurement once.
bool pass(const std::string& path, int devices) {
  std::filesystem::remove_all(path);
  storage::store_settings settings;
  settings.path = path;
  auto key = storage::credential_key::generate();
  auto db = storage::open_lmdb_device_store(settings, *key);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", error_message(db.error()).c_str());
    return false;
  }
  auto& store = **db;
  auto id = [](int i) { return "dev-" + std::to_string(i); };
  bool ok =
    measure("put_device + credential (one commit)", devices,
            [&](int i) {
              device_record rec;
              rec.id = id(i);
              rec.host = "192.0.2.1";
              return store.put_device(rec, credential{"api", "secret"});
            })
    && measure("put_health, one sample per commit", devices,
               [&](int i) { return store.put_health(sample(i, 1)); })
    && measure("put_health, 100 samples in one commit",
               std::max(1, devices / 100),
               [&](int i) -> caf::error {
                 std::vector<health_sample> batch;
                 for (int j = i * 100; j < (i + 1) * 100 && j < devices; ++j)
                   batch.push_back(sample(j, 2));
                 return error_of(store.put_health(batch));
               })
    && measure("get_credential (decrypt)", devices,
               [&](int i) { return error_of(store.get_credential(id(i))); })
    && measure("health(limit 10)", devices,
               [&](int i) { return error_of(store.health(id(i), 10)); })
    && measure("devices() with " + std::to_string(devices) + " devices", 20,
               [&](int) { return error_of(store.devices()); })
    && measure("generation()", devices,
               [&](int) { return error_of(store.generation()); })
    && measure("status()", devices,
               [&](int) { return error_of(store.status()); });
  // Plans: creation (record + plan-created journal line, one commit) and
  // rollout steps (journal line + device state change, one commit each).
  storage::plan_store plans{store.kv(), *storage::credential_key::generate()};
  constexpr int plan_devices = 10;
  int plan_count = std::max(1, devices / 10);
  ok =
    ok
    && measure(
      "plan create (10 devices, journaled)", plan_count,
      [&](int i) { return error_of(plans.create(plan_over(i, plan_devices))); })
    && measure("plan step (journal + device state)", plan_count * plan_devices,
               [&](int i) {
                 return error_of(
                   plans.step(bench_step(i / plan_devices, i % plan_devices,
                                         "device-snapshot", "snapshotted")));
               })
    && measure("plan steps, 10 per commit (step_all)", plan_count,
               [&](int i) -> caf::error {
                 std::vector<plan_step> group;
                 for (int d = 0; d < plan_devices; ++d)
                   group.push_back(
                     bench_step(i, d, "device-applied", "applied"));
                 for (auto& r : plans.step_all(std::move(group)))
                   if (!r)
                     return r.error();
                 return caf::none;
               })
    && measure(
      "plan create (1,000 devices, journaled)", 1,
      [&](int) { return error_of(plans.create(plan_over(plan_count, 1000))); })
    && measure("plan step on a 1,000-device plan", 1000, [&](int d) {
         return error_of(plans.step(
           bench_step(plan_count, d, "device-snapshot", "snapshotted")));
       });
  // The audit trail: one record per tool call, one commit each.
  storage::audit_log audit{store.kv()};
  ok = ok && measure("audit append (one commit)", devices, [&](int i) {
         audit_record rec;
         rec.actor = "bench";
         rec.tool = "set_system_identity";
         rec.device_id = id(i);
         rec.outcome = "applied";
         rec.arguments = {{"device_id", id(i)}, {"name", "edge"}};
         rec.before = {{"name", "old"}};
         rec.after = {{"name", "edge"}};
         return error_of(audit.append(rec));
       });
  return ok;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-mcp store benchmark"};
  std::string path =
    (std::filesystem::temp_directory_path() / "routeros-store-bench").string();
  int devices = 1000;
  int runs = 3;
  bool markdown = false;
  app.add_option(
    "--path", path,
    "Store directory (emptied before each pass, removed at the end)");
  app
    .add_option("--devices", devices,
                "Devices, health samples and audit "
                "records per pass")
    ->check(CLI::Range(100, 1000000));
  app.add_option("--runs", runs, "Measured passes (after a warm-up pass)")
    ->check(CLI::Range(1, 20));
  app.add_flag("--markdown", markdown, "Print a Markdown table on stdout");
  CLI11_PARSE(app, argc, argv);
  for (int r = 0; r <= runs; ++r) {
    measured = r > 0;
    if (!pass(path, devices))
      return 1;
  }
  std::filesystem::remove_all(path);
  if (markdown)
    print_markdown(runs);
  return 0;
}
