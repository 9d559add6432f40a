// The device store on both engines: devices, credentials, bounded health
// history, snapshots with retention, the generation counter and status.

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/codecs.hpp"
#include "storage/device_store.hpp"
#include "storage/encoding.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

using storage::device_store;
namespace tables = storage::tables;

device_record make_device(const std::string& id) {
  device_record rec;
  rec.id = id;
  rec.name = "Router " + id;
  rec.host = "192.0.2.1";
  rec.port = 8443;
  rec.scheme = "https";
  rec.tls.mode = "pin";
  rec.tls.fingerprint_sha256 = "AB:CD";
  rec.username = "api";
  rec.environment = "lab";
  rec.tags = {{"site", "hq"}, {"role", "edge"}};
  rec.flags.allow_firewall_writes = true;
  rec.flags.critical = true;
  rec.management_path = true;
  return rec;
}

health_sample make_sample(const std::string& id, int64_t ts) {
  health_sample s;
  s.device_id = id;
  s.timestamp = ts;
  s.status = device_status::degraded;
  s.cpu_percent = 93.5;
  s.memory_total_bytes = uint64_t{1} << 33;
  s.memory_used_bytes = 12345;
  s.uptime_seconds = 99;
  s.latency_ms = 4.25;
  s.routeros_version = "7.15.2";
  s.board_name = "CCR2004";
  s.identity = "edge";
  s.issues = {"cpu 93% > 90%"};
  return s;
}

snapshot_record make_snapshot(const std::string& id, const std::string& kind,
                              int64_t ts, std::string content) {
  snapshot_record s;
  s.device_id = id;
  s.kind = kind;
  s.timestamp = ts;
  s.content = std::move(content);
  return s;
}

template <class Engine>
class device_store_test : public ::testing::Test {
protected:
  void SetUp() override {
    reopen();
  }

  void reopen(storage::device_store_options opts = {}) {
    opts.clock = [this] { return now; };
    auto db = storage::open_device_store(engine.open(), engine.where(),
                                         test::test_key(), opts);
    ASSERT_TRUE(db) << error_message(db.error());
    store = *db;
  }

  void add(const std::string& id) {
    auto err =
      store->put_device(make_device(id), credential{"api", "pw-" + id});
    ASSERT_FALSE(err) << error_message(err);
  }

  int64_t now = 1'700'000'000'000;
  Engine engine;
  std::shared_ptr<device_store> store;
};

TYPED_TEST_SUITE(device_store_test, test::engines, test::engine_names);

TYPED_TEST(device_store_test, a_device_round_trips_with_every_field) {
  auto rec = make_device("edge-01");
  ASSERT_FALSE(this->store->put_device(rec));
  auto got = this->store->device("edge-01");
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->name, rec.name);
  EXPECT_EQ(got->host, rec.host);
  EXPECT_EQ(got->port, rec.port);
  EXPECT_EQ(got->tls.mode, "pin");
  EXPECT_EQ(got->tls.fingerprint_sha256, "AB:CD");
  EXPECT_EQ(got->tags, rec.tags);
  EXPECT_TRUE(got->flags.allow_firewall_writes);
  EXPECT_TRUE(got->flags.critical);
  EXPECT_FALSE(got->flags.allow_routing_writes);
  EXPECT_TRUE(got->management_path);
  EXPECT_EQ(got->created_at, this->now);
  EXPECT_EQ(got->updated_at, this->now);
}

TYPED_TEST(device_store_test, devices_are_listed_sorted_by_id) {
  for (auto id : {"c", "a", "b"})
    this->add(id);
  auto all = this->store->devices();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "a");
  EXPECT_EQ((*all)[2].id, "c");
}

TYPED_TEST(device_store_test, an_update_keeps_created_at_and_moves_updated_at) {
  this->add("edge-01");
  auto created = this->now;
  this->now += 5000;
  auto rec = make_device("edge-01");
  rec.host = "198.51.100.7";
  ASSERT_FALSE(this->store->put_device(rec));
  auto got = this->store->device("edge-01");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->host, "198.51.100.7");
  EXPECT_EQ(got->created_at, created);
  EXPECT_EQ(got->updated_at, this->now);
}

TYPED_TEST(device_store_test, a_batch_is_written_whole_or_not_at_all) {
  this->add("edge-01");
  auto before = this->store->generation();
  ASSERT_TRUE(before);
  // edge-01 moves without a new password (its credential goes), edge-02 is
  // new with one; one commit.
  auto moved = make_device("edge-01");
  moved.host = "198.51.100.7";
  std::vector<storage::device_put> batch(2);
  batch[0].record = moved;
  batch[1].record = make_device("edge-02");
  batch[1].cred = credential{"api", "pw-2"};
  ASSERT_FALSE(this->store->put_devices(batch));
  EXPECT_EQ(*this->store->generation(), *before + 1);
  EXPECT_EQ(this->store->device("edge-01")->host, "198.51.100.7");
  EXPECT_FALSE(this->store->get_credential("edge-01"));
  auto cred = this->store->get_credential("edge-02");
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->password, "pw-2");
  // A bad id anywhere in a batch leaves everything as it was.
  std::vector<storage::device_put> bad(2);
  bad[0].record = make_device("edge-03");
  bad[1].record = make_device("Bad Id");
  EXPECT_EQ(error_code_of(this->store->put_devices(bad)),
            ec::invalid_arguments);
  EXPECT_FALSE(this->store->device("edge-03"));
  EXPECT_EQ(*this->store->generation(), *before + 1);
}

TYPED_TEST(device_store_test,
           invalid_ids_are_refused_and_unknown_ids_not_found) {
  EXPECT_EQ(error_code_of(this->store->put_device(make_device("Edge 01"))),
            ec::invalid_arguments);
  EXPECT_EQ(error_code_of(this->store->put_device(make_device(""))),
            ec::invalid_arguments);
  EXPECT_EQ(error_code_of(this->store->device("nope").error()),
            ec::device_not_found);
  EXPECT_EQ(error_code_of(this->store->remove_device("nope")),
            ec::device_not_found);
  EXPECT_EQ(error_code_of(this->store->device("").error()),
            ec::device_not_found);
}

TYPED_TEST(device_store_test, every_device_change_bumps_the_generation) {
  EXPECT_EQ(this->store->generation(), uint64_t{0});
  this->add("a"); // record + credential in one transaction: one change
  EXPECT_EQ(this->store->generation(), uint64_t{1});
  ASSERT_FALSE(this->store->put_device(make_device("a")));
  EXPECT_EQ(this->store->generation(), uint64_t{2});
  ASSERT_FALSE(this->store->put_credential("a", {"api", "new"}));
  EXPECT_EQ(this->store->generation(), uint64_t{3});
  ASSERT_FALSE(this->store->remove_device("a"));
  EXPECT_EQ(this->store->generation(), uint64_t{4});
  // Failed changes and health samples do not count.
  auto before = *this->store->generation();
  EXPECT_TRUE(this->store->remove_device("a"));
  EXPECT_EQ(*this->store->generation(), before);
}

TYPED_TEST(device_store_test, credentials_are_encrypted_at_rest_and_decrypt) {
  this->add("edge-01");
  auto cred = this->store->get_credential("edge-01");
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->username, "api");
  EXPECT_EQ(cred->password, "pw-edge-01");
  auto txn = this->engine.open()->begin_read();
  ASSERT_TRUE(txn);
  auto raw = (*txn)->get(tables::credentials, "edge-01");
  ASSERT_TRUE(raw && *raw);
  EXPECT_EQ((*raw)->find("pw-edge-01"), std::string::npos);
  EXPECT_NE((*raw)->find("A256GCM"), std::string::npos);
}

TYPED_TEST(device_store_test,
           credential_of_an_unknown_device_is_device_not_found) {
  EXPECT_EQ(error_code_of(this->store->put_credential("ghost", {"u", "p"})),
            ec::device_not_found);
  EXPECT_EQ(error_code_of(this->store->get_credential("ghost").error()),
            ec::device_not_found);
  ASSERT_FALSE(this->store->put_device(make_device("bare")));
  auto missing = this->store->get_credential("bare");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_code_of(missing.error()), ec::device_not_found);
  EXPECT_NE(error_message(missing.error()).find("no stored credential"),
            std::string::npos);
}

TYPED_TEST(device_store_test,
           the_registry_holds_every_device_and_its_environments_credentials) {
  this->add("edge-01");
  this->add("edge-02");
  auto other = make_device("prod-01");
  other.environment = "prod";
  ASSERT_FALSE(this->store->put_device(other, credential{"p", "pw-prod"}));
  ASSERT_FALSE(this->store->put_device(make_device("bare")));
  auto gen = this->store->generation();
  ASSERT_TRUE(gen);
  auto reg = this->store->registry("lab");
  ASSERT_TRUE(reg) << error_message(reg.error());
  EXPECT_EQ(reg->generation, *gen);
  std::vector<std::string> ids;
  for (auto& r : reg->devices)
    ids.push_back(r.id);
  EXPECT_EQ(
    ids, (std::vector<std::string>{"bare", "edge-01", "edge-02", "prod-01"}));
  // Only the environment's, and only the stored ones ("bare" has none).
  ASSERT_EQ(reg->credentials.size(), 2u);
  EXPECT_EQ(reg->credentials["edge-01"].password, "pw-edge-01");
  EXPECT_EQ(reg->credentials["edge-02"].password, "pw-edge-02");
  auto prod = this->store->registry("prod");
  ASSERT_TRUE(prod);
  ASSERT_EQ(prod->credentials.size(), 1u);
  EXPECT_EQ(prod->credentials["prod-01"].password, "pw-prod");
}

TYPED_TEST(device_store_test,
           the_registry_of_a_large_fleet_has_every_credential) {
  // More devices than one page of the etcd engine's scans (500).
  std::vector<storage::device_put> batch;
  for (int i = 0; i < 1100; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "r%04d", i);
    batch.push_back(
      {make_device(id), credential{"api", std::string{"pw-"} + id}});
  }
  ASSERT_FALSE(this->store->put_devices(std::move(batch)));
  auto reg = this->store->registry("lab");
  ASSERT_TRUE(reg) << error_message(reg.error());
  ASSERT_EQ(reg->devices.size(), 1100u);
  ASSERT_EQ(reg->credentials.size(), 1100u);
  for (auto& r : reg->devices)
    EXPECT_EQ(reg->credentials[r.id].password, "pw-" + r.id);
}

TYPED_TEST(device_store_test,
           a_credential_that_does_not_decrypt_fails_the_registry_naming_it) {
  this->add("edge-01");
  this->add("edge-02");
  auto txn = this->engine.open()->begin_read();
  ASSERT_TRUE(txn);
  auto sealed = (*txn)->get(tables::credentials, "edge-01");
  ASSERT_TRUE(sealed && *sealed);
  txn->reset();
  // edge-01's envelope under edge-02's id: authenticated for another device.
  ASSERT_FALSE(
    storage::write_atomically(*this->engine.open(), [&](storage::write_txn& w) {
      return w.put(tables::credentials, "edge-02", **sealed);
    }));
  auto reg = this->store->registry("lab");
  ASSERT_FALSE(reg);
  EXPECT_EQ(error_code_of(reg.error()), ec::store_failure);
  EXPECT_NE(error_message(reg.error()).find("edge-02"), std::string::npos)
    << error_message(reg.error());
  // Another environment's credentials are not opened.
  EXPECT_TRUE(this->store->registry("prod"));
}

TYPED_TEST(device_store_test,
           a_new_endpoint_drops_the_credential_in_the_same_write) {
  this->add("edge-01");
  auto rec = make_device("edge-01");
  rec.name = "renamed";
  rec.tags = {{"site", "fra"}};
  rec.flags.allow_advanced_writes = true;
  ASSERT_FALSE(this->store->put_device(rec));
  ASSERT_TRUE(this->store->get_credential("edge-01"))
    << "same endpoint: the credential stays";
  auto moves = std::vector<std::function<void(device_record&)>>{
    [](device_record& r) { r.host = "192.0.2.66"; },
    [](device_record& r) { r.port = 9443; },
    [](device_record& r) { r.scheme = "http"; },
    [](device_record& r) { r.tls.mode = "insecure"; },
    [](device_record& r) { r.tls.fingerprint_sha256 = "EF:01"; },
    [](device_record& r) { r.tls.ca_file = "/tmp/other-ca.pem"; },
    [](device_record& r) { r.tls.server_name = "elsewhere.example"; },
    [](device_record& r) { r.ssh.transport = "ssh"; },
    [](device_record& r) { r.ssh.port = 2222; }};
  for (size_t i = 0; i < moves.size(); ++i) {
    this->add("edge-01");
    auto before = *this->store->generation();
    auto moved = make_device("edge-01");
    moves[i](moved);
    EXPECT_FALSE(storage::same_endpoint(make_device("edge-01"), moved)) << i;
    ASSERT_FALSE(this->store->put_device(moved));
    auto cred = this->store->get_credential("edge-01");
    ASSERT_FALSE(cred) << "move " << i << " kept the credential";
    EXPECT_EQ(error_code_of(cred.error()), ec::device_not_found);
    EXPECT_EQ(*this->store->generation(), before + 1);
  }
  // A password entered with the move is stored for the new endpoint.
  auto moved = make_device("edge-01");
  moved.host = "192.0.2.77";
  ASSERT_FALSE(this->store->put_device(moved, credential{"api", "new-pw"}));
  auto cred = this->store->get_credential("edge-01");
  ASSERT_TRUE(cred) << error_message(cred.error());
  EXPECT_EQ(cred->password, "new-pw");
}

TYPED_TEST(device_store_test,
           a_wrong_key_fails_with_a_message_naming_the_device) {
  this->add("edge-01");
  auto other = storage::open_device_store(
    this->engine.open(), this->engine.where(), test::test_key('b'));
  ASSERT_TRUE(other);
  auto cred = (*other)->get_credential("edge-01");
  ASSERT_FALSE(cred);
  EXPECT_EQ(error_code_of(cred.error()), ec::store_failure);
  auto text = error_message(cred.error());
  EXPECT_NE(text.find("edge-01"), std::string::npos) << text;
  EXPECT_NE(text.find("key"), std::string::npos) << text;
}

TYPED_TEST(device_store_test,
           a_credential_copied_to_another_device_does_not_decrypt) {
  this->add("a");
  this->add("b");
  auto kv = this->engine.open();
  auto err = storage::write_atomically(*kv, [](storage::write_txn& txn) {
    auto sealed = txn.get(tables::credentials, "a");
    if (!sealed)
      return sealed.error();
    return txn.put(tables::credentials, "b", **sealed);
  });
  ASSERT_FALSE(err);
  auto cred = this->store->get_credential("b");
  ASSERT_FALSE(cred);
  EXPECT_NE(error_message(cred.error()).find("'b'"), std::string::npos);
  EXPECT_TRUE(this->store->get_credential("a"));
}

TYPED_TEST(device_store_test,
           removing_a_device_drops_its_credential_health_and_snapshots) {
  this->add("gone");
  this->add("gone2"); // shares the prefix "gone"
  ASSERT_FALSE(this->store->put_health(make_sample("gone", 1)));
  ASSERT_FALSE(this->store->put_health(make_sample("gone2", 1)));
  ASSERT_TRUE(
    this->store->put_snapshot(make_snapshot("gone", "config", 1, "x")));
  ASSERT_TRUE(
    this->store->put_snapshot(make_snapshot("gone2", "config", 1, "y")));
  ASSERT_FALSE(this->store->remove_device("gone"));
  auto kv = this->engine.open();
  auto txn = kv->begin_read();
  ASSERT_TRUE(txn);
  EXPECT_EQ((*txn)->count(tables::credentials), uint64_t{1});
  EXPECT_EQ((*txn)->count(tables::health), uint64_t{1});
  EXPECT_EQ((*txn)->count(tables::snapshots), uint64_t{1});
  (*txn).reset();
  EXPECT_EQ(this->store->health("gone2", 0)->size(), 1u);
  EXPECT_TRUE(this->store->latest_snapshot("gone2", "config"));
}

TYPED_TEST(device_store_test, health_history_is_newest_first_and_bounded) {
  storage::device_store_options opts;
  opts.health_history = 3;
  this->reopen(opts);
  this->add("r1");
  for (int64_t ts : {10, 50, 20, 40, 30})
    ASSERT_FALSE(this->store->put_health(make_sample("r1", ts)));
  auto all = this->store->health("r1", 0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].timestamp, 50);
  EXPECT_EQ((*all)[1].timestamp, 40);
  EXPECT_EQ((*all)[2].timestamp, 30);
  EXPECT_EQ((*all)[0].status, device_status::degraded);
  EXPECT_EQ((*all)[0].issues, std::vector<std::string>{"cpu 93% > 90%"});
  EXPECT_EQ((*all)[0].memory_total_bytes, uint64_t{1} << 33);
  auto two = this->store->health("r1", 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
}

TYPED_TEST(device_store_test,
           health_samples_with_equal_timestamps_are_all_kept) {
  this->add("r1");
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(this->store->put_health(make_sample("r1", 7)));
  EXPECT_EQ(this->store->health("r1", 0)->size(), 3u);
}

TYPED_TEST(device_store_test, negative_timestamps_still_sort_oldest_last) {
  this->add("r1");
  ASSERT_FALSE(this->store->put_health(make_sample("r1", -5)));
  ASSERT_FALSE(this->store->put_health(make_sample("r1", 3)));
  auto all = this->store->health("r1", 0);
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[0].timestamp, 3);
  EXPECT_EQ((*all)[1].timestamp, -5);
}

TYPED_TEST(device_store_test, health_of_an_unregistered_device_is_refused) {
  EXPECT_EQ(error_code_of(this->store->put_health(make_sample("ghost", 1))),
            ec::device_not_found);
  EXPECT_EQ(error_code_of(this->store->health("ghost", 5).error()),
            ec::device_not_found);
}

TYPED_TEST(device_store_test,
           the_newest_snapshot_per_device_and_kind_is_retrievable) {
  this->add("r1");
  ASSERT_TRUE(
    this->store->put_snapshot(make_snapshot("r1", "config", 100, "old")));
  auto newest =
    this->store->put_snapshot(make_snapshot("r1", "config", 200, "new"));
  ASSERT_TRUE(newest);
  ASSERT_TRUE(
    this->store->put_snapshot(make_snapshot("r1", "firewall", 300, "fw")));
  auto got = this->store->latest_snapshot("r1", "config");
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->id, *newest);
  EXPECT_EQ(got->content, "new");
  EXPECT_EQ(got->sha256, storage::sha256_hex("new"));
  EXPECT_EQ(got->timestamp, 200);
  auto missing = this->store->latest_snapshot("r1", "routing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_code_of(missing.error()), ec::resource_not_found);
}

TYPED_TEST(device_store_test,
           snapshot_retention_keeps_the_newest_per_device_and_kind) {
  storage::device_store_options opts;
  opts.snapshot_retention = 2;
  this->reopen(opts);
  this->add("r1");
  for (int64_t ts = 1; ts <= 4; ++ts)
    ASSERT_TRUE(this->store->put_snapshot(
      make_snapshot("r1", "config", ts, "v" + std::to_string(ts))));
  ASSERT_TRUE(this->store->put_snapshot(make_snapshot("r1", "dhcp", 1, "d")));
  auto kept = this->store->snapshots("r1", "config");
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].content, "v4");
  EXPECT_EQ((*kept)[1].content, "v3");
  EXPECT_EQ(this->store->snapshots("r1", "dhcp")->size(), 1u);
}

TYPED_TEST(device_store_test,
           snapshot_content_is_byte_exact_even_when_not_utf8) {
  this->add("r1");
  std::string latin1 = "# comment: caf\xe9\n/ip address\n";
  latin1.push_back('\0');
  ASSERT_TRUE(
    this->store->put_snapshot(make_snapshot("r1", "config", 1, latin1)));
  auto got = this->store->latest_snapshot("r1", "config");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->content, latin1);
  EXPECT_EQ(got->sha256, storage::sha256_hex(latin1));
}

TYPED_TEST(device_store_test, a_snapshot_with_a_wrong_sha256_is_refused) {
  this->add("r1");
  auto rec = make_snapshot("r1", "config", 1, "text");
  rec.sha256 = storage::sha256_hex("other");
  EXPECT_EQ(error_code_of(this->store->put_snapshot(rec).error()),
            ec::invalid_arguments);
  EXPECT_EQ(
    error_code_of(
      this->store->put_snapshot(make_snapshot("ghost", "config", 1, "x"))
        .error()),
    ec::device_not_found);
}

TYPED_TEST(device_store_test,
           a_snapshot_without_timestamp_gets_the_current_time) {
  this->add("r1");
  ASSERT_TRUE(this->store->put_snapshot(make_snapshot("r1", "config", 0, "x")));
  EXPECT_EQ(this->store->latest_snapshot("r1", "config")->timestamp, this->now);
}

TYPED_TEST(device_store_test, status_counts_devices_and_reports_the_schema) {
  this->add("a");
  this->add("b");
  auto st = this->store->status();
  ASSERT_TRUE(st) << error_message(st.error());
  EXPECT_EQ(st->backend, TypeParam::backend);
  EXPECT_EQ(st->devices, 2u);
  EXPECT_EQ(st->schema_version, storage::current_schema().version);
  if (TypeParam::measures_size) {
    EXPECT_GT(st->used_bytes, 0u);
  }
  EXPECT_GE(st->probe_ms, 0.0);
}

TYPED_TEST(device_store_test,
           records_survive_reopening_when_the_engine_persists) {
  this->add("keep");
  ASSERT_FALSE(this->store->put_health(make_sample("keep", 1)));
  this->store.reset();
  this->engine.close();
  this->reopen();
  auto all = this->store->devices();
  ASSERT_TRUE(all);
  if (TypeParam::persists) {
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(this->store->get_credential("keep")->password, "pw-keep");
    EXPECT_EQ(this->store->health("keep", 0)->size(), 1u);
  } else {
    EXPECT_TRUE(all->empty());
  }
}

TYPED_TEST(device_store_test, a_corrupt_record_is_a_store_failure_naming_it) {
  this->add("ok");
  auto err = storage::write_atomically(
    *this->engine.open(), [](storage::write_txn& txn) {
      return txn.put(tables::devices, "bad", "{not json");
    });
  ASSERT_FALSE(err);
  auto all = this->store->devices();
  ASSERT_FALSE(all);
  EXPECT_EQ(error_code_of(all.error()), ec::store_failure);
  EXPECT_NE(error_message(all.error()).find("devices/bad"), std::string::npos);
  auto wrong_type = storage::write_atomically(
    *this->engine.open(), [](storage::write_txn& txn) {
      return txn.put(tables::devices, "bad", R"({"port":"not a number"})");
    });
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(error_code_of(this->store->device("bad").error()),
            ec::store_failure);
}

} // namespace

TEST(device_record_codec,
     flags_keep_the_stored_format_of_before_the_flag_table) {
  // A record as stored before the flags were one table: every flag a key
  // of "flags"; a flag added later is absent and reads as false.
  auto stored = parse_json(R"({"id":"r1","name":"r1","host":"192.0.2.1",
    "port":443,"scheme":"https","username":"api","environment":"lab",
    "tags":{},"management_path":false,"created_at":1,"updated_at":2,
    "tls":{"mode":"verify","ca_file":"","fingerprint_sha256":"",
           "server_name":""},
    "flags":{"allow_advanced_writes":true,"allow_professional_workflows":false,
             "allow_firewall_writes":true,"allow_routing_writes":false,
             "allow_wireless_writes":false,"allow_dhcp_writes":false,
             "allow_bridge_writes":false,"critical":true}})");
  ASSERT_TRUE(stored);
  device_record rec;
  ASSERT_TRUE(storage::decode(*stored, rec));
  EXPECT_TRUE(rec.flags.allow_advanced_writes);
  EXPECT_TRUE(rec.flags.allow_firewall_writes);
  EXPECT_TRUE(rec.flags.critical);
  EXPECT_FALSE(rec.flags.allow_bandwidth_test);
  EXPECT_FALSE(rec.flags.allow_routing_writes);
  // Written back with the same keys and values, plus the absent flag.
  auto flags = (*stored)["flags"];
  flags["allow_bandwidth_test"] = false;
  EXPECT_EQ(storage::encode(rec)["flags"], flags);
}

} // namespace rmcp
