// routeros-store-bench: latency of the LMDB store on this machine: device
// records, health samples, plans and their journal, the audit trail.
//
//   routeros-store-bench [--path DIR] [--devices 1000]
//
// Prints one line per measurement (operations per second, mean, p50 and
// p99 microseconds). Every write is a synchronous LMDB commit, so the
// numbers are dominated by the disk's fsync latency. Not a test: bench/run
// puts them into docs/benchmarks.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/device_store.hpp"
#include "storage/plan_store.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;

/// Runs `fn(i)` for i in [0, n) and prints throughput and latency.
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
      std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  auto total = std::chrono::duration<double>(clock_type::now() - start).count();
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))];
  };
  double mean = 0;
  for (auto x : us)
    mean += x / n;
  std::printf("%-50s %7d ops %10.0f ops/s  mean %8.1f  p50 %8.1f  p99 %8.1f us\n",
              what.c_str(), n, n / total, mean, pct(0.5), pct(0.99));
  return true;
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
    p.preview.push_back(
      {{"device_id", dev.id},
       {"current", {{"dns_servers", {"192.0.2.1", "192.0.2.2"}},
                    {"ntp_servers", {"192.0.2.123"}}}},
       {"intended", {{"dns_servers", {"192.0.2.53", "198.51.100.53"}},
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

} // namespace

int main(int argc, char** argv) {
  std::string path;
  int devices = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--path") == 0)
      path = argv[i + 1];
    else if (std::strcmp(argv[i], "--devices") == 0)
      devices = std::atoi(argv[i + 1]);
  }
  bool temporary = path.empty();
  if (temporary)
    path = (std::filesystem::temp_directory_path() / "routeros-store-bench")
             .string();
  std::filesystem::remove_all(path);
  storage::store_settings settings;
  settings.path = path;
  auto key = storage::credential_key::generate();
  auto db = storage::open_lmdb_device_store(settings, *key);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", error_message(db.error()).c_str());
    return 1;
  }
  auto& store = **db;
  auto id = [](int i) { return "dev-" + std::to_string(i); };
  bool ok
    = measure("put_device + credential (one commit)", devices,
              [&](int i) {
                device_record rec;
                rec.id = id(i);
                rec.host = "192.0.2.1";
                return store.put_device(rec, credential{"api", "secret"});
              })
      && measure("put_health, one sample per commit", devices,
                 [&](int i) { return store.put_health(sample(i, 1)); })
      && measure("put_health, 100 samples in one commit",
                 std::max(1, devices / 100), [&](int i) -> caf::error {
                   std::vector<health_sample> batch;
                   for (int j = i * 100; j < (i + 1) * 100 && j < devices; ++j)
                     batch.push_back(sample(j, 2));
                   return error_of(store.put_health(batch));
                 })
      && measure("get_credential (decrypt)", devices,
                 [&](int i) { return error_of(store.get_credential(id(i))); })
      && measure("health(limit 10)", devices,
                 [&](int i) { return error_of(store.health(id(i), 10)); })
      && measure("devices() with " + std::to_string(devices) + " devices", 20, [&](int) { return error_of(store.devices()); })
      && measure("generation()", devices,
                 [&](int) { return error_of(store.generation()); })
      && measure("status()", devices,
                 [&](int) { return error_of(store.status()); });
  // Plans: creation (record + plan-created journal line, one commit) and
  // rollout steps (journal line + device state change, one commit each).
  storage::plan_store plans{store.kv(), *storage::credential_key::generate()};
  constexpr int plan_devices = 10;
  int plan_count = std::max(1, devices / 10);
  ok = ok
       && measure("plan create (10 devices, journaled)", plan_count,
                  [&](int i) {
                    return error_of(plans.create(plan_over(i, plan_devices)));
                  })
       && measure("plan step (journal + device state)",
                  plan_count * plan_devices, [&](int i) {
                    return error_of(plans.step(
                      bench_step(i / plan_devices, i % plan_devices,
                                 "device-snapshot", "snapshotted")));
                  })
       && measure("plan steps, 10 per commit (step_all)", plan_count,
                  [&](int i) -> caf::error {
                    std::vector<plan_step> group;
                    for (int d = 0; d < plan_devices; ++d)
                      group.push_back(bench_step(i, d, "device-applied",
                                                 "applied"));
                    for (auto& r : plans.step_all(std::move(group)))
                      if (!r)
                        return r.error();
                    return caf::none;
                  })
       && measure("plan create (1,000 devices, journaled)", 1,
                  [&](int) {
                    return error_of(plans.create(plan_over(plan_count, 1000)));
                  })
       && measure("plan step on a 1,000-device plan", 1000, [&](int d) {
            return error_of(
              plans.step(bench_step(plan_count, d, "device-snapshot",
                                    "snapshotted")));
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
  if (temporary)
    std::filesystem::remove_all(path);
  return ok ? 0 : 1;
}
