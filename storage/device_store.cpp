#include "storage/device_store.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <set>

#include "protocol/error.hpp"
#include "storage/encoding.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/memory_store.hpp"
#include "storage/record_table.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

namespace {

const record_table<device_record> device_table{tables::devices};
const record_table<health_sample> health_table{tables::health};
const record_table<snapshot_record> snapshot_table{tables::snapshots};

constexpr char sep = '\0';

/// Order-preserving map of a signed timestamp to 16 hex digits, inverted so
/// that newer sorts first.
std::string newest_first(int64_t ts) {
  auto biased = static_cast<uint64_t>(ts) ^ (uint64_t{1} << 63);
  auto inverted = ~biased;
  std::string raw(8, '\0');
  for (int i = 7; i >= 0; --i) {
    raw[static_cast<size_t>(i)] = static_cast<char>(inverted & 0xff);
    inverted >>= 8;
  }
  return to_hex(raw);
}

std::string device_prefix(const std::string& id) {
  return id + sep;
}

std::string snapshot_prefix(const std::string& id, const std::string& kind) {
  return id + sep + kind + sep;
}

/// A key under `prefix` + newest_first(ts) not used yet: equal timestamps
/// get a counter suffix.
caf::expected<std::string> fresh_time_key(write_txn& txn,
                                          std::string_view table,
                                          const std::string& prefix,
                                          int64_t ts) {
  auto base = prefix + newest_first(ts);
  for (uint32_t n = 0; n < 1000; ++n) {
    auto key = base
               + to_hex(std::string{static_cast<char>(n >> 8),
                                    static_cast<char>(n & 0xff)});
    auto existing = txn.get(table, key);
    if (!existing)
      return existing.error();
    if (!*existing)
      return key;
  }
  return make_error(ec::store_failure,
                    "more than 1000 records with one timestamp in table "
                      + std::string{table});
}

/// Erases every record under `prefix` after the newest `keep` (keys sort
/// newest first).
caf::error trim(write_txn& txn, std::string_view table,
                const std::string& prefix, uint32_t keep) {
  auto erased = erase_prefix(txn, table, prefix, keep);
  return erased ? caf::error{} : erased.error();
}

caf::error no_device(const std::string& id) {
  return make_error(ec::device_not_found,
                    "no device is registered with id '" + id
                      + "'; list_devices shows the registered ids");
}

caf::error check_device_id(const std::string& id) {
  if (!is_valid_device_id(id))
    return make_error(ec::invalid_arguments,
                      "device id '" + id
                        + "' is invalid: use 1 to 64 characters of a-z, 0-9, "
                          "'_', '.', '-', starting with a letter or digit");
  return caf::none;
}

/// device_not_found unless `id` is registered.
caf::error require_device(read_txn& txn, const std::string& id) {
  if (!is_valid_device_id(id))
    return no_device(id);
  auto raw = txn.get(tables::devices, id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return no_device(id);
  return caf::none;
}

std::string random_id(const char* prefix) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    return {};
  return prefix + to_hex({reinterpret_cast<const char*>(bytes), sizeof(bytes)});
}

template <class T>
caf::expected<T>
read_with(kv_store& kv, const std::function<caf::expected<T>(read_txn&)>& fn) {
  auto txn = kv.begin_read();
  if (!txn)
    return txn.error();
  return fn(**txn);
}

} // namespace

bool same_endpoint(const device_record& a, const device_record& b) {
  // A first SSH host key pin (trust on first use, or an operator's) only
  // narrows who gets the password; replacing a pin does not.
  bool same_key = a.ssh.host_key_sha256.empty()
                  || a.ssh.host_key_sha256 == b.ssh.host_key_sha256;
  return a.host == b.host && a.port == b.port && a.scheme == b.scheme
         && a.tls == b.tls && a.ssh.transport == b.ssh.transport
         && a.ssh.port == b.ssh.port && same_key;
}

bool is_valid_device_id(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!lower_or_digit(id.front()))
    return false;
  for (char c : id)
    if (!lower_or_digit(c) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

device_store::device_store(std::shared_ptr<kv_store> kv,
                           credential_cipher cipher, device_store_options opts)
  : kv_(std::move(kv)), cipher_(std::move(cipher)), opts_(std::move(opts)) {
  // nop
}

int64_t device_store::now() const {
  if (opts_.clock)
    return opts_.clock();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

// -- devices ----------------------------------------------------------------------

caf::expected<std::vector<device_record>> device_store::devices() {
  return read_with<std::vector<device_record>>(
    *kv_, [](read_txn& txn) { return device_table.collect(txn, {}); });
}

caf::expected<device_record> device_store::device(const std::string& id) {
  return read_with<device_record>(
    *kv_, [&id](read_txn& txn) -> caf::expected<device_record> {
      if (!is_valid_device_id(id))
        return no_device(id);
      auto rec = device_table.get(txn, id);
      if (!rec)
        return rec.error();
      if (!*rec)
        return no_device(id);
      return std::move(**rec);
    });
}

caf::error device_store::put_device_in(write_txn& txn, device_record& rec,
                                       std::optional<device_record>* previous) {
  if (auto err = check_device_id(rec.id))
    return err;
  auto existing = device_table.get(txn, rec.id);
  if (!existing)
    return existing.error();
  auto ts = now();
  if (*existing)
    rec.created_at = (*existing)->created_at;
  else if (rec.created_at == 0)
    rec.created_at = ts;
  rec.updated_at = ts;
  if (previous)
    *previous = std::move(*existing);
  return device_table.put(txn, rec.id, rec);
}

caf::error device_store::put_device(device_record rec) {
  return write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    std::optional<device_record> previous;
    if (auto err = put_device_in(txn, rec, &previous))
      return err;
    if (previous && !same_endpoint(*previous, rec))
      if (auto gone = txn.erase(tables::credentials, rec.id); !gone)
        return gone.error();
    return bump_generation(txn);
  });
}

caf::error device_store::put_device(device_record rec, const credential& cred) {
  return write_atomically(*kv_, [&](write_txn& txn) {
    if (auto err = put_device_in(txn, rec))
      return err;
    if (auto err = put_credential_in(txn, rec.id, cred))
      return err;
    return bump_generation(txn);
  });
}

caf::error device_store::put_devices(std::vector<device_put> batch) {
  return write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    for (auto& put : batch) {
      std::optional<device_record> previous;
      if (auto err = put_device_in(txn, put.record, &previous))
        return err;
      if (put.cred) {
        if (auto err = put_credential_in(txn, put.record.id, *put.cred))
          return err;
      } else if (previous && !same_endpoint(*previous, put.record)) {
        if (auto gone = txn.erase(tables::credentials, put.record.id); !gone)
          return gone.error();
      }
    }
    return bump_generation(txn);
  });
}

caf::error device_store::remove_device(const std::string& id) {
  return write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    if (!is_valid_device_id(id))
      return no_device(id);
    auto erased = device_table.erase(txn, id);
    if (!erased)
      return erased.error();
    if (!*erased)
      return no_device(id);
    if (auto gone = txn.erase(tables::credentials, id); !gone)
      return gone.error();
    if (auto gone = erase_prefix(txn, tables::health, device_prefix(id)); !gone)
      return gone.error();
    if (auto gone = erase_prefix(txn, tables::snapshots, device_prefix(id));
        !gone)
      return gone.error();
    return bump_generation(txn);
  });
}

caf::expected<uint64_t> device_store::generation() {
  return read_with<uint64_t>(
    *kv_, [](read_txn& txn) { return read_generation(txn); });
}

// -- credentials --------------------------------------------------------------------

caf::error device_store::put_credential_in(write_txn& txn,
                                           const std::string& id,
                                           const credential& cred) {
  auto plain = dump_json(encode(cred));
  auto sealed = cipher_.seal(id, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!sealed)
    return sealed.error();
  return txn.put(tables::credentials, id, *sealed);
}

caf::error device_store::put_credential(const std::string& id,
                                        const credential& cred) {
  return write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    if (auto err = require_device(txn, id))
      return err;
    if (auto err = put_credential_in(txn, id, cred))
      return err;
    return bump_generation(txn);
  });
}

caf::expected<credential>
device_store::open_credential(const std::string& id,
                              const std::string& sealed) const {
  auto plain = cipher_.open(id, sealed);
  if (!plain)
    return plain.error();
  credential result;
  auto doc = parse_json(*plain);
  OPENSSL_cleanse(plain->data(), plain->size());
  if (!doc || !doc->is_object() || !decode(*doc, result))
    return corrupt_record(tables::credentials, id, "not a credential");
  return result;
}

caf::expected<credential> device_store::get_credential(const std::string& id) {
  return read_with<credential>(
    *kv_, [&](read_txn& txn) -> caf::expected<credential> {
      if (auto err = require_device(txn, id))
        return err;
      auto sealed = txn.get(tables::credentials, id);
      if (!sealed)
        return sealed.error();
      if (!*sealed)
        return make_error(ec::device_not_found,
                          "device '" + id
                            + "' has no stored credential; set its password "
                              "with `routeros-mcp device update`");
      return open_credential(id, **sealed);
    });
}

caf::expected<fleet_registry>
device_store::registry(const std::string& environment) {
  return read_with<fleet_registry>(
    *kv_, [&](read_txn& txn) -> caf::expected<fleet_registry> {
      fleet_registry out;
      auto gen = read_generation(txn);
      if (!gen)
        return gen.error();
      out.generation = *gen;
      auto records = device_table.collect(txn, {});
      if (!records)
        return records.error();
      out.devices = std::move(*records);
      std::set<std::string, std::less<>> wanted;
      for (auto& r : out.devices)
        if (r.environment == environment)
          wanted.insert(r.id);
      // One scan of the table (paged range reads on etcd), not a read per
      // device; only the environment's credentials are decrypted.
      caf::error failed;
      auto err = txn.scan(tables::credentials, {},
                          [&](std::string_view key, std::string_view sealed) {
                            auto i = wanted.find(key);
                            if (i == wanted.end())
                              return true;
                            auto c = open_credential(*i, std::string{sealed});
                            if (!c) {
                              failed = c.error();
                              return false;
                            }
                            out.credentials.emplace(*i, std::move(*c));
                            return true;
                          });
      if (err)
        return err;
      if (failed)
        return failed;
      return out;
    });
}

// -- health ---------------------------------------------------------------------------

caf::error device_store::put_health(const health_sample& sample) {
  auto results = put_health(std::vector<health_sample>{sample});
  if (!results)
    return results.error();
  return std::move(results->front());
}

caf::expected<std::vector<caf::error>>
device_store::put_health(const std::vector<health_sample>& samples) {
  std::vector<caf::error> results;
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    results.clear();
    for (auto& sample : samples) {
      if (auto refused = require_device(txn, sample.device_id);
          refused && error_code_of(refused) == ec::device_not_found) {
        results.push_back(std::move(refused));
        continue;
      } else if (refused) {
        return refused;
      }
      auto prefix = device_prefix(sample.device_id);
      auto key = fresh_time_key(txn, tables::health, prefix, sample.timestamp);
      if (!key)
        return key.error();
      if (auto err = health_table.put(txn, *key, sample))
        return err;
      if (auto err = trim(txn, tables::health, prefix, opts_.health_history))
        return err;
      results.emplace_back();
    }
    return caf::none;
  });
  if (err)
    return err;
  return results;
}

caf::expected<std::vector<health_sample>>
device_store::health(const std::string& id, uint32_t limit) {
  return read_with<std::vector<health_sample>>(
    *kv_, [&](read_txn& txn) -> caf::expected<std::vector<health_sample>> {
      if (auto err = require_device(txn, id))
        return err;
      return health_table.collect(txn, device_prefix(id), limit);
    });
}

// -- snapshots ------------------------------------------------------------------------

caf::expected<std::string> device_store::put_snapshot(snapshot_record rec) {
  if (rec.kind.empty() || rec.kind.size() > 64
      || rec.kind.find(sep) != std::string::npos)
    return make_error(ec::invalid_arguments,
                      "snapshot kind must be 1 to 64 characters without NUL");
  auto digest = sha256_hex(rec.content);
  if (!rec.sha256.empty() && rec.sha256 != digest)
    return make_error(ec::invalid_arguments, "snapshot sha256 " + rec.sha256
                                               + " does not match its content ("
                                               + digest + ")");
  rec.sha256 = std::move(digest);
  if (rec.timestamp == 0)
    rec.timestamp = now();
  rec.id = random_id("snap-");
  if (rec.id.empty())
    return make_error(ec::store_failure,
                      "OpenSSL failed to make a snapshot id");
  auto err = write_atomically(*kv_, [&](write_txn& txn) -> caf::error {
    if (auto err = require_device(txn, rec.device_id))
      return err;
    auto prefix = snapshot_prefix(rec.device_id, rec.kind);
    auto key = fresh_time_key(txn, tables::snapshots, prefix, rec.timestamp);
    if (!key)
      return key.error();
    if (auto err = snapshot_table.put(txn, *key, rec))
      return err;
    return trim(txn, tables::snapshots, prefix, opts_.snapshot_retention);
  });
  if (err)
    return err;
  return rec.id;
}

caf::expected<std::vector<snapshot_record>>
device_store::snapshots(const std::string& id, const std::string& kind) {
  return read_with<std::vector<snapshot_record>>(
    *kv_, [&](read_txn& txn) -> caf::expected<std::vector<snapshot_record>> {
      if (auto err = require_device(txn, id))
        return err;
      return snapshot_table.collect(txn, snapshot_prefix(id, kind));
    });
}

caf::expected<snapshot_record>
device_store::latest_snapshot(const std::string& id, const std::string& kind) {
  return read_with<snapshot_record>(
    *kv_, [&](read_txn& txn) -> caf::expected<snapshot_record> {
      if (auto err = require_device(txn, id))
        return err;
      auto newest = snapshot_table.collect(txn, snapshot_prefix(id, kind), 1);
      if (!newest)
        return newest.error();
      if (newest->empty())
        return make_error(ec::resource_not_found,
                          "device '" + id + "' has no snapshot of kind '" + kind
                            + "'");
      return std::move(newest->front());
    });
}

// -- status -----------------------------------------------------------------------------

caf::expected<store_status> device_store::status() {
  auto start = std::chrono::steady_clock::now();
  store_status result;
  {
    auto txn = kv_->begin_read();
    if (!txn)
      return txn.error();
    auto version = read_schema_version(**txn);
    if (!version)
      return version.error();
    auto n = (*txn)->count(tables::devices);
    if (!n)
      return n.error();
    result.schema_version = *version;
    result.devices = *n;
  }
  auto info = kv_->info();
  if (!info)
    return info.error();
  result.backend = info->backend;
  result.path = info->path;
  result.used_bytes = info->used_bytes;
  result.map_bytes = info->map_bytes;
  result.probe_ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  return result;
}

// -- opening ------------------------------------------------------------------------------

caf::expected<std::shared_ptr<device_store>>
open_device_store(std::shared_ptr<kv_store> kv, const std::string& where,
                  credential_key key, device_store_options opts) {
  if (auto found = upgrade(*kv, current_schema(), where); !found)
    return found.error();
  return std::make_shared<device_store>(
    std::move(kv), credential_cipher{std::move(key)}, std::move(opts));
}

caf::expected<std::shared_ptr<device_store>>
open_lmdb_device_store(const store_settings& settings, credential_key key) {
  lmdb_options lopts;
  lopts.path = settings.path;
  lopts.map_size_bytes = settings.map_size_bytes;
  auto kv = lmdb_store::open(lopts);
  if (!kv)
    return kv.error();
  device_store_options opts;
  opts.health_history = settings.health_history;
  opts.snapshot_retention = settings.snapshot_retention;
  return open_device_store(std::move(*kv), settings.path, std::move(key),
                           std::move(opts));
}

caf::expected<std::shared_ptr<device_store>>
open_memory_device_store(credential_key key, device_store_options opts) {
  return open_device_store(make_memory_store(), "memory", std::move(key),
                           std::move(opts));
}

} // namespace rmcp::storage
