// Test helper (built only for tests): a second process writing to an LMDB
// store, for the multi-process and SIGKILL durability tests.
//
//   store_writer churn <path> <first-index>
//       Forever: for index i, register device d-<i> with its credential,
//       append a health sample, every third index a snapshot, and every
//       fifth index remove device d-<i-4>; then print "ack <i>" (everything
//       of index i is committed). Exits 1 on any store error.
//   store_writer put-device <path> <id>
//       Registers one device with credential "pw-<id>", prints the new
//       generation, exits 0.
//
// The key is a fixed test key (64 'd' hex digits).

#include <cstdio>
#include <iostream>
#include <string>

#include "protocol/error.hpp"
#include "storage/device_store.hpp"

namespace {

using namespace rmcp;

constexpr uint64_t map_size = uint64_t{64} << 20;

storage::credential_key test_key() {
  return *storage::credential_key::parse(std::string(64, 'd'));
}

int fail(const std::string& what, const caf::error& err) {
  std::cerr << "store_writer: " << what << ": " << error_message(err) << "\n";
  return 1;
}

device_record device(const std::string& id) {
  device_record rec;
  rec.id = id;
  rec.name = "churn " + id;
  rec.host = "192.0.2.55";
  rec.username = "api";
  return rec;
}

int churn(storage::device_store& db, long first) {
  for (long i = first;; ++i) {
    auto id = "d-" + std::to_string(i);
    if (auto err = db.put_device(device(id), credential{"api", "pw-" + id}))
      return fail("put " + id, err);
    health_sample s;
    s.device_id = id;
    s.timestamp = i;
    s.status = device_status::healthy;
    if (auto err = db.put_health(s))
      return fail("health " + id, err);
    if (i % 3 == 0) {
      snapshot_record snap;
      snap.device_id = id;
      snap.kind = "config";
      snap.timestamp = i;
      snap.content = std::string(2048, static_cast<char>('a' + i % 26));
      if (auto put = db.put_snapshot(snap); !put)
        return fail("snapshot " + id, put.error());
    }
    if (i % 5 == 0 && i >= 4) {
      auto victim = "d-" + std::to_string(i - 4);
      auto err = db.remove_device(victim);
      // A previous run may have died before registering it.
      if (err && error_code_of(err) != ec::device_not_found)
        return fail("remove " + victim, err);
    }
    std::printf("ack %ld\n", i);
    std::fflush(stdout);
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: store_writer churn|put-device <path> <arg>\n";
    return 2;
  }
  std::string mode = argv[1];
  storage::store_settings settings;
  settings.path = argv[2];
  settings.map_size_bytes = map_size;
  auto db = storage::open_lmdb_device_store(settings, test_key());
  if (!db)
    return fail("open", db.error());
  if (mode == "churn")
    return churn(**db, std::stol(argv[3]));
  if (mode == "put-device") {
    std::string id = argv[3];
    if (auto err = (*db)->put_device(device(id), credential{"api", "pw-" + id}))
      return fail("put " + id, err);
    auto gen = (*db)->generation();
    if (!gen)
      return fail("generation", gen.error());
    std::printf("%llu\n", static_cast<unsigned long long>(*gen));
    return 0;
  }
  std::cerr << "store_writer: unknown mode " << mode << "\n";
  return 2;
}
