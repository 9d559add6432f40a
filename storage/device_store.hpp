#pragma once

// The fleet's persistent records over a kv_store: devices, their encrypted
// credentials, bounded health history and snapshots, plus the generation
// counter. Every change is one write transaction; every read one snapshot.
//
// Owned by the store actor (actors/store_actor.hpp); not for concurrent use
// from several threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "storage/credential_cipher.hpp"
#include "storage/kv.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/schema.hpp"

namespace rmcp::storage {

namespace defaults {

/// Health samples kept per device.
constexpr uint32_t health_history = 100;
/// Snapshots kept per device and kind.
constexpr uint32_t snapshot_retention = 5;

} // namespace defaults

struct device_store_options {
  uint32_t health_history = defaults::health_history;
  uint32_t snapshot_retention = defaults::snapshot_retention;
  /// Unix milliseconds; the system clock when empty.
  std::function<int64_t()> clock;
};

/// True for ids matching [a-z0-9][a-z0-9_.-]{0,63}.
bool is_valid_device_id(std::string_view id);

/// True when both records send their credential to the same place: host,
/// port, scheme, TLS settings (mode, CA file, fingerprint, server name),
/// SSH transport and port, and the SSH host key unless `a` had none (a
/// first pin narrows trust).
bool same_endpoint(const device_record& a, const device_record& b);

/// One device of a batch write: the record and, when given, its new
/// credential (without one, a changed endpoint drops the stored one, as
/// `put_device` does).
struct device_put {
  device_record record;
  std::optional<credential> cred;
};

class device_store {
public:
  /// Uses `kv` as is: call `upgrade` first (the open_* functions do).
  device_store(std::shared_ptr<kv_store> kv, credential_cipher cipher,
               device_store_options opts = {});

  // -- devices ----------------------------------------------------------------

  /// Every device, sorted by id.
  caf::expected<std::vector<device_record>> devices();

  /// One device; device_not_found when there is none.
  caf::expected<device_record> device(const std::string& id);

  /// Inserts or replaces a device (keeps `created_at` of an existing one,
  /// sets `updated_at`); bumps the generation. When the endpoint changes
  /// (`same_endpoint` is false) the stored credential is dropped in the
  /// same transaction: a password is never sent to an address it was not
  /// entered for.
  caf::error put_device(device_record rec);

  /// Like `put_device`, but stores `cred` (entered for the new endpoint) in
  /// the same transaction instead of dropping the old one.
  caf::error put_device(device_record rec, const credential& cred);

  /// Inserts or replaces every device of `batch` in one transaction (all
  /// or none: an invalid id fails the whole batch), each as `put_device`
  /// with or without its credential; bumps the generation once.
  caf::error put_devices(std::vector<device_put> batch);

  /// Removes a device with its credential, health history and snapshots;
  /// bumps the generation. device_not_found when there is none.
  caf::error remove_device(const std::string& id);

  /// Committed changes to devices and credentials so far, in every process
  /// sharing the store: each successful put/remove adds exactly one.
  caf::expected<uint64_t> generation();

  // -- credentials ------------------------------------------------------------

  /// The decrypted credential. device_not_found when the device or its
  /// credential is missing; store_failure naming the device when it does
  /// not decrypt (wrong key, tampered).
  caf::expected<credential> get_credential(const std::string& id);

  /// Encrypts and stores the credential of a registered device; bumps the
  /// generation.
  caf::error put_credential(const std::string& id, const credential& cred);

  /// The fleet's load in one read transaction: the generation, every
  /// device, and the decrypted credentials of the devices of `environment`
  /// (read with one scan of the credentials table, so on the shared store
  /// a few paged range calls at one revision, not a round trip per
  /// device). A device without a stored credential has no entry;
  /// store_failure naming the device when one of them does not decrypt.
  caf::expected<fleet_registry> registry(const std::string& environment);

  // -- health -----------------------------------------------------------------

  /// Appends a sample of a registered device and drops the oldest beyond
  /// the configured history.
  caf::error put_health(const health_sample& sample);

  /// Appends several samples in one transaction (a group commit). Returns
  /// one result per sample: device_not_found for an unregistered device,
  /// none otherwise. Any other failure fails the whole batch.
  caf::expected<std::vector<caf::error>>
  put_health(const std::vector<health_sample>& samples);

  /// Up to `limit` samples (0 = all kept), newest first.
  caf::expected<std::vector<health_sample>> health(const std::string& id,
                                                   uint32_t limit);

  // -- snapshots --------------------------------------------------------------

  /// Stores a snapshot of a registered device (id generated, sha256 and a
  /// zero timestamp filled in; a given sha256 must match the content) and
  /// drops the oldest of its device and kind beyond the retention. Returns
  /// the snapshot id.
  caf::expected<std::string> put_snapshot(snapshot_record rec);

  /// The newest snapshot of a device and kind; resource_not_found when
  /// there is none.
  caf::expected<snapshot_record> latest_snapshot(const std::string& id,
                                                 const std::string& kind);

  /// Snapshots of a device and kind, newest first.
  caf::expected<std::vector<snapshot_record>>
  snapshots(const std::string& id, const std::string& kind);

  // -- status -----------------------------------------------------------------

  /// Probes the store with a read transaction.
  caf::expected<store_status> status();

  const device_store_options& options() const noexcept {
    return opts_;
  }

  /// The table layer underneath (other domain stores, e.g. the audit log,
  /// share it).
  const std::shared_ptr<kv_store>& kv() const noexcept {
    return kv_;
  }

private:
  int64_t now() const;

  /// Writes `rec`; the record it replaces in `*previous` (if any).
  caf::error put_device_in(write_txn& txn, device_record& rec,
                           std::optional<device_record>* previous = nullptr);

  caf::error put_credential_in(write_txn& txn, const std::string& id,
                               const credential& cred);

  /// Decrypts and decodes the sealed credential of `id`.
  caf::expected<credential> open_credential(const std::string& id,
                                            const std::string& sealed) const;

  std::shared_ptr<kv_store> kv_;
  credential_cipher cipher_;
  device_store_options opts_;
};

/// Where and how to open the persistent store.
struct store_settings {
  /// LMDB environment directory.
  std::string path;
  uint64_t map_size_bytes = defaults::map_size_bytes;
  uint32_t health_history = defaults::health_history;
  uint32_t snapshot_retention = defaults::snapshot_retention;
};

/// Upgrades `kv` to the current schema and wraps it. `where` names the store
/// in messages (its path, or "memory").
caf::expected<std::shared_ptr<device_store>>
open_device_store(std::shared_ptr<kv_store> kv, const std::string& where,
                  credential_key key, device_store_options opts = {});

/// Opens (creating or upgrading) the LMDB store at `settings.path`.
caf::expected<std::shared_ptr<device_store>>
open_lmdb_device_store(const store_settings& settings, credential_key key);

/// A fresh in-memory store (the twin for tests).
caf::expected<std::shared_ptr<device_store>>
open_memory_device_store(credential_key key, device_store_options opts = {});

} // namespace rmcp::storage
