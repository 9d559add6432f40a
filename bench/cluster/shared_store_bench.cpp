// routeros-shared-store-bench: the cost of the cluster's shared store (the
// split store: registry and plans in etcd, the rest in LMDB) against a
// node's LMDB alone, operation by operation, on this machine.
//
//   routeros-shared-store-bench --etcd 127.0.0.1:2379 [--path DIR]
//                               [--devices 200] [--markdown]
//
// Each operation runs on a fresh LMDB store and on a fresh split store
// (its own etcd prefix). Every LMDB write is a synchronous commit; every
// shared write is one etcd transaction (etcd's own fsync included). Prints
// one line per figure on stderr and, with --markdown, a table on stdout.
// Not a test: bench/run starts a private etcd and puts the table into
// docs/benchmarks.md.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "protocol/error.hpp"
#include "src/cluster/etcd_http_client.hpp"
#include "src/cluster/etcd_kv.hpp"
#include "storage/device_store.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/plan_store.hpp"
#include "storage/split_store.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;

struct figure {
  std::string what;
  double lmdb_p50 = 0;
  double shared_p50 = 0;
  double shared_p99 = 0;
};

/// p50 and p99 in µs of `n` runs of `fn`; negative on failure.
std::pair<double, double> time_of(int n,
                                  const std::function<caf::error(int)>& fn) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    if (auto err = fn(i)) {
      std::fprintf(stderr, "failed: %s\n", error_message(err).c_str());
      return {-1, -1};
    }
    us.push_back(
      std::chrono::duration<double, std::micro>(clock_type::now() - t0)
        .count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))];
  };
  return {pct(0.5), pct(0.99)};
}

template <class T>
caf::error error_of(const caf::expected<T>& x) {
  return x ? caf::error{} : x.error();
}

plan_record plan_over(int index, int devices) {
  plan_record p;
  p.id = "plan-bench-" + std::to_string(index);
  p.kind = "dns_ntp";
  p.tool = "config_plan_dns_ntp_rollout";
  p.apply_tool = "config_apply_dns_ntp_rollout";
  p.created_by = "bench";
  p.risk = "medium";
  p.environment = "lab";
  p.params = {{"dns_servers", {"192.0.2.53"}}};
  std::vector<std::string> batch;
  for (int d = 0; d < devices; ++d) {
    plan_device dev;
    dev.id = "dev-" + std::to_string(d);
    p.devices.push_back(dev);
    batch.push_back(dev.id);
    p.preview.push_back({{"device_id", dev.id},
                         {"current", {{"dns_servers", {"192.0.2.1"}}}},
                         {"intended", {{"dns_servers", {"192.0.2.53"}}}}});
  }
  p.batches.push_back(batch);
  return p;
}

plan_step bench_step(int p, int d) {
  plan_step st;
  st.plan_id = "plan-bench-" + std::to_string(p);
  st.event = "device-snapshot";
  st.batch = 0;
  st.device_id = "dev-" + std::to_string(d);
  st.device_state = "snapshotted";
  st.detail = {{"servers", "192.0.2.1"}};
  return st;
}

using op = std::function<caf::error(int)>;

/// The operations, each over a device store and a plan store.
struct ops {
  std::vector<std::pair<std::string, std::pair<int, op>>> list;
};

ops make_ops(storage::device_store& store, storage::plan_store& plans,
             int devices) {
  auto id = [](int i) { return "dev-" + std::to_string(i); };
  ops o;
  o.list.push_back({"device add (record + credential, one commit)",
                    {devices, [&store, id](int i) {
                       device_record rec;
                       rec.id = id(i);
                       rec.host = "192.0.2.1";
                       return store.put_device(rec, credential{"api", "pw"});
                     }}});
  o.list.push_back({"get_credential (read + decrypt)",
                    {devices, [&store, id](int i) {
                       return error_of(store.get_credential(id(i)));
                     }}});
  o.list.push_back(
    {"generation() (the fleet's poll)",
     {devices, [&store](int) { return error_of(store.generation()); }}});
  o.list.push_back({"devices() with " + std::to_string(devices) + " devices",
                    {20, [&store](int) { return error_of(store.devices()); }}});
  o.list.push_back(
    {"put_health (local in both)", {devices, [&store, id](int i) {
                                      health_sample s;
                                      s.device_id = id(i);
                                      s.timestamp = 1;
                                      return store.put_health(s);
                                    }}});
  o.list.push_back({"plan create (10 devices, journaled)",
                    {20, [&plans](int i) {
                       return error_of(plans.create(plan_over(i, 10)));
                     }}});
  o.list.push_back({"plan step (journal + device state)",
                    {200, [&plans](int i) {
                       return error_of(plans.step(bench_step(i / 10, i % 10)));
                     }}});
  o.list.push_back({"plan get (10 devices)",
                    {200, [&plans](int i) {
                       return error_of(
                         plans.get("plan-bench-" + std::to_string(i % 20)));
                     }}});
  return o;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"routeros-shared-store-bench"};
  std::string etcd;
  std::string path = "/tmp/routeros-shared-store-bench";
  int devices = 200;
  bool markdown = false;
  app.add_option("--etcd", etcd, "etcd endpoint host:port")->required();
  app.add_option("--path", path, "scratch directory for LMDB");
  app.add_option("--devices", devices, "devices to register");
  app.add_flag("--markdown", markdown, "print a markdown table on stdout");
  CLI11_PARSE(app, argc, argv);

  cluster::etcd_settings es;
  es.endpoints = {etcd};
  auto client = cluster::make_etcd_client(es);
  if (!client) {
    std::fprintf(stderr, "%s\n", error_message(client.error()).c_str());
    return 1;
  }
  auto key = *storage::credential_key::generate();
  auto open = [&](bool shared,
                  int round) -> std::shared_ptr<storage::kv_store> {
    auto dir =
      path + "/" + (shared ? "split-" : "lmdb-") + std::to_string(round);
    std::filesystem::remove_all(dir);
    storage::lmdb_options lo;
    lo.path = dir;
    auto local = storage::lmdb_store::open(lo);
    if (!local)
      return nullptr;
    if (!shared)
      return *local;
    cluster::etcd_kv_options ko;
    ko.client = *client;
    ko.prefix =
      "/bench-" + std::to_string(::getpid()) + "-" + std::to_string(round);
    auto remote = cluster::make_etcd_kv_store(ko);
    if (!remote)
      return nullptr;
    return std::make_shared<storage::split_store>(*local, *remote);
  };
  std::vector<figure> figures;
  for (bool shared : {false, true}) {
    auto kv = open(shared, 0);
    if (!kv)
      return 1;
    auto store = storage::open_device_store(kv, "bench", key);
    if (!store) {
      std::fprintf(stderr, "%s\n", error_message(store.error()).c_str());
      return 1;
    }
    storage::plan_store plans{kv, *storage::credential_key::generate()};
    auto o = make_ops(**store, plans, devices);
    size_t k = 0;
    for (auto& [what, run] : o.list) {
      auto [p50, p99] = time_of(run.first, run.second);
      if (p50 < 0)
        return 1;
      std::fprintf(stderr, "%-8s %-48s p50 %9.1f  p99 %9.1f us\n",
                   shared ? "shared" : "lmdb", what.c_str(), p50, p99);
      if (!shared)
        figures.push_back({what, p50, 0, 0});
      else {
        figures[k].shared_p50 = p50;
        figures[k].shared_p99 = p99;
      }
      ++k;
    }
  }
  std::filesystem::remove_all(path);
  if (markdown) {
    std::printf("| operation | LMDB p50 µs | shared p50 µs | shared p99 µs |\n"
                "|---|---:|---:|---:|\n");
    for (auto& f : figures)
      std::printf("| %s | %.0f | %.0f | %.0f |\n", f.what.c_str(), f.lmdb_p50,
                  f.shared_p50, f.shared_p99);
  }
  return 0;
}
