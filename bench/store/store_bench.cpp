// routeros-store-bench: latency of the LMDB device store on this machine.
//
//   routeros-store-bench [--path DIR] [--devices 1000]
//
// Prints one line per measurement (mean microseconds per operation). Every
// write is a synchronous LMDB commit, so the numbers are dominated by the
// disk's fsync latency. Not a test: numbers go into docs/operations.md.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "protocol/error.hpp"
#include "storage/device_store.hpp"

namespace {

using namespace rmcp;
using clock_type = std::chrono::steady_clock;

/// Runs `fn(i)` for i in [0, n) and prints the mean time per call.
bool measure(const char* what, int n, const std::function<caf::error(int)>& fn) {
  auto start = clock_type::now();
  for (int i = 0; i < n; ++i) {
    if (auto err = fn(i)) {
      std::fprintf(stderr, "%s failed: %s\n", what, error_message(err).c_str());
      return false;
    }
  }
  auto us = std::chrono::duration<double, std::micro>(clock_type::now() - start)
              .count();
  std::printf("%-44s %8d ops %12.1f us/op\n", what, n, us / n);
  return true;
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
      && measure("put_health, 100 samples per commit (per sample)", devices,
                 [&](int i) -> caf::error {
                   if (i % 100 != 0)
                     return caf::none;
                   std::vector<health_sample> batch;
                   for (int j = i; j < i + 100 && j < devices; ++j)
                     batch.push_back(sample(j, 2));
                   return error_of(store.put_health(batch));
                 })
      && measure("get_credential (decrypt)", devices,
                 [&](int i) { return error_of(store.get_credential(id(i))); })
      && measure("health(limit 10)", devices,
                 [&](int i) { return error_of(store.health(id(i), 10)); })
      && measure(("devices() with " + std::to_string(devices) + " devices")
                   .c_str(),
                 20, [&](int) { return error_of(store.devices()); })
      && measure("generation()", devices,
                 [&](int) { return error_of(store.generation()); })
      && measure("status()", devices,
                 [&](int) { return error_of(store.status()); });
  if (temporary)
    std::filesystem::remove_all(path);
  return ok ? 0 : 1;
}
